"""Real-browser tests: Debian's Chromium, driven by Playwright, on pages served locally.

Fixtures (every test in this folder is marked `browser`; they run by default):

    serve(directory) -> base_url   serves a folder on 127.0.0.1 for the rest of the test
    browser                        one headless Chromium for the whole session
    page                           a fresh context and page per test (a `BrowserPage`)

Helpers, imported with `from .conftest import assert_clean, screenshot`:

    assert_clean(page)             no console errors, no uncaught errors, no external requests
    screenshot(page, path)         a full-page PNG

A site test reads:

    def test_home(tmp_path, serve, page):
        build_site(tmp_path / "site")                  # whatever builds the site
        base = serve(tmp_path / "site")
        page.goto(base + "index.html")
        expect(page.locator("h1")).to_have_text("Incidents")
        assert_clean(page)

Nothing leaves the machine: every request to a host other than 127.0.0.1, localhost or
::1 is aborted before it is sent and recorded in `page.external_requests`. Playwright's
own browser download is never used (it cannot work here); the browser is Debian's
`chromium` package, or the program named by COE_CHROMIUM.
"""

from __future__ import annotations

import contextlib
import functools
import http.server
import os
import shutil
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

CHROMIUM = os.environ.get("COE_CHROMIUM", shutil.which("chromium") or "/usr/bin/chromium")
INSTALL_HINT = "install chromium: sh scripts/system-packages.sh test"

# What Chromium needs on these machines: no sandbox (tests run as root), no GPU, and none
# of the background traffic (Google's hosts, component updates, sync) that a closed
# network refuses. Playwright adds a fresh temporary profile (--user-data-dir) itself at
# every launch and refuses that flag in `args`.
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    # Belt and braces: a request that escaped routing (a WebSocket, a prefetch) could not
    # even resolve a name other than localhost.
    "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE localhost, EXCLUDE 127.0.0.1",
]

LOCAL_HOSTS = {"127.0.0.1", "localhost", "::1", "[::1]"}
DEFAULT_TIMEOUT_MS = 10_000
# Chromium logs "Failed to load resource: net::ERR_BLOCKED_BY_CLIENT" for each request the
# route below aborts; that request is already in `external_requests`, so not twice.
OWN_ABORT = "net::ERR_BLOCKED_BY_CLIENT"

_timings: dict[str, float] = {}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark every test in this folder `browser` (select or deselect with -m)."""
    here = Path(__file__).parent
    for item in items:
        if here in Path(item.fspath).parents:
            item.add_marker(pytest.mark.browser)


# --- serving a folder -----------------------------------------------------------------


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
        pass


class _QuietServer(http.server.ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: Any, client_address: Any) -> None:
        pass  # a browser closing a connection early is not the test's business


@contextlib.contextmanager
def serve_directory(directory: str | os.PathLike[str]) -> Iterator[str]:
    """Serve `directory` on 127.0.0.1 at a free port; yield its base URL (ends with /)."""
    root = Path(directory)
    if not root.is_dir():
        raise FileNotFoundError(f"nothing to serve: {root} is not a folder")
    handler = functools.partial(_QuietHandler, directory=str(root))
    server = _QuietServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.05}, name=f"serve {root}", daemon=True
    )
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


@pytest.fixture
def serve() -> Iterator[Callable[[str | os.PathLike[str]], str]]:
    """`serve(folder)` starts a local server for `folder`, returns its base URL, and
    stops it when the test ends. Call it as often as needed."""
    with contextlib.ExitStack() as stack:
        yield lambda directory: stack.enter_context(serve_directory(directory))


# --- the browser ----------------------------------------------------------------------


def _chromium_path() -> str:
    path = shutil.which(CHROMIUM) or CHROMIUM
    if not (os.path.isfile(path) and os.access(path, os.X_OK)):
        pytest.fail(f"no Chromium at {CHROMIUM!r}; {INSTALL_HINT}", pytrace=False)
    return path


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """One headless Chromium (Debian's) for the whole session. Fails, never skips, when
    Chromium or Playwright is missing: CI must run these tests."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.fail("Playwright is missing: pip install -e '.[test]'", pytrace=False)
    executable = _chromium_path()
    started = time.perf_counter()
    with sync_playwright() as playwright:
        _timings["playwright driver start"] = time.perf_counter() - started
        started = time.perf_counter()
        try:
            chromium = playwright.chromium.launch(
                executable_path=executable, headless=True, args=CHROMIUM_ARGS
            )
        except Exception as error:  # noqa: BLE001 - turn any launch failure into a hint
            pytest.fail(f"Chromium at {executable} did not start: {error}\n{INSTALL_HINT}",
                        pytrace=False)
        _timings["chromium launch"] = time.perf_counter() - started
        _timings["version"] = chromium.version
        _timings["executable"] = executable
        try:
            yield chromium
        finally:
            chromium.close()


@dataclass
class BrowserPage:
    """A Playwright page with what went wrong on it. Attributes of the page itself
    (`goto`, `locator`, `click`...) are reachable directly on the wrapper."""

    page: Any
    context: Any
    console_errors: list[str] = field(default_factory=list)
    external_requests: list[str] = field(default_factory=list)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.page, name)


