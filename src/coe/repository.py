"""Where a repository keeps its COEs, and finding them.

The COE folder comes from the `coe` plugin's `coes_dir` in `mkdocs.yml` when there is
one, so that `coe validate` and the site always look at the same files.
"""

from __future__ import annotations

import os
import re
import unicodedata
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import yaml

from . import folder_files

COE_FILE = "coe.yaml"
DEFAULT_COES_DIR = "coes"


class _ConfigLoader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # type: ignore[misc]
    """Reads mkdocs.yml, whose !!python/name and !ENV tags we need not understand;
    with libyaml's parser when present, read in a millisecond rather than ten."""


_ConfigLoader.add_multi_constructor("", lambda loader, suffix, node: None)
_ConfigLoader.add_multi_constructor("!", lambda loader, suffix, node: None)
_ConfigLoader.add_multi_constructor("tag:yaml.org,2002:python/", lambda loader, suffix, node: None)


def plugin_config(root: Path) -> dict[str, Any]:
    """The `coe` plugin's options in `root/mkdocs.yml`, or {} when absent or unreadable."""
    path = root / "mkdocs.yml"
    try:
        config = yaml.load(path.read_text(encoding="utf-8"), Loader=_ConfigLoader)  # noqa: S506
    except (OSError, yaml.YAMLError, UnicodeDecodeError):
        return {}
    plugins = config.get("plugins") if isinstance(config, dict) else None
    entries = plugins.items() if isinstance(plugins, dict) else (
        (next(iter(p.items())) if isinstance(p, dict) and len(p) == 1 else (p, None))
        for p in plugins or []
    )
    for name, options in entries:
        if name == "coe":
            return options if isinstance(options, dict) else {}
    return {}


def coes_dir(root: Path | None = None) -> Path:
    """The repository's COE folder: `coes_dir` from mkdocs.yml, else ./coes."""
    root = root or Path.cwd()
    configured = plugin_config(root).get("coes_dir")
    return root / (configured if isinstance(configured, str) else DEFAULT_COES_DIR)


def find_coe_files(path: Path) -> list[Path]:
    """The coe.yaml files at or under `path`: a file, a COE folder or a folder of COEs.

    A folder holding coe.yaml is one COE; below it nothing more is looked for, so data
    and images beside a COE are never taken for COEs.
    """
    if path.is_file():
        return [path]
    if (path / COE_FILE).is_file():
        return [path / COE_FILE]
    found = []
    for folder, subfolders, files in os.walk(path):
        subfolders[:] = sorted(d for d in subfolders if not d.startswith("."))
        if COE_FILE in files:
            found.append(Path(folder) / COE_FILE)
            subfolders[:] = []
    return sorted(found)


def folder_name_problem(name: str) -> str | None:
    """Why `name` may not name a COE's folder, or None when it may.

    The name becomes the COE page's address and travels through Markdown, HTML and
    links: it may hold letters (with their marks) and digits of any script, "-", "_"
    and ".", and may not end in a dot, which some systems drop.
    """
    bad = sorted({c for c in name if c not in "-_." and unicodedata.category(c)[0] not in "LMN"})
    if bad:
        shown = ", ".join(_character(c) for c in bad[:8]) + (f" and {len(bad) - 8} more" if len(bad) > 8 else "")
        return (f"the folder's name holds {shown}; a COE folder's name may hold letters and "
                'digits of any script, "-", "_" and "." only')
    if name.endswith("."):
        return "the folder's name ends in a dot, which some systems drop; end it with a letter or digit"
    return None


def _character(c: str) -> str:
    """A character as a message shows it: printed when it prints, by code point always."""
    printable = c.isprintable() and not c.isspace() and unicodedata.category(c) != "Cf"
    return f'"{c}" (U+{ord(c):04X})' if printable else f"U+{ord(c):04X}"


def display_path(path: Path, root: Path | None = None) -> str:
    """A path as messages show it: relative to `root` (default: here) when inside it."""
    return display_resolved(path, str(path.resolve()), (root or Path.cwd()).resolve())


