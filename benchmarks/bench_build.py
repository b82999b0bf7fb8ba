"""Benchmark `coe build` against a plain mkdocs-material build of the same prose.

What it measures: the wall-clock time and the peak memory (maximum resident set size)
of whole processes (interpreter start-up, imports, the build and exiting included), each
run ``--runs`` times after one untimed warm-up round, interleaved (baseline, cold, warm,
serve, validate, baseline, ...) so that all see the same machine load:

- baseline: ``mkdocs build -q -f <baseline>/mkdocs.yml -d <site>``: the same theme,
  search and Markdown settings as the repository's ``mkdocs.yml`` but without the ``coe``
  and ``tags`` plugins, over one ordinary Markdown page per COE holding its prose (title,
  summary, customer experience, detection analysis, timeline, why-tree, action items as a
  table, lessons, narrative, communications, mitigations, dependencies), an index page
  linking them all and a copy of the repository's ``docs/``. The COE pages are kept out
  of the navigation with ``not_in_nav``, as the plugin keeps COE pages out of it
  (material's default navigation would otherwise list every page on every page);
- ``coe build --today 2026-11-27 --site-dir <site>`` in a repository made of the COEs,
  a copy of the repository's ``mkdocs.yml`` and ``docs/``:
  cold (the plugin's cache folder, ``.cache/``, deleted before the run) and warm (the
  cache filled by the run before);
- serve: ``serve_rebuild.py``, which builds as ``mkdocs serve`` does in one process (the
  coe plugin kept across rebuilds), then times two rebuilds: after a comment line is
  appended to one ``coe.yaml`` (nothing rendered changes) and after the text of one of
  its why-nodes changes (one why-tree is not in the cache and ``dot`` draws it);
- validate: ``coe validate --no-cache --today 2026-11-27 coes`` in the same repository (every
  file read), and validate-again: the same without ``--no-cache`` (the memo of the last run,
  kept in ``XDG_CACHE_HOME``, set to a folder of the scratch directory).

Site folders are deleted before every run (untimed), so no run pays for removing the
previous site. Every run must exit 0 and leave one page per COE (``<site>/coes/*/
index.html`` for ``coe build``, ``<site>/<slug>/index.html`` for the baseline); otherwise
the benchmark stops and shows the tool's output. Peak memory comes from ``/usr/bin/time
-f %M`` when it exists, else from ``os.wait4``'s resource usage of the child (the same
number: the largest RSS of the process or of any process it waited for, ``dot``
included; ``getrusage(RUSAGE_CHILDREN)`` is a maximum over all children so far, so
deltas of it cannot be used). MB means 2**20 bytes. The tool's files (its package,
templates and schema) are fingerprinted before and after the runs, and the result says
if they changed meanwhile (an editable install runs a working tree others may edit).

The COEs are N synthetic ones from ``generate.py`` (seed 1, about 300 lines each) or,
with ``--corpus DIR``, a copy of an existing folder of COEs (``DIR/*/coe.yaml``).

Run it with the virtualenv that has ``coe`` installed (it needs PyYAML):

    .venv/bin/python benchmarks/bench_build.py [--n 300] [--runs 3] [--coe PATH]
        [--corpus DIR] [--keep DIR] [--write PATH | --no-write]

``--coe`` defaults to the ``coe`` beside ``sys.executable``, then to ``coe`` on PATH;
``mkdocs`` and the Python whose package versions are reported are taken from the same
folder as ``coe``. ``--keep DIR`` builds in DIR (created; must be empty) and leaves the
repository, the baseline and the sites there. The result is a Markdown table (median,
min and max seconds, ratio of medians to the baseline, median peak RSS and its ratio to
the baseline's), the targets of the scale issue met or not, and the machine's details;
it is printed and written as this script's section of ``benchmarks/RESULTS.md`` (or
``--write PATH``; ``--no-write`` only prints).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from generate import generate
from machine import RESULTS, cores, cpu_model, write_section

HERE = Path(__file__).resolve().parent
REPOSITORY = HERE.parent
TODAY = "2026-11-27"
TIME = "/usr/bin/time"
DROPPED_PLUGINS = {"coe", "tags", "material/tags"}


# ------------------------------------------------------------------ running

@dataclass
class Run:
    """One finished process: wall-clock seconds, peak RSS in KiB, exit code, output."""

    seconds: float
    rss_kib: int
    returncode: int
    output: str


def run_measured(command: list[str], cwd: Path, scratch: Path) -> Run:
    """Run a command to completion, timing it and measuring its peak memory."""
    out_path = scratch / "run.out"
    with open(out_path, "w+b") as out:
        if os.access(TIME, os.X_OK):
            rss_path = scratch / "run.rss"
            start = time.perf_counter()
            done = subprocess.run([TIME, "-f", "%M", "-o", str(rss_path), *command],
                                  cwd=cwd, stdout=out, stderr=subprocess.STDOUT)
            seconds = time.perf_counter() - start
            returncode = done.returncode
            # GNU time writes "Command exited with non-zero status N" before %M
            lines = rss_path.read_text().split()
            rss_kib = int(lines[-1]) if lines and lines[-1].isdigit() else 0
        else:
            start = time.perf_counter()
            process = subprocess.Popen(command, cwd=cwd, stdout=out, stderr=subprocess.STDOUT)
            _, status, usage = os.wait4(process.pid, 0)
            seconds = time.perf_counter() - start
            process.returncode = returncode = os.waitstatus_to_exitcode(status)
            # KiB on Linux; at least this script's own RSS, which the forked child starts
            # with before exec (about 25 MB here, far below any build's)
            rss_kib = usage.ru_maxrss
        out.seek(0)
        output = out.read().decode("utf-8", "replace")
    return Run(seconds, rss_kib, returncode, output)


def fail(name: str, command: list[str], run: Run, why: str) -> None:
    """Stop the benchmark, showing what ran and what it printed."""
    lines = run.output.splitlines()
    shown = "\n".join(lines[:60]) + (f"\n... ({len(lines) - 60} more lines)" if len(lines) > 60 else "")
    sys.exit(f"{name}: {why}\ncommand: {' '.join(command)}\nexit status {run.returncode}; output:\n{shown}")


# --------------------------------------------------------------- the corpus

def make_repository(repo: Path, n: int, corpus: Path | None) -> list[Path]:
    """A COE repository: coes/ (generated or copied) and the repository's mkdocs.yml and docs/."""
    repo.mkdir(parents=True)
    if corpus is None:
        generate(n, repo / "coes", seed=1)
    else:
        shutil.copytree(corpus, repo / "coes", ignore=shutil.ignore_patterns(".*"))
    shutil.copy2(REPOSITORY / "mkdocs.yml", repo / "mkdocs.yml")
    shutil.copytree(REPOSITORY / "docs", repo / "docs")
    return sorted((repo / "coes").glob("*/coe.yaml"))


