"""Validation as a pipeline: find the COE files, read each, check it, check them together.

Cross-COE checks see every COE of the repository even when only some are being
validated, so that a new COE cannot take an id that another already holds. Files are
checked in parallel when there are many: reading YAML is CPU-bound. A `Memo` carried
from one run to the next (`mkdocs serve`) spares reading and checking again the files
that have not changed.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import date
from functools import partial
from pathlib import Path

from .checks import Identity, corpus_problems, file_problems, identity
from .memo import Entry, Memo, Stamp, file_digest, narrative_state, stamp_of
from .model import build_coe
from .problems import Level
from .repository import display_path, display_resolved, find_coe_files, unique_resolved
from .results import Checked, Report
from .review import ReviewSettings, review
from .runtime import VALIDATE_IN_WORKERS_FROM, can_fork, fork_map, gc_paused
from .schema import fast_validator, schema_problems
from .sources import ReadError, decode, parse_text, read_bytes, top_level_text

CHUNK = 8  # files a worker takes at a time: few enough that the workers finish together


def check_file(path: Path, root: Path | None = None,
               settings: ReviewSettings = ReviewSettings()) -> Checked:
    """Read and check one COE file on its own; paths shown relative to `root`.

    The review rules run only on a COE without errors: they read the model.
    """
    return _check(path, display_path(path, root), settings)[0]


def _check(path: Path, display: str, settings: ReviewSettings, stamped: bool = False,
           written: bool = True) -> tuple[Checked, Stamp | None]:
    """A file's own results and, when `stamped`, what they depend on (for the memo);
    the model without its fields as `written` when only the review rules need it.

    The stamp is taken before the checks read the files beside coe.yaml: should one
    change meanwhile, the memo sees a change next time rather than missing one.
    """
    shown = display or str(path)
    try:
        data = read_bytes(path, shown)
    except ReadError as error:  # too large or unreadable: not worth a stamp
        return Checked(path, display, [error.problem], readable=False), None
    digest = file_digest(data) if stamped else b""
    try:
        source = parse_text(decode(data, shown), path, shown)
    except ReadError as error:
        stamp = Stamp(digest, narrative_state(path.parent)) if stamped else None
        return Checked(path, display, [error.problem], readable=False), stamp
    stamp = stamp_of(source, digest) if stamped else None
    problems = schema_problems(source) + file_problems(source)
    model = None
    if not any(p.level is Level.ERROR for p in problems):
        model = build_coe(source, written)
        problems += review(model, source.display, settings)
    return Checked(path, display, problems, identity(source), source, model), stamp


@dataclass(frozen=True)
class _Job:
    """A file to check, as the parent process has already named it."""

    path: Path
    display: str


def _check_job(job: _Job, settings: ReviewSettings, keep_models: bool, stamped: bool,
               keep_data: bool = False) -> tuple[Checked, Stamp | None, bool]:
    """A file's results as asked for, its stamp, and whether it had a model built."""
    # What crosses back from a worker process (keep_data is False there): problems, the id
    # and, when asked for, the model; never the source with its positions (libyaml's
    # marks do not pickle). Sending models back costs as much as checking, so
    # `coe validate` does without.
    checked, stamp = _check(job.path, job.display, settings, stamped, written=keep_models)
    modelled = checked.model is not None
    return (replace(checked, source=checked.source if keep_data else None,
                    model=checked.model if keep_models else None), stamp, modelled)


def _check_jobs(jobs: list[_Job], settings: ReviewSettings, keep_data: bool, keep_models: bool,
                stamped: bool = False) -> list[tuple[Checked, Stamp | None, bool]]:
    """Check each file; in worker processes when there are many and sources are not kept."""
    check = partial(_check_job, settings=settings, keep_models=keep_models, stamped=stamped,
                    keep_data=keep_data)
    if keep_data or len(jobs) < VALIDATE_IN_WORKERS_FROM or not can_fork():
        return [check(job) for job in jobs]
    fast_validator()  # compiled once here, inherited by every worker
    with gc_paused():  # the results taken back are acyclic too
        return list(fork_map(check, jobs, chunk=CHUNK))


def _read_identity(path: Path, display: str) -> Identity | None:
    shown = display or str(path)
    try:
        return _identity_in(decode(read_bytes(path, shown), shown), shown)
    except ReadError:
        return None  # reported when that COE itself is validated


def _identity_in(text: str, display: str) -> Identity | None:
    """The id of a COE that is not being validated, read only as far as its id."""
    found = top_level_text(text, "id")
    return Identity(found[0], display, found[1], found[2]) if found else None


