"""Output formats for validation problems, chosen by name (`REPORTERS`)."""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Callable
from typing import TextIO

from .problems import Level, Problem
from .results import Report
from .words import one_line


def format_line(problem: Problem) -> str:
    """`PATH:LINE:COL: LEVEL RULE message`, the line editors and CI logs parse: one line
    whatever the path and the message hold, and never one that starts with `::` (a
    workflow command), even for a path that does."""
    path = one_line(problem.path)
    if path.startswith(":"):
        path = f"./{path}"
    return (f"{path}:{problem.line}:{problem.column}: "
            f"{problem.level.value} {problem.rule} {one_line(problem.message)}")


def report_text(report: Report, failed: bool, out: TextIO) -> None:
    """One problem a line, then the summary."""
    for problem in report.problems:
        out.write(format_line(problem) + "\n")
    out.write(report.summary() + "\n")


def report_parsable(report: Report, failed: bool, out: TextIO) -> None:
    """One problem a line and nothing else on stdout; the summary goes to stderr."""
    for problem in report.problems:
        out.write(format_line(problem) + "\n")
    sys.stderr.write(report.summary() + "\n")


def report_json(report: Report, failed: bool, out: TextIO) -> None:
    """`{"status": "ok"|"fail", "problems": [...]}`."""
    document = {
        "status": "fail" if failed else "ok",
        "problems": [
            {
                "path": p.path,
                "line": p.line,
                "column": p.column,
                "level": p.level.value,
                "rule": p.rule,
                "message": p.message,
            }
            for p in report.problems
        ],
    }
    json.dump(document, out, ensure_ascii=False, indent=2)
    out.write("\n")


def escape_data(text: str) -> str:
    """Escape a workflow command's message as the Actions toolkit does."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    """Escape a workflow command's property value as the Actions toolkit does."""
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def report_github(report: Report, failed: bool, out: TextIO) -> None:
    """Workflow commands that put each problem on its line of the pull request.

    GitHub shows only ten annotations of each level per step, so every problem also
    goes into a Markdown table in the step summary when `GITHUB_STEP_SUMMARY` is set.
    """
    for p in report.problems:
        command = "error" if p.level is Level.ERROR else "warning"
        properties = ",".join(
            f"{name}={escape_property(str(value))}"
            for name, value in (("file", p.path), ("line", p.line), ("col", p.column),
                                ("title", p.rule))
        )
        out.write(f"::{command} {properties}::{escape_data(p.message)}\n")
    out.write(report.summary() + "\n")
    summary_file = os.environ.get("GITHUB_STEP_SUMMARY")
    if summary_file:
        with open(summary_file, "a", encoding="utf-8") as stream:
            stream.write(step_summary(report))


def step_summary(report: Report) -> str:
    """A Markdown table of every problem, for the Actions step summary."""
    lines = [f"### COE validation: {report.summary()}", ""]
    if report.problems:
        lines += ["| File | Line | Level | Rule | Message |", "|---|---|---|---|---|"]
        for p in report.problems:
            cells = [f"`{p.path}`", f"{p.line}:{p.column}", p.level.value, p.rule, p.message]
            lines.append("| " + " | ".join(_cell(c) for c in cells) + " |")
    return "\n".join(lines) + "\n\n"


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\r", " ").replace("\n", " ")


Reporter = Callable[[Report, bool, TextIO], None]
REPORTERS: dict[str, Reporter] = {
    "text": report_text,
    "parsable": report_parsable,
    "json": report_json,
    "github": report_github,
}