def load_base(path: Path) -> dict:
    """A COE as plain data, every scalar a string (YAML's base schema): text is all we need."""
    loader = getattr(yaml, "CBaseLoader", yaml.BaseLoader)
    return yaml.load(path.read_text(encoding="utf-8"), Loader=loader) or {}


def one_line(value: object) -> str:
    """Text for a list item or a table cell: whitespace collapsed."""
    return " ".join(str(value or "").split())


def cell(value: object) -> str:
    """Text for a Markdown table cell."""
    return one_line(value).replace("|", "\\|")


def why_items(nodes: list, depth: int = 0) -> list[str]:
    """The why-tree as nested Markdown lists (4 spaces a level, as Python-Markdown wants)."""
    pad = "    " * depth
    lines = []
    for node in nodes or []:
        question = f"*{one_line(node['why'])}* " if node.get("why") else ""
        root = " **root cause**" if node.get("root_cause") == "true" else ""
        category = f" ({node['category']})" if node.get("category") else ""
        lines.append(f"{pad}- `{node.get('id', '')}` {question}{one_line(node.get('because'))}{root}{category}")
        if node.get("evidence"):
            lines.append(f"{pad}    - Evidence: {one_line(node['evidence'])}")
        lines.extend(why_items(node.get("causes"), depth + 1))
    return lines


