"""Validation as a pipeline: find the COE files, read each, check it, check them together.

Cross-COE checks see every COE of the repository even when only some are being
validated, so that a new COE cannot take an id that another already holds. Files are
checked in parallel when there are many: reading YAML is CPU-bound.
"""

from __future__ import annotations

import gc
import multiprocessing
import os
from collections.abc import Iterable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field, replace
from functools import partial
from pathlib import Path

from .checks import Identity, corpus_problems, file_problems, identity
from .model import Coe, build_coe
from .problems import Level, Problem
from .repository import display_path, find_coe_files
from .review import ReviewSettings, review
from .schema import fast_validator, schema_problems
from .sources import ReadError, Source, read_source

PARALLEL_FROM = 100  # below this, starting worker processes costs more than it saves


@dataclass
class Checked:
    """One COE file after validation: its problems, its id, and its data if kept."""

    path: Path
    display: str
    problems: list[Problem] = field(default_factory=list)
    identity: Identity | None = None
    source: Source | None = None
    model: Coe | None = None  # built when the COE has no errors
    readable: bool = True

    @property
    def valid(self) -> bool:
        return self.readable and not any(p.level is Level.ERROR for p in self.problems)


@dataclass
class Report:
    """The result of validating a set of COEs."""

    checked: list[Checked]

    @property
    def problems(self) -> list[Problem]:
        return sorted(p for c in self.checked for p in c.problems)

    def count(self, level: Level) -> int:
        return sum(1 for p in self.problems if p.level is level)

    def summary(self) -> str:
        """One line: `3 errors, 1 warning in 12 COEs`."""
        errors, warnings = self.count(Level.ERROR), self.count(Level.WARNING)
        coes = _plural(len(self.checked), "COE")
        if not errors and not warnings:
            return f"no problems in {coes}"
        return f"{_plural(errors, 'error')}, {_plural(warnings, 'warning')} in {coes}"


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}" + ("" if count == 1 else "s")


def check_file(path: Path, root: Path | None = None,
               settings: ReviewSettings = ReviewSettings()) -> Checked:
    """Read and check one COE file on its own; paths shown relative to `root`.

    The review rules run only on a COE without errors: they read the model.
    """
    display = display_path(path, root)
    try:
        source = read_source(path, display)
    except ReadError as error:
        return Checked(path, display, [error.problem], readable=False)
    problems = schema_problems(source) + file_problems(source)
    model = None
    if not any(p.level is Level.ERROR for p in problems):
        model = build_coe(source)
        problems += review(model, source, settings)
    return Checked(path, display, problems, identity(source), source, model)


def _check_in_worker(path: Path, root: Path | None, settings: ReviewSettings,
                     keep_models: bool) -> Checked:
    # What crosses back from a worker process: problems, the id and, when asked for, the
    # model; never the source with its positions (libyaml's marks do not pickle). Sending
    # models back costs as much as checking, so `coe validate` does without.
    checked = check_file(path, root, settings)
    return replace(checked, source=None, model=checked.model if keep_models else None)


def _read_identity(path: Path, root: Path | None) -> Identity | None:
    try:
        return identity(read_source(path, display_path(path, root)))
    except ReadError:
        return None  # reported when that COE itself is validated


def check_files(paths: list[Path], keep_data: bool = False, root: Path | None = None,
                settings: ReviewSettings = ReviewSettings(),
                keep_models: bool = False) -> list[Checked]:
    """Check each file; in worker processes when there are many and sources are not kept."""
    if keep_data or len(paths) < PARALLEL_FROM or (os.cpu_count() or 1) < 2:
        checked = [check_file(path, root, settings) for path in paths]
        return checked if keep_data else [replace(c, source=None) for c in checked]
    fast_validator()  # compiled once here, inherited by every worker
    workers = min(os.cpu_count() or 2, 8)
    context = multiprocessing.get_context("fork" if "fork" in
                                          multiprocessing.get_all_start_methods() else None)
    # Workers live for one run and build only acyclic data: without the cyclic garbage
    # collector they check a COE 15% faster.
    with ProcessPoolExecutor(workers, mp_context=context, initializer=gc.disable) as pool:
        return list(pool.map(partial(_check_in_worker, root=root, settings=settings,
                                     keep_models=keep_models), paths,
                             chunksize=max(1, len(paths) // (workers * 4))))


def validate(paths: Iterable[Path], context: Iterable[Path] = (),
             settings: ReviewSettings = ReviewSettings(), keep_data: bool = False,
             root: Path | None = None, keep_models: bool = False) -> Report:
    """Validate the COEs at `paths`; `context` folders hold the rest of the repository.

    `settings` configure the review rules (and hold the "today" that overdue action
    items are judged against); `keep_data` keeps each COE's data in the report, for
    the stages after validation; files are named relative to `root` (default: here).
    """
    targets = _unique(f for p in paths for f in find_coe_files(p))
    checked = check_files(targets, keep_data, root, settings, keep_models)
    wanted = {c.path.resolve() for c in checked}
    identities = [c.identity for c in checked if c.identity]
    for path in _unique(f for p in context for f in find_coe_files(p)):
        if path.resolve() not in wanted:
            found = _read_identity(path, root)
            if found:
                identities.append(found)
    by_display = {c.display: c for c in checked}
    for problem in corpus_problems(identities):
        if problem.path in by_display:
            by_display[problem.path].problems.append(problem)
    return Report(checked)


def _unique(paths: Iterable[Path]) -> list[Path]:
    seen: set[Path] = set()
    result = []
    for path in paths:
        key = path.resolve()
        if key not in seen:
            seen.add(key)
            result.append(path)
    return result
