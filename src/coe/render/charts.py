"""Impact graphs as SVG to inline in a COE's page, drawn at build time with matplotlib.

What a chart marks (the impact window, detection, the threshold, the time ticks in the
COE's own offset) is worked out by `chart_marks` in plain Python, so it can be tested
without drawing. Matplotlib is imported only inside `impact_graph_svg`: importing it costs
about half a second, which commands that draw nothing must not pay.
"""

from __future__ import annotations

import contextlib
import functools
import io
import json
import logging
import math
import re
import warnings
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta, tzinfo
from html import escape
from pathlib import Path
from typing import Any

from ..cache import cached_svg, content_key
from ..model import Coe, Graph
from .diagrams import svg_id
from .text import offset_name

CHART_VERSION = "1"  # bump when a change here changes the SVG, to invalidate caches

# The browser draws the text (svg.fonttype 'none') with the first of these it has, so a
# CJK-capable family comes first; matplotlib only measures with them.
FONT_FAMILY = ["Noto Sans CJK SC", "DejaVu Sans", "sans-serif"]
FIGURE_SIZE = (8.0, 3.4)  # inches; scaled to the page's width by width="100%"
MAX_TICKS = 8
TICK_STEPS = (1, 2, 5, 10, 15, 20, 30, 60, 120, 180, 240, 360, 720, 1440, 2880, 10080)  # min

# Mid-tones readable on both mkdocs-material's light and slate (dark) backgrounds.
SERIES_COLOUR = "#4a90d9"
THRESHOLD_COLOUR = "#e8590c"
IMPACT_COLOUR = "#e03131"
DETECTED_COLOUR = "#8c6bd6"
GRID_COLOUR = "#8a8a8a"
# Axes and text are drawn in this colour, then rewritten to `currentColor` so that they
# follow the page's text colour; it must be a colour nothing else uses.
TEXT_SENTINEL = "#010203"

_ID_PREFIX = re.compile(r"^[A-Za-z][A-Za-z0-9_.-]*$")


@dataclass(frozen=True)
class ChartMarks:
    """Where an impact graph's marks go, as times in the COE's own offset."""

    tz: tzinfo
    offset: str  # "UTC", "UTC+08:00": shown in the time axis label
    impact_start: datetime
    impact_end: datetime
    mitigated: bool  # False: the window runs to the last point, the impact was not over
    detected: datetime
    axis_start: datetime
    axis_end: datetime
    ticks: tuple[tuple[datetime, str], ...]
    threshold_label: str | None

    @property
    def time_label(self) -> str:
        return f"time ({self.offset})"

    @property
    def impact_label(self) -> str:
        return "impact" if self.mitigated else "impact (not mitigated)"


def chart_marks(coe: Coe, graph: Graph) -> ChartMarks:
    """The impact window (start to mitigated, or to the last point), detection, the axis
    range and ticks, all in the offset of `coe.times.start`."""
    times = coe.times
    tz = times.start.tzinfo
    assert tz is not None  # validation refuses times without an offset
    moments = [when for when, _ in graph.points]
    start = times.start
    if times.mitigated is not None:
        end = times.mitigated
    else:
        end = max([start, *moments])
    axis_start = min([start, *moments])
    axis_end = max([end, times.detected, *moments])
    minute = timedelta(minutes=1)
    if axis_end - axis_start < minute:  # a single moment: give the axis some width
        axis_start, axis_end = axis_start - minute, axis_end + minute
    return ChartMarks(
        tz=tz,
        offset=offset_name(start),
        impact_start=start.astimezone(tz),
        impact_end=end.astimezone(tz),
        mitigated=times.mitigated is not None,
        detected=times.detected.astimezone(tz),
        axis_start=axis_start.astimezone(tz),
        axis_end=axis_end.astimezone(tz),
        ticks=time_ticks(axis_start, axis_end, tz),
        threshold_label=(None if graph.threshold is None
                         else f"alarm threshold {with_unit(graph.threshold, graph.unit)}"),
    )


def with_unit(value: float, unit: str | None) -> str:
    """`1%`, `1500 ms`, `0.25`: no space before a unit that starts with a symbol."""
    whole = float(value).is_integer() and abs(value) < 1e15
    number = str(int(value)) if whole else f"{value:.6g}"
    if not unit:
        return number
    return f"{number}{unit}" if not unit[0].isalnum() else f"{number} {unit}"


