"""Validation as a pipeline: find the COE files, read each, check it, check them together.

Cross-COE checks see every COE of the repository even when only some are being
validated, so that a new COE cannot take an id that another already holds. Files are
checked in parallel when there are many: reading YAML is CPU-bound. A `Memo` carried
from one run to the next (`mkdocs serve`) spares reading and checking again the files
that have not changed.
"""

from __future__ import annotations

import gc
import os
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import date
from functools import cache, partial
from operator import attrgetter
from pathlib import Path
from typing import Any

from . import folder_files
from .checks import Identity, corpus_problems, dependencies, file_problems, identity
from .model import Coe, build_coe
from .problems import Level, Problem
from .repository import display_path, find_coe_files
from .review import ReviewSettings, review
from .schema import fast_validator, schema_problems
from .sources import (NARRATIVE_FILE, ReadError, Source, decode, parse_text, read_bytes,
                      top_level_text)

PARALLEL_FROM = 100  # below this, starting worker processes costs more than it saves
CHUNK = 8  # files a worker takes at a time: few enough that the workers finish together


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


# The order of Problem's fields, which is the order it sorts in: as a key, the tuples
# compare in C rather than through the dataclass's __lt__, 20 times faster.
_PLACE = attrgetter("path", "line", "column", "rule", "message", "level")


@dataclass
class Report:
    """The result of validating a set of COEs."""

    checked: list[Checked]

    @property
    def problems(self) -> list[Problem]:
        return sorted((p for c in self.checked for p in c.problems), key=_PLACE)

    def count(self, level: Level) -> int:
        return sum(1 for c in self.checked for p in c.problems if p.level is level)

    def summary(self) -> str:
        """One line: `3 errors, 1 warning in 12 COEs`."""
        errors, warnings = self.count(Level.ERROR), self.count(Level.WARNING)
        coes = _plural(len(self.checked), "COE")
        if not errors and not warnings:
            return f"no problems in {coes}"
        return f"{_plural(errors, 'error')}, {_plural(warnings, 'warning')} in {coes}"


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}" + ("" if count == 1 else "s")


@dataclass
class Memo:
    """What `validate` found in each file on its own, kept for the next run in this process.

    Pass the same Memo to successive `validate` calls (`mkdocs serve` rebuilds): a file
    whose bytes are unchanged, whose graph data and narrative.md are unchanged, whose
    linked files are where they were, and that is validated with the same settings and
    "today", is not read again. Cross-COE checks still run over every file, and the
    report is the same as without a memo. The memo holds the files of its last run only.
    """

    # by resolved path
    entries: dict[str, _Entry] = field(default_factory=dict)
    identities: dict[str, tuple[bytes, str, Identity | None]] = field(default_factory=dict)
    hits: int = 0  # files of the last run whose results came from the memo
    misses: int = 0  # files of the last run read and checked


@dataclass(frozen=True)
class _Stamp:
    """What a file's own results depend on: its bytes and the files beside it."""

    digest: bytes
    narrative: Any  # narrative.md's state
    graphs: tuple[tuple[str, Any], ...] = ()  # (name, state) of graph data files
    links: tuple[tuple[str, Any], ...] = ()  # (name, state) of linked files

    def current(self, path: Path, display: str) -> bool:
        """True when the file and those it depends on are as they were."""
        try:
            data = read_bytes(path, display)
        except ReadError:
            return False
        folder = path.parent
        return (_digest(data) == self.digest
                and _narrative_state(folder) == self.narrative
                and all(_graph_state(folder, name) == state for name, state in self.graphs)
                and all(_link_state(folder, name) == state for name, state in self.links))


@dataclass(frozen=True)
class _Entry:
    """A file's own results (no cross-COE problems), and what they were computed from."""

    path: Path
    display: str
    settings: ReviewSettings
    today: date
    stamp: _Stamp
    checked: Checked
    modelled: bool  # the file had no errors, so a model was built (kept or not)

    def serves(self, display: str, settings: ReviewSettings, today: date,
               keep_data: bool, keep_model: bool) -> bool:
        """True when these results answer this request (before looking at the files)."""
        return (self.display == display and self.settings == settings
                and self.today == today
                and (not keep_data or not self.checked.readable or self.checked.source is not None)
                and (not keep_model or not self.modelled or self.checked.model is not None))


