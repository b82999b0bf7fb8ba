"""The house keeps its rules: no import cycle, no import against the order of the stages,
no module over 450 lines, no function over 60 (scripts/layout-report)."""

from __future__ import annotations

import subprocess
import sys

from .conftest import ROOT


def test_every_module_keeps_the_rules_of_the_layout() -> None:
    done = subprocess.run([sys.executable, str(ROOT / "scripts/layout-report")],
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stdout.split("\n\n")[-1]
    assert done.stdout.rstrip().endswith("every module within the rules")
