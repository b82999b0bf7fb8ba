"""The dashboard's charts, drawn at build time as SVG with matplotlib.

What each chart shows is worked out first as a `Chart` in plain Python (testable without
drawing, and hashed for the cache); `chart_svg` draws one. Matplotlib is imported only
there, as in `charts`, whose conventions these charts share: text in `TEXT_SENTINEL`
rewritten to `currentColor` (readable on light and dark themes), fonts named for the
reader's browser, no dates or random ids in the SVG, every id prefixed per chart.

What the charts show is computed by `corpus` (the window of recent quarters the dashboard
looks back over is `corpus.window`'s); here it is only laid out and drawn. Open action
items are counted over every COE, however old.
"""

from __future__ import annotations

import io
import json
import math
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from datetime import date
from pathlib import Path

from ..cache import cached_svg, content_key
from ..corpus.actions import team_actions
from ..corpus.counts import count_by
from ..corpus.window import monthly_counts, quarterly_spreads, window_coes, window_start
from ..model import Coe
from . import charts
from .charts import GRID_COLOUR, SERIES_COLOUR, inline_matplotlib_svg, quiet_missing_fonts
from .text import duration

DASHBOARD_VERSION = "1"  # bump when a change here changes the SVG, to invalidate caches
TOP_CATEGORIES = 8
TOP_TEAMS = 12
LABEL_CHARACTERS = 24  # longer category names are cut, with an ellipsis

# Mid-tones readable on mkdocs-material's light and slate (dark) backgrounds, close to
# the severity badges of the pages (`.coe-sev--N` in coe.css).
SEVERITY_COLOURS = {1: "#d32f2f", 2: "#f57c00", 3: "#e9b10a", 4: "#7cb342", 5: "#78909c"}
DETECT_COLOUR = charts.DETECTED_COLOUR
MITIGATE_COLOUR = SERIES_COLOUR
OPEN_COLOUR = SERIES_COLOUR
OVERDUE_COLOUR = charts.IMPACT_COLOUR
COUNT_COLOUR = "#26a69a"
WIDE = (9.0, 3.2)  # inches: a chart across the page
HALF = (5.4, 3.4)  # a chart in one column of two


@dataclass(frozen=True)
class Series:
    """One series: a value (or None: no data) for each label of its chart."""

    name: str
    values: tuple[float | None, ...]
    colour: str


@dataclass(frozen=True)
class Chart:
    """What a chart shows, before drawing.

    `kind`: "columns" (vertical bars, series stacked), "lines" (a line per series) or
    "bars" (horizontal bars, series stacked, the first label on top). `name` makes its
    SVG ids unique on the page; `label` is its accessible description.
    """

    name: str
    kind: str
    title: str
    label: str
    labels: tuple[str, ...]
    series: tuple[Series, ...]
    unit: str
    size: tuple[float, float]
    empty: str = "no data"

    @property
    def id_prefix(self) -> str:
        return f"coe-dashboard-{self.name}"

    def total(self, index: int) -> float:
        """The sum of the series at label `index` (None counts 0)."""
        return sum(s.values[index] or 0 for s in self.series)


# --- the window --------------------------------------------------------------------------


def period_text(today: date) -> str:
    """The window in words: `2025-07-01 to 2026-11-27`."""
    return f"{window_start(today).isoformat()} to {today.isoformat()}"


# --- what each chart shows ---------------------------------------------------------------


def monthly_chart(coes: Iterable[Coe], today: date) -> Chart:
    """COEs per month of the window, stacked by severity; months without COEs show 0."""
    counts = monthly_counts(coes, today)
    months = counts.months
    series = tuple(
        Series(f"SEV{sev}", tuple(float(count) for count in per_month), SEVERITY_COLOURS[sev])
        for sev, per_month in counts.by_severity
    )
    return Chart(
        name="months", kind="columns", title="COEs per month, by severity",
        label=(f"COEs per month by severity, {months[0]} to {months[-1]}: {counts.coes} COEs; "
               + ", ".join(f"{s.name}: {int(sum(v or 0 for v in s.values))}" for s in series)),
        labels=tuple(months), series=series, unit="COEs", size=WIDE,
        empty="no COEs in these months",
    )


