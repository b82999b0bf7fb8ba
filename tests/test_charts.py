"""Impact graphs: what they mark (pure), and the SVG they become (drawn by matplotlib)."""

from __future__ import annotations

import logging
import re
import subprocess
import sys
import warnings
import xml.etree.ElementTree as ET
from dataclasses import replace
from datetime import datetime, timedelta, timezone

import pytest

from coe.model import Coe, build_coe
from coe.render import charts
from coe.render.text import offset_name
from coe.render.charts import (
    graph_cache_key, chart_marks, impact_graph_svg, time_ticks, with_unit,
)
from coe.validate import validate

from .conftest import ROOT

FOLDERS = {
    "COE-1002": ROOT / "coes" / "2025-08-05-auth-key-rotation-stale-jwks",
    "COE-1009": ROOT / "coes" / "2026-08-09-auth-session-store-reconnect-storm",
}
SVG = "{http://www.w3.org/2000/svg}"
UTC = timezone.utc
CST = timezone(timedelta(hours=8))


def load(coe_id: str) -> Coe:
    checked = validate([FOLDERS[coe_id]], keep_data=True).checked[0]
    assert checked.valid, checked.problems
    coe = build_coe(checked.source)
    assert coe.id == coe_id
    return coe


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def in_cst(coe: Coe) -> Coe:
    """The same COE with its times written in +08:00 (the CSVs stay in UTC)."""
    t = coe.times
    return replace(coe, times=replace(
        t, start=t.start.astimezone(CST), detected=t.detected.astimezone(CST),
        mitigated=t.mitigated.astimezone(CST) if t.mitigated else None))


@pytest.fixture(scope="module")
def coe_1002() -> Coe:
    return load("COE-1002")


@pytest.fixture(scope="module")
def coe_1009() -> Coe:
    return load("COE-1009")


@pytest.fixture(scope="module")
def svgs(coe_1009: Coe) -> list[str]:
    return [impact_graph_svg(coe_1009, graph) for graph in coe_1009.impact.graphs]


# What the chart marks, worked out by hand from coe.yaml and the CSVs.

def test_marks_of_coe_1009(coe_1009: Coe) -> None:
    rate, latency = coe_1009.impact.graphs
    marks = chart_marks(coe_1009, rate)
    assert marks.impact_start == utc("2026-08-09T16:09:00") == coe_1009.times.start
    assert marks.impact_end == utc("2026-08-09T16:43:00") == coe_1009.times.mitigated
    assert marks.detected == utc("2026-08-09T16:11:00")
    assert (marks.axis_start, marks.axis_end) == (utc("2026-08-09T15:40:00"),
                                                  utc("2026-08-09T17:20:00"))
    # 100 minutes: quarter hours are the finest step with at most 8 ticks
    assert [label for _, label in marks.ticks] == [
        "15:45", "16:00", "16:15", "16:30", "16:45", "17:00", "17:15"]
    assert marks.time_label == "time (UTC)"
    assert marks.impact_label == "impact"
    assert marks.threshold_label == "alarm threshold 1%"
    assert chart_marks(coe_1009, latency).threshold_label == "alarm threshold 1500 ms"


def test_marks_of_coe_1002(coe_1002: Coe) -> None:
    marks = chart_marks(coe_1002, coe_1002.impact.graphs[0])
    assert (marks.impact_start, marks.impact_end) == (utc("2025-08-05T14:10:00"),
                                                      utc("2025-08-05T14:52:00"))
    assert marks.detected == utc("2025-08-05T14:13:00")
    assert marks.ticks[0] == (utc("2025-08-05T13:45:00"), "13:45")
    assert marks.ticks[-1] == (utc("2025-08-05T15:15:00"), "15:15")


def test_window_runs_to_the_last_point_when_not_mitigated(coe_1009: Coe) -> None:
    coe = replace(coe_1009, times=replace(coe_1009.times, mitigated=None))
    marks = chart_marks(coe, coe.impact.graphs[0])
    assert marks.impact_start == utc("2026-08-09T16:09:00")
    assert marks.impact_end == utc("2026-08-09T17:20:00")  # the CSV's last row
    assert marks.impact_label == "impact (not mitigated)"


