"""An author's SVG, rebuilt: what draws stays, nothing that runs or reaches out survives."""

from __future__ import annotations

import re
import subprocess
from xml.etree import ElementTree

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from coe.safe_svg import SVG, SvgError, clean_svg

HOSTILE = """<?xml version="1.0"?>
<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink"
     xmlns:inkscape="http://www.inkscape.org/namespaces/inkscape" onload="alert(1)" width="40">
  <script>alert(2)</script>
  <script xlink:href="http://evil.example/x.js"/>
  <foreignObject><body xmlns="http://www.w3.org/1999/xhtml"><img src="x" onerror="alert(3)"/></body></foreignObject>
  <a xlink:href="javascript:alert(4)"><rect id="r" width="5" height="5" fill="url(#g)"/></a>
  <rect style="fill:url(http://evil.example/p)" onclick="alert(5)" inkscape:label="x"/>
  <rect fill="url( 'https://evil.example/p#x' )"/>
  <image href="http://evil.example/track.png"/><image href="data:image/svg+xml;base64,PHN2Zz4="/>
  <image href="data:image/png;base64,iVBORw0KGgo="/>
  <use xlink:href="#r"/><use href="other.svg#r"/>
  <set attributeName="href" to="javascript:alert(6)"/><animate attributeName="x" values="1;2"/>
  <iframe src="http://evil.example/"/>
  <style>@import url(http://evil.example/s.css); .a{fill:red}</style>
  <style>.b{background:url(//evil.example/i)}</style>
  <style>.c{fill:blue}</style>
  <text x="1" y="9">a &lt;b&gt; &amp; 数据库 <tspan font-weight="bold">bold</tspan></text>
  <?php echo 1; ?><!-- a comment -->
</svg>
"""


def test_what_runs_or_reaches_out_is_left_out_and_the_drawing_stays() -> None:
    cleaned = clean_svg(HOSTILE.encode("utf-8")).decode("utf-8")
    for gone in ("script", "alert", "onload", "onclick", "foreignObject", "onerror", "javascript",
                 "evil.example", "iframe", "<set", "animate", "inkscape", "php", "comment",
                 "other.svg", "data:image/svg"):
        assert gone not in cleaned, gone
    for kept in ('<rect id="r" width="5" height="5" fill="url(#g)">', '<use xlink:href="#r">',
                 ".c{fill:blue}", "a &lt;b&gt; &amp; 数据库 ", '<tspan font-weight="bold">bold</tspan>',
                 'href="data:image/png;base64,iVBORw0KGgo="', 'width="40"'):
        assert kept in cleaned, kept
    root = ElementTree.fromstring(cleaned.encode("utf-8"))
    assert root.tag == f"{{{SVG}}}svg"


def test_graphviz_output_survives_whole() -> None:
    dot = subprocess.run(["dot", "-Tsvg"], input="digraph { a -> b [label=\"数\"] }".encode(),
                         capture_output=True, check=True).stdout
    cleaned = clean_svg(dot).decode("utf-8")
    drawn = re.compile(r"<(?:g|ellipse|path|polygon|text)\b")
    assert len(drawn.findall(cleaned)) == len(drawn.findall(dot.decode("utf-8")))
    assert ">数</text>" in cleaned


@pytest.mark.parametrize("data, line, column, says", [
    (b"<svg", 1, 1, "is not well-formed XML: unclosed token"),
    (b"<svg xmlns='http://www.w3.org/2000/svg'>\n<g></svg>", 2, 6, "is not well-formed XML: mismatched tag"),
    (b'<!DOCTYPE s [<!ENTITY a "b">]><svg xmlns="http://www.w3.org/2000/svg">&a;</svg>', 1, 1,
     "declares XML entities"),
    (b'<!DOCTYPE s [<!ENTITY a SYSTEM "file:///etc/passwd">]><svg xmlns="http://www.w3.org/2000/svg">&a;</svg>',
     1, 1, "declares XML entities"),
    (b"<html/>", 1, 1, "is not an SVG image"),
    (b"<svg/>", 1, 1, "is not an SVG image"),  # no namespace: a browser would not draw it
])
def test_what_is_not_an_svg_is_refused_at_its_place(data: bytes, line: int, column: int, says: str) -> None:
    with pytest.raises(SvgError) as raised:
        clean_svg(data)
    assert (raised.value.line, raised.value.column) == (line, column)
    assert str(raised.value).startswith(says)


def test_a_billion_laughs_is_refused_at_once() -> None:
    entities = "".join(f'<!ENTITY l{i} "{"&l%d;" % (i - 1) * 10 if i else "lol"}">' for i in range(10))
    with pytest.raises(SvgError):
        clean_svg(f'<!DOCTYPE s [{entities}]><svg xmlns="{SVG}">&l9;</svg>'.encode())


NAMES = st.sampled_from(["svg", "g", "rect", "script", "foreignObject", "a", "text", "style",
                         "use", "image", "set", "iframe", "title"])
ATTRIBUTES = st.sampled_from(["onload", "fill", "href", "style", "width", "x", "id", "onclick",
                              "transform", "values", "src"])
VALUES = st.sampled_from(["javascript:alert(1)", "url(#a)", "url(http://e.example/x)", "#a",
                          "http://e.example/", "1", "red", "alert(1)", "fill:url(//e.example)",
                          "data:image/png;base64,AA==", "&quot;><script>"])


@st.composite
def documents(draw: st.DrawFn, depth: int = 0) -> str:
    name = draw(NAMES)
    attributes = draw(st.dictionaries(ATTRIBUTES, VALUES, max_size=3))
    written = "".join(f' {key}="{value.replace("&", "&amp;").replace(chr(34), "&quot;").replace("<", "&lt;")}"'
                      for key, value in attributes.items())
    children = draw(st.lists(documents(depth + 1), max_size=3)) if depth < 3 else []
    text = draw(st.sampled_from(["", "t", "alert(1)", "&lt;script&gt;"]))
    return f"<{name}{written}>{text}{''.join(children)}</{name}>"


@settings(max_examples=300, deadline=None)
@given(documents())
def test_any_cleaned_svg_holds_nothing_that_runs_and_cleaning_again_changes_nothing(body: str) -> None:
    cleaned = clean_svg(f'<svg xmlns="{SVG}" xmlns:xlink="http://www.w3.org/1999/xlink">{body}</svg>'.encode())
    root = ElementTree.fromstring(cleaned)
    for element in root.iter():
        name = element.tag.split("}")[1]
        assert name not in {"script", "foreignObject", "set", "iframe", "a"}
        for key, value in element.attrib.items():
            assert not key.startswith("on") and key != "src"
            # A request needs url() (or an href): a bare address in a value fetches nothing.
            assert "javascript:" not in value and not re.search(r"url\(\s*['\"]?(?!#)", value)
            if key.endswith("href"):
                assert value.startswith("#") or (name == "image" and value.startswith("data:image/png"))
    assert clean_svg(cleaned) == cleaned