def prose_page(coe: dict, folder: Path) -> str:
    """The Markdown page of one COE's prose, for the baseline."""
    lines = [f"# {one_line(coe.get('title'))}", ""]

    def section(title: str, body: object) -> None:
        if body:
            lines.extend([f"## {title}", "", str(body).strip(), ""])

    def items(title: str, entries: list[str]) -> None:
        if entries:
            lines.extend([f"## {title}", "", *entries, ""])

    impact = coe.get("impact") or {}
    detection = coe.get("detection") or {}
    section("Summary", coe.get("summary"))
    section("Customer experience", impact.get("customer_experience"))
    items("Metrics", [f"- {one_line(m.get('name'))}: {m.get('value', '')} {m.get('unit', '')}".rstrip()
                      for m in impact.get("metrics") or []])
    section("Detection", detection.get("analysis"))
    items("Timeline", [f"- **{e.get('at', '')}** ({e.get('kind', '')}) {one_line(e.get('event'))}"
                       for e in coe.get("timeline") or []])
    whys = coe.get("whys") or {}
    if whys:
        items("Why-tree", [f"**Problem:** {one_line(whys.get('problem'))}", "", *why_items(whys.get("causes"))])
    actions = coe.get("action_items") or []
    if actions:
        items("Action items", ["| id | title | owner | priority | due | status |",
                               "|---|---|---|---|---|---|",
                               *(f"| {cell(a.get('id'))} | {cell(a.get('title'))} | {cell(a.get('owner'))} | "
                                 f"{cell(a.get('priority'))} | {cell(a.get('due'))} | {cell(a.get('status'))} |"
                                 for a in actions)])
    items("Lessons", [f"- {one_line(lesson)}" for lesson in coe.get("lessons") or []])
    narrative_file = folder / "narrative.md"
    section("Narrative", coe.get("narrative") or (
        narrative_file.read_text(encoding="utf-8") if narrative_file.is_file() else ""))
    items("Communications", [f"- **{c.get('at', '')}** {c.get('channel', '')} to {one_line(c.get('audience'))}: "
                             f"{one_line(c.get('message'))}" for c in coe.get("communications") or []])
    items("Mitigations", [f"- {m.get('kind', '')} {m.get('at', '')}: {one_line(m.get('description'))}"
                          for m in coe.get("mitigations") or []])
    items("Dependencies", [f"- **{one_line(d.get('name'))}**: promise {one_line(d.get('promise'))}; observed "
                           f"{one_line(d.get('observed'))}. {one_line(d.get('blast_radius'))}"
                           for d in coe.get("dependencies") or []])
    return "\n".join(lines)


def make_baseline(base: Path, files: list[Path]) -> int:
    """The baseline: the same prose as ordinary pages, mkdocs.yml without coe and tags.

    Returns the number of bytes of Markdown written for the COE pages.
    """
    docs = base / "docs"
    shutil.copytree(REPOSITORY / "docs", docs)
    config = yaml.safe_load((REPOSITORY / "mkdocs.yml").read_text(encoding="utf-8"))
    config["docs_dir"] = "docs"
    config["plugins"] = [p for p in config.get("plugins") or []
                         if (p if isinstance(p, str) else next(iter(p))) not in DROPPED_PLUGINS]
    slugs = [path.parent.name for path in files]
    # COE folders are named YYYY-MM-DD-slug; name any other page on its own line
    config["not_in_nav"] = "\n".join(["/[0-9]*.md"] + [f"/{s}.md" for s in slugs if not s[:1].isdigit()])
    (base / "mkdocs.yml").write_text(
        yaml.safe_dump(config, allow_unicode=True, sort_keys=False), encoding="utf-8")

    written = 0
    index = [f"# {config.get('site_name', 'COEs')}", "", "| COE | title |", "|---|---|"]
    for path, slug in zip(files, slugs):
        coe = load_base(path)
        page = prose_page(coe, path.parent)
        written += len(page.encode("utf-8"))
        (docs / f"{slug}.md").write_text(page, encoding="utf-8")
        index.append(f"| {cell(coe.get('id'))} | [{cell(coe.get('title'))}]({slug}.md) |")
    (docs / "index.md").write_text("\n".join(index) + "\n", encoding="utf-8")
    return written