def test_time_axis_in_the_coes_own_offset_with_dates_across_midnight(coe_1009: Coe) -> None:
    # 15:40Z..17:20Z is 23:40..01:20 on the next day in +08:00
    marks = chart_marks(in_cst(coe_1009), coe_1009.impact.graphs[0])
    assert marks.time_label == "time (UTC+08:00)"
    assert marks.impact_start.isoformat() == "2026-08-10T00:09:00+08:00"
    assert [label for _, label in marks.ticks] == [
        "23:45\n2026-08-09", "00:00\n2026-08-10", "00:15", "00:30", "00:45", "01:00", "01:15"]


def test_time_ticks() -> None:
    start = datetime(2025, 10, 20, 6, 48, tzinfo=UTC)
    assert [label for _, label in time_ticks(start, start + timedelta(minutes=9), UTC)] == [
        "06:48", "06:50", "06:52", "06:54", "06:56"]
    half_days = time_ticks(start, start + timedelta(days=3), UTC)
    assert [label for _, label in half_days][:3] == [
        "12:00\n2025-10-20", "00:00\n2025-10-21", "12:00"]
    days = time_ticks(start, start + timedelta(days=6), UTC)
    assert [label for _, label in days] == [f"2025-10-{d}" for d in range(21, 27)]
    assert len(time_ticks(start, start + timedelta(days=400), UTC)) <= charts.MAX_TICKS


def test_offset_names_and_units() -> None:
    assert offset_name(datetime(2025, 1, 1, tzinfo=UTC)) == "UTC"
    minus_5_30 = timezone(-timedelta(hours=5, minutes=30))
    assert offset_name(datetime(2025, 1, 1, tzinfo=minus_5_30)) == "UTC-05:30"
    assert [with_unit(1, "%"), with_unit(1500.0, "ms"), with_unit(0.25, None)] == [
        "1%", "1500 ms", "0.25"]


# The SVG.

def texts(svg: str) -> list[str]:
    return ["".join(t.itertext()) for t in ET.fromstring(svg).iter(f"{SVG}text")]


def test_svg_is_an_element_to_inline(svgs: list[str], coe_1009: Coe) -> None:
    for svg, graph in zip(svgs, coe_1009.impact.graphs):
        root = ET.fromstring(svg)
        assert svg.startswith("<svg ") and "<?xml" not in svg and "<!" not in svg
        assert "<style" not in svg  # its `*` rule would reach the whole HTML page
        assert not re.search(r"\n\s*\n", svg)  # a blank line ends a Markdown HTML block
        assert root.get("role") == "img" and root.get("aria-label") == graph.title
        assert root.get("width") == "100%" and root.get("height") is None
        assert root.get("viewBox")
        found = texts(svg)
        assert graph.title in found
        assert any(t.startswith("alarm threshold") for t in found)
        assert {"impact", "detected", "time (UTC)", graph.unit} <= set(found)
        assert charts.TEXT_SENTINEL not in svg and "fill: currentColor" in svg


def test_impact_window_spans_start_to_mitigated(svgs: list[str]) -> None:
    def x_range(root: ET.Element, gid: str) -> tuple[float, float]:
        group = root.find(f".//{SVG}g[@id='coe-1009-graph0-{gid}']")
        assert group is not None, gid
        xs = [float(x) for x in re.findall(r"([-\d.]+) [-\d.]+", group[0].get("d", ""))]
        return min(xs), max(xs)

    root = ET.fromstring(svgs[0])
    left, right = x_range(root, "plot-area")  # the axis: 15:40 to 17:20, 100 minutes
    start, end = x_range(root, "impact-window")
    assert (start - left) / (right - left) == pytest.approx(29 / 100, abs=1e-4)  # 16:09
    assert (end - left) / (right - left) == pytest.approx(63 / 100, abs=1e-4)  # 16:43


def test_same_input_same_bytes(coe_1002: Coe) -> None:
    graph = coe_1002.impact.graphs[0]
    again = load("COE-1002")
    first = impact_graph_svg(coe_1002, graph)
    assert first == impact_graph_svg(again, again.impact.graphs[0])


