"""Benchmark the site's search on a large corpus: what the browser loads, and how long
until the first result shows.

It builds one site of N synthetic COEs (``generate.py``, seed 1) that carries both
searches: the ``coe`` plugin with ``search: pagefind`` (Pagefind's index in fragments,
``pagefind/``) while material's ``search`` plugin stays in ``mkdocs.yml`` (lunr: one
``search/search_index.json``). One build, so both are measured on the same pages. Two
words are planted in the timeline of one COE each, so that a query names exactly one
COE: an English one (``zephyrquartz``) and a Chinese one (``翡翠鲸鱼``).

Then, for each search, each word and each of ``--runs`` runs, in a fresh context of a
headless Chromium (Debian's, driven by Playwright as in ``tests/browser/``), over a
local HTTP server (no compression, no network latency: the figures are the browser's
own work plus a transfer that a real network would make slower):

- lunr: open the home page, click material's search box, wait until its worker has
  loaded the index ("Type to start searching"), type the word, wait for the first
  ``.md-search-result__item``;
- pagefind: open the Search page, type the word into Pagefind's box, wait for the first
  ``.pagefind-ui__result``.

Reported: the median time from opening the page to the first result (min and max too),
the median time from typing to it, the bytes the browser fetched for searching
(``search/`` or ``pagefind/`` files; the raw sizes on disk, and what gzip -6 makes of
them, as a compressing server would send them), and the renderer's peak memory (VmHWM of
the new renderer process, the search worker included; Linux only). The sizes of both
indexes on disk are reported too.

Usage (from the repository, with its virtual environment; a 20,000-COE build takes
about 20 minutes and some GB: give it ``nice -n 19`` on a shared machine)::

    .venv/bin/python benchmarks/bench_search.py --n 1000 [--runs 5] [--keep DIR]
    .venv/bin/python benchmarks/bench_search.py --reuse DIR [--runs 5]
    .venv/bin/python benchmarks/bench_search.py --n 20000 --keep DIR --build-only

``--keep DIR`` builds in DIR (created, must be empty) and keeps the repository and the
site; ``--reuse DIR`` measures a site kept that way without building it again, and
``--reindex`` with it runs Pagefind again over that site first (after a change to
``src/coe/search.py``, without building thousands of pages again).
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import re
import shutil
import statistics
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from bench_build import TODAY, find_coe, make_repository, run_measured
from machine import cores, cpu_model

HERE = Path(__file__).resolve().parent
REPOSITORY = HERE.parent
WORDS = {"English": "zephyrquartz", "Chinese": "翡翠鲸鱼"}
HAN = re.compile(r"[\u4e00-\u9fff]")
EVENT = re.compile(r'^(\s+event: ")', re.M)
INFO = "bench-search.json"
MB = 2**20


# ------------------------------------------------------------------ building

def plant_words(files: list[Path]) -> dict[str, str]:
    """Put each word into the first timeline event of one COE (a Chinese word into a
    Chinese COE); returns word -> the COE's folder name."""
    def is_chinese(path: Path) -> bool:
        title = next(line for line in path.read_text(encoding="utf-8").splitlines()
                     if line.startswith("title:"))
        return bool(HAN.search(title))

    middle = len(files) // 2
    ordered = files[middle:] + files[:middle]  # a COE from the middle, not the first folder
    planted = {}
    for language, word in WORDS.items():
        path = next(p for p in ordered if is_chinese(p) == (language == "Chinese")
                    and p.parent.name not in planted.values())
        text = path.read_text(encoding="utf-8")
        path.write_text(EVENT.sub(lambda m: m[1] + word + " ", text, count=1), encoding="utf-8")
        planted[word] = path.parent.name
    return planted


def configure(repo: Path) -> None:
    """The repository's mkdocs.yml with `search: pagefind` for the coe plugin; material's
    search plugin stays, so that one build carries both indexes."""
    path = repo / "mkdocs.yml"
    config = yaml.safe_load(path.read_text(encoding="utf-8"))
    for plugin in config["plugins"]:
        if isinstance(plugin, dict) and "coe" in plugin:
            plugin["coe"] = {**(plugin["coe"] or {}), "search": "pagefind"}
    path.write_text(yaml.safe_dump(config, allow_unicode=True, sort_keys=False), encoding="utf-8")


