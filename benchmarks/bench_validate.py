"""Benchmark `coe validate` against the floor of just parsing the same YAML files.

What it measures: the wall-clock time of whole processes (interpreter start-up, imports,
reading the files and exiting included), each run ``--runs`` times, interleaved so that
both see the same machine load:

- baseline: ``python -c`` a script that reads every ``*/coe.yaml`` and loads it with
  ``yaml.load(..., Loader=yaml.CSafeLoader)`` (PyYAML's libyaml loader; falls back to
  the pure-Python ``SafeLoader``, and says so, when libyaml is missing);
- ``coe validate --no-cache DIR``, every file read and checked, and ``coe validate DIR``
  with none changed since its last run (its memo, kept in ``XDG_CACHE_HOME``, which is set
  to a folder of the scratch directory); both must exit 0: all generated COEs are valid.

The input is N synthetic COEs from ``generate.py`` (seed 1, about 12 kB and 300 lines
each), written to a temporary folder, or read from ``benchmarks/out/<N>-seed1`` when that
folder holds exactly N COEs (``benchmarks/out/`` is git-ignored). To keep a corpus:

    python benchmarks/generate.py 1000 benchmarks/out/1000-seed1

Run, with the virtualenv that has ``coe`` installed:

    python benchmarks/bench_validate.py [--n 1000] [--runs 5] [--coe PATH_TO_coe]

``--coe`` defaults to the ``coe`` beside ``sys.executable`` (the same virtualenv's
``bin/``), then to ``coe`` on PATH. The result is a Markdown table (median, min and max
seconds, and the ratio of medians to the baseline) followed by the machine's details.
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from generate import generate
from machine import cores, cpu_model

HERE = Path(__file__).resolve().parent

BASELINE = """\
import pathlib, sys, yaml
Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
for path in sorted(pathlib.Path(sys.argv[1]).glob("*/coe.yaml")):
    yaml.load(path.read_bytes(), Loader=Loader)
"""


def get_corpus(n: int, scratch: Path) -> Path:
    """Return a folder of n generated COEs: the cached one if complete, else a new one."""
    cached = HERE / "out" / f"{n}-seed1"
    if cached.is_dir() and len(list(cached.glob("*/coe.yaml"))) == n:
        return cached
    corpus = scratch / "coes"
    generate(n, corpus, seed=1)
    return corpus


def find_coe(explicit: str | None) -> str | None:
    """Return the coe executable: --coe, else beside sys.executable, else on PATH."""
    if explicit:
        return explicit
    # not resolved: a virtualenv's python is a symlink out of the virtualenv
    beside = Path(sys.executable).parent / "coe"
    if beside.is_file() and os.access(beside, os.X_OK):
        return str(beside)
    return shutil.which("coe")


def run_timed(command: list[str]) -> tuple[float, subprocess.CompletedProcess]:
    """Run a command to completion; return its wall-clock seconds and its result."""
    start = time.perf_counter()
    result = subprocess.run(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    return time.perf_counter() - start, result


def check_exit(name: str, result: subprocess.CompletedProcess) -> None:
    """Stop the benchmark, showing the output, if a command did not exit 0."""
    if result.returncode != 0:
        output = (result.stdout + result.stderr).splitlines()
        shown = "\n".join(output[:40]) + (f"\n... ({len(output) - 40} more lines)" if len(output) > 40 else "")
        sys.exit(f"{name} exited {result.returncode}; all generated COEs should be valid:\n{shown}")


def describe_machine() -> list[str]:
    """Return lines describing the CPU, Python and PyYAML that the numbers come from."""
    cpu, nproc = cpu_model(), cores()
    try:
        import yaml

        libyaml = "yes" if getattr(yaml, "__with_libyaml__", False) else "no (baseline uses SafeLoader)"
        if getattr(yaml, "__with_libyaml__", False):
            from yaml import _yaml

            libyaml = f"yes ({_yaml.get_version_string()})"
        pyyaml = f"PyYAML {yaml.__version__}, libyaml: {libyaml}"
    except ImportError:
        pyyaml = "PyYAML not importable by this Python"
    return [
        f"- CPU: {cpu}, nproc {nproc}",
        f"- Python {platform.python_version()} ({sys.executable}), {platform.platform()}",
        f"- {pyyaml}",
    ]


def main(argv: list[str] | None = None) -> int:
    """Parse arguments, run both commands, print the table."""
    parser = argparse.ArgumentParser(description="Time `coe validate` against parsing the YAML with libyaml.")
    parser.add_argument("--n", type=int, default=1000, help="number of COEs (default 1000)")
    parser.add_argument("--runs", type=int, default=5, help="timed runs of each command (default 5)")
    parser.add_argument("--coe", help="path to the coe executable")
    args = parser.parse_args(argv)

    coe = find_coe(args.coe)
    with tempfile.TemporaryDirectory(prefix="coe-bench-") as scratch:
        corpus = get_corpus(args.n, Path(scratch))
        files = sorted(corpus.glob("*/coe.yaml"))
        lines = sum(path.read_bytes().count(b"\n") for path in files)
        megabytes = sum(path.stat().st_size for path in files) / 1e6
        print(f"corpus: {corpus} ({len(files)} COEs, {lines:,} lines, {megabytes:.1f} MB)", file=sys.stderr)

        commands = {"parse only (PyYAML CSafeLoader)": [sys.executable, "-c", BASELINE, str(corpus)]}
        if coe:
            commands["coe validate --no-cache (every file read)"] = [coe, "validate", "--no-cache", str(corpus)]
            commands["coe validate, no file changed since its last run"] = [coe, "validate", str(corpus)]
        os.environ["XDG_CACHE_HOME"] = str(Path(scratch) / "user-cache")  # the memo of the runs

        # one untimed run each: warms the page cache and checks the exit codes
        for name, command in commands.items():
            check_exit(name, run_timed(command)[1])
        times: dict[str, list[float]] = {name: [] for name in commands}
        for run in range(args.runs):
            print(f"run {run + 1}/{args.runs}", file=sys.stderr)
            for name, command in commands.items():
                seconds, result = run_timed(command)
                check_exit(name, result)
                times[name].append(seconds)

    baseline = statistics.median(next(iter(times.values())))
    print(f"\n`coe validate` on {len(files)} generated COEs ({lines:,} lines, {megabytes:.1f} MB), "
          f"whole-process wall-clock seconds over {args.runs} runs:\n")
    print("| what | median s | min s | max s | ratio to baseline |")
    print("|---|---:|---:|---:|---:|")
    for name, samples in times.items():
        median = statistics.median(samples)
        print(f"| {name} | {median:.3f} | {min(samples):.3f} | {max(samples):.3f} | {median / baseline:.2f}x |")
    print()
    print("\n".join(describe_machine()))
    if coe:
        print(f"- coe: {coe}")
        return 0
    print("- coe: not found (pass --coe PATH); only the baseline was measured")
    return 1


if __name__ == "__main__":
    sys.exit(main())
