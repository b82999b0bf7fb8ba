"""`coe build` swaps the new site in whole or not at all, and cleans up after a killed build."""

from __future__ import annotations

import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from .conftest import MINIMAL_COE, ROOT, TODAY, coe_in, write_coe


def repository(root: Path) -> None:
    shutil.copy(ROOT / "mkdocs.yml", root / "mkdocs.yml")
    (root / "docs").mkdir()
    shutil.copytree(ROOT / "coes", root / "coes")


def snapshot(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def leftovers(root: Path) -> list[str]:
    return sorted(p.name for p in root.iterdir() if p.name.startswith(".site"))


def test_a_killed_build_leaves_nothing_after_the_next_build(tmp_path: Path) -> None:
    repository(tmp_path)
    coe = str(Path(sys.executable).parent / "coe")
    build = subprocess.Popen([coe, "build", "--today", TODAY], cwd=tmp_path,
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 120
    while not leftovers(tmp_path) and build.poll() is None and time.monotonic() < deadline:
        time.sleep(0.01)
    build.send_signal(signal.SIGKILL)  # kill -9, while it writes its staging folder
    build.wait()
    assert leftovers(tmp_path) == [f".site.building-{build.pid}"]
    subprocess.run(["git", "init", "-q"], cwd=tmp_path, check=True)
    shutil.copy(ROOT / "templates/gitignore", tmp_path / ".gitignore")  # what coe init writes
    status = subprocess.run(["git", "status", "--porcelain", "--untracked-files=all"],
                            cwd=tmp_path, capture_output=True, text=True, check=True).stdout
    assert ".site.building" not in status
    result = coe_in(tmp_path, "build", "--today", TODAY)
    assert result.exit_code == 0, result.output
    assert leftovers(tmp_path) == []
    assert (tmp_path / "site/index.html").is_file()


def test_a_building_folder_of_a_live_process_is_kept(tmp_path: Path) -> None:
    repository(tmp_path)
    alive = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        (tmp_path / f".site.building-{alive.pid}").mkdir()
        assert coe_in(tmp_path, "build", "--today", TODAY).exit_code == 0
        assert leftovers(tmp_path) == [f".site.building-{alive.pid}"]
    finally:
        alive.kill()
        alive.wait()


def chattr(flag: str, path: Path) -> None:
    subprocess.run(["chattr", flag, str(path)], check=True, capture_output=True)


@pytest.fixture
def built_once(tmp_path: Path) -> Path:
    write_coe(tmp_path / "coes", MINIMAL_COE)
    shutil.copy(ROOT / "mkdocs.yml", tmp_path / "mkdocs.yml")
    (tmp_path / "docs").mkdir()
    assert coe_in(tmp_path, "build", "--today", TODAY).exit_code == 0
    return tmp_path


@pytest.mark.parametrize("pinned", ["site", "site/coes/index.html"])
def test_a_site_that_cannot_be_replaced_is_left_as_it_was(built_once: Path, pinned: str) -> None:
    if shutil.which("chattr") is None:
        pytest.fail("chattr is missing (e2fsprogs)")
    before = snapshot(built_once / "site")
    try:
        chattr("+i", built_once / pinned)
    except subprocess.CalledProcessError as error:
        pytest.skip(f"this file system does not mark files immutable: {error.stderr}")
    try:
        result = coe_in(built_once, "build", "--today", "2026-12-01")
    finally:
        chattr("-i", built_once / pinned)
    assert result.exit_code == 1
    [line] = [line for line in result.output.splitlines() if "cannot be replaced" in line]
    assert line.startswith(f"build failed: {(built_once / 'site').resolve()}: the site cannot be replaced")
    assert f"{pinned.split('/')[-1]}: marked immutable" in line
    assert line.endswith("; the previous site was left as it was")
    assert "Traceback" not in result.output
    assert snapshot(built_once / "site") == before
    assert leftovers(built_once) == []