def _is_local(url: str) -> bool:
    parts = urlsplit(url)
    if parts.scheme in {"data", "blob", "about", "chrome-error"}:
        return True
    return (parts.hostname or "") in LOCAL_HOSTS


@pytest.fixture
def page(browser: Any) -> Iterator[BrowserPage]:
    """A fresh context and page. Records console errors and uncaught page errors in
    `page.console_errors`; aborts every request to another host and records its URL in
    `page.external_requests`. End a test with `assert_clean(page)`."""
    context = browser.new_context(
        service_workers="block",  # so that routing sees every request
        viewport={"width": 1280, "height": 800},
    )
    context.set_default_timeout(DEFAULT_TIMEOUT_MS)
    wrapper = BrowserPage(page=None, context=context)

    def route(route: Any) -> None:
        url = route.request.url
        if _is_local(url):
            route.continue_()
        else:
            wrapper.external_requests.append(url)
            route.abort("blockedbyclient")

    context.route("**/*", route)
    page = context.new_page()
    wrapper.page = page

    def on_console(message: Any) -> None:
        if message.type == "error" and OWN_ABORT not in message.text:
            where = message.location or {}
            place = f" ({where.get('url')}:{where.get('lineNumber')})" if where.get("url") else ""
            wrapper.console_errors.append(f"console.error: {message.text}{place}")

    page.on("console", on_console)
    page.on("pageerror", lambda error: wrapper.console_errors.append(f"pageerror: {error}"))
    try:
        yield wrapper
    finally:
        context.close()


def pytest_terminal_summary(terminalreporter: Any) -> None:
    if "chromium launch" in _timings:
        terminalreporter.write_line(
            f"browser: Chromium {_timings['version']} at {_timings['executable']}; Playwright "
            f"driver started in {_timings['playwright driver start']:.2f} s, Chromium "
            f"launched in {_timings['chromium launch']:.2f} s"
        )


# --- helpers --------------------------------------------------------------------------


def assert_clean(page: BrowserPage) -> None:
    """Fail when the page logged an error, threw one, or asked for anything not local."""
    problems = [*page.console_errors]
    problems += [f"external request (aborted): {url}" for url in page.external_requests]
    assert not problems, "the page is not clean:\n  " + "\n  ".join(problems)


def screenshot(page: BrowserPage | Any, path: str | os.PathLike[str], *,
               full_page: bool = True) -> Path:
    """Write a PNG of the page to `path` (folders created) and return the path."""
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    raw = page.page if isinstance(page, BrowserPage) else page
    raw.screenshot(path=str(target), full_page=full_page)
    return target