def test_charts_on_one_page_share_no_id(svgs: list[str]) -> None:
    ids = [i for svg in svgs for i in re.findall(r'\bid="([^"]+)"', svg)]
    assert len(ids) == len(set(ids))
    for svg in svgs:
        own = set(re.findall(r'\bid="([^"]+)"', svg))
        references = re.findall(r'url\(#([^)]+)\)|href="#([^"]+)"', svg)
        assert references
        assert {a or b for a, b in references} <= own


def test_id_prefix_is_checked(coe_1009: Coe) -> None:
    with pytest.raises(ValueError, match="id_prefix"):
        impact_graph_svg(coe_1009, coe_1009.impact.graphs[0], id_prefix='x" onload="')


def test_chinese_title_stays_text_and_dollars_stay_dollars(coe_1009: Coe) -> None:
    title = '登录错误率 $5 和 $6 <突增> id="x" url(#x)'  # text, not ids to prefix
    graph = replace(coe_1009.impact.graphs[0], title=title)
    svg = impact_graph_svg(in_cst(coe_1009), graph, id_prefix="cn")
    assert title in texts(svg)
    assert ET.fromstring(svg).get("aria-label") == title
    assert "time (UTC+08:00)" in texts(svg)


def test_missing_fonts_are_quiet(coe_1009: Coe, monkeypatch: pytest.MonkeyPatch,
                                 caplog: pytest.LogCaptureFixture) -> None:
    # DejaVu Sans has no CJK glyphs, and the first family is not installed anywhere
    monkeypatch.setattr(charts, "FONT_FAMILY", ["No Such Font 7f3a", "DejaVu Sans"])
    graph = replace(coe_1009.impact.graphs[0], title="登录错误率")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        svg = impact_graph_svg(coe_1009, graph, id_prefix="quiet")
    assert [str(w.message) for w in caught] == []
    assert not [r for r in caplog.records if r.name.startswith("matplotlib")]
    assert "'No Such Font 7f3a'" in svg and "登录错误率" in texts(svg)


def test_only_font_warnings_are_quiet(caplog: pytest.LogCaptureFixture) -> None:
    logger = logging.getLogger("matplotlib.font_manager")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        with charts.quiet_missing_fonts():
            logger.warning("findfont: Font family %r not found.", "Noto Sans CJK SC")
            logger.warning("something else")
            warnings.warn("Glyph 30331 (\\N{CJK UNIFIED IDEOGRAPH-767B}) missing from "
                          "font(s) DejaVu Sans.", UserWarning)
            warnings.warn("another warning", UserWarning)
    assert [r.getMessage() for r in caplog.records] == ["something else"]
    assert [str(w.message) for w in caught] == ["another warning"]
    assert not logger.filters


def test_cache_key_follows_the_chart_content(coe_1009: Coe) -> None:
    graph = coe_1009.impact.graphs[0]
    key = graph_cache_key(coe_1009, graph)
    assert re.fullmatch(r"[0-9a-f]{64}", key)
    again = load("COE-1009")
    assert graph_cache_key(again, again.impact.graphs[0]) == key
    unrelated = replace(coe_1009, summary="reworded", times=replace(
        coe_1009.times, engaged=None, resolved=None))
    assert graph_cache_key(unrelated, graph) == key

    when, value = graph.points[10]
    points = graph.points[:10] + ((when, value + 0.01),) + graph.points[11:]
    assert graph_cache_key(coe_1009, replace(graph, points=points)) != key
    assert graph_cache_key(coe_1009, replace(graph, threshold=2)) != key
    assert graph_cache_key(coe_1009, graph, id_prefix="other") != key
    assert graph_cache_key(in_cst(coe_1009), graph) != key  # same instants, other axis labels
    assert graph_cache_key(coe_1009, coe_1009.impact.graphs[1]) != key


def test_commands_that_draw_nothing_do_not_import_matplotlib() -> None:
    code = (
        "import sys\n"
        "from coe.model import build_coe\n"
        "from coe.validate import validate\n"
        "from pathlib import Path\n"
        "from coe.render.charts import graph_cache_key, chart_marks\n"
        f"c = build_coe(validate([Path({str(FOLDERS['COE-1009'])!r})], keep_data=True)"
        ".checked[0].source)\n"
        "graph_cache_key(c, c.impact.graphs[0]); chart_marks(c, c.impact.graphs[0])\n"
        "assert 'matplotlib' not in sys.modules, 'matplotlib imported'\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
