"""A COE written to attack its readers runs no script and shows its text as written."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from playwright.sync_api import expect


from ..conftest import MINIMAL_COE, ROOT, TODAY, coe_in, write_coe
from .conftest import assert_clean

PAYLOAD = "<img src=pic.png onerror=\"window.pwned=1\"><script>window.pwned=2</script>"
TITLE = "</title><script>window.pwned=3</script> \"quoted\" {braces} <none>"


def hostile_coe() -> str:
    def q(value: str) -> str:
        return json.dumps(value)

    return (
        MINIMAL_COE.replace("title: Checkout API returned errors", f"title: {q(TITLE)}")
        .replace("summary: 3% of checkout calls failed for 45 minutes.",
                 f"summary: {q('Impact ' + PAYLOAD + ' [click](javascript:window.pwned=4)')}")
        .replace("services: [checkout-api]", f"services: [{q('<b onmouseover=x>svc</b>')}]")
        .replace("    event: Error rate rises", f"    event: {q('Error ' + PAYLOAD)}")
        + f"tags: [{q('<script>window.pwned=5</script>')}]\n"
        + "whys:\n  problem: " + q("}; evil -> x [label=\"pwn\"]; { " + PAYLOAD) + "\n"
        + "  causes:\n    - id: W1\n      because: " + q(PAYLOAD + " \\ back\\slash") + "\n"
        + "      root_cause: true\n      category: other\n"
    )


def test_hostile_coe_runs_no_script(tmp_path: Path, serve, page) -> None:
    shutil.copy(ROOT / "mkdocs.yml", tmp_path / "mkdocs.yml")
    (tmp_path / "docs").mkdir()
    coe = write_coe(tmp_path / "coes", hostile_coe())
    (coe.parent / "pic.png").write_bytes((ROOT / "coes/2026-01-14-object-storage-fd-exhaustion/dashboard.png").read_bytes())
    result = coe_in(tmp_path, "build", "--today", TODAY)
    assert result.exit_code == 0, result.output
    base = serve(tmp_path / "site")
    for path in ("", "coes/", "coes/2025-10-20-checkout/"):
        page.goto(base + path)
        page.wait_for_timeout(200)
        assert page.evaluate("window.pwned") is None, path
    expect(page.locator("h1")).to_have_text(TITLE)
    assert page.locator(".coe-whys__diagram svg g.node").count() == 2
    expect(page.locator(".coe-whys__diagram")).to_contain_text("back\\slash")
    assert page.locator("a[href^='javascript']").count() == 0
    assert page.locator("[onerror], [onmouseover]").count() == 0
    assert_clean(page)


HOSTILE_SVG = """<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink"
     width="120" height="40" onload="window.pwned='onload'; alert(1)">
  <script>window.pwned = 'script'; alert(2)</script>
  <foreignObject width="100" height="20"><body xmlns="http://www.w3.org/1999/xhtml">
    <img src="x" onerror="window.pwned='foreign'; alert(3)"/></body></foreignObject>
  <a xlink:href="javascript:window.pwned='link'"><rect id="box" width="100" height="30" fill="teal"/></a>
  <image href="http://evil.example/track.png" width="1" height="1"/>
  <text x="5" y="20">drawn 数据库</text>
</svg>
"""


def test_files_beside_a_coe_run_no_script_when_opened(tmp_path: Path, serve, page) -> None:
    shutil.copy(ROOT / "mkdocs.yml", tmp_path / "mkdocs.yml")
    (tmp_path / "docs").mkdir()
    coe = write_coe(tmp_path / "coes")
    (coe.parent / "narrative.md").write_text("See ![the drawing](drawing.svg).\n", encoding="utf-8")
    (coe.parent / "drawing.svg").write_text(HOSTILE_SVG, encoding="utf-8")
    (coe.parent / "evil.html").write_text("<script>window.pwned='html'; alert(4)</script>",
                                          encoding="utf-8")  # beside the COE, linked from nowhere
    result = coe_in(tmp_path, "build", "--today", TODAY)
    assert result.exit_code == 0, result.output
    base = serve(tmp_path / "site") + "coes/2025-10-20-checkout/"
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))

    page.goto(base)  # the page shows the drawing as an image
    expect(page.locator("img[src='drawing.svg']")).to_have_count(1)
    assert page.evaluate("document.querySelector(\"img[src='drawing.svg']\").naturalWidth") == 120

    response = page.goto(base + "drawing.svg")  # a reader follows the link to the file itself
    assert response.status == 200
    page.wait_for_timeout(300)
    assert page.evaluate("window.pwned") is None
    assert page.locator("text").first.text_content() == "drawn 数据库"
    assert page.locator("rect#box").count() == 1
    page.evaluate("document.querySelector('rect#box').dispatchEvent(new MouseEvent('click', {bubbles: true}))")
    page.wait_for_timeout(100)
    assert page.evaluate("window.pwned") is None

    response = page.goto(base + "evil.html")  # never published
    assert response.status == 404
    assert dialogs == []
    assert page.evaluate("window.pwned") is None
    page.console_errors[:] = [e for e in page.console_errors if "404" not in e]
    assert_clean(page)