def _memo_identity(memo: Memo, earlier: dict[str, Entry], path: Path, resolved: str,
                   display: str, seen: dict[str, tuple[bytes, str, Identity | None]]
                   ) -> Identity | None:
    """The id of a file of the repository that is not being validated, read only when
    its bytes changed since the memo last saw it, as context or validated (`earlier`)."""
    shown = display or str(path)
    try:
        data = read_bytes(path, shown)
    except ReadError:
        return None
    digest = file_digest(data)
    known = memo.identities.get(resolved)
    entry = earlier.get(resolved)
    if known is not None and known[:2] == (digest, display):
        found = known[2]
    elif entry is not None and (entry.stamp.digest, entry.display) == (digest, display):
        found = entry.checked.identity
    else:
        try:
            found = _identity_in(decode(data, shown), shown)
        except ReadError:
            found = None
    seen[resolved] = (digest, display, found)
    return found


def _check_with_memo(jobs: list[tuple[_Job, str]], memo: Memo, settings: ReviewSettings,
                     keep_data: bool, keep_models: bool) -> list[Checked]:
    """Each file's own results: from the memo when still current, else checked (and kept).

    What each result holds (source, model) is what the same call without a memo gives.
    """
    today = settings.today or date.today()
    results: list[Checked | None] = []
    entries: dict[str, Entry] = {}
    missed: list[tuple[int, _Job, str]] = []
    for job, resolved in jobs:
        entry = memo.entries.get(resolved)
        if entry and entry.serves(job.display, settings, today, keep_data, keep_models) \
                and entry.stamp.current(job.path, job.display):
            entries[resolved] = entry
            results.append(replace(entry.checked, path=job.path))  # named as asked
        else:
            missed.append((len(results), job, resolved))
            results.append(None)
    fresh = _check_jobs([job for _, job, _ in missed], replace(settings, today=today),
                        keep_data, keep_models, stamped=True)
    for (index, job, resolved), (checked, stamp, modelled) in zip(missed, fresh):
        if stamp is not None:  # None: too large or unreadable, checked again each time
            entries[resolved] = Entry(job.path, job.display, settings, today, stamp,
                                       checked, modelled)
        results[index] = checked
    memo.entries = entries
    memo.hits, memo.misses = len(jobs) - len(missed), len(missed)
    # Copies: the report's lists get the cross-COE problems, the memo keeps its own.
    return [replace(checked, problems=list(checked.problems),
                    source=checked.source if keep_data else None,
                    model=checked.model if keep_models else None)
            for checked in results if checked is not None]


def validate(paths: Iterable[Path], context: Iterable[Path] = (),
             settings: ReviewSettings = ReviewSettings(), keep_data: bool = False,
             root: Path | None = None, keep_models: bool = False,
             memo: Memo | None = None) -> Report:
    """Validate the COEs at `paths`; `context` folders hold the rest of the repository.

    `settings` configure the review rules (and hold the "today" that overdue action
    items are judged against); `keep_data` keeps each COE's data in the report, for
    the stages after validation, and `keep_models` its model when it has no errors;
    files are named relative to `root` (default: here).
    `memo`, passed again to the next call, lets it skip the files that have not changed.
    """
    base = (root or Path.cwd()).resolve()
    known: dict[str, str] = {}
    targets = unique_resolved((f for p in paths for f in find_coe_files(p)), known)
    jobs = [(_Job(path, display_resolved(path, resolved, base)), resolved) for path, resolved in targets]
    earlier = dict(memo.entries) if memo is not None else {}
    if memo is None:
        checked = [c for c, _, _ in _check_jobs([job for job, _ in jobs], settings,
                                                keep_data, keep_models)]
    else:
        checked = _check_with_memo(jobs, memo, settings, keep_data, keep_models)
    wanted = {resolved for _, resolved in targets}
    identities = [c.identity for c in checked if c.identity]
    seen: dict[str, tuple[bytes, str, Identity | None]] = {}
    for path, resolved in unique_resolved((f for p in context for f in find_coe_files(p)), known):
        if resolved not in wanted:
            display = display_resolved(path, resolved, base)
            found = (_read_identity(path, display) if memo is None
                     else _memo_identity(memo, earlier, path, resolved, display, seen))
            if found:
                identities.append(found)
    if memo is not None:
        memo.identities = seen
    by_display = {c.display: c for c in checked}
    for problem in corpus_problems(identities):
        if problem.path in by_display:
            by_display[problem.path].problems.append(problem)
    return Report(checked)