def display_resolved(path: Path, resolved: str, base: Path) -> str:
    """`path` as messages show it, given its resolved form and the resolved folder that
    names are shown relative to: `display_path` without resolving again."""
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


def unique_resolved(paths: Iterable[Path], known: dict[str, str]) -> list[tuple[Path, str]]:
    """Each path once, with its resolved form (symlinks followed), in order; `known`
    keeps the folders resolved so far, for the next call."""
    seen: set[str] = set()
    result = []
    for path in paths:
        key = resolve(path, known)
        if key not in seen:
            seen.add(key)
            result.append((path, key))
    return result


def resolve(path: Path, known: dict[str, str]) -> str:
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


class GitError(Exception):
    """A git command that failed: its words and what git said, on one line."""


def _git(top: Path | None, *args: str) -> str:
    """What git prints, decoded as the file system names paths."""
    import subprocess  # only --changed-since needs it

    command = ["git", "-c", "core.quotePath=false", *args]
    done = subprocess.run(command, capture_output=True, cwd=top)
    if done.returncode != 0:
        said = " ".join(os.fsdecode(done.stderr).split()) or "failed"
        raise GitError(f"git {' '.join(args)}: {said}")
    return os.fsdecode(done.stdout)


def _git_paths(top: Path, *args: str) -> list[str]:
    """The paths a git command lists with -z: NUL-separated and never quoted (in its line
    output git quotes names with non-ASCII bytes, quotes or controls, `"caf\\303\\251"`)."""
    return [name for name in _git(top, args[0], "-z", *args[1:]).split("\0") if name]


def changed_coes(ref: str, within: list[Path]) -> tuple[list[Path], list[str]]:
    """The COE folders under `within` with a file changed since git `ref` (committed,
    uncommitted or new); and the changed paths under `within` that lie in no COE folder
    (a COE deleted, or a file put beside the COEs), relative to the repository's top.

    `ref` is passed after --end-of-options: a ref such as `--output=FILE` is a ref, and
    git says it does not know it, rather than taking it for an option.
    """
    top = Path(_git(None, "rev-parse", "--show-toplevel").rstrip("\n"))
    # --no-renames: a COE moved is the new folder checked and the old one named as gone.
    names = (_git_paths(top, "diff", "--name-only", "--no-renames", "--end-of-options", ref, "--")
             + _git_paths(top, "ls-files", "--others", "--exclude-standard"))
    roots = [p.resolve() for p in within]
    folders: list[Path] = []
    strays: list[str] = []
    for name in dict.fromkeys(names):
        path = Path(os.path.normpath(top / name))  # a changed link is the link, not its target
        if not any(path.is_relative_to(root) for root in roots):
            continue
        folder = next((f for f in path.parents if f.is_relative_to(top) and _holds_coe(f)), None)
        if folder is not None and any(folder.is_relative_to(root) for root in roots):
            if folder not in folders:
                folders.append(folder)
        else:
            strays.append(name)
    return sorted(folders), strays


def _holds_coe(folder: Path) -> bool:
    """True when `folder` has a coe.yaml, of whatever kind: validating it says what is wrong."""
    path = folder / COE_FILE
    return os.path.lexists(path) and not path.is_dir()


_ID = re.compile(r"^id:\s*[\"']?([A-Z][A-Z0-9]*)-([0-9]+)[\"']?\s*(?:#.*)?$", re.MULTILINE)


def next_free_id(folder: Path, prefix: str = "COE") -> str:
    """One more than the highest id in use, e.g. COE-1043 after COE-1042.

    Reads the `id:` line of each file instead of parsing it, so that a broken COE still
    holds on to its number.
    """
    highest = 0
    for path in find_coe_files(folder) if folder.is_dir() else []:
        try:
            data = folder_files.read(path.parent, path.name, folder_files.MAX_COE_BYTES)
        except folder_files.FolderFileError:
            continue  # not a file that may be read: validating it says so
        text = data.decode("utf-8", errors="replace")
        for match in _ID.finditer(text):
            if match[1] == prefix:
                highest = max(highest, int(match[2]))
    return f"{prefix}-{highest + 1}"