def build(scratch: Path, n: int, coe: str) -> dict:
    """Generate, plant, build; returns what the measuring needs (also kept in INFO)."""
    repo, site = scratch / "repository", scratch / "site"
    files = make_repository(repo, n, None)
    planted = plant_words(files)
    configure(repo)
    print(f"building {len(files)} COEs in {repo} into {site} ...", file=sys.stderr)
    run = run_measured([coe, "build", "--today", TODAY, "--site-dir", str(site)], repo, scratch)
    (scratch / "build.log").write_text(run.output, encoding="utf-8")
    if run.returncode != 0:
        tail = "\n".join(run.output.splitlines()[-30:])
        sys.exit(f"the build failed (exit status {run.returncode}):\n{tail}")
    info = {"n": len(files), "planted": planted, "build_seconds": round(run.seconds, 1),
            "build_peak_rss_mb": round(run.rss_kib / 1024)}
    (scratch / INFO).write_text(json.dumps(info, ensure_ascii=False, indent=1), encoding="utf-8")
    print(f"built in {run.seconds:.0f} s, peak RSS {run.rss_kib / 1024:.0f} MB", file=sys.stderr)
    return info


# ------------------------------------------------------------------ measuring

@dataclass
class Search:
    """How one search is used in the browser."""

    name: str
    path: str  # the page opened first
    prefixes: tuple[str, ...]  # URL paths of what it loads to search: index, worker, scripts
    result: str  # the CSS selector of one result


SEARCHES = [
    Search("lunr (material's search)", "",
           ("search/search_index.json", "assets/javascripts/workers/", "assets/javascripts/lunr/"),
           ".md-search-result__item"),
    Search("Pagefind (search: pagefind)", "search/", ("pagefind/",), ".pagefind-ui__result"),
]


@dataclass
class Sample:
    """One browser run: seconds to the first result, from opening and from typing."""

    total: float
    after_typing: float
    fetched: dict[str, int] = field(default_factory=dict)  # URL path -> bytes
    renderer_kib: int = 0
    failure: str = ""  # why no result showed: "timed out", "tab crashed"


def gzip_size(path: Path) -> int:
    """Bytes after gzip -6, as a compressing web server would send the file; Pagefind's
    own files (.pf_index, .pf_fragment, .pf_meta, wasm) are compressed already."""
    if path.suffix not in (".json", ".js", ".css", ".html"):
        return path.stat().st_size
    with open(path, "rb") as file:
        return len(gzip.compress(file.read(), compresslevel=6))


def tree_bytes(folder: Path) -> tuple[int, int]:
    files = [p for p in folder.rglob("*") if p.is_file()]
    return sum(p.stat().st_size for p in files), len(files)


