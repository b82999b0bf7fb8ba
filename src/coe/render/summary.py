"""One COE as Markdown for a pull-request comment: what reviewers need at a glance."""

from __future__ import annotations

from datetime import date

from ..model import Coe, WhyNode
from ..problems import Problem
from .text import duration


def _cell(text: object) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def _tree(node: WhyNode, depth: int = 0) -> list[str]:
    marks = " **(root cause" + (f", {node.category}" if node.category else "") + ")**" if node.root_cause else ""
    evidence = f" — _{_cell(node.evidence)}_" if node.evidence else ""
    lines = [f"{'  ' * depth}- `{node.id}` {_cell(node.because)}{marks}{evidence}"]
    for child in node.causes:
        lines += _tree(child, depth + 1)
    return lines


def summary_markdown(coe: Coe, today: date, findings: list[Problem]) -> str:
    """Title, severity, derived times, the why-tree as a nested list, the action items and
    the review findings of one COE."""
    t = coe.times
    lines = [
        f"## {coe.id}: {_cell(coe.title)}", "",
        f"**SEV{coe.severity}** · {coe.status} · {coe.scope} · {', '.join(coe.services)}", "",
        "| time to detect | time to engage | time to mitigate | time to resolve |",
        "|---|---|---|---|",
        f"| {duration(t.time_to_detect)} | {duration(t.time_to_engage)} "
        f"| {duration(t.time_to_mitigate)} | {duration(t.time_to_resolve)} |", "",
    ]
    if coe.whys:
        lines += [f"### Why-tree: {_cell(coe.whys.problem)}", ""]
        for node in coe.whys.causes:
            lines += _tree(node)
        lines.append("")
    if coe.action_items:
        lines += ["### Action items", "", "| id | action | owner | priority | due | status |",
                  "|---|---|---|---|---|---|"]
        for item in coe.action_items:
            late = f" (**{item.days_overdue(today)} days overdue**)" if item.is_overdue(today) else ""
            lines.append(f"| {item.id} | {_cell(item.title)} | {_cell(item.owner)} | {item.priority} "
                         f"| {item.due.isoformat()}{late} | {item.status} |")
        lines.append("")
    lines += [f"### Review findings ({len(findings)})", ""]
    if findings:
        lines += [f"- `{p.rule}` line {p.line}: {_cell(p.message)}" for p in findings]
    else:
        lines.append("None: every review rule passes.")
    lines += ["", f"_As of {today.isoformat()}._"]
    return "\n".join(lines) + "\n"