def durations_chart(coes: Iterable[Coe], today: date) -> Chart:
    """The median time to detect and to mitigate of the COEs of each quarter of the window."""
    spreads = quarterly_spreads(coes, today)
    quarters = list(spreads)
    detect = tuple(spreads[q].time_to_detect.median for q in quarters)
    mitigate = tuple(spreads[q].time_to_mitigate.median for q in quarters)

    def said(values: tuple[float | None, ...]) -> str:
        return ", ".join(f"{q} {duration(v)}" for q, v in zip(quarters, values))

    return Chart(
        name="times", kind="lines", title="Median time to detect and to mitigate",
        label=(f"Median time to detect per quarter: {said(detect)}. "
               f"Median time to mitigate per quarter: {said(mitigate)}."),
        labels=tuple(quarters),
        series=(Series("time to detect", detect, DETECT_COLOUR),
                Series("time to mitigate", mitigate, MITIGATE_COLOUR)),
        unit="minutes (median)", size=HALF, empty="no COEs in these quarters",
    )


def actions_chart(coes: Iterable[Coe], today: date) -> Chart:
    """Open action items by team, the overdue part in red; the `TOP_TEAMS` with the most."""
    teams = team_actions(coes, today)
    shown, rest = teams[:TOP_TEAMS], teams[TOP_TEAMS:]
    if rest:
        shown.append((f"{len(rest)} other teams", sum(t[1] for t in rest),
                      sum(t[2] for t in rest)))
    overdue = sum(t[2] for t in teams)
    total = overdue + sum(t[1] for t in teams)
    return Chart(
        name="actions", kind="bars", title="Open action items by team",
        label=(f"Open action items by team on {today.isoformat()}: {total} open, "
               f"{overdue} overdue; " + ", ".join(f"{t[0]}: {t[1] + t[2]} open, {t[2]} overdue"
                                                  for t in shown)),
        labels=tuple(t[0] for t in shown),
        series=(Series("overdue", tuple(float(t[2]) for t in shown), OVERDUE_COLOUR),
                Series("open, not overdue", tuple(float(t[1]) for t in shown), OPEN_COLOUR)),
        unit="open action items", size=(HALF[0], _bars_height(len(shown))),
        empty="no open action items",
    )


def _counts_chart(name: str, title: str, counts: list[tuple[str, int]], what: str,
                  colour: str) -> Chart:
    return Chart(
        name=name, kind="bars", title=title,
        label=f"{title}: " + (", ".join(f"{value}: {count}" for value, count in counts)
                              or "none"),
        labels=tuple(value for value, _ in counts),
        series=(Series("COEs", tuple(float(count) for _, count in counts), colour),),
        unit="COEs", size=(HALF[0], _bars_height(len(counts))), empty=f"no {what}",
    )


def root_cause_chart(coes: Iterable[Coe], today: date) -> Chart:
    """The `TOP_CATEGORIES` root-cause categories found in the most COEs of the window."""
    counts = count_by(window_coes(coes, today), "root_cause_category")[:TOP_CATEGORIES]
    return _counts_chart("root-causes", "Top root-cause categories", counts,
                         "root causes with a category", COUNT_COLOUR)


def detection_chart(coes: Iterable[Coe], today: date) -> Chart:
    """How the COEs of the window were detected, most frequent method first."""
    counts = count_by(window_coes(coes, today), "detection_method")
    return _counts_chart("detection", "How incidents were detected", counts, "COEs",
                         DETECT_COLOUR)


def _bars_height(bars: int) -> float:
    return max(HALF[1], 0.9 + 0.3 * bars)


def dashboard_charts(coes: Iterable[Coe], today: date) -> list[Chart]:
    """Every chart of the dashboard, in page order."""
    coes = list(coes)
    return [monthly_chart(coes, today), durations_chart(coes, today),
            detection_chart(coes, today), root_cause_chart(coes, today),
            actions_chart(coes, today)]


# --- drawing -----------------------------------------------------------------------------