def cache_dir(repo: Path) -> Path:
    """The coe plugin's cache folder, as the repository's mkdocs.yml sets it (default .cache)."""
    config = yaml.safe_load((repo / "mkdocs.yml").read_text(encoding="utf-8"))
    for plugin in config.get("plugins") or []:
        if isinstance(plugin, dict) and "coe" in plugin:
            return repo / ((plugin["coe"] or {}).get("cache_dir") or ".cache")
    return repo / ".cache"


# ------------------------------------------------------------------ editing

BECAUSE = re.compile(r"^(?P<head>[ ]*(?:- )?because:[ ]+)(?P<quote>[\"']?)(?P<rest>[^|>\s].*)$", re.M)


@dataclass
class Edits:
    """The two "serve rebuild" edits of one COE file; `restore` puts the file back."""

    path: Path
    original: str = field(init=False)

    def __post_init__(self) -> None:
        self.original = self.path.read_text(encoding="utf-8")

    def restore(self) -> None:
        self.path.write_text(self.original, encoding="utf-8")

    def append_comment(self, tag: str) -> None:
        self.path.write_text(self.original + f"# benchmark edit {tag}\n", encoding="utf-8")

    def can_edit_why(self) -> bool:
        return BECAUSE.search(self.original) is not None

    def edit_why(self, tag: str) -> None:
        """Prefix the first one-line why-node `because` with a new word: a new diagram."""
        text = BECAUSE.sub(lambda m: f"{m['head']}{m['quote']}edited {tag} {m['rest']}", self.original, count=1)
        self.path.write_text(text, encoding="utf-8")


# ------------------------------------------------------------------ machine

def find_coe(explicit: str | None) -> str | None:
    """The coe executable: --coe, else beside sys.executable, else on PATH."""
    if explicit:
        return explicit
    beside = Path(sys.executable).parent / "coe"  # not resolved: a venv's python is a symlink
    if beside.is_file() and os.access(beside, os.X_OK):
        return str(beside)
    return shutil.which("coe")


def beside(executable: str, name: str) -> str:
    """`name` in the same bin/ folder as `executable`, else on PATH, else `name`."""
    candidate = Path(executable).parent / name
    if candidate.is_file() and os.access(candidate, os.X_OK):
        return str(candidate)
    return shutil.which(name) or name


def output_of(command: list[str]) -> str:
    """The first line a command prints (stdout, else stderr), or why it could not run."""
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=60)
    except (OSError, subprocess.TimeoutExpired) as error:
        return f"unavailable ({error})"
    return (done.stdout.strip() or done.stderr.strip()).splitlines()[0] if (done.stdout or done.stderr) else "?"


def tool_fingerprint(coe: str) -> str:
    """A digest of the names, sizes and times of the tool's files (package, templates, schema).

    Compared before and after the runs: the rows are only comparable if nobody edited
    the tool in between (an editable install runs the working tree).
    """
    folders = output_of([beside(coe, "python"), "-c",
                         "import coe, pathlib; from coe.resources import data_path as d; "
                         "print(pathlib.Path(coe.__file__).parent, d('templates'), d('schema'), sep='|')"])
    digest = hashlib.sha256()
    for folder in folders.split("|"):
        for path in sorted(Path(folder).rglob("*")):
            if path.is_file() and "__pycache__" not in path.parts:
                stat = path.stat()
                digest.update(f"{path}\0{stat.st_size}\0{stat.st_mtime_ns}\n".encode())
    return f"{digest.hexdigest()[:12]} (over {folders.replace('|', ', ')})"


