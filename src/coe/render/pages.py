"""The Markdown pages of the site, from the model and Jinja templates in templates/site/.

Pages are Markdown files whose body is mostly HTML: headings stay Markdown (for the
table of contents and search sections), everything else is HTML built here, with
Markdown fields rendered and sanitised by `render.text` and all other text escaped by
Jinja's autoescaping.
"""

from __future__ import annotations

import json
import re
from datetime import date, timezone
from functools import cache
from urllib.parse import quote

from jinja2 import Environment, FileSystemLoader, StrictUndefined
from markupsafe import Markup

from ..model import Coe, WhyNode
from ..problems import RULES, Problem
from ..resources import data_path
from . import text
from .diagrams import action_anchor, svg_id

TIMELINE_ICONS = {
    "impact": "!", "detection": "◉", "engagement": "☎", "escalation": "⇧",
    "investigation": "?", "mitigation": "↺", "communication": "✉", "recovery": "✔",
    "other": "•",
}
# The line before each section heading of a COE page (see rendered.split_sections).
SECTION_MARK = "<!--coe-section-->"
# The section headings of a COE page (templates/site/coe.md.jinja), in order.
SECTION_TITLES = ("Impact", "Timeline", "Detection", "Customer communications", "Mitigations",
                  "Dependency analysis", "Why-tree", "Lessons", "Action items", "Narrative",
                  "Closing checklist")
CHECKLIST = [
    ("short_term_fixes_verified", "Short-term fixes verified"),
    ("data_preserved", "Data and logs preserved"),
    ("followups_assigned", "Follow-up tasks assigned to every team involved"),
    ("shared_understanding", "Shared understanding of next steps"),
]


def node_anchor(coe: Coe, node_id: str) -> str:
    """The id of a why-node's box in the diagram, to link to it."""
    return f"{svg_id(coe.id)}-{svg_id(node_id)}"


def _number(value: float) -> str:
    """1,370,000 and 8.4: thousands separated, no trailing zeros."""
    if float(value).is_integer() and abs(value) < 1e15:
        return f"{int(value):,}"
    return f"{value:,.6g}"


@cache
def environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(str(data_path("templates", "site"))),
        autoescape=True,
        undefined=StrictUndefined,
        keep_trailing_newline=True,
        trim_blocks=True,
    )
    env.filters.update(
        md=lambda value: Markup(text.markdown_html(value)),
        md_inline=lambda value: Markup(text.markdown_inline(value)),
        duration=text.duration,
        utc=text.utc_time,
        local=text.local_time,
        tplus=text.t_plus,
        number=_number,
        action_anchor=action_anchor,
        urlencode=lambda value: quote(str(value)),
    )
    return env


def front_matter(title: str, tags: tuple[str, ...] = ()) -> str:
    """YAML front matter; JSON strings are YAML, so nothing in a title can change it.

    The title and tags are HTML-escaped here because mkdocs' theme templates print
    them without escaping (in <title>, the <h1> and the tag list).
    """
    lines = [f"title: {json.dumps(text.plain(title), ensure_ascii=False)}"]
    if tags:
        lines.append(f"tags: {json.dumps([text.plain(t) for t in tags], ensure_ascii=False)}")
    return "\n".join(lines)


def cards(coe: Coe) -> list[tuple[str, str, str]]:
    """The derived figures shown as cards: (label, value, hint)."""
    t = coe.times
    result = [
        ("Time to detect", text.duration(t.time_to_detect), "start → detected"),
        ("Time to engage", text.duration(t.time_to_engage), "detected → engaged"),
        ("Time to mitigate", text.duration(t.time_to_mitigate), "impact duration"),
        ("Time to resolve", text.duration(t.time_to_resolve), "start → resolved"),
    ]
    if coe.impact.customers_affected is not None:
        result.append(("Customers affected", f"{coe.impact.customers_affected:,}", ""))
    return result