def chart_cache_key(chart: Chart) -> str:
    """A sha256 hex digest of everything the chart's SVG depends on (no matplotlib import)."""
    content = {
        "dashboard_version": DASHBOARD_VERSION,
        "charts_version": charts.CHART_VERSION,
        "matplotlib": charts.matplotlib_version(),
        "chart": asdict(chart),
    }
    return content_key(json.dumps(content, ensure_ascii=False, sort_keys=True))


def render_charts(shown: Iterable[Chart], cache_dir: Path | None) -> dict[str, str]:
    """The SVG of each chart by its `name`, from `cache_dir/charts` when unchanged."""
    folder = cache_dir / "charts" if cache_dir else None
    return {chart.name: cached_svg(folder, chart_cache_key(chart), lambda: chart_svg(chart))
            for chart in shown}


def short(label: str, limit: int = LABEL_CHARACTERS) -> str:
    """`label`, cut to `limit` characters with an ellipsis."""
    return label if len(label) <= limit else label[:limit - 1] + "…"


def _count_text(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:.1f}"


def chart_svg(chart: Chart) -> str:
    """The chart as an `<svg>` element to inline in HTML: same chart, same bytes."""
    return inline_matplotlib_svg(_draw(chart), chart.id_prefix, chart.label)


def _draw(chart: Chart) -> str:
    import matplotlib
    from matplotlib.backends.backend_svg import FigureCanvasSVG
    from matplotlib.figure import Figure

    rc = {**charts.chart_rc(f"coe-dashboard-{chart.name}"), "legend.frameon": False}
    with matplotlib.rc_context(rc), quiet_missing_fonts():
        figure = Figure(figsize=chart.size, layout="constrained")
        canvas = FigureCanvasSVG(figure)
        figure.patch.set_alpha(0)
        ax = figure.add_subplot()
        ax.patch.set_facecolor("none")
        for side in ("top", "right"):
            ax.spines[side].set_visible(False)
        ax.set_title(chart.title, loc="left", fontsize=11, fontweight="bold")
        if chart.kind == "lines":  # a median of 0 minutes is data; a count of 0 is not
            has_data = any(v is not None for s in chart.series for v in s.values)
        else:
            has_data = any(v for s in chart.series for v in s.values)
        if not has_data:
            ax.set_axis_off()
            ax.text(0.5, 0.5, chart.empty, transform=ax.transAxes, ha="center",
                    va="center", fontsize=10)
        elif chart.kind == "columns":
            _columns(ax, chart)
        elif chart.kind == "lines":
            _lines(ax, chart)
        elif chart.kind == "bars":
            _bars(ax, chart)
        else:
            raise ValueError(f"unknown chart kind {chart.kind!r}")
        out = io.StringIO()
        canvas.print_svg(out, metadata={"Date": None, "Creator": None})
    return out.getvalue()


def _stacked(ax, chart: Chart, across: bool) -> tuple[list[int], list[float]]:  # noqa: ANN001
    """The chart's series as stacked bars, upright or `across`, each stack's total
    written at its end; the bars' positions and totals."""
    positions = list(range(len(chart.labels)))
    ends = [0.0] * len(positions)
    for series in chart.series:
        values = [v or 0.0 for v in series.values]
        if across:
            ax.barh(positions, values, left=ends, height=0.65, color=series.colour,
                    label=series.name, zorder=3)
        else:
            ax.bar(positions, values, bottom=ends, width=0.7, color=series.colour,
                   label=series.name, zorder=3)
        ends = [end + v for end, v in zip(ends, values)]
    for place, total in zip(positions, ends):
        if total and across:
            ax.annotate(_count_text(total), (total, place), xytext=(3, 0),
                        textcoords="offset points", ha="left", va="center", fontsize=8)
        elif total:
            ax.annotate(_count_text(total), (place, total), xytext=(0, 2),
                        textcoords="offset points", ha="center", va="bottom", fontsize=8)
    return positions, ends