def time_ticks(first: datetime, last: datetime, tz: tzinfo,
               max_ticks: int = MAX_TICKS) -> tuple[tuple[datetime, str], ...]:
    """Ticks on round local times from `first` to `last`, labelled `HH:MM`; when the
    range crosses midnight, the first tick and the first of each new day also carry the
    date on a second line. Steps of a day or more are labelled with the date alone."""
    span = (last - first).total_seconds() / 60
    step = next((s for s in TICK_STEPS if math.floor(span / s) + 1 <= max_ticks),
                1440 * math.ceil(span / (max_ticks - 1) / 1440))
    local_first, local_last = first.astimezone(tz), last.astimezone(tz)
    midnight = local_first.replace(hour=0, minute=0, second=0, microsecond=0)
    since_midnight = (local_first - midnight).total_seconds() / 60
    unit = step if step < 1440 else 1440  # day steps start at a midnight
    tick = midnight + timedelta(minutes=unit * math.ceil(since_midnight / unit))
    crosses = local_first.date() != local_last.date()
    ticks: list[tuple[datetime, str]] = []
    previous_day = None
    while tick <= local_last:
        if step >= 1440:
            label = tick.strftime("%Y-%m-%d")
        else:
            label = tick.strftime("%H:%M")
            if crosses and tick.date() != previous_day:
                label += "\n" + tick.strftime("%Y-%m-%d")
        ticks.append((tick, label))
        previous_day = tick.date()
        tick += timedelta(minutes=step)
    return tuple(ticks)


def default_id_prefix(coe: Coe, graph: Graph) -> str:
    """`coe-1009-graph1` for the second graph of COE-1009; a content hash for a graph that
    is not one of the COE's."""
    for index, candidate in enumerate(coe.impact.graphs):
        if candidate is graph:
            return f"{coe.id.lower()}-graph{index}"
    for index, candidate in enumerate(coe.impact.graphs):
        if candidate == graph:
            return f"{coe.id.lower()}-graph{index}"
    return f"{coe.id.lower()}-graph-{_content_hash(coe, graph)[:10]}"


def graph_cache_key(coe: Coe, graph: Graph, *, id_prefix: str | None = None) -> str:
    """A sha256 hex digest of everything the chart's SVG depends on, for caching SVGs.

    Cheap: it does not import matplotlib (its version is read from the installed
    package's metadata)."""
    prefix = id_prefix if id_prefix is not None else default_id_prefix(coe, graph)
    return _content_hash(coe, graph, prefix)


def render_impact_graphs(coe: Coe, cache_dir: Path | None) -> tuple[str, ...]:
    """The SVG of each impact graph of a COE, from `cache_dir/charts` when unchanged."""
    folder = cache_dir / "charts" if cache_dir else None
    result = []
    for index, graph in enumerate(coe.impact.graphs):
        prefix = f"{svg_id(coe.id)}-g{index}"
        result.append(cached_svg(folder, graph_cache_key(coe, graph, id_prefix=prefix),
                                 lambda: impact_graph_svg(coe, graph, id_prefix=prefix)))
    return tuple(result)


@functools.cache
def matplotlib_version() -> str:
    from importlib.metadata import version  # not matplotlib.__version__: no import

    return version("matplotlib")


def _content_hash(coe: Coe, graph: Graph, *extra: str) -> str:
    times = coe.times
    content = {
        "chart_version": CHART_VERSION,
        "matplotlib": matplotlib_version(),
        "title": graph.title,
        "unit": graph.unit,
        "threshold": graph.threshold,
        "points": [[when.isoformat(), value] for when, value in graph.points],
        "times": [moment.isoformat() if moment else None
                  for moment in (times.start, times.detected, times.mitigated)],
        "extra": list(extra),
    }
    return content_key(json.dumps(content, ensure_ascii=False, sort_keys=True))


