"""Files of a COE folder: only regular files inside it are read, only safe kinds published.

Each hostile case is made for real on the file system (a committed symlink is checked out
as one): a symlink out of the folder, a FIFO, a device, a folder, files too large, files
of kinds a browser would run.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from coe import folder_files
from coe.folder_files import FolderFileError
from coe.validate import validate

from .conftest import MINIMAL_COE, ROOT, TODAY, coe_in, write_coe

PNG = (ROOT / "coes/2026-01-14-object-storage-fd-exhaustion/dashboard.png").read_bytes()
SECRET = "TOKEN-0123456789-do-not-publish"


def problems(path: Path) -> list[tuple[str, int, int, str, str]]:
    return [(Path(p.path).name, p.line, p.column, p.rule, p.message)
            for p in validate([path]).problems if p.rule < "COE100"]


def repository(root: Path, narrative: str | None = None) -> Path:
    """A repository with one COE; its folder."""
    shutil.copy(ROOT / "mkdocs.yml", root / "mkdocs.yml")
    (root / "docs").mkdir()
    coe = write_coe(root / "coes")
    if narrative is not None:
        (coe.parent / "narrative.md").write_text(narrative, encoding="utf-8")
    return coe.parent


def build(root: Path) -> tuple[int, str]:
    result = coe_in(root, "build", "--today", TODAY)
    return result.exit_code, result.output


def published_text(site: Path) -> str:
    return "\n".join(p.read_bytes().decode("utf-8", "replace") for p in site.rglob("*") if p.is_file())


# --- narrative.md and coe.yaml: read only as regular files inside the folder -------------


@pytest.mark.parametrize("target", ["/etc/passwd", "../../mkdocs.yml", "/proc/self/environ"])
def test_a_narrative_linked_out_of_the_folder_is_refused_and_never_published(
        tmp_path: Path, target: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COE_TEST_SECRET", SECRET)
    folder = repository(tmp_path)
    (folder / "narrative.md").symlink_to(target)
    [(name, line, column, rule, message)] = problems(folder)
    assert (name, line, column, rule) == ("narrative.md", 1, 1, "COE001")
    assert message == ('"narrative.md" is a symbolic link to a place outside the COE\'s folder; '
                       "commit the file itself")
    code, output = build(tmp_path)
    assert code == 1 and "narrative.md:1:1: error COE001" in output
    assert not (tmp_path / "site").exists()  # nothing half-written, nothing published
    assert "root:x:0" not in output and SECRET not in output


def test_a_fifo_narrative_is_refused_without_waiting(tmp_path: Path) -> None:
    folder = repository(tmp_path)
    os.mkfifo(folder / "narrative.md")
    # A reader that opened the FIFO would wait for a writer for ever: a real process, bounded.
    done = subprocess.run([str(Path(sys.executable).parent / "coe"), "validate", "--no-cache", "coes"],
                          cwd=tmp_path, capture_output=True, text=True, timeout=60)
    assert done.returncode == 1, done.stdout + done.stderr
    assert ("coes/2025-10-20-checkout/narrative.md:1:1: error COE001 \"narrative.md\" is a FIFO "
            "(named pipe), not a regular file") in done.stdout


@pytest.mark.parametrize("make, what", [
    (lambda path: path.mkdir(), "a folder"),
    (lambda path: path.symlink_to("/dev/zero"), "a symbolic link to a place outside"),
])
def test_a_narrative_that_is_no_file_is_refused(tmp_path: Path, make, what: str) -> None:
    folder = repository(tmp_path)
    make(folder / "narrative.md")
    [(_, _, _, rule, message)] = problems(folder)
    assert rule == "COE001" and what in message


def test_a_symlink_that_stays_in_the_folder_is_read(tmp_path: Path) -> None:
    folder = repository(tmp_path)
    (folder / "story").mkdir()
    (folder / "story/long.md").write_text("It *rained*.\n", encoding="utf-8")
    (folder / "narrative.md").symlink_to("story/long.md")
    assert problems(folder) == []
    assert validate([folder], keep_models=True).checked[0].model.narrative == "It *rained*.\n"


def test_a_narrative_too_large_is_refused_before_it_is_read(tmp_path: Path) -> None:
    folder = repository(tmp_path)
    (folder / "narrative.md").write_bytes(b"word " * (folder_files.MAX_NARRATIVE_BYTES // 5 + 1))
    [(name, _, _, rule, message)] = problems(folder)
    assert (name, rule) == ("narrative.md", "COE001")
    assert message == '"narrative.md" is 1.0 MB; at most 1 MB is read'


def test_a_coe_file_linked_out_of_its_folder_is_refused(tmp_path: Path) -> None:
    elsewhere = write_coe(tmp_path / "elsewhere")
    folder = tmp_path / "coes/2025-10-21-linked"
    folder.mkdir(parents=True)
    (folder / "coe.yaml").symlink_to(elsewhere)
    [problem] = validate([tmp_path / "coes"]).problems
    assert (problem.line, problem.column, problem.rule) == (1, 1, "COE001")
    assert "symbolic link to a place outside the COE's folder" in problem.message


def test_graph_data_linked_out_of_the_folder_is_refused(tmp_path: Path) -> None:
    text = MINIMAL_COE.replace(
        "  customer_experience: Checkout failed with HTTP 500.\n",
        "  customer_experience: Checkout failed with HTTP 500.\n"
        "  graphs:\n    - {title: Errors, data: rate.csv}\n")
    coe = write_coe(tmp_path, text)
    (coe.parent / "rate.csv").symlink_to("/etc/passwd")
    [(name, line, column, rule, message)] = problems(coe)
    assert (name, line, rule) == ("coe.yaml", 18, "COE024")
    assert message.startswith('graph data "rate.csv" is a symbolic link to a place outside')


# --- linked files: regular, inside, of a kind the site publishes, what they say they are --


def linking(tmp_path: Path, target: str) -> Path:
    return write_coe(tmp_path, MINIMAL_COE.replace(
        "summary: 3% of checkout calls failed for 45 minutes.",
        f"summary: 3% of checkout calls failed for 45 minutes, see [this]({target})."))


@pytest.mark.parametrize("name, content, says", [
    ("evil.html", b"<script>alert(1)</script>", "is of a kind the site does not publish (.html)"),
    ("evil.xhtml", b"<html/>", "is of a kind the site does not publish (.xhtml)"),
    ("notes.md", b"# x", "is of a kind the site does not publish (.md)"),
    ("README", b"x", "is of a kind the site does not publish (no suffix)"),
    ("shot.png", b"<svg onload=alert(1)>", "is not a PNG image, as its name says"),
    ("report.pdf", b"<html>", "is not a PDF document, as its name says"),
    ("bad.svg", b"<svg><g></svg>", "is not well-formed XML: mismatched tag (line 1, column 11 of the SVG)"),
    ("bomb.svg", b'<!DOCTYPE s [<!ENTITY a "aaaa">]><svg xmlns="http://www.w3.org/2000/svg">&a;</svg>',
     "declares XML entities"),
])
def test_linked_files_of_other_kinds_are_refused(tmp_path: Path, name: str, content: bytes,
                                                  says: str) -> None:
    coe = linking(tmp_path, name)
    (coe.parent / name).write_bytes(content)
    [(_, line, _, rule, message)] = problems(coe)
    assert (line, rule) == (9, "COE027")
    assert message.startswith(f'linked file "{name}" {says}'), message


def test_a_linked_image_that_is_a_symlink_out_is_refused(tmp_path: Path) -> None:
    coe = linking(tmp_path, "passwd.png")
    (coe.parent / "passwd.png").symlink_to("/etc/passwd")
    [(_, _, _, rule, message)] = problems(coe)
    assert rule == "COE027" and "symbolic link to a place outside" in message


@pytest.mark.parametrize("name", ["shot.png", "shot.PNG", "doc.pdf", "data.csv", "log.txt",
                                  "d.svg", "a.jpg", "a.gif", "a.webp"])
def test_linked_files_of_published_kinds_pass(tmp_path: Path, name: str) -> None:
    content = {".png": PNG, ".pdf": b"%PDF-1.7\n", ".csv": b"a,b\n", ".txt": b"log\n",
               ".svg": b'<svg xmlns="http://www.w3.org/2000/svg"/>', ".jpg": b"\xff\xd8\xff\xe0",
               ".gif": b"GIF89a", ".webp": b"RIFF\0\0\0\0WEBPVP8 "}[Path(name).suffix.lower()]
    coe = linking(tmp_path, name)
    (coe.parent / name).write_bytes(content)
    assert problems(coe) == []


def test_only_safe_files_are_published_and_svg_is_rebuilt(tmp_path: Path) -> None:
    folder = repository(tmp_path, "See ![a drawing](drawing.svg) and ![shot](shot.png).\n")
    (folder / "drawing.svg").write_text(
        '<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><script>alert(2)</script>'
        '<rect width="5" height="5"/></svg>', encoding="utf-8")
    (folder / "shot.png").write_bytes(PNG)
    (folder / "evil.html").write_text("<script>alert(3)</script>", encoding="utf-8")  # not linked
    code, output = build(tmp_path)
    assert code == 0, output
    published = tmp_path / "site/coes/2025-10-20-checkout"
    assert sorted(p.name for p in published.iterdir()) == ["coe.yaml", "drawing.svg", "index.html", "shot.png"]
    assert (published / "shot.png").read_bytes() == PNG
    svg = (published / "drawing.svg").read_text(encoding="utf-8")
    assert "<rect" in svg and "script" not in svg and "onload" not in svg and "alert" not in svg


# --- the reader itself ---------------------------------------------------------------------


def test_locate_names_each_case(tmp_path: Path) -> None:
    (tmp_path / "in.txt").write_text("x")
    (tmp_path / "sub").mkdir()
    (tmp_path / "out").symlink_to("/etc/hostname")
    os.mkfifo(tmp_path / "pipe")
    cases = {"/etc/passwd": "absolute", "C:\\x": "absolute", "../x": "outside",
             "sub/../../x": "outside", "out": "link-outside", "missing": "missing",
             "sub": "not-regular", "pipe": "not-regular", ".": "outside", "a\0b": "missing"}
    for name, kind in cases.items():
        with pytest.raises(FolderFileError) as raised:
            folder_files.locate(tmp_path, name)
        assert raised.value.kind == kind, name
    assert folder_files.locate(tmp_path, "sub/../in.txt") == (tmp_path / "in.txt").resolve()
    assert folder_files.read(tmp_path, "in.txt", 1) == b"x"
    with pytest.raises(FolderFileError) as raised:
        folder_files.read(tmp_path, "in.txt", 0)
    assert raised.value.kind == "too-large"


def test_coe_new_reads_only_regular_coe_files_for_the_next_id(tmp_path: Path) -> None:
    write_coe(tmp_path / "coes", MINIMAL_COE.replace("COE-1", "COE-7"), "2025-10-20-seven")
    os.mkdir(tmp_path / "coes/2025-10-21-pipe")
    os.mkfifo(tmp_path / "coes/2025-10-21-pipe/coe.yaml")
    os.mkdir(tmp_path / "coes/2025-10-22-link")
    (tmp_path / "coes/2025-10-22-link/coe.yaml").symlink_to(tmp_path / "elsewhere.yaml")
    (tmp_path / "elsewhere.yaml").write_text("id: COE-99\n", encoding="utf-8")
    done = subprocess.run([str(Path(sys.executable).parent / "coe"), "new", "Cache stampede"],
                          cwd=tmp_path, capture_output=True, text=True, timeout=60)
    created = list((tmp_path / "coes").glob("*-cache-stampede/coe.yaml"))
    assert len(created) == 1, done.stdout + done.stderr
    assert "id: COE-8\n" in created[0].read_text(encoding="utf-8")  # neither 99 nor a wait
