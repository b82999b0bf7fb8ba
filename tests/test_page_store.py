"""COE pages rendered in worker processes and kept in the cache by content hash."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest

from coe.site import page_store
from coe.model import Coe
from coe.site.page_store import PageJob, render_pages
from coe.runtime import RENDER_IN_WORKERS_FROM
from coe.validate import validate

from .conftest import ROOT, TODAY

DAY = date.fromisoformat(TODAY)


@pytest.fixture(scope="module")
def coes() -> list[Coe]:
    report = validate([ROOT / "coes"], keep_models=True)
    return sorted((c.model for c in report.checked if c.model), key=lambda c: c.slug)


def jobs_of(coes: list[Coe]) -> list[PageJob]:
    return [PageJob(coe, f"coes/{coe.slug}/index.md",
                    diagram="<!--coe-svg:x-->" if coe.whys else "") for coe in coes]


def test_a_warm_render_reads_the_same_pages_back(coes: list[Coe], tmp_path: Path,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    jobs = jobs_of(coes)
    cold = list(render_pages(jobs, DAY, tmp_path))
    assert len(list((tmp_path / "pages").glob("*.json"))) == len(jobs)

    def fail(job: PageJob, today: date) -> None:
        raise AssertionError(f"{job.uri} rendered again")

    monkeypatch.setattr(page_store, "render_page", fail)
    assert list(render_pages(jobs, DAY, tmp_path)) == cold


def test_a_changed_coe_today_or_note_is_rendered_again(coes: list[Coe], tmp_path: Path) -> None:
    job = jobs_of(coes)[0]
    (first,) = list(render_pages([job], DAY, tmp_path))
    renamed = replace(job, coe=replace(job.coe, title="A title never seen before"))
    (page,) = list(render_pages([renamed], DAY, tmp_path))
    assert "A title never seen before" in page.markdown
    later = date(2030, 1, 1)
    assert list(render_pages([job], later, tmp_path)) == list(render_pages([job], later, None))
    assert len(list((tmp_path / "pages").glob("*.json"))) == 3
    assert list(render_pages([job], DAY, tmp_path)) == [first]


def test_a_damaged_cache_entry_is_rendered_again(coes: list[Coe], tmp_path: Path) -> None:
    jobs = jobs_of(coes)[:3]
    good = list(render_pages(jobs, DAY, tmp_path))
    entries = sorted((tmp_path / "pages").glob("*.json"))
    entries[0].write_text(entries[0].read_text(encoding="utf-8")[:100], encoding="utf-8")
    entries[1].write_text(json.dumps({"markdown": 1, "blocks": {}, "texts": {}, "links": []}),
                          encoding="utf-8")
    entries[2].write_bytes(b"\xff\xfe")
    assert list(render_pages(jobs, DAY, tmp_path)) == good


def test_worker_processes_render_what_one_process_renders(coes: list[Coe]) -> None:
    # Enough pages for the pool: each example several times under another uri.
    jobs = [replace(job, uri=f"copy{n}/{job.uri}") for n in range(4) for job in jobs_of(coes)]
    assert len(jobs) >= RENDER_IN_WORKERS_FROM
    in_workers = list(render_pages(jobs, DAY, None))
    one_process = [page_store.render_page(job, DAY) for job in jobs]
    assert in_workers == one_process


def test_the_search_index_holds_the_coes_not_the_lists_of_them(built: Path) -> None:
    index = json.loads((built / "site/search/search_index.json").read_text(encoding="utf-8"))
    pages = {doc["location"].split("#")[0] for doc in index["docs"]}
    coe_pages = {f"coes/{folder.name}/" for folder in (built / "coes").iterdir()}
    assert coe_pages <= pages
    assert not pages & {"coes/", "actions/", "actions/overdue/", "recurrence/"}
    # A timeline entry's words are indexed as text, without the page's markup.
    timeline = [doc for doc in index["docs"]
                if doc["location"].startswith("coes/2026-01-14-object-storage-fd-exhaustion/#timeline")]
    assert timeline and "<li" not in timeline[0]["text"] and "coe-html" not in timeline[0]["text"]


def test_a_memo_serves_the_next_build_from_memory(coes: list[Coe], tmp_path: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    jobs = jobs_of(coes)
    memo: dict[str, bytes] = {}
    first = list(render_pages(jobs, DAY, tmp_path, memo))
    assert len(memo) == len(jobs)
    monkeypatch.setattr(page_store, "_read_cached", lambda path: pytest.fail(f"read {path}"))
    monkeypatch.setattr(page_store, "render_page", lambda job, today: pytest.fail(f"rendered {job.uri}"))
    assert list(render_pages(jobs, DAY, tmp_path, memo)) == first
    # The memo keeps what the last build used, not every page it ever saw.
    assert list(render_pages(jobs[:2], DAY, tmp_path, memo)) == first[:2] and len(memo) == 2


def test_pages_are_read_as_they_are_taken(coes: list[Coe], tmp_path: Path,
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    # A large site's pages are never all in memory at once: each is read when wanted.
    jobs = jobs_of(coes)
    list(render_pages(jobs, DAY, tmp_path))
    read: list[Path] = []
    real = page_store._read_cached
    monkeypatch.setattr(page_store, "_read_cached", lambda path: read.append(path) or real(path))
    pages = render_pages(jobs, DAY, tmp_path)
    first = next(pages)
    assert len(read) == 1 and first.markdown
    assert len(list(pages)) == len(jobs) - 1 and len(read) == len(jobs)


@pytest.fixture
def own_secret(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    """Switch the user's cache folder, and so the secret in every cache key."""
    from coe import cache

    def switch(name: str) -> bytes:
        monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / name))
        cache.secret.cache_clear()
        return cache.secret()

    yield switch
    cache.secret.cache_clear()  # the session's own, read again from its folder


def test_a_cache_brought_by_a_pull_request_is_never_read(coes: list[Coe], tmp_path: Path,
                                                         own_secret) -> None:  # type: ignore[no-untyped-def]
    # .cache/ is in the repository: a pull request can add entries whose HTML the site
    # would show as it is. Made under any other secret, they are never looked up.
    jobs = jobs_of(coes)[:2]
    own_secret("theirs")
    list(render_pages(jobs, DAY, tmp_path / "repository-cache"))
    for entry in (tmp_path / "repository-cache/pages").glob("*.json"):
        stored = json.loads(entry.read_text(encoding="utf-8"))
        stored["markdown"] = "<script>alert('owned')</script>"
        entry.write_text(json.dumps(stored), encoding="utf-8")
    own_secret("mine")
    pages = list(render_pages(jobs, DAY, tmp_path / "repository-cache"))
    assert pages == [page_store.render_page(job, DAY) for job in jobs]
    assert not any("owned" in page.markdown for page in pages)


def test_the_secret_is_kept_and_a_damaged_one_replaced(tmp_path: Path, own_secret) -> None:  # type: ignore[no-untyped-def]
    first = own_secret("user")
    assert own_secret("user") == first and len(first) == 32
    (tmp_path / "user/coe-tool/secret").write_text("not hex", encoding="ascii")
    replaced = own_secret("user")
    assert replaced != first and own_secret("user") == replaced
