"""Golden files: large outputs compared with a reviewed copy in tests/golden/.

Run with UPDATE_GOLDEN=1 to rewrite them, then review the diff before committing.
"""

from __future__ import annotations

import os
from pathlib import Path

GOLDEN = Path(__file__).parent / "golden"


def assert_golden(name: str, actual: str) -> None:
    path = GOLDEN / name
    if os.environ.get("UPDATE_GOLDEN") == "1" or not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(actual, encoding="utf-8")
        if os.environ.get("UPDATE_GOLDEN") != "1":
            raise AssertionError(f"golden file {path} was missing and has been written; review it")
    assert actual == path.read_text(encoding="utf-8"), f"differs from {path}; UPDATE_GOLDEN=1 to accept"
