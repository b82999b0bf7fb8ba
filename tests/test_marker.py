"""A built site says which COE pages it holds; `coe check-site` fails loudly when it lacks any."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from .conftest import MINIMAL_COE, ROOT, TODAY, coe_in, write_coe


@pytest.fixture(scope="module")
def repository(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("repo")
    shutil.copy(ROOT / "mkdocs.yml", root / "mkdocs.yml")
    (root / "docs").mkdir()
    shutil.copytree(ROOT / "coes", root / "coes")
    assert coe_in(root, "build", "--today", TODAY).exit_code == 0
    return root


def copy_of(repository: Path, tmp_path: Path) -> Path:
    shutil.copytree(repository, tmp_path / "repo")
    return tmp_path / "repo"


def test_a_built_site_holds_every_coe_page(repository: Path) -> None:
    result = coe_in(repository, "check-site")
    assert result.exit_code == 0, result.output
    assert result.output == "site/ holds the pages of 12 COEs\n"
    marker = json.loads((repository / "site/coe-site.json").read_text(encoding="utf-8"))
    assert marker["coes"] == 12 and marker["hidden_drafts"] == 0
    assert "coes/2026-01-14-object-storage-fd-exhaustion/index.md" in marker["pages"]


def test_a_site_built_without_the_plugin_fails_the_check(tmp_path: Path) -> None:
    # What a builder that skips our plugin makes: mkdocs with the plugin left out.
    root = tmp_path / "repo"
    (root / "docs").mkdir(parents=True)
    (root / "docs/index.md").write_text("# Incidents\n", encoding="utf-8")
    shutil.copytree(ROOT / "coes", root / "coes")
    (root / "mkdocs.yml").write_text("site_name: x\ndocs_dir: docs\n", encoding="utf-8")
    import subprocess
    import sys

    built = subprocess.run([str(Path(sys.executable).parent / "mkdocs"), "build", "-q"], cwd=root,
                           capture_output=True, text=True)
    assert built.returncode == 0, built.stderr  # "success", and no COE in the site
    result = coe_in(root, "check-site")
    assert result.exit_code == 1
    assert result.stderr == ("check-site: site: no COE pages (coe-site.json is missing): the site "
                             "was built without the coe plugin, which some builders skip without "
                             "a word\n")


def test_a_missing_page_or_a_newer_coe_fails_the_check(repository: Path, tmp_path: Path) -> None:
    root = copy_of(repository, tmp_path)
    page = root / "site/coes/2026-01-14-object-storage-fd-exhaustion/index.html"
    page.unlink()
    result = coe_in(root, "check-site")
    assert result.exit_code == 1
    assert ("1 of the 12 COE pages are missing, "
            "coes/2026-01-14-object-storage-fd-exhaustion/index.html first") in result.stderr
    assert coe_in(root, "build", "--today", TODAY).exit_code == 0
    write_coe(root / "coes", MINIMAL_COE.replace("COE-1", "COE-9999"), "2025-10-20-new")
    result = coe_in(root, "check-site")
    assert result.exit_code == 1
    assert "the site holds 12 COE pages; the repository has 13 COEs" in result.stderr


def test_drafts_left_out_are_counted(tmp_path: Path) -> None:
    root = tmp_path / "repo"
    (root / "docs").mkdir(parents=True)
    config = (ROOT / "mkdocs.yml").read_text(encoding="utf-8").replace("drafts: show", "drafts: hide")
    (root / "mkdocs.yml").write_text(config, encoding="utf-8")
    write_coe(root / "coes", MINIMAL_COE.replace("status: draft", "status: in-review"), "2025-10-20-a")
    write_coe(root / "coes", MINIMAL_COE.replace("COE-1", "COE-2"), "2025-10-20-b")
    assert coe_in(root, "build", "--today", TODAY).exit_code == 0
    result = coe_in(root, "check-site")
    assert (result.exit_code, result.output) == (0, "site/ holds the pages of 1 COE\n")
