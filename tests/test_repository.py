"""The repository: which names a COE folder may have, and which COEs a pull request changed."""

from __future__ import annotations

import os
import subprocess
import unicodedata
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st

from coe.authoring import slugify
from coe.cli import main
from coe.repository import (changed_coes, display_path, display_resolved, folder_name_problem,
                            resolve)

from .conftest import MINIMAL_COE, write_coe

HOSTILE_FOLDER = "2026-03-03-a--><img src=x onerror=alert(document.domain)><!--"


@pytest.mark.parametrize("name", [
    "2025-10-20-dns-race", "2026-11-27-支付网关连接池耗尽", "2025-01-01-café",
    unicodedata.normalize("NFD", "2025-01-01-café"), "2025-01-01-हिन्दी-घटना", "2025-01-01-a_b.c",
    "2025-01-01-ошибка", "2025-01-01-٣",
])
def test_folder_names_of_any_script_are_allowed(name: str) -> None:
    assert folder_name_problem(name) is None


@pytest.mark.parametrize("name, says", [
    (HOSTILE_FOLDER, 'U+0020, "!" (U+0021), "(" (U+0028), ")" (U+0029), "<" (U+003C), '
                     '"=" (U+003D), ">" (U+003E); a COE folder\'s name may hold'),
    ("2025-01-01-a b", "U+0020"),
    ('2025-01-01-a"b', '"\\"" (U+0022)'.replace("\\", "")),
    ("2025-01-01-a'b&c", '"&" (U+0026), "\'" (U+0027)'),
    ("2025-01-01-a\nb", "U+000A"),
    ("2025-01-01-a\u202eb", "U+202E"),
    ("2025-01-01-a%3Cb", '"%" (U+0025)'),
    ("2025-01-01-a#b?c", '"#" (U+0023), "?" (U+003F)'),
])
def test_folder_names_with_other_characters_are_refused(name: str, says: str) -> None:
    problem = folder_name_problem(name)
    assert problem is not None and says in problem, problem


def test_a_trailing_dot_is_refused() -> None:
    assert "ends in a dot" in (folder_name_problem("2025-01-01-x.") or "")


@given(st.text(min_size=1, max_size=80))
def test_every_folder_coe_new_makes_is_allowed(title: str) -> None:
    assert folder_name_problem(f"2026-12-06-{slugify(title)}") is None


def test_a_hostile_folder_name_stops_validation_and_the_build(in_tmp: Path) -> None:
    import shutil

    from .conftest import ROOT, TODAY

    shutil.copy(ROOT / "mkdocs.yml", in_tmp / "mkdocs.yml")
    (in_tmp / "docs").mkdir()
    write_coe(in_tmp / "coes", MINIMAL_COE.replace("2025-10-20T", "2026-03-03T"), HOSTILE_FOLDER)
    runner = CliRunner()
    result = runner.invoke(main, ["validate", "--no-cache"])
    assert result.exit_code == 1
    assert f"coes/{HOSTILE_FOLDER}/coe.yaml:1:1: error COE029 the folder's name holds" in result.output
    result = runner.invoke(main, ["build", "--strict", "--today", TODAY])
    assert result.exit_code == 1 and "COE029" in result.output
    assert not (in_tmp / "site").exists()


# --- coe validate --changed-since, in a real git repository --------------------------------


def git(cwd: Path, *args: str) -> str:
    return subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@example.com", *args],
                          cwd=cwd, check=True, capture_output=True, text=True).stdout


BROKEN = MINIMAL_COE.replace("severity: 3", "severity: high")


@pytest.fixture
def pull_request(in_tmp: Path) -> Path:
    """A repository whose branch `pr` adds broken COEs in folders that git quotes."""
    write_coe(in_tmp / "coes", MINIMAL_COE, "2025-10-20-old")
    git(in_tmp, "init", "-q", "-b", "main")
    git(in_tmp, "add", ".")
    git(in_tmp, "commit", "-q", "-m", "main")
    git(in_tmp, "checkout", "-q", "-b", "pr")
    write_coe(in_tmp / "coes", BROKEN.replace("COE-1", "COE-2"), "2026-03-03-café")
    write_coe(in_tmp / "coes", BROKEN.replace("COE-1", "COE-3"), "2026-03-03-支付网关连接池耗尽")
    write_coe(in_tmp / "coes", BROKEN.replace("COE-1", "COE-4"), '2026-03-03-a"b\\c')
    git(in_tmp, "add", ".")
    git(in_tmp, "commit", "-q", "-m", "pr")
    return in_tmp


