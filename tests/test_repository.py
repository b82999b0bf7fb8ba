"""The repository: which COEs a pull request changed."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner

from coe.cli import main
from coe.repository import changed_coes

from .conftest import MINIMAL_COE, write_coe


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
    assert result.output.splitlines()[-1] == "3 errors, 3 warnings in 3 COEs"


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
