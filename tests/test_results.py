"""A validation report: its problems in order and its counts."""

from __future__ import annotations

import random
from pathlib import Path

from coe.problems import Level, Problem
from coe.results import Checked, Report


def test_report_sorts_problems_as_problems_sort() -> None:
    rng = random.Random(5)
    problems = [Problem(rng.choice(["a.yaml", "b.yaml", "a/b.yaml"]), rng.randint(1, 3),
                        rng.randint(1, 3), rng.choice(["COE010", "COE101", "COE022"]),
                        rng.choice(["x", "y", "é"]), rng.choice(list(Level)))
                for _ in range(400)]
    checked = [Checked(Path("x"), "x", problems[i:i + 40]) for i in range(0, 400, 40)]
    report = Report(checked)
    assert report.problems == sorted(problems)
    for level in Level:
        assert report.count(level) == sum(1 for p in report.problems if p.level is level)


def test_the_summary_counts_in_words() -> None:
    warning = Problem("a", 1, 1, "COE101", "x", Level.WARNING)
    assert Report([Checked(Path("a"), "a", [warning])]).summary() == "0 errors, 1 warning in 1 COE"
    assert Report([Checked(Path("a"), "a"), Checked(Path("b"), "b")]).summary() == "no problems in 2 COEs"
