"""Text as pages show it: Markdown fields to safe HTML, durations and times in words.

Markdown fields are rendered here, not by mkdocs, so that their HTML can be sanitised
before it reaches a page: a COE comes from any author by pull request and is read by
everyone.
"""

from __future__ import annotations

import html
import re
from datetime import datetime, timedelta, timezone
from functools import cache

import markdown
import nh3

_CJK = "\u2e80-\u2fdf\u3000-\u303f\u3040-\u30ff\u3100-\u31ef\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff00-\uffef"
# A line break between two CJK characters is not a space in Chinese or Japanese text.
_CJK_BREAK = re.compile(rf"(?<=[{_CJK}])[ \t]*\n[ \t]*(?=[{_CJK}])")

_TAGS = set(nh3.ALLOWED_TAGS) | {"input"} - {"map", "area"}
_ATTRIBUTES = {
    **{tag: set(attrs) for tag, attrs in nh3.ALLOWED_ATTRIBUTES.items()},
    "input": {"type", "checked", "disabled"},
    "td": {"align", "colspan", "rowspan"},
    "th": {"align", "colspan", "rowspan"},
    "code": {"class"},
    "span": {"class"},
    "div": {"class"},
}
_URL_SCHEMES = {"http", "https", "mailto"}


@cache
def _markdown() -> markdown.Markdown:
    return markdown.Markdown(
        extensions=["tables", "fenced_code", "sane_lists", "def_list", "abbr", "footnotes"],
        output_format="html",
    )


def sanitize(fragment: str) -> str:
    """HTML with only an allow-list of tags, attributes and URL schemes left."""
    return nh3.clean(
        fragment,
        tags=_TAGS,
        attributes=_ATTRIBUTES,
        url_schemes=_URL_SCHEMES,
        link_rel="noopener noreferrer",
    )


# One line with none of these characters, and not starting like a block, is a plain
# paragraph: Markdown would only escape it. Most timeline entries are such lines, and
# skipping the converter for them halves the time to render a page.
_MARKDOWN_SYNTAX = re.compile(r"[*_`\[\]<>&\\!~|\n\r\t]|^\s|^[#>+=-]|^\d+[.)]|\s$|https?:|www\.")


def markdown_html(text: str | None) -> str:
    """A Markdown field as sanitised HTML ("" for None)."""
    if not text:
        return ""
    if not _MARKDOWN_SYNTAX.search(text):
        return f"<p>{html.escape(text, quote=False)}</p>"
    converter = _markdown()
    converter.reset()
    return sanitize(converter.convert(_CJK_BREAK.sub("", text)))


def markdown_inline(text: str | None) -> str:
    """A one-line Markdown field as sanitised inline HTML (no wrapping paragraph)."""
    rendered = markdown_html(text)
    if rendered.startswith("<p>") and rendered.endswith("</p>") and rendered.count("<p>") == 1:
        return rendered[3:-4]
    return rendered


def plain(text: object) -> str:
    """Plain text escaped for HTML."""
    return html.escape(str(text), quote=True)


def duration(minutes: float | None) -> str:
    """45 min, 3 h 15 min, 2 d 4 h; an em dash when unknown."""
    if minutes is None:
        return "—"
    total = round(minutes)
    if total < 60:
        return f"{total} min"
    hours, mins = divmod(total, 60)
    if hours < 48:
        return f"{hours} h {mins} min" if mins else f"{hours} h"
    days, hours = divmod(hours, 24)
    return f"{days} d {hours} h" if hours else f"{days} d"


def offset_name(moment: datetime) -> str:
    """`UTC` for offset zero, else `UTC+08:00` or `UTC-05:30`."""
    offset = moment.utcoffset() or timedelta(0)
    if not offset:
        return "UTC"
    sign = "-" if offset < timedelta(0) else "+"
    minutes = abs(int(offset.total_seconds())) // 60
    return f"UTC{sign}{minutes // 60:02d}:{minutes % 60:02d}"


def utc_time(moment: datetime) -> str:
    """2025-10-20 06:48 UTC."""
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")


def local_time(moment: datetime) -> str:
    """The time as written, in the COE's own offset: 2025-10-20 14:48 UTC+08:00."""
    return f"{moment.strftime('%Y-%m-%d %H:%M')} {offset_name(moment)}"


def t_plus(minutes: float) -> str:
    """T+12 min, T−3 min, T+2 h 5 min."""
    sign = "+" if minutes >= 0 else "−"
    return f"T{sign}{duration(abs(minutes))}"
