"""Why-tree diagrams: the DOT text (golden files), hostile text through the real `dot`,
the SVG cache, batches and dot's failures.

Set UPDATE_GOLDEN=1 to rewrite the golden files after an intended change; review the diff.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import xml.etree.ElementTree as ET
from dataclasses import replace
from pathlib import Path

import pytest

from coe.model import Coe, WhyNode, Whys, build_coe
from coe.render import diagrams
from coe.render.diagrams import (
    ROOT_FILL, DiagramError, inline_dot_svg, render_svgs, svg_id, why_tree_dot,
)
from coe.validate import validate

from .conftest import ROOT

GOLDEN = Path(__file__).parent / "golden"
GOLDEN_COES = [
    "2026-11-18-checkout-coupon-cache-stampede",  # small, English
    "2025-11-11-internal-dns-resolver-overload",  # Chinese, deep
    "2026-03-03-webhooks-url-escaping",  # quotes, &amp;, <none>, {{ }}, backslashes
]
SVG = "{http://www.w3.org/2000/svg}"
XLINK = "{http://www.w3.org/1999/xlink}"

needs_dot = pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz's dot not installed")


def load_coe(slug: str) -> Coe:
    report = validate([ROOT / "coes" / slug], keep_data=True)
    (checked,) = report.checked
    assert checked.valid, checked.problems
    return build_coe(checked.source)


@pytest.fixture(scope="module")
def example() -> Coe:
    return load_coe(GOLDEN_COES[0])


# --- DOT text ---------------------------------------------------------------------------


@pytest.mark.parametrize("slug", GOLDEN_COES)
def test_dot_text_matches_golden(slug: str) -> None:
    text = why_tree_dot(load_coe(slug))
    golden = GOLDEN / f"{slug}.dot"
    if os.environ.get("UPDATE_GOLDEN") == "1":
        golden.parent.mkdir(exist_ok=True)
        golden.write_text(text, encoding="utf-8")
    assert text == golden.read_text(encoding="utf-8")


def test_dot_text_is_deterministic(example: Coe) -> None:
    assert why_tree_dot(example) == why_tree_dot(load_coe(GOLDEN_COES[0]))


def test_action_href_is_the_callers(example: Coe) -> None:
    text = why_tree_dot(example, action_href=lambda item: f"../actions/#{item}")
    assert 'HREF="../actions/#AI-2"' in text
    assert "#action-" not in text
    assert 'HREF="#action-ai-2"' in why_tree_dot(example)


def test_svg_ids_are_sanitised() -> None:
    assert svg_id("W1.1") == "w1.1"
    assert svg_id('W 1"<x>') == "w-1--x-"
    assert svg_id("原因1") == "u539fu56e01"


def test_colliding_ids_are_made_unique(example: Coe) -> None:
    whys = Whys("p", (WhyNode("problem", "a"), WhyNode("W 1", "b"), WhyNode("W-1", "c")))
    text = why_tree_dot(replace(example, whys=whys, action_items=()))
    ids = re.findall(r'\bid="([^"]*)"', text)
    assert len(ids) == len(set(ids))
    assert "coe-1011-problem-2" in ids and "coe-1011-w-1-2" in ids


# --- hostile text through the real dot ----------------------------------------------------

EVIL = '"}; evil -> x [label="pwn"]; {'
HOSTILE = [
    EVIL,
    "<script>alert('x')</script> & &amp; &lt; \\N \\G \\\\ C:\\temp\\new ]] >",
    "第一行：支付网关连接池耗尽，配置推送把限流值设成了 null\n第二行 -> {braces}; a;b",
    "digraph { a -> b } // comment /* not */ # hash" + " " + "y" * 70,
]


def hostile_coe(base: Coe) -> Coe:
    tree = (
        WhyNode(
            id='W"1}', why=HOSTILE[1], because=EVIL, evidence=HOSTILE[2],
            causes=(
                WhyNode(id="W1 -> W2", because=HOSTILE[1], root_cause=True,
                        category="configuration"),
                WhyNode(id="原因", because=HOSTILE[2], evidence=EVIL, root_cause=True),
            ),
        ),
        WhyNode(id="W2;", because=HOSTILE[3], why=EVIL),
    )
    items = (
        replace(base.action_items[0], id='AI-"1"', title=EVIL,
                addresses=('W"1}', "原因")),
        replace(base.action_items[0], id="AI-2", title=HOSTILE[1] + " 中文",
                addresses=("W1 -> W2", "原因")),
    )
    return replace(base, id="COE-66", whys=Whys(HOSTILE[2], tree), action_items=items)


def node_texts(group: ET.Element) -> str:
    text = "".join(t.text or "" for t in group.iter(f"{SVG}text"))
    return text.replace("\xa0", " ")  # dot writes runs of spaces as " &#160;"


def svg_nodes(svg: str) -> tuple[ET.Element, list[ET.Element], list[ET.Element]]:
    root = ET.fromstring(svg)
    groups = list(root.iter(f"{SVG}g"))
    nodes = [g for g in groups if g.get("class") == "node"]
    edges = [g for g in groups if g.get("class") == "edge"]
    return root, nodes, edges


def test_hostile_text_cannot_change_the_dot_text(example: Coe) -> None:
    coe = hostile_coe(example)
    text = why_tree_dot(coe)
    lines = text.splitlines()
    assert lines[0] == "digraph whys {" and lines[-1] == "}"
    statements = lines[4:-1]
    node = re.compile(r'  n\d+ \[id="[a-z0-9._-]+", label=<.*>\]')
    edge = re.compile(r'  n\d+ -> n\d+ \[id="[a-z0-9._-]+"\]')
    count = len(coe.whys.nodes())
    assert sum(bool(node.fullmatch(s)) for s in statements) == count + 1
    assert sum(bool(edge.fullmatch(s)) for s in statements) == count
    assert len(statements) == 2 * count + 1
    assert "<script>" not in text and EVIL not in text


@needs_dot
def test_hostile_text_is_drawn_exactly_as_written(example: Coe, tmp_path: Path) -> None:
    coe = hostile_coe(example)
    (svg,) = render_svgs([why_tree_dot(coe)], tmp_path)
    root, nodes, edges = svg_nodes(svg)
    why_nodes = coe.whys.nodes()
    assert len(nodes) == len(why_nodes) + 1
    assert len(edges) == len(why_nodes)
    assert root.find(f"{SVG}g").get("id") == "coe-66-whys"

    by_id = {g.get("id"): g for g in nodes}
    assert node_texts(by_id["coe-66-problem"]).endswith(HOSTILE[2].replace("\n", ""))
    for node in why_nodes:
        group = by_id[f"coe-66-{svg_id(node.id)}"]
        shown = node_texts(group)
        assert shown.startswith(node.id)
        for part in (node.because, node.why, node.evidence):
            if part:
                assert part.replace("\n", "") in shown, (node.id, part)
    ids = [element.get("id") for element in root.iter() if element.get("id")]
    assert len(ids) == len(set(ids))

    links = {(a.get(f"{XLINK}href"), a.get(f"{XLINK}title")) for a in root.iter(f"{SVG}a")}
    assert links == {("#action-ai-%221%22", EVIL), ("#action-ai-2", HOSTILE[1] + " 中文")}


@needs_dot
def test_root_causes_stand_out_and_actions_are_linked(example: Coe, tmp_path: Path) -> None:
    coe = load_coe(GOLDEN_COES[1])
    (svg,) = render_svgs([why_tree_dot(coe)], tmp_path)
    _, nodes, _ = svg_nodes(svg)
    by_id = {g.get("id"): g for g in nodes}
    fills = {fill for g in nodes for e in g.iter() if (fill := e.get("fill"))}
    assert ROOT_FILL in fills
    for node in coe.whys.nodes():
        group = by_id[f"coe-1004-{svg_id(node.id)}"]
        has_root_fill = any(e.get("fill") == ROOT_FILL for e in group.iter())
        assert has_root_fill == node.root_cause, node.id
        assert ("ROOT CAUSE" in node_texts(group)) == node.root_cause
        hrefs = [a.get(f"{XLINK}href") for a in group.iter(f"{SVG}a")]
        expected = [f"#action-{i.id.lower()}" for i in coe.action_items if node.id in i.addresses]
        assert hrefs == expected, node.id
    assert not any(e.get("fill") == ROOT_FILL for e in by_id["coe-1004-problem"].iter())


@needs_dot
def test_links_with_quotes_and_ampersands_keep_the_svg_well_formed(example: Coe) -> None:
    def href(item_id: str) -> str:
        return f'https://t.example/a?id={item_id}&q="x y"<z>\\N'

    (svg,) = render_svgs([why_tree_dot(example, action_href=href)], None)
    hrefs = {a.get(f"{XLINK}href") for a in ET.fromstring(svg).iter(f"{SVG}a")}
    assert "https://t.example/a?id=AI-2&q=%22x%20y%22%3Cz%3E%5CN" in hrefs


@needs_dot
def test_every_example_renders_with_ids_unique_across_pages(tmp_path: Path) -> None:
    coes = [load_coe(folder.name) for folder in sorted((ROOT / "coes").iterdir())
            if (folder / "coe.yaml").is_file()]
    coes = [coe for coe in coes if coe.whys is not None]
    svgs = render_svgs([why_tree_dot(coe) for coe in coes], tmp_path)
    ids: list[str] = []
    for coe, svg in zip(coes, svgs):
        root, nodes, edges = svg_nodes(svg)
        assert len(nodes) == len(coe.whys.nodes()) + 1 and len(edges) == len(coe.whys.nodes())
        assert root.find(f"{SVG}g").get("id") == f"{coe.id.lower()}-whys"
        ids += [element.get("id") for element in root.iter() if element.get("id")]
    assert len(ids) == len(set(ids))


@needs_dot
def test_a_graph_renders_the_same_wherever_it_stands_in_a_batch(example: Coe) -> None:
    sources = small_graphs(example, 3)
    alone = [render_svgs([source], None)[0] for source in sources]
    assert render_svgs(sources, None) == alone
    assert render_svgs(sources[::-1], None) == alone[::-1]


# --- SVG documents ------------------------------------------------------------------------

DOT_OUTPUT = """<?xml version="1.0" encoding="UTF-8" standalone="no"?>
<!DOCTYPE svg PUBLIC "-//W3C//DTD SVG 1.1//EN"
 "http://www.w3.org/Graphics/SVG/1.1/DTD/svg11.dtd">