def impact_graph_svg(coe: Coe, graph: Graph, *, id_prefix: str | None = None) -> str:
    """The impact graph as an `<svg>` element to inline in HTML.

    A line of the graph's points, the alarm threshold dashed, the impact window shaded and
    detection marked, on a time axis in the COE's own offset. Same input, same bytes. Ids
    inside start with `id_prefix` (default: from the COE's id and the graph's position),
    so several charts can share a page.
    """
    prefix = id_prefix if id_prefix is not None else default_id_prefix(coe, graph)
    if not _ID_PREFIX.match(prefix):
        raise ValueError(f"id_prefix must be letters, digits, '_', '.', '-' and start "
                         f"with a letter, got {prefix!r}")
    return inline_matplotlib_svg(_draw(coe, graph, chart_marks(coe, graph)), prefix, graph.title)


def chart_rc(salt: str) -> dict[str, object]:
    """matplotlib settings every chart of the site shares: text as text, ids from a fixed
    salt (byte-identical output), a colour placeholder for text (`currentColor` after)."""
    return {
        "svg.fonttype": "none",
        "svg.hashsalt": salt,
        "font.family": FONT_FAMILY,
        "font.sans-serif": ["DejaVu Sans"],  # else every text repeats matplotlib's long list
        "font.size": 10,
        "text.parse_math": False,  # a "$" in a title is a dollar, not TeX
        "text.color": TEXT_SENTINEL,
        "axes.labelcolor": TEXT_SENTINEL,
        "axes.edgecolor": TEXT_SENTINEL,
        "xtick.color": TEXT_SENTINEL,
        "ytick.color": TEXT_SENTINEL,
        "axes.titlecolor": TEXT_SENTINEL,
        "axes.unicode_minus": True,
    }


def _draw(coe: Coe, graph: Graph, marks: ChartMarks) -> str:
    """The figure as matplotlib writes it (a standalone SVG document)."""
    import matplotlib
    from matplotlib.backends.backend_svg import FigureCanvasSVG
    from matplotlib.figure import Figure

    def x(moment: datetime) -> float:
        return coe.minutes_from_start(moment)

    rc = chart_rc("coe-impact-graph")
    with matplotlib.rc_context(rc), quiet_missing_fonts():
        figure = Figure(figsize=FIGURE_SIZE, layout="constrained")
        canvas = FigureCanvasSVG(figure)
        figure.patch.set_alpha(0)
        ax = figure.add_subplot()
        ax.patch.set_facecolor("none")
        ax.patch.set_gid("plot-area")
        for side in ("top", "right"):
            ax.spines[side].set_visible(False)
        ax.grid(True, axis="y", color=GRID_COLOUR, alpha=0.35, linewidth=0.6)
        ax.set_axisbelow(True)

        points = sorted(graph.points)
        values = [value for _, value in points]
        window = ax.axvspan(x(marks.impact_start), x(marks.impact_end), color=IMPACT_COLOUR,
                            alpha=0.14, linewidth=0, zorder=0)
        window.set_gid("impact-window")
        top = max([*values, graph.threshold if graph.threshold is not None else -math.inf,
                   0.0])
        bottom = min([*values, graph.threshold if graph.threshold is not None else math.inf,
                      0.0])
        headroom = (top - bottom) * 0.22 or 1.0  # room above the data for the labels
        ax.set_ylim(bottom - (0 if bottom >= 0 else headroom * 0.2), top + headroom)
        ax.set_xlim(x(marks.axis_start), x(marks.axis_end))

        line, = ax.plot([x(when) for when, _ in points], values, color=SERIES_COLOUR,
                        linewidth=1.6, zorder=3, marker="o" if len(points) == 1 else None)
        line.set_gid("series")
        _mark_threshold_and_detection(ax, graph, marks, x)

        ax.set_xticks([x(when) for when, _ in marks.ticks],
                      labels=[label for _, label in marks.ticks])
        ax.ticklabel_format(axis="y", style="plain", useOffset=False)
        ax.set_xlabel(marks.time_label)
        ax.set_ylabel(graph.unit or "")
        ax.set_title(graph.title, loc="left", fontsize=11)

        out = io.StringIO()
        canvas.print_svg(out, metadata={"Date": None, "Creator": None})
    return out.getvalue()