def descendants(pid: int) -> set[int]:
    """The processes below `pid` (Linux /proc; empty elsewhere)."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").glob("[0-9]*"):
        try:
            ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
        except (OSError, IndexError, ValueError):
            continue
        children.setdefault(ppid, []).append(int(entry.name))
    found, todo = set(), [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            if child not in found:
                found.add(child)
                todo.append(child)
    return found


def renderers() -> dict[int, int]:
    """Chromium renderer processes of this benchmark: pid -> peak resident KiB (VmHWM)."""
    found = {}
    for pid in descendants(os.getpid()):
        try:
            if b"--type=renderer" not in Path(f"/proc/{pid}/cmdline").read_bytes():
                continue
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmHWM:"):
                    found[pid] = int(line.split()[1])
        except OSError:
            continue
    return found


class PeakMemory:
    """Samples, in a thread, the peak memory of the renderers started after it: a tab
    that crashes takes its process, and its figures, with it."""

    def __init__(self) -> None:
        self.before = set(renderers())
        self.peak = 0
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self.sample, daemon=True)
        self.thread.start()

    def sample(self) -> None:
        while not self.stop.wait(0.25):
            self.read()

    def read(self) -> None:
        now = [kib for pid, kib in renderers().items() if pid not in self.before]
        self.peak = max([self.peak, *now])

    def finish(self) -> int:
        self.read()
        self.stop.set()
        self.thread.join()
        return self.peak


def run_once(browser, base: str, search: Search, word: str, timeout_s: float) -> Sample:
    """Open the search's page in a fresh context, type `word`, wait for the first result."""
    from playwright.sync_api import Error as PlaywrightError
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    memory = PeakMemory()
    context = browser.new_context(service_workers="block", viewport={"width": 1280, "height": 800})
    context.set_default_timeout(timeout_s * 1000)
    fetched: dict[str, int] = {}

    def on_finished(request) -> None:
        path = request.url.split("://", 1)[1].split("/", 1)[1].split("?")[0]
        if path.startswith(search.prefixes):
            try:
                fetched[path] = request.sizes()["responseBodySize"]
            except Exception:  # noqa: BLE001 - a request of a closed page has no sizes
                pass

    context.on("requestfinished", on_finished)
    page = context.new_page()
    failure = ""
    started = time.perf_counter()
    try:
        page.goto(base + search.path, wait_until="domcontentloaded")
        if search.path:  # Pagefind's box appears once its UI script ran
            box = page.locator("input.pagefind-ui__search-input")
            box.wait_for()
        else:  # material's worker drops what is typed before its index is ready
            page.locator("input.md-search__input").click()
            page.locator(".md-search-result__meta").filter(has_text="Type to start searching").wait_for()
            box = page.locator("input.md-search__input")
        typed = time.perf_counter()
        box.fill(word)
        box.press("End")  # material searches on keyup
        page.locator(search.result).first.wait_for(state="visible")
        done = time.perf_counter()
    except PlaywrightTimeout:
        failure = "timed out"
    except PlaywrightError as error:  # "Target crashed": the tab ran out of memory
        failure = "tab crashed" if "crash" in str(error).lower() else str(error).splitlines()[0]
    if failure:
        typed = done = time.perf_counter()
    peak = memory.finish()
    context.close()
    return Sample(done - started, done - typed, fetched, peak, failure)


def measure_all(site: Path, info: dict, runs: int, timeout_s: float) -> list[str]:
    """Every search, word and run, interleaved; returns the lines of the result."""
    sys.path.insert(0, str(REPOSITORY))
    from playwright.sync_api import sync_playwright

    from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS, serve_directory

    lunr_index = site / "search" / "search_index.json"
    pagefind_bytes, pagefind_files = tree_bytes(site / "pagefind")
    index_bytes, index_files = tree_bytes(site / "pagefind" / "index")
    fragment_bytes, fragment_files = tree_bytes(site / "pagefind" / "fragment")
    samples: dict[tuple[str, str], list[Sample]] = {}
    with serve_directory(site) as base, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=shutil.which(CHROMIUM) or CHROMIUM,
                                             headless=True, args=CHROMIUM_ARGS)
        version = browser.version
        for run in range(runs + 1):  # run 0: untimed warm-up (the OS's file cache, the JIT)
            print("warm-up" if run == 0 else f"run {run}/{runs}", file=sys.stderr)
            for search in SEARCHES:
                for language, word in WORDS.items():
                    sample = run_once(browser, base, search, word, timeout_s)
                    print(f"  {search.name}, {language}: {sample.total:.2f} s"
                          f"{f' (no result: {sample.failure})' if sample.failure else ''}, renderer "
                          f"{sample.renderer_kib / 1024:.0f} MB", file=sys.stderr)
                    if run:
                        samples.setdefault((search.name, language), []).append(sample)
        browser.close()

    lines = [
        f"Search on {info['n']:,} COEs (generate.py, seed 1; built in {info['build_seconds']:.0f} s, "
        f"peak RSS {info['build_peak_rss_mb']} MB, with both searches). Each word is in one COE's timeline; "
        f"median of {runs} runs in fresh browser contexts over a local HTTP server:",
        "",
        f"- lunr index: `search/search_index.json` {lunr_index.stat().st_size / MB:.1f} MB, "
        f"gzip -6 {gzip_size(lunr_index) / MB:.1f} MB, loaded whole before any result",
        f"- Pagefind bundle: {pagefind_bytes / MB:.1f} MB in {pagefind_files:,} files on disk "
        f"(index chunks {index_bytes / MB:.1f} MB in {index_files:,}, page fragments "
        f"{fragment_bytes / MB:.1f} MB in {fragment_files:,}; both already compressed), loaded in pieces",
        "",
        "| search | query | first result, from opening the page (median; min-max) | from typing | "
        "fetched for search (raw / gzip) | files | renderer peak memory |",
        "|---|---|---:|---:|---:|---:|---:|",
    ]
    for (name, language), runs_of in samples.items():
        totals = [s.total for s in runs_of]
        typing = [s.after_typing for s in runs_of]
        last = runs_of[-1].fetched
        raw = sum(last.values())
        zipped = sum(gzip_size(site / path) if (site / path).is_file() else size for path, size in last.items())
        memory = statistics.median(s.renderer_kib for s in runs_of)
        failed = [s.failure for s in runs_of if s.failure]
        first = (f"{statistics.median(totals):.2f} s ({min(totals):.2f}-{max(totals):.2f})" if not failed else
                 f"none: {', '.join(sorted(set(failed)))} in {len(failed)} of {len(runs_of)} runs, "
                 f"after {statistics.median(totals):.0f} s")
        lines.append(
            f"| {name} | {language} `{WORDS[language]}` | {first} | "
            f"{'-' if failed else f'{statistics.median(typing):.2f} s'} | "
            f"{raw / MB:.2f} / {zipped / MB:.2f} MB | {len(last)} | {memory / 1024:.0f} MB |")
    lines += [
        "",
        f"- CPU: {cpu_model()}, nproc {cores()}; Chromium {version}; the site served by Python's "
        "http.server on 127.0.0.1 (no compression, no network: a real network adds the transfer time)",
    ]
    return lines