def _digest(data: bytes) -> bytes:
    from hashlib import sha256  # only a memo needs it, and loading OpenSSL takes 5 ms

    return sha256(data).digest()


# The states of the files beside coe.yaml, as the checks and the model see them: what
# they read (a digest), or why they could not, or None when the file is not there.
def _read_state(folder: Path, name: str, limit: int) -> Any:
    if not folder_files.exists(folder, name):
        return None
    try:
        return _digest(folder_files.read(folder, name, limit))
    except folder_files.FolderFileError as error:
        return ("unreadable", error.kind, str(error))


def _narrative_state(folder: Path) -> Any:
    return _read_state(folder, NARRATIVE_FILE, folder_files.MAX_NARRATIVE_BYTES)


def _graph_state(folder: Path, name: str) -> Any:
    return _read_state(folder, name, folder_files.MAX_DATA_BYTES)


def _link_state(folder: Path, name: str) -> Any:
    """A linked file's kind is checked from its first bytes and an SVG in full: where
    it leads, and its size and time of change, tell when either may have changed."""
    try:
        info = os.stat(folder_files.locate(folder, name))
        return (info.st_ino, info.st_size, info.st_mtime_ns)
    except folder_files.FolderFileError as error:
        return ("unreadable", error.kind, str(error))
    except OSError as error:
        return ("unreadable", type(error).__name__, str(error))


def _stamp_of(source: Source, digest: bytes) -> _Stamp:
    graphs, links = dependencies(source)
    folder = source.path.parent
    return _Stamp(digest, _narrative_state(folder),
                  tuple((name, _graph_state(folder, name)) for name in graphs),
                  tuple((name, _link_state(folder, name)) for name in links))


def check_file(path: Path, root: Path | None = None,
               settings: ReviewSettings = ReviewSettings()) -> Checked:
    """Read and check one COE file on its own; paths shown relative to `root`.

    The review rules run only on a COE without errors: they read the model.
    """
    return _check(path, display_path(path, root), settings)[0]


def _check(path: Path, display: str, settings: ReviewSettings, stamped: bool = False,
           written: bool = True) -> tuple[Checked, _Stamp | None]:
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
    digest = _digest(data) if stamped else b""
    try:
        source = parse_text(decode(data, shown), path, shown)
    except ReadError as error:
        stamp = _Stamp(digest, _narrative_state(path.parent)) if stamped else None
        return Checked(path, display, [error.problem], readable=False), stamp
    stamp = _stamp_of(source, digest) if stamped else None
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
               keep_data: bool = False) -> tuple[Checked, _Stamp | None, bool]:
    """A file's results as asked for, its stamp, and whether it had a model built."""
    # What crosses back from a worker process (keep_data is False there): problems, the id
    # and, when asked for, the model; never the source with its positions (libyaml's
    # marks do not pickle). Sending models back costs as much as checking, so
    # `coe validate` does without.
    checked, stamp = _check(job.path, job.display, settings, stamped, written=keep_models)
    modelled = checked.model is not None
    return (replace(checked, source=checked.source if keep_data else None,
                    model=checked.model if keep_models else None), stamp, modelled)


def _sequential(count: int, keep_data: bool) -> bool:
    return keep_data or count < PARALLEL_FROM or (os.cpu_count() or 1) < 2