def test_git_quotes_these_paths_in_its_line_output(pull_request: Path) -> None:
    names = git(pull_request, "diff", "--name-only", "main").splitlines()
    assert '"coes/2026-03-03-caf\\303\\251/coe.yaml"' in names  # what the check once read


def test_a_pull_request_adding_coes_in_quoted_folders_fails(pull_request: Path) -> None:
    result = CliRunner().invoke(main, ["validate", "--no-cache", "--changed-since", "main"])
    assert result.exit_code == 1
    wrong_type = [line for line in result.output.splitlines() if "COE012" in line]
    assert [line.split("/coe.yaml")[0] for line in wrong_type] == [
        'coes/2026-03-03-a"b\\c', "coes/2026-03-03-café", "coes/2026-03-03-支付网关连接池耗尽"]
    assert result.output.splitlines()[-1].startswith("4 errors")  # and COE029 for a"b\\c


def test_changed_files_in_no_coe_folder_are_named(pull_request: Path) -> None:
    (pull_request / "coes/notes.txt").write_text("x\n", encoding="utf-8")
    git(pull_request, "rm", "-q", "-r", "coes/2025-10-20-old")
    folders, strays = changed_coes("main", [pull_request / "coes"])
    assert len(folders) == 3
    assert strays == ["coes/2025-10-20-old/coe.yaml", "coes/notes.txt"]
    result = CliRunner().invoke(main, ["validate", "--no-cache", "--changed-since", "main"])
    assert ("note: coes/notes.txt changed since main but lies in no COE folder "
            "(no coe.yaml beside it or above it); not validated") in result.stderr


def test_a_ref_that_looks_like_an_option_is_a_ref(pull_request: Path) -> None:
    written = pull_request / "written-by-git"
    result = CliRunner().invoke(main, ["validate", f"--changed-since=--output={written}"])
    assert result.exit_code == 2
    assert "bad revision '--output=" in result.output
    assert not written.exists()


# --- resolving and showing paths ---------------------------------------------------------


@pytest.fixture
def tree(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Folders with the symlinks a repository may hold: to folders, files, upwards, nowhere."""
    (tmp_path / "real/a/b").mkdir(parents=True)
    (tmp_path / "real/a/b/coe.yaml").write_text("x")
    (tmp_path / "link").symlink_to("real")
    (tmp_path / "real/a/l2").symlink_to("b")
    (tmp_path / "real/a/b/f").symlink_to("coe.yaml")
    (tmp_path / "real/up").symlink_to("../real/a")
    (tmp_path / "real/a/dangling").symlink_to("nowhere/x")
    (tmp_path / "real/a/abs").symlink_to(tmp_path / "link/a")
    monkeypatch.chdir(tmp_path / "real")
    return tmp_path


PATHS = ["a/b/coe.yaml", "../link/a/b/coe.yaml", "a/l2/coe.yaml", "a/b/f", "up/b/coe.yaml",
         "up/../a/b/coe.yaml", "a/dangling", "a/dangling/y", "missing/x", ".", "..", "a/./b",
         "a/b/../b/coe.yaml", "/", "a//b/coe.yaml", "a/abs/b/coe.yaml", "a/abs/../up/b",
         "coe.yaml"]


@pytest.mark.skipif(os.name != "posix", reason="the shortcut is taken on POSIX only")
def test_resolving_with_known_folders_is_pathresolve(tree: Path) -> None:
    known: dict[str, str] = {}
    names = PATHS + [str(tree / "link/a/b/coe.yaml")]
    for name in names + names[::-1]:
        assert resolve(Path(name), known) == str(Path(name).resolve()), name
        assert resolve(Path(name), {}) == str(Path(name).resolve()), name


@pytest.mark.skipif(os.name != "posix", reason="the shortcut is taken on POSIX only")
def test_display_is_display_path(tree: Path) -> None:
    for name in PATHS:
        path = Path(name)
        for root in (None, Path("."), Path("a"), Path("/"), tree, tree / "link", tree / "real/a/b"):
            base = (root or Path.cwd()).resolve()
            assert display_resolved(path, resolve(path, {}), base) == display_path(path, root), (name, root)
