"""The browser harness itself, proved on a tiny site written into tmp_path."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import expect

from .conftest import assert_clean, screenshot

PAGES = {
    "index.html": """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Harness</title>
<link rel="icon" href="data:,">
<style>body { font: 20px sans-serif; margin: 2em; } #out { color: #1a5fb4; }</style>
</head><body>
<h1>Harness check</h1>
<p id="out">(script has not run)</p>
<script src="app.js"></script>
</body></html>
""",
    "app.js": """document.getElementById("out").textContent = "written by app.js";\n""",
    "error.html": """<!doctype html>
<html><head><meta charset="utf-8"><link rel="icon" href="data:,"></head><body>
<script>console.error("something broke"); console.log("not an error");</script>
</body></html>
""",
    "throws.html": """<!doctype html>
<html><head><meta charset="utf-8"><link rel="icon" href="data:,"></head><body>
<script>throw new Error("uncaught boom");</script>
</body></html>
""",
    "external.html": """<!doctype html>
<html><head><meta charset="utf-8"><link rel="icon" href="data:,">
<script src="https://cdn.example.com/x.js"></script></head><body>
<p id="done">loaded</p>
</body></html>
""",
}


@pytest.fixture
def site(tmp_path: Path, serve) -> str:
    root = tmp_path / "site"
    root.mkdir()
    for name, text in PAGES.items():
        (root / name).write_text(text, encoding="utf-8")
    return serve(root)


def test_script_writes_visible_text(site: str, page) -> None:
    page.goto(site + "index.html")
    expect(page.locator("#out")).to_have_text("written by app.js")
    expect(page.locator("#out")).to_be_visible()
    assert_clean(page)


def test_console_error_is_recorded(site: str, page) -> None:
    page.goto(site + "error.html")
    page.wait_for_load_state("load")
    assert len(page.console_errors) == 1
    assert "something broke" in page.console_errors[0]
    with pytest.raises(AssertionError, match="something broke"):
        assert_clean(page)


def test_uncaught_error_is_recorded(site: str, page) -> None:
    page.goto(site + "throws.html")
    page.wait_for_load_state("load")
    assert any("pageerror" in e and "uncaught boom" in e for e in page.console_errors)


def test_external_request_is_aborted_and_recorded(site: str, page) -> None:
    requests_sent: list[str] = []
    page.on("requestfinished", lambda request: requests_sent.append(request.url))
    page.goto(site + "external.html")
    expect(page.locator("#done")).to_have_text("loaded")
    assert page.external_requests == ["https://cdn.example.com/x.js"]
    assert not any("example.com" in url for url in requests_sent)  # aborted, never sent
    assert page.console_errors == []  # Chromium's own "blocked" line is not counted twice
    with pytest.raises(AssertionError, match="cdn.example.com"):
        assert_clean(page)


def test_screenshot_writes_a_png(site: str, page, tmp_path: Path) -> None:
    page.goto(site + "index.html")
    expect(page.locator("#out")).to_have_text("written by app.js")
    path = screenshot(page, tmp_path / "shots" / "index.png")
    data = path.read_bytes()
    assert data.startswith(b"\x89PNG\r\n\x1a\n")
    assert len(data) > 1000
    assert_clean(page)


def test_serve_stops_after_use(tmp_path: Path) -> None:
    import urllib.error
    import urllib.request

    from .conftest import serve_directory

    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # no proxy
    (tmp_path / "a.txt").write_text("hi", encoding="utf-8")
    with serve_directory(tmp_path) as base:
        assert opener.open(base + "a.txt", timeout=5).read() == b"hi"
    with pytest.raises(urllib.error.URLError):
        opener.open(base + "a.txt", timeout=2)
