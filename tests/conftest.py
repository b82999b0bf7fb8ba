"""Shared fixtures: the repository's folders and a minimal valid COE to vary."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from hypothesis import settings

# CI runs the property tests derandomised (`.ci/run` passes --hypothesis-profile=ci): the
# same examples on every run, so that a landing never waits on luck. Local runs keep
# exploring new examples each time, and remember the failures they find.
settings.register_profile("ci", derandomize=True, database=None, print_blob=True)

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = Path(__file__).parent / "examples"

MINIMAL_COE = """\
schema_version: 1
id: COE-1
title: Checkout API returned errors
status: draft
severity: 3
scope: single-service
authors: [ana]
services: [checkout-api]
summary: 3% of checkout calls failed for 45 minutes.
times:
  start: 2025-10-20T06:48:00Z
  detected: 2025-10-20T06:52:00Z
detection:
  method: service-alarm
impact:
  customer_experience: Checkout failed with HTTP 500.
timeline:
  - at: 2025-10-20T06:48:00Z
    event: Error rate rises
"""


def write_coe(folder: Path, text: str = MINIMAL_COE, name: str = "2025-10-20-checkout") -> Path:
    """Write `text` as a COE in `folder/name/coe.yaml` and return its path."""
    path = folder / name / "coe.yaml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture(scope="session", autouse=True)
def user_cache(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """`coe validate` keeps its memo in the user's cache folder: the tests get a folder of
    their own, never the real one."""
    folder = tmp_path_factory.mktemp("user-cache")
    before = os.environ.get("XDG_CACHE_HOME")
    os.environ["XDG_CACHE_HOME"] = str(folder)
    yield folder
    if before is None:
        del os.environ["XDG_CACHE_HOME"]
    else:
        os.environ["XDG_CACHE_HOME"] = before


@pytest.fixture
def in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Run the test with the current folder set to an empty temporary folder."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("GITHUB_ACTIONS", raising=False)
    monkeypatch.delenv("GITHUB_STEP_SUMMARY", raising=False)
    return tmp_path


TODAY = "2026-11-27"


def coe_in(root: Path, *args: str) -> Any:
    """The result of `coe ARGS` run in the folder `root`, as a user there would run it."""
    from coe.cli import main

    cwd = os.getcwd()
    os.chdir(root)
    try:
        return CliRunner().invoke(main, list(args), catch_exceptions=False)
    finally:
        os.chdir(cwd)


@pytest.fixture(scope="session")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the repository whose site `coe build --strict` has built, once per run."""
    repo = tmp_path_factory.mktemp("repo")
    shutil.copytree(ROOT / "coes", repo / "coes")
    shutil.copytree(ROOT / "docs", repo / "docs")
    shutil.copy(ROOT / "mkdocs.yml", repo / "mkdocs.yml")
    result = coe_in(repo, "build", "--strict", "--today", TODAY)
    assert result.exit_code == 0, result.output
    (repo / "build-output.txt").write_text(result.output, encoding="utf-8")
    return repo