def reindex(site: Path) -> None:
    """Pagefind's index of the kept site again, as the current `coe.site.search` makes it."""
    from coe.site.search import BUNDLE_DIR, run_pagefind

    started = time.perf_counter()
    shutil.rmtree(site / BUNDLE_DIR, ignore_errors=True)
    run_pagefind(site)
    print(f"Pagefind indexed {site} again in {time.perf_counter() - started:.0f} s", file=sys.stderr)


def main(argv: list[str] | None = None) -> int:
    """Parse arguments; build (or reuse) the site; measure; print the table."""
    parser = argparse.ArgumentParser(description="Measure the lunr and Pagefind searches of a large COE site.")
    parser.add_argument("--n", type=int, default=1000, help="number of generated COEs (default 1000)")
    parser.add_argument("--runs", type=int, default=5, help="browser runs per search and word (default 5)")
    parser.add_argument("--timeout", type=float, default=600, help="seconds to wait for a result (default 600)")
    parser.add_argument("--coe", help="path to the coe executable")
    where = parser.add_mutually_exclusive_group()
    where.add_argument("--keep", type=Path, help="build in this folder (created, must be empty) and keep it")
    where.add_argument("--reuse", type=Path, help="measure the site kept in this folder by --keep")
    parser.add_argument("--build-only", action="store_true", help="build (with --keep), do not measure")
    parser.add_argument("--reindex", action="store_true",
                        help="with --reuse: run Pagefind again over the kept site (after search.py changed)")
    parser.add_argument("--write", type=Path, help="also write the result to this file")
    args = parser.parse_args(argv)

    coe = find_coe(args.coe)
    if not coe:
        parser.error("no coe executable found; pass --coe PATH")
    if args.build_only and args.keep is None:
        parser.error("--build-only needs --keep DIR")
    context = None
    if args.reuse is not None:
        scratch = args.reuse.resolve()
        if not (scratch / INFO).is_file():
            parser.error(f"--reuse {args.reuse}: no {INFO}: not a folder kept by --keep")
        info = json.loads((scratch / INFO).read_text(encoding="utf-8"))
        if args.reindex:
            reindex(scratch / "site")
    else:
        if args.keep is not None:
            if args.keep.exists() and any(args.keep.iterdir()):
                parser.error(f"--keep {args.keep}: not empty")
            args.keep.mkdir(parents=True, exist_ok=True)
            scratch = args.keep.resolve()
        else:
            context = tempfile.TemporaryDirectory(prefix="coe-bench-search-")
            scratch = Path(context.name)
        info = build(scratch, args.n, coe)
    try:
        if args.build_only:
            return 0
        lines = measure_all(scratch / "site", info, args.runs, args.timeout)
    finally:
        if context is not None:
            context.cleanup()
    text = "\n".join(lines) + "\n"
    print(text, end="")
    if args.write:
        args.write.write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