def describe_machine(coe: str, mkdocs: str) -> list[str]:
    """Lines naming the CPU, Python, mkdocs, mkdocs-material and Graphviz behind the numbers."""
    cpu, nproc = cpu_model(), cores()
    python = beside(coe, "python")
    versions = output_of([python, "-c",
                          "import platform; from importlib.metadata import version as v; "
                          "print(f\"Python {platform.python_version()}, mkdocs {v('mkdocs')}, "
                          "mkdocs-material {v('mkdocs-material')}, coe-tool {v('coe-tool')}\")"])
    memory = f"{TIME} -f %M" if os.access(TIME, os.X_OK) else "os.wait4 resource usage"
    return [
        f"- CPU: {cpu}, nproc {nproc}, {platform.platform()}",
        f"- {versions} ({python})",
        f"- Graphviz: {output_of(['dot', '-V'])}",
        f"- coe: {coe}; mkdocs: {mkdocs}; peak RSS from {memory}",
    ]


# --------------------------------------------------------------------- main

def count_pages(site: Path, pattern: str) -> int:
    return len(list(site.glob(pattern)))


def size_mb(path: Path) -> float:
    return path.stat().st_size / 2**20 if path.is_file() else 0.0


def tree_mb(folder: Path) -> tuple[float, int]:
    files = [p for p in folder.rglob("*") if p.is_file()]
    return sum(p.stat().st_size for p in files) / 2**20, len(files)


def main(argv: list[str] | None = None) -> int:
    """Parse arguments, build the corpus and the baseline, run every build, print the table."""
    parser = argparse.ArgumentParser(description="Time `coe build` against mkdocs-material on the same prose.")
    parser.add_argument("--n", type=int, default=300, help="number of generated COEs (default 300)")
    parser.add_argument("--runs", type=int, default=3, help="timed runs of each build (default 3)")
    parser.add_argument("--coe", help="path to the coe executable")
    parser.add_argument("--corpus", type=Path, help="use a copy of this folder of COEs instead of generating")
    parser.add_argument("--keep", type=Path, help="build in this folder (created, must be empty) and keep it")
    parser.add_argument("--write", type=Path, default=RESULTS,
                        help=f"write the result as this script's section of this file (default {RESULTS.name})")
    parser.add_argument("--no-write", action="store_true", help="only print the result")
    args = parser.parse_args(argv)

    coe = find_coe(args.coe)
    if not coe:
        parser.error("no coe executable found; pass --coe PATH")
    mkdocs = beside(coe, "mkdocs")
    if args.corpus is not None and not any(args.corpus.glob("*/coe.yaml")):
        parser.error(f"--corpus {args.corpus}: no */coe.yaml in it")
    if args.keep is not None:
        if args.keep.exists() and any(args.keep.iterdir()):
            parser.error(f"--keep {args.keep}: not empty")
        args.keep.mkdir(parents=True, exist_ok=True)
        scratch_context = None
        scratch = args.keep.resolve()
    else:
        scratch_context = tempfile.TemporaryDirectory(prefix="coe-bench-build-")
        scratch = Path(scratch_context.name)

    try:
        os.environ["XDG_CACHE_HOME"] = str(scratch / "user-cache")  # coe validate's memo
        lines = run_all(args, coe, mkdocs, scratch)
    finally:
        if scratch_context is not None:
            scratch_context.cleanup()
    text = "\n".join(lines) + "\n"
    print(text, end="")
    if not args.no_write:
        corpus = f"--corpus {args.corpus}" if args.corpus else f"--n {args.n}"
        write_section("bench_build.py", f"## Site builds: `bench_build.py {corpus} --runs {args.runs}`\n\n"
                      f"Run on {time.strftime('%Y-%m-%d')}.\n\n{text}", args.write)
    return 0


