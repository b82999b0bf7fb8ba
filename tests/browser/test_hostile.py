"""A COE written to attack its readers runs no script and shows its text as written."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

from click.testing import CliRunner
from playwright.sync_api import expect

from coe.cli import main

from ..conftest import MINIMAL_COE, ROOT, TODAY, write_coe
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
    cwd = os.getcwd()
    os.chdir(tmp_path)
    try:
        result = CliRunner().invoke(main, ["build", "--today", TODAY], catch_exceptions=False)
    finally:
        os.chdir(cwd)
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