def _mark_threshold_and_detection(ax: Any, graph: Graph, marks: ChartMarks,
                                  x: Callable[[datetime], float]) -> None:
    """The threshold rule, the impact window's label and the moment of detection."""
    if graph.threshold is not None and marks.threshold_label:
        rule = ax.axhline(graph.threshold, color=THRESHOLD_COLOUR, linewidth=1.2,
                          linestyle=(0, (5, 3)), zorder=2)
        rule.set_gid("threshold")
        ax.annotate(marks.threshold_label, (0, graph.threshold),
                    xycoords=("axes fraction", "data"), xytext=(4, 3),
                    textcoords="offset points", ha="left", va="bottom", fontsize=9,
                    color=THRESHOLD_COLOUR, zorder=4)
    ax.annotate(marks.impact_label,
                ((x(marks.impact_start) + x(marks.impact_end)) / 2, 1),
                xycoords=("data", "axes fraction"), xytext=(0, -4),
                textcoords="offset points", ha="center", va="top", fontsize=9,
                color=IMPACT_COLOUR, fontweight="bold", zorder=4)
    detected = ax.axvline(x(marks.detected), color=DETECTED_COLOUR, linewidth=1.3,
                          linestyle=(0, (2, 2)), zorder=2)
    detected.set_gid("detected")
    ax.plot([x(marks.detected)], [0], marker="^", markersize=7, color=DETECTED_COLOUR,
            transform=ax.get_xaxis_transform(), clip_on=False, zorder=5)
    ax.annotate("detected", (x(marks.detected), 0), xycoords=("data", "axes fraction"),
                xytext=(5, 4), textcoords="offset points", ha="left", va="bottom",
                fontsize=9, color=DETECTED_COLOUR, zorder=4)



class _MissingFontFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        return not message.startswith(("findfont: Font family", "findfont: Generic family"))


@contextlib.contextmanager
def quiet_missing_fonts() -> Iterator[None]:
    """Silence matplotlib about fonts this machine lacks, and nothing else.

    The family list names fonts for the reader's browser; matplotlib only measures text
    with them, so a missing family or glyph here is expected, not a problem."""
    logger = logging.getLogger("matplotlib.font_manager")
    quiet = _MissingFontFilter()
    logger.addFilter(quiet)
    try:
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", message=r"Glyph \d+ .*missing from font",
                                    category=UserWarning)
            yield
    finally:
        logger.removeFilter(quiet)


_PROLOGUE = re.compile(r"<\?xml.*?\?>|<!DOCTYPE[^>]*>|<!--.*?-->|<metadata>.*?</metadata>"
                       r"|<style[^>]*>.*?</style>", re.DOTALL)
_TAG = re.compile(r"<[^!?/][^>]*>")  # start tags; attribute values hold no raw ">"
_ID_REFERENCE = re.compile(r'(\bid="|url\(#|href="#)([^")]+)')
_ROOT_SIZE = re.compile(r'\s(?:width|height)="[^"]*"')


def inline_matplotlib_svg(svg: str, id_prefix: str, title: str) -> str:
    """Matplotlib's SVG document made an element to inline in HTML.

    Drops the XML declaration, DOCTYPE, comments, metadata and the page-wide `<style>`
    (whose `*` rule would reach the whole HTML page), prefixes every id and reference to
    one, sends the text colour to `currentColor`, and makes the root scale to its
    container, with `role="img"` and the title as `aria-label`."""
    svg = _PROLOGUE.sub("", svg)
    svg = re.sub(r"<defs>\s*</defs>\s*", "", svg)

    def fix_tag(match: re.Match[str]) -> str:
        tag = _ID_REFERENCE.sub(lambda m: f"{m[1]}{id_prefix}-{m[2]}", match[0])
        return tag.replace(TEXT_SENTINEL, "currentColor")

    svg = _TAG.sub(fix_tag, svg).strip()
    svg = re.sub(r"\n\s*\n", "\n", svg)  # a blank line would end a Markdown HTML block
    root_end = svg.index(">")
    root = _ROOT_SIZE.sub("", svg[:root_end])
    root += (f' width="100%" role="img" aria-label="{escape(title, quote=True)}"'
             ' stroke-linejoin="round" stroke-linecap="butt"')
    return root + svg[root_end:] + ("\n" if not svg.endswith("\n") else "")