def run_all(args: argparse.Namespace, coe: str, mkdocs: str, scratch: Path) -> list[str]:
    """Everything but argument parsing: returns the lines of the result."""
    repo, base = scratch / "repository", scratch / "baseline"
    files = make_repository(repo, args.n, args.corpus)
    n = len(files)
    markdown_bytes = make_baseline(base, files)
    yaml_lines = sum(p.read_bytes().count(b"\n") for p in files)
    yaml_mb = sum(p.stat().st_size for p in files) / 2**20
    source = f"a copy of {args.corpus}" if args.corpus else "generate.py, seed 1"
    print(f"corpus: {n} COEs ({source}), {yaml_lines:,} lines, {yaml_mb:.1f} MB of YAML; "
          f"baseline: {markdown_bytes / 2**20:.2f} MB of Markdown; in {scratch}", file=sys.stderr)

    cache = cache_dir(repo)
    edited = next((e for e in map(Edits, files) if e.can_edit_why()), None) or Edits(files[0])
    sites = {name: scratch / f"site-{name}" for name in ("baseline", "cold", "warm", "serve")}

    def coe_build(site: Path) -> list[str]:
        return [coe, "build", "--today", TODAY, "--site-dir", str(site)]

    # name -> (row label, command, working folder, page glob, what to do first)
    builds = {
        "baseline": ("baseline: `mkdocs build`, same prose as Markdown pages",
                     [mkdocs, "build", "-q", "-f", str(base / "mkdocs.yml"), "-d", str(sites["baseline"])],
                     base, "[0-9]*/index.html", lambda run: None),
        "cold": ("`coe build`, cold (`.cache/` deleted)", coe_build(sites["cold"]), repo, "coes/*/index.html",
                 lambda run: shutil.rmtree(cache, ignore_errors=True)),
        "warm": ("`coe build`, warm (`.cache/` full)", coe_build(sites["warm"]), repo, "coes/*/index.html",
                 lambda run: None),
        "serve": ("`coe serve` process: first build, then the two rebuilds below", [
            beside(coe, "python"), str(HERE / "serve_rebuild.py"), str(repo), str(sites["serve"]),
            "--edit", str(edited.path), "--today", TODAY, "--tag", "{tag}"],
            repo, "coes/*/index.html", lambda run: None),
        "validate": (f"`coe validate --no-cache` of the {n} COEs (every file read)",
                     [coe, "validate", "--no-cache", "--today", TODAY, "coes"], repo, "", lambda run: None),
        "validate-again": (f"`coe validate` of the {n} COEs, none changed since its last run",
                           [coe, "validate", "--today", TODAY, "coes"], repo, "", lambda run: None),
    }
    # the baseline's pages are named after the COE folders; count those that are not dated too
    undated = [p.parent.name for p in files if not p.parent.name[:1].isdigit()]

    def measure(name: str, tag: str) -> Run:
        label, command, cwd, pages, prepare = builds[name]
        command = [part.replace("{tag}", tag) for part in command]
        if pages:
            shutil.rmtree(sites[name], ignore_errors=True)
        prepare(tag)
        run = run_measured(command, cwd, scratch)
        if run.returncode != 0:
            fail(label, command, run, "the run failed")
        if not pages:
            return run
        found = count_pages(sites[name], pages)
        if name == "baseline":
            found += sum(1 for slug in undated if (sites[name] / slug / "index.html").is_file())
        if found != n:
            fail(label, command, run, f"{found} COE pages in {sites[name]}, expected {n}")
        return run

    samples: dict[str, list[Run]] = {name: [] for name in builds}
    fingerprint = tool_fingerprint(coe)
    try:
        for run in range(args.runs + 1):  # round 0: untimed warm-up
            print("warm-up round" if run == 0 else f"run {run}/{args.runs}", file=sys.stderr)
            edited.restore()  # each round starts from the COEs as they were
            for name in builds:
                result = measure(name, f"{run}")
                if run:
                    samples[name].append(result)
    finally:
        edited.restore()
    changed = tool_fingerprint(coe) != fingerprint

    base_s = statistics.median(r.seconds for r in samples["baseline"])
    base_rss = statistics.median(r.rss_kib for r in samples["baseline"])
    lines = [
        f"`coe build` on {n} COEs ({source}; {yaml_lines:,} lines of YAML) against `mkdocs build` of the "
        f"same prose as {n} Markdown pages ({markdown_bytes / 2**20:.2f} MB); wall-clock seconds and "
        f"peak RSS over {args.runs} interleaved runs after one warm-up round:",
        "",
        "| what | median s | min s | max s | ratio to baseline | peak RSS MB (median) | RSS ratio |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]

    def row(label: str, seconds: list[float], rss_kib: list[int] | None) -> str:
        median = statistics.median(seconds)
        memory = (f"{statistics.median(rss_kib) / 1024:.0f} | {statistics.median(rss_kib) / base_rss:.2f}x"
                  if rss_kib else "| ")
        return (f"| {label} | {median:.2f} | {min(seconds):.2f} | {max(seconds):.2f} | "
                f"{median / base_s:.2f}x | {memory} |")

    for name in ("baseline", "cold", "warm"):
        runs = samples[name]
        lines.append(row(builds[name][0], [r.seconds for r in runs], [r.rss_kib for r in runs]))
    rebuilds = [json.loads(r.output.strip().splitlines()[-1]) for r in samples["serve"]]
    serve_rss = [r.rss_kib for r in samples["serve"]]
    lines.append(row("`coe serve` rebuild after one COE changed (a comment line appended)",
                     [r["comment"] for r in rebuilds], serve_rss))
    if all("why" in r for r in rebuilds):
        lines.append(row("`coe serve` rebuild after one why-node's text changed (one diagram drawn)",
                         [r["why"] for r in rebuilds], serve_rss))
    for name in ("validate", "validate-again"):
        lines.append(row(builds[name][0] + " (whole process)", [r.seconds for r in samples[name]],
                         [r.rss_kib for r in samples[name]]))
    median = {name: statistics.median(r.seconds for r in runs) for name, runs in samples.items()}
    peak = {name: statistics.median(r.rss_kib for r in runs) / base_rss for name, runs in samples.items()}
    serve = {kind: statistics.median(r[kind] for r in rebuilds) for kind in ("comment", "why")
             if all(kind in r for r in rebuilds)}
    targets = [
        ("cold build at most 1.5 times the baseline", f"{median['cold'] / base_s:.2f}x",
         median["cold"] <= 1.5 * base_s),
        ("warm build at most 1.2 times the baseline", f"{median['warm'] / base_s:.2f}x",
         median["warm"] <= 1.2 * base_s),
        (f"`coe validate` of {n} COEs under 2 s (every file read)", f"{median['validate']:.2f} s",
         median["validate"] < 2),
        *((f"serve rebuild ({kind}) no slower than the warm build",
           f"{seconds:.2f} s against {median['warm']:.2f} s", seconds <= median["warm"])
          for kind, seconds in serve.items()),
        ("peak memory at most twice the baseline's (cold, warm, serve)",
         ", ".join(f"{peak[name]:.2f}x" for name in ("cold", "warm", "serve")),
         max(peak[name] for name in ("cold", "warm", "serve")) <= 2),
    ]
    lines += ["", "| target | measured | met |", "|---|---:|---|"]
    lines += [f"| {what} | {value} | {'yes' if met else '**no**'} |" for what, value, met in targets]
    lines += [
        "",
        "Serve rows: the rebuild alone, timed inside a process that built the site first, as a running",
        "`coe serve` has (benchmarks/serve_rebuild.py); their memory is that whole process's peak. Other",
        "rows: whole processes (interpreter start-up, imports and exit included).",
    ]
    base_mb, base_files = tree_mb(sites["baseline"])
    coe_mb, coe_files = tree_mb(sites["warm"])
    lines += [
        "",
        f"Sites: baseline {base_mb:.1f} MB in {base_files} files, search index "
        f"{size_mb(sites['baseline'] / 'search' / 'search_index.json'):.2f} MB; `coe build` {coe_mb:.1f} MB "
        f"in {coe_files} files, search index {size_mb(sites['warm'] / 'search' / 'search_index.json'):.2f} MB.",
        f"Edited COE for the rebuild rows: {edited.path.parent.name}.",
        "",
        *describe_machine(coe, mkdocs),
        f"- tool files: {fingerprint}" + (
            "; CHANGED DURING THE RUNS: the rows may measure different versions of the tool"
            if changed else "; unchanged during the runs"),
    ]
    if changed:
        print("warning: the tool's files changed during the benchmark", file=sys.stderr)
    return lines


if __name__ == "__main__":
    sys.exit(main())
