"""The example folders: every invalid case fails exactly where its first line says.

Each `examples/invalid/<case>/coe.yaml` starts with `# expect: LINE:COL RULE, ...`: the
errors validation must report, no more and no fewer. Every COE in `examples/valid/` and
in the repository's `coes/` must be valid.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from coe.problems import Level
from coe.validate import validate

from .conftest import EXAMPLES, ROOT

INVALID = sorted((EXAMPLES / "invalid").iterdir())
VALID = sorted((EXAMPLES / "valid").iterdir()) + sorted(
    p for p in (ROOT / "coes").iterdir() if p.is_dir()
)


def expected_errors(path: Path) -> Counter[str]:
    first = path.read_text(encoding="utf-8").splitlines()[0]
    assert first.startswith("# expect: "), f"{path} must start with '# expect: LINE:COL RULE'"
    return Counter(item.strip() for item in first[len("# expect: "):].split(","))


@pytest.mark.parametrize("folder", INVALID, ids=[p.name for p in INVALID])
def test_invalid_example_fails_at_its_place(folder: Path) -> None:
    report = validate([folder])
    found = Counter(
        f"{p.line}:{p.column} {p.rule}" for p in report.problems if p.level is Level.ERROR
    )
    assert found == expected_errors(folder / "coe.yaml")
    assert all(p.path.endswith(".yaml") or p.path.endswith(".csv") for p in report.problems)


@pytest.mark.parametrize("folder", VALID, ids=[p.name for p in VALID])
def test_valid_example_has_no_errors(folder: Path) -> None:
    report = validate([folder], [ROOT / "coes"])
    errors = [p for p in report.problems if p.level is Level.ERROR]
    assert errors == []
    assert len(report.checked) == 1


def test_there_are_enough_examples() -> None:
    assert len(INVALID) >= 25
    assert len([p for p in (ROOT / "coes").iterdir() if (p / "coe.yaml").is_file()]) >= 8