def tree_list(coe: Coe) -> Markup:
    """The why-tree as nested lists: readable without the diagram, and searchable."""

    def item(node: WhyNode) -> str:
        parts = [f"<code>{text.plain(node.id)}</code> {text.plain(node.because)}"]
        if node.root_cause:
            parts.append(' <strong class="coe-root">root cause</strong>')
        if node.category:
            parts.append(f" <small>({text.plain(node.category)})</small>")
        if node.evidence:
            parts.append(f"<br><small>Evidence: {text.plain(node.evidence)}</small>")
        children = "".join(item(child) for child in node.causes)
        return "<li>" + "".join(parts) + (f"<ul>{children}</ul>" if children else "") + "</li>"

    assert coe.whys is not None
    return Markup("<ul>" + "".join(item(node) for node in coe.whys.causes) + "</ul>")


def coe_page(coe: Coe, today: date, diagram_svg: str = "", graph_svgs: tuple[str, ...] = (),
             review_notes: list[Problem] | tuple[()] = ()) -> str:
    """The Markdown of one COE's page; `review_notes` are shown in a box at the top."""
    return environment().get_template("coe.md.jinja").render(
        coe=coe,
        today=today,
        front_matter=Markup(front_matter(coe.title, coe.tags)),
        cards=cards(coe),
        graphs=list(zip(coe.impact.graphs, [Markup(svg) for svg in graph_svgs])),
        diagram=Markup(diagram_svg),
        tree_list=tree_list(coe) if coe.whys else "",
        icons=TIMELINE_ICONS,
        checklist_labels=CHECKLIST,
        node_anchor=lambda node_id: node_anchor(coe, node_id),
        review_notes=review_notes,
    )


def index_page(coes: list[Coe], today: date, hidden_drafts: int = 0) -> str:
    """The Markdown of the index of all COEs, newest first."""
    ordered = sorted(coes, key=lambda c: (c.times.start, c.id), reverse=True)
    return environment().get_template("index.md.jinja").render(
        coes=ordered,
        today=today,
        hidden_drafts=hidden_drafts,
        severities=sorted({c.severity for c in coes}),
        services=sorted({s for c in coes for s in c.services}),
        statuses=[s for s in ("draft", "in-review", "published") if any(c.status == s for c in coes)],
        utc=timezone.utc,
    )


_EXAMPLE = re.compile(r"^(Failing|Passing) example:\n\n((?:    .*\n?|\n)+)", re.MULTILINE)


def _docstring_markdown(doc: str) -> str:
    """A rule's docstring as Markdown: its examples become YAML code blocks."""

    def block(match: re.Match[str]) -> str:
        code = "\n".join(line[4:] for line in match[2].rstrip("\n").splitlines())
        return f"**{match[1]} example**\n\n```yaml\n{code}\n```\n\n"

    return _EXAMPLE.sub(block, doc + "\n")


def rules_page() -> str:
    """The Markdown of the rules page, generated from the rules themselves."""
    from ..review import REVIEW_RULES

    lines = [
        "---", 'title: "Validation and review rules"', "---", "",
        "`coe validate` reports each problem as `PATH:LINE:COL: LEVEL RULE message`.",
        "Errors break the format's contract; review rules (COE1xx) are warnings about the",
        "analysis that a repository can turn off, raise to errors or tune in `mkdocs.yml`:",
        "", "```yaml", "plugins:", "  - coe:", "      rules:",
        "        COE105: {level: error, minutes: 5}", "        COE108: off", "```", "",
        "## Format rules", "", "| code | name | level | what |", "|---|---|---|---|",
    ]
    for known in RULES.values():
        lines.append(f"| {known.code} | {known.name} | {known.level.value} | {known.summary} |")
    lines += ["", "## Review rules", ""]
    for registered in REVIEW_RULES.values():
        options = ", ".join(f"`{k}` (default {v})" for k, v in registered.options.items())
        lines += [f"### {registered.code} {registered.name}", ""]
        if options:
            lines += [f"Settings: {options}.", ""]
        lines += [_docstring_markdown(registered.doc), ""]
    return "\n".join(lines) + "\n"
