"""What `validate` found in each file on its own, remembered: in memory from one build
to the next (`coe serve`), and on disk between runs of `coe validate`.

A file's results are reused only while everything they were computed from is as it was:
the file's bytes, its narrative.md, graph data and linked files, the rules' settings,
"today" and the tool itself.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from datetime import date
from functools import cache
from pathlib import Path
from typing import Any

from . import folder_files
from .checks import Identity, dependencies
from .problems import Level, Problem
from .results import Checked
from .review import ReviewSettings
from .sources import NARRATIVE_FILE, ReadError, Source, read_bytes


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
    entries: dict[str, Entry] = field(default_factory=dict)
    identities: dict[str, tuple[bytes, str, Identity | None]] = field(default_factory=dict)
    hits: int = 0  # files of the last run whose results came from the memo
    misses: int = 0  # files of the last run read and checked


@dataclass(frozen=True)
class Stamp:
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
        return (file_digest(data) == self.digest
                and narrative_state(folder) == self.narrative
                and all(_graph_state(folder, name) == state for name, state in self.graphs)
                and all(_link_state(folder, name) == state for name, state in self.links))


@dataclass(frozen=True)
class Entry:
    """A file's own results (no cross-COE problems), and what they were computed from."""

    path: Path
    display: str
    settings: ReviewSettings
    today: date
    stamp: Stamp
    checked: Checked
    modelled: bool  # the file had no errors, so a model was built (kept or not)

    def serves(self, display: str, settings: ReviewSettings, today: date,
               keep_data: bool, keep_model: bool) -> bool:
        """True when these results answer this request (before looking at the files)."""
        return (self.display == display and self.settings == settings
                and self.today == today
                and (not keep_data or not self.checked.readable or self.checked.source is not None)
                and (not keep_model or not self.modelled or self.checked.model is not None))


def file_digest(data: bytes) -> bytes:
    from hashlib import sha256  # only a memo needs it, and loading OpenSSL takes 5 ms

    return sha256(data).digest()


# The states of the files beside coe.yaml, as the checks and the model see them: what
# they read (a digest), or why they could not, or None when the file is not there.
def _read_state(folder: Path, name: str, limit: int) -> Any:
    if not folder_files.exists(folder, name):
        return None
    try:
        return file_digest(folder_files.read(folder, name, limit))
    except folder_files.FolderFileError as error:
        return ("unreadable", error.kind, str(error))


def narrative_state(folder: Path) -> Any:
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


def stamp_of(source: Source, digest: bytes) -> Stamp:
    graphs, links = dependencies(source)
    folder = source.path.parent
    return Stamp(digest, narrative_state(folder),
                  tuple((name, _graph_state(folder, name)) for name in graphs),
                  tuple((name, _link_state(folder, name)) for name in links))


def carry_over(memo: Memo, earlier: dict[str, Entry]) -> None:
    """Keep in `memo` the entries of `earlier` for files its last run did not look at
    (`--changed-since`, a path) and that are still there, so that a later run of the
    whole repository finds them."""
    memo.entries = {**{key: entry for key, entry in earlier.items()
                       if key not in memo.entries and entry.path.is_file()}, **memo.entries}


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
            memo.entries[_text(item["resolved"])] = Entry(
                checked.path, checked.display, settings, date.fromisoformat(item["today"]),
                Stamp(digest, narrative, _pairs(graphs), _pairs(links)), checked,
                item["modelled"])
        for resolved, (digest, display, found) in document["identities"].items():
            memo.identities[resolved] = (bytes.fromhex(digest), _text(display), _identity(found))
        return memo
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return Memo()  # absent, damaged or of another kind: every file is read


def _plain(state: Any) -> Any:
    """A file's state (see Stamp) as JSON: digests as {"sha256": hex}, tuples as lists."""
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