def _columns(ax, chart: Chart) -> None:  # noqa: ANN001 - a matplotlib Axes
    from matplotlib.ticker import MaxNLocator

    positions, bottom = _stacked(ax, chart, across=False)
    ax.set_xticks(positions, labels=[_month_label(m, i) for i, m in enumerate(chart.labels)],
                  fontsize=8)
    ax.set_xlim(-0.6, len(positions) - 0.4)
    ax.set_ylim(0, max(bottom) * 1.2 + 0.5)
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_ylabel(chart.unit)
    ax.grid(True, axis="y", color=GRID_COLOUR, alpha=0.35, linewidth=0.6)
    ax.set_axisbelow(True)
    ax.legend(loc="upper left", ncols=len(chart.series), fontsize=8, handlelength=1,
              columnspacing=1)


def _month_label(month: str, index: int) -> str:
    """`Jul` under each month; the year under January and under the first month."""
    year, number = month.split("-")
    name = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov",
            "Dec")[int(number) - 1]
    return f"{name}\n{year}" if index == 0 or number == "01" else name


def _lines(ax, chart: Chart) -> None:  # noqa: ANN001
    positions = list(range(len(chart.labels)))
    known = [v for s in chart.series for v in s.values if v is not None]
    top = max(known, default=0.0) or 1.0
    for index, series in enumerate(chart.series):
        values = [math.nan if v is None else v for v in series.values]
        line, = ax.plot(positions, values, color=series.colour, marker="o", markersize=5,
                        linewidth=1.8, label=series.name, zorder=3)
        line.set_gid(f"series-{series.name.replace(' ', '-')}")
        lower = index == 0 and len(chart.series) > 1  # detection comes before mitigation
        for x, value in enumerate(series.values):
            if value is not None:
                below = _label_below(series.values, x, lower)
                ax.annotate(duration(value), (x, value), xytext=(0, -7 if below else 6),
                            textcoords="offset points", ha="center",
                            va="top" if below else "bottom", fontsize=7.5,
                            color=series.colour, zorder=4)
    ax.set_xticks(positions, labels=list(chart.labels), fontsize=8)
    ax.set_xlim(-0.5, len(positions) - 0.5)
    ax.set_ylim(-0.12 * top, top * 1.3)  # room under zero for the labels below points
    ax.spines["left"].set_bounds(0, top * 1.3)
    ax.spines["bottom"].set_position(("data", -0.12 * top))
    ax.set_yticks([t for t in ax.get_yticks() if 0 <= t <= top * 1.3])
    ax.set_ylabel(chart.unit)
    ax.grid(True, axis="y", color=GRID_COLOUR, alpha=0.35, linewidth=0.6)
    ax.set_axisbelow(True)
    ax.legend(loc="upper left", ncols=len(chart.series), fontsize=8)


def _label_below(values: tuple[float | None, ...], index: int, lower: bool) -> bool:
    """Whether a point's label goes under it: the lower of two lines is labelled below
    (away from the upper one) except at its peaks, the upper line above except at its
    valleys, so that a label does not sit in its own line's bend. Points at the ends or
    beside a gap keep the default."""
    value = values[index]
    neighbours = [values[i] for i in (index - 1, index + 1) if 0 <= i < len(values)]
    if len(neighbours) < 2 or value is None or None in neighbours:
        return lower
    if lower:
        return not all(value > n for n in neighbours)  # type: ignore[operator]
    return all(value < n for n in neighbours)  # type: ignore[operator]


def _bars(ax, chart: Chart) -> None:  # noqa: ANN001
    from matplotlib.ticker import MaxNLocator

    positions, left = _stacked(ax, chart, across=True)
    ax.set_yticks(positions, labels=[short(label) for label in chart.labels], fontsize=8.5)
    ax.set_ylim(len(positions) - 0.5, -0.5 - (0.9 if len(chart.series) > 1 else 0))
    ax.set_xlim(0, max(left) * 1.15 + 0.5)
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_xlabel(chart.unit)
    ax.tick_params(axis="y", length=0)
    ax.grid(True, axis="x", color=GRID_COLOUR, alpha=0.35, linewidth=0.6)
    ax.set_axisbelow(True)
    if len(chart.series) > 1:
        ax.legend(loc="upper right", ncols=len(chart.series), fontsize=8, handlelength=1)