def _check_jobs(jobs: list[_Job], settings: ReviewSettings, keep_data: bool, keep_models: bool,
                stamped: bool = False) -> list[tuple[Checked, _Stamp | None, bool]]:
    """Check each file; in worker processes when there are many and sources are not kept."""
    if _sequential(len(jobs), keep_data):
        return [_check_job(job, settings, keep_models, stamped, keep_data) for job in jobs]
    import multiprocessing  # slow to import, and only runs with workers need it
    from concurrent.futures import ProcessPoolExecutor

    fast_validator()  # compiled once here, inherited by every worker
    workers = min(os.cpu_count() or 2, 8)
    context = multiprocessing.get_context("fork" if "fork" in
                                          multiprocessing.get_all_start_methods() else None)
    # Workers live for one run and build only acyclic data: without the cyclic garbage
    # collector they check a COE 15% faster. So does this process take their results.
    collecting = gc.isenabled()
    gc.disable()
    try:
        with ProcessPoolExecutor(workers, mp_context=context, initializer=gc.disable) as pool:
            return list(pool.map(partial(_check_job, settings=settings,
                                         keep_models=keep_models, stamped=stamped), jobs,
                                 chunksize=max(1, min(CHUNK, len(jobs) // (workers * 4)))))
    finally:
        if collecting:
            gc.enable()


def _display(path: Path, resolved: str, base: Path) -> str:
    """display_path(path, root), from the paths it would resolve, resolved once."""
    if os.name != "posix":
        try:
            return Path(resolved).relative_to(base).as_posix()
        except ValueError:
            return path.as_posix()
    # Path.relative_to, on resolved (normalised, absolute) POSIX paths: a prefix
    if resolved == str(base):
        return "."
    inside = str(base).rstrip("/") + "/"
    return resolved[len(inside):] if resolved.startswith(inside) else path.as_posix()


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


def _memo_identity(memo: Memo, earlier: dict[str, _Entry], path: Path, resolved: str,
                   display: str, seen: dict[str, tuple[bytes, str, Identity | None]]
                   ) -> Identity | None:
    """The id of a file of the repository that is not being validated, read only when
    its bytes changed since the memo last saw it, as context or validated (`earlier`)."""
    shown = display or str(path)
    try:
        data = read_bytes(path, shown)
    except ReadError:
        return None
    digest = _digest(data)
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
    entries: dict[str, _Entry] = {}
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
            entries[resolved] = _Entry(job.path, job.display, settings, today, stamp,
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
    targets = _unique((f for p in paths for f in find_coe_files(p)), known)
    jobs = [(_Job(path, _display(path, resolved, base)), resolved) for path, resolved in targets]
    earlier = dict(memo.entries) if memo is not None else {}
    if memo is None:
        checked = [c for c, _, _ in _check_jobs([job for job, _ in jobs], settings,
                                                keep_data, keep_models)]
    else:
        checked = _check_with_memo(jobs, memo, settings, keep_data, keep_models)
    wanted = {resolved for _, resolved in targets}
    identities = [c.identity for c in checked if c.identity]
    seen: dict[str, tuple[bytes, str, Identity | None]] = {}
    for path, resolved in _unique((f for p in context for f in find_coe_files(p)), known):
        if resolved not in wanted:
            display = _display(path, resolved, base)
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


def _unique(paths: Iterable[Path], known: dict[str, str]) -> list[tuple[Path, str]]:
    """Each path once, with its resolved form (symlinks followed), in order."""
    seen: set[str] = set()
    result = []
    for path in paths:
        key = _resolve(path, known)
        if key not in seen:
            seen.add(key)
            result.append((path, key))
    return result


def _resolve(path: Path, known: dict[str, str]) -> str:
    """str(path.resolve()), with the folders that paths share resolved once.

    Path.resolve() looks at each component of a path in turn, in Python: for a
    thousand COEs in one folder, that folder a thousand times, and the run waits.
    On POSIX a path whose last component is not a symlink resolves to its resolved
    folder joined with that name; anything else (a symlink, "..") is left to
    Path.resolve(), as is every path on other systems.
    """
    if os.name != "posix":
        return str(path.resolve())
    return _realpath(os.fspath(path), known)


def _realpath(name: str, known: dict[str, str]) -> str:
    found = known.get(name)
    if found is None:
        folder, last = os.path.split(name)
        if not folder or last in ("", ".", ".."):
            found = str(Path(name).resolve())
        else:
            candidate = os.path.join(_realpath(folder, known), last)
            found = str(Path(name).resolve()) if os.path.islink(candidate) else candidate
        known[name] = found
    return found


# --- the memo kept between runs of `coe validate` ----------------------------------------
#
# Kept in the user's cache folder, never in the repository: a memo is trusted to say a
# file has no errors, and a pull request must not be able to bring its own.

MEMO_VERSION = 1


def memo_path(root: Path) -> Path | None:
    """Where `coe validate` keeps its memo for the repository at `root`; None when the
    user has no cache folder."""
    from .cache import content_key, user_cache_dir

    folder = user_cache_dir()
    if folder is None:
        return None
    return folder / "validation" / f"{content_key(str(root.resolve()))[:24]}.json"


@cache
def _validation_fingerprint() -> str:
    from .cache import fingerprint
    from .resources import schema_path

    return fingerprint((Path(__file__).parent, schema_path()), ("pyyaml", "jsonschema-rs"))


def save_memo(memo: Memo, path: Path, settings: ReviewSettings) -> None:
    """Write what `load_memo` reads: the files' own results without models or sources.
    A memo that cannot be written costs time on the next run, nothing else."""
    import json

    from .cache import write_atomic

    entries = [{
        "resolved": resolved, "path": str(entry.path), "display": entry.display,
        "today": entry.today.isoformat(), "modelled": entry.modelled,
        "stamp": _plain((entry.stamp.digest, entry.stamp.narrative, entry.stamp.graphs,
                         entry.stamp.links)),
        "readable": entry.checked.readable,
        "identity": _plain_identity(entry.checked.identity),
        "problems": [[p.path, p.line, p.column, p.rule, p.message, p.level.value]
                     for p in entry.checked.problems],
    } for resolved, entry in memo.entries.items() if entry.settings == settings]
    identities = {resolved: [digest.hex(), display, _plain_identity(found)]
                  for resolved, (digest, display, found) in memo.identities.items()}
    document = {"version": MEMO_VERSION, "tool": _validation_fingerprint(),
                "settings": repr(settings), "entries": entries, "identities": identities}
    try:
        write_atomic(path, json.dumps(document, ensure_ascii=False))
    except OSError:
        pass


def load_memo(path: Path, settings: ReviewSettings) -> Memo:
    """The memo `save_memo` wrote at `path` with these settings and this version of the
    tool; an empty one when there is none, or it is damaged, or either differs."""
    import json

    try:
        document = json.loads(path.read_text(encoding="utf-8"))
        if (document["version"] != MEMO_VERSION or document["tool"] != _validation_fingerprint()
                or document["settings"] != repr(settings)):
            return Memo()
        memo = Memo()
        for item in document["entries"]:
            digest, narrative, graphs, links = _state(item["stamp"])
            checked = Checked(Path(_text(item["path"])), _text(item["display"]),
                              [_problem(p) for p in item["problems"]],
                              _identity(item["identity"]), readable=item["readable"] is True)
            if not isinstance(digest, bytes) or not isinstance(item["modelled"], bool):
                raise ValueError("not a memo")
            memo.entries[_text(item["resolved"])] = _Entry(
                checked.path, checked.display, settings, date.fromisoformat(item["today"]),
                _Stamp(digest, narrative, _pairs(graphs), _pairs(links)), checked,
                item["modelled"])
        for resolved, (digest, display, found) in document["identities"].items():
            memo.identities[resolved] = (bytes.fromhex(digest), _text(display), _identity(found))
        return memo
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return Memo()  # absent, damaged or of another kind: every file is read


def _plain(state: Any) -> Any:
    """A file's state (see _Stamp) as JSON: digests as {"sha256": hex}, tuples as lists."""
    if isinstance(state, bytes):
        return {"sha256": state.hex()}
    if isinstance(state, tuple):
        return [_plain(part) for part in state]
    return state


def _state(value: Any) -> Any:
    """The state `_plain` wrote; ValueError for anything it cannot have written."""
    if isinstance(value, dict):
        return bytes.fromhex(value["sha256"])
    if isinstance(value, list):
        return tuple(_state(part) for part in value)
    if value is None or isinstance(value, (str, bool, int)):
        return value
    raise ValueError("not a state")


def _pairs(value: Any) -> tuple[tuple[str, Any], ...]:
    if not isinstance(value, tuple) or not all(
            isinstance(pair, tuple) and len(pair) == 2 and isinstance(pair[0], str) for pair in value):
        raise ValueError("not (name, state) pairs")
    return value


def _text(value: Any) -> str:
    if not isinstance(value, str):
        raise ValueError("not text")
    return value


def _number(value: Any) -> int:
    if not isinstance(value, int) or isinstance(value, bool):
        raise ValueError("not a number")
    return value


def _problem(value: Any) -> Problem:
    path, line, column, rule, message, level = value
    return Problem(_text(path), _number(line), _number(column), _text(rule), _text(message),
                   Level(level))


def _plain_identity(found: Identity | None) -> list[Any] | None:
    return None if found is None else [found.ident, found.display, found.line, found.column]


def _identity(value: Any) -> Identity | None:
    if value is None:
        return None
    ident, display, line, column = value
    return Identity(_text(ident), _text(display), _number(line), _number(column))
