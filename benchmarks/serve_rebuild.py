"""Time the rebuild that `mkdocs serve` (and `coe serve`) does after an author saves a COE.

Run by bench_build.py in a repository it made; prints one JSON line:
``{"first": seconds, "comment": seconds, "why": seconds, "pages": n}``.

It does what mkdocs' serve command does, without the HTTP server: load the config, call
the plugins' ``on_startup`` once (plugins that define it are kept across rebuilds, as
the coe plugin is) and build; then, for each rebuild, load the config again and build
again into the same folder. Before the first rebuild it appends a comment line to
``--edit`` (a coe.yaml; nothing rendered changes), before the second it changes the
text of one of its why-nodes instead (one diagram is not in the cache). Only the
rebuilds are timed: the first build warms the process as a running ``coe serve`` is
warm. The file is put back as it was at the end.

    python benchmarks/serve_rebuild.py REPO SITE --edit REPO/coes/X/coe.yaml [--today D] [--tag T]
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
import time
from pathlib import Path

from bench_build import Edits


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("repo", type=Path)
    parser.add_argument("site", type=Path)
    parser.add_argument("--edit", type=Path, required=True)
    parser.add_argument("--tag", default="serve", help="a word put into the edits")
    parser.add_argument("--today", default="2026-11-27")
    args = parser.parse_args(argv)

    from mkdocs.commands.build import build
    from mkdocs.config import load_config

    logging.basicConfig(level=logging.ERROR)  # the build's info lines are not measured

    def get_config():  # as mkdocs.commands.serve does, with the plugin's today set
        config = load_config(config_file=str(args.repo / "mkdocs.yml"), site_dir=str(args.site))
        config.plugins["coe"].config.today = args.today
        return config

    config = get_config()
    config.plugins.on_startup(command="serve", dirty=False)
    started = time.perf_counter()
    build(config)
    first = time.perf_counter() - started

    edits = Edits(args.edit)
    times = {}
    try:
        steps = [("comment", edits.append_comment)]
        if edits.can_edit_why():
            steps.append(("why", edits.edit_why))
        for name, edit in steps:
            edit(args.tag)
            started = time.perf_counter()
            config = get_config()
            build(config)
            times[name] = round(time.perf_counter() - started, 3)
    finally:
        edits.restore()
    config.plugins.on_shutdown()
    pages = sum(1 for _ in args.site.glob("coes/*/index.html"))
    print(json.dumps({"first": round(first, 3), **times, "pages": pages}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