<!-- Generated by graphviz version 2.43.0 (0)
 -->
<!-- Title: whys Pages: 1 -->
<svg width="62pt" height="44pt"
 viewBox="0.00 0.00 62.00 44.00" xmlns="http://www.w3.org/2000/svg">
<g id="x" class="graph">
<!-- n0 -->
<g id="y" class="node"><text>a</text></g>
</g>
</svg>
"""


def test_inline_svg_drops_the_prolog_and_comments_and_scales() -> None:
    svg = inline_dot_svg(DOT_OUTPUT)
    assert svg.startswith("<svg ") and svg.endswith("</svg>")
    assert "<?xml" not in svg and "DOCTYPE" not in svg and "<!--" not in svg
    assert 'viewBox="0.00 0.00 62.00 44.00"' in svg
    assert 'style="max-width:100%;height:auto">' in svg
    ET.fromstring(svg)


# --- rendering, cache and failures ----------------------------------------------------------


@pytest.fixture
def dot_runs(monkeypatch: pytest.MonkeyPatch) -> list[list[str]]:
    """The commands of every `dot` process started, still running the real `dot`."""
    runs: list[list[str]] = []
    real = diagrams._run_dot

    def spy(command: list[str], data: bytes, timeout: float):
        runs.append(command)
        return real(command, data, timeout)

    monkeypatch.setattr(diagrams, "_run_dot", spy)
    return runs


def small_graphs(example: Coe, count: int) -> list[str]:
    return [
        why_tree_dot(replace(example, id=f"COE-{n}", whys=Whys(
            f"problem {n}", (WhyNode("W1", f"cause {n} 原因", root_cause=n % 2 == 0),)
        )))
        for n in range(1, count + 1)
    ]


@needs_dot
def test_a_batch_is_one_dot_process_split_per_graph(example: Coe, tmp_path: Path,
                                                     dot_runs: list[list[str]]) -> None:
    sources = small_graphs(example, 20)
    render_svgs(sources[:1], None)  # learn dot's version outside the count
    dot_runs.clear()
    svgs = render_svgs(sources, tmp_path)
    assert [command[1:] for command in dot_runs] == [["-Tsvg"]]
    assert len(svgs) == 20
    for n, svg in enumerate(svgs, start=1):
        root, nodes, edges = svg_nodes(svg)
        assert root.find(f"{SVG}g").get("id") == f"coe-{n}-whys"
        assert f"problem {n}" in node_texts(nodes[0]) and len(edges) == 1
        assert svg.startswith("<svg") and "<!--" not in svg and "<?xml" not in svg
    assert len(list((tmp_path / "diagrams").glob("*.svg"))) == 20
    assert not [p for p in (tmp_path / "diagrams").iterdir() if p.suffix != ".svg"]


@needs_dot
def test_many_graphs_go_to_several_dot_processes_in_order(example: Coe, dot_runs: list[list[str]],
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    sources = small_graphs(example, 7)
    alone = [render_svgs([source], None)[0] for source in sources]
    dot_runs.clear()
    monkeypatch.setattr(diagrams, "BATCH", 3)
    assert render_svgs(sources, None) == alone
    assert len(dot_runs) == 3  # 3 + 3 + 1 graphs


@needs_dot
def test_cached_graphs_run_no_dot(example: Coe, tmp_path: Path,
                                  dot_runs: list[list[str]],
                                  monkeypatch: pytest.MonkeyPatch) -> None:
    sources = small_graphs(example, 3)
    first = render_svgs(sources, tmp_path)
    dot_runs.clear()
    started: list[object] = []
    monkeypatch.setattr(subprocess, "run", lambda *a, **k: started.append(a))
    assert render_svgs(sources, tmp_path) == first
    assert dot_runs == [] and started == []


@needs_dot
def test_a_damaged_cache_entry_is_rendered_again(example: Coe, tmp_path: Path,
                                                 dot_runs: list[list[str]]) -> None:
    sources = small_graphs(example, 2)
    first = render_svgs(sources, tmp_path)
    entries = sorted((tmp_path / "diagrams").glob("*.svg"))
    damaged = next(p for p in entries if p.read_text(encoding="utf-8") == first[1])
    damaged.write_text(first[1][: len(first[1]) // 2], encoding="utf-8")
    dot_runs.clear()
    assert render_svgs(sources, tmp_path) == first
    assert len(dot_runs) == 1
    assert damaged.read_text(encoding="utf-8") == first[1]


@needs_dot
def test_the_same_graph_twice_is_rendered_once(example: Coe,
                                               dot_runs: list[list[str]]) -> None:
    (source,) = small_graphs(example, 1)
    first, second = render_svgs([source, source], None)
    assert first == second
    assert svg_nodes(first)[1][0].get("id") == "coe-1-problem"


def test_without_dot_the_error_says_how_to_install_it(
        example: Coe, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", "")
    assert render_svgs([], tmp_path) == []
    with pytest.raises(DiagramError) as error:
        render_svgs(small_graphs(example, 1), tmp_path)
    assert str(error.value) == (
        "Graphviz's dot was not found; install it: apt-get install graphviz "
        "(Debian/Ubuntu) or brew install graphviz (macOS)"
    )


@needs_dot
def test_a_broken_graph_in_a_batch_is_named_by_its_index(example: Coe, tmp_path: Path,
                                                         dot_runs: list[list[str]]) -> None:
    sources = small_graphs(example, 4)
    sources[2] = "digraph broken { a -> [ }"
    with pytest.raises(DiagramError) as error:
        render_svgs(sources, tmp_path)
    assert error.value.index == 2
    assert str(error.value).startswith("Graphviz's dot failed on diagram 2: ")
    assert "syntax error" in str(error.value) and "\n" not in str(error.value)


@needs_dot
def test_a_broken_label_after_good_graphs_is_found(example: Coe, tmp_path: Path) -> None:
    sources = small_graphs(example, 3) + ["digraph g { n [label=<<B>unclosed>] }"]
    with pytest.raises(DiagramError) as error:
        render_svgs(sources, tmp_path)
    assert error.value.index == 3


@needs_dot
def test_a_graph_that_times_out_is_named(example: Coe, tmp_path: Path,
                                         monkeypatch: pytest.MonkeyPatch) -> None:
    real = diagrams._run_dot

    def slow_on_marker(command: list[str], data: bytes, timeout: float):
        if b"SLOW" in data:
            raise subprocess.TimeoutExpired(command, timeout)
        return real(command, data, timeout)

    monkeypatch.setattr(diagrams, "_run_dot", slow_on_marker)
    sources = small_graphs(example, 3)
    sources[1] = sources[1].replace("problem 2", "SLOW")
    with pytest.raises(DiagramError) as error:
        render_svgs(sources, tmp_path, timeout=0.5)
    assert error.value.index == 1
    assert str(error.value) == "Graphviz's dot took more than 0.5 s on diagram 1"


@needs_dot
def test_a_short_batch_output_is_an_error(example: Coe, monkeypatch: pytest.MonkeyPatch) -> None:
    real = diagrams._run_dot

    def one_graph_lost(command: list[str], data: bytes, timeout: float):
        done = real(command, data, timeout)
        if "-Tsvg" in command:
            done.stdout = done.stdout[: done.stdout.rindex(b"<?xml")]
        return done

    monkeypatch.setattr(diagrams, "_run_dot", one_graph_lost)
    with pytest.raises(DiagramError, match="2 SVG documents for 3 graphs"):
        render_svgs(small_graphs(example, 3), None)
