"""The model: built from a valid source, it knows where each of its parts was written."""

from __future__ import annotations

import pickle
from pathlib import Path

import pytest

from coe.locate import Place
from coe.model import build_coe
from coe.sources import read_source

from .conftest import EXAMPLES, MINIMAL_COE, ROOT, write_coe

# Times and dates are read as datetimes and dates, not kept as text.
TIME_FIELDS = ("start", "detected", "engaged", "mitigated", "resolved", "at", "due", "closed")

TEXT = MINIMAL_COE + """\
lessons:
  - A first lesson
  - "A second one"
whys:
  problem: Checkout failed
  causes:
    - {id: W1, because: A bad deploy, root_cause: true, category: deployment}
"""


def test_parts_know_where_they_were_written(tmp_path: Path) -> None:
    source = read_source(write_coe(tmp_path, TEXT))
    coe = build_coe(source)
    node = coe.whys.causes[0]
    assert node.json_path == ("whys", "causes", 0)
    assert coe.places.of(node.json_path + ("id",)) == Place(26, 12)
    assert coe.places.of(coe.times.json_path + ("detected",)) == Place(12, 13)
    assert coe.places.in_text(("lessons", 1), "A second one", 2) == Place(22, 8)


def test_places_change_neither_repr_nor_equality(tmp_path: Path) -> None:
    moved = TEXT.replace("schema_version: 1\n", "schema_version: 1\n\n\n")
    first = build_coe(read_source(write_coe(tmp_path / "a", TEXT)))
    second = build_coe(read_source(write_coe(tmp_path / "b", moved)))
    assert repr(first).replace("/a/", "/b/") == repr(second)
    assert first.whys == second.whys and first.action_items == second.action_items


def test_places_are_known_only_while_the_source_is(tmp_path: Path) -> None:
    coe = build_coe(read_source(write_coe(tmp_path, TEXT)))  # the source is gone
    with pytest.raises(LookupError):
        coe.places.of(("severity",))
    assert pickle.loads(pickle.dumps(coe)) == coe


def test_a_narrative_beside_the_coe_is_placed_in_its_own_file(tmp_path: Path) -> None:
    path = write_coe(tmp_path)
    (path.parent / "narrative.md").write_text("# Story\n", encoding="utf-8")
    coe = build_coe(read_source(path))
    assert (coe.narrative, coe.narrative_beside) == ("# Story\n", "narrative.md")


def _data_texts(data: object, path: tuple = ()) -> dict[tuple, str]:
    """Every text of the data read from a file, by its JSON path."""
    if isinstance(data, str):
        return {path: data}
    items = data.items() if isinstance(data, dict) else enumerate(data) if isinstance(data, list) else ()
    return {found: text for key, value in items for found, text in _data_texts(value, path + (key,)).items()}


EXAMPLE_FILES = sorted([*(ROOT / "coes").glob("*/coe.yaml"), *(ROOT / "tests/examples/valid").glob("*/coe.yaml")])


@pytest.mark.parametrize("path", EXAMPLE_FILES, ids=lambda path: path.parent.name)
def test_the_texts_of_the_model_are_those_of_the_file(path: Path) -> None:
    source = read_source(path)
    coe = build_coe(source)
    written = {found: text for found, text in _data_texts(source.data).items()
               if found[-1] not in TIME_FIELDS}
    assert dict(coe.texts()) == written


def test_a_model_built_for_the_review_alone_says_so() -> None:
    source = read_source(EXAMPLES / "valid/2025-10-20-minimal-draft/coe.yaml", "coe.yaml")
    assert build_coe(source).fields_as_written() == source.data
    with pytest.raises(ValueError, match="without its fields as written"):
        build_coe(source, written=False).fields_as_written()
