"""The JSON Schema: valid against its meta-schema, documented, closed, shipped, and
in step with the format page."""

from __future__ import annotations

import copy
import json
import re
import zipfile
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from jsonschema import Draft202012Validator

from coe.schema import is_valid, load_schema, validator
from coe.sources import ReadError, read_source

from .conftest import EXAMPLES, ROOT


def objects(schema: Any, path: str = "#") -> list[tuple[str, dict[str, Any]]]:
    """Every object schema inside `schema`, with where it is."""
    found = []
    if isinstance(schema, dict):
        if schema.get("type") == "object":
            found.append((path, schema))
        for key, value in schema.items():
            found += objects(value, f"{path}/{key}")
    elif isinstance(schema, list):
        for i, value in enumerate(schema):
            found += objects(value, f"{path}/{i}")
    return found


def test_schema_is_valid_draft_2020_12() -> None:
    schema = load_schema()
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    Draft202012Validator.check_schema(schema)


def test_shipped_schema_is_the_repository_schema() -> None:
    assert load_schema() == json.loads((ROOT / "schema/coe.schema.json").read_text())


def test_every_object_is_closed_and_every_property_described() -> None:
    for where, schema in objects(load_schema()):
        assert schema.get("additionalProperties") is False, where
        for name, prop in schema.get("properties", {}).items():
            assert prop.get("description"), f"{where}/properties/{name} has no description"


def format_page_fields() -> dict[str, set[str]]:
    """Field names per section of the format page, read from its tables and prose."""
    text = (ROOT / "docs/coe-format.md").read_text(encoding="utf-8")
    sections: dict[str, set[str]] = {}
    current = "top"
    for line in text.splitlines():
        heading = re.match(r"^### `(\w+)`", line)
        if heading:
            current = heading[1]
        cell = re.match(r"^\| `(\w+)`", line)
        if cell and current in ("top", "times", "detection", "impact", "action_items"):
            sections.setdefault(current, set()).add(cell[1])
    return sections


def test_schema_has_exactly_the_fields_of_the_format_page() -> None:
    schema = load_schema()
    defs = schema["$defs"]
    page = format_page_fields()
    assert set(schema["properties"]) == page["top"]
    assert set(defs["times"]["properties"]) == page["times"]
    assert set(defs["detection"]["properties"]) == page["detection"]
    assert set(defs["impact"]["properties"]) == page["impact"]
    assert set(defs["actionItem"]["properties"]) == page["action_items"]
    assert set(defs["whyNode"]["properties"]) == {
        "id", "because", "why", "evidence", "root_cause", "category", "causes"}
    assert set(defs["checklist"]["properties"]) == {
        "short_term_fixes_verified", "data_preserved", "followups_assigned", "shared_understanding"}


def test_wheel_ships_the_schema_and_templates(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A team that installs with pip has no schema/ folder: the wheel must carry it."""
    from hatchling.build import build_wheel

    monkeypatch.chdir(ROOT)
    wheel = tmp_path / build_wheel(str(tmp_path))
    names = zipfile.ZipFile(wheel).namelist()
    assert "coe/data/schema/coe.schema.json" in names
    assert "coe/data/templates/coe.yaml" in names


def example_documents() -> list[Any]:
    docs = []
    for path in sorted(EXAMPLES.glob("*/*/coe.yaml")) + sorted((ROOT / "coes").glob("*/coe.yaml")):
        try:
            docs.append(read_source(path).data)
        except ReadError:
            pass
    return docs


DOCUMENTS = example_documents()


def test_fast_and_full_validators_agree_on_the_examples() -> None:
    for data in DOCUMENTS:
        assert is_valid(data) == (not list(validator().iter_errors(data)))


def paths_in(data: Any, prefix: tuple = ()) -> list[tuple]:
    found = [prefix]
    if isinstance(data, dict):
        for key, value in data.items():
            found += paths_in(value, prefix + (key,))
    elif isinstance(data, list):
        for i, value in enumerate(data):
            found += paths_in(value, prefix + (i,))
    return found


REPLACEMENTS = st.sampled_from(
    [None, True, 0, -1, 7, 2.5, "", "x", "2025-10-20T06:48:00", "2026-02-30", [], {}, ["x"],
     {"unknown": 1}, "published"]
)


@settings(max_examples=400, deadline=None)
@given(st.data())
def test_fast_and_full_validators_agree_on_mutations(data: st.DataObject) -> None:
    """The fast path may only say "valid" when jsonschema finds nothing, and vice versa."""
    document = copy.deepcopy(data.draw(st.sampled_from(DOCUMENTS)))
    for _ in range(data.draw(st.integers(1, 3))):
        path = data.draw(st.sampled_from(paths_in(document)))
        if not path:
            continue
        parent = document
        for part in path[:-1]:
            parent = parent[part]
        if data.draw(st.booleans()) and isinstance(parent, dict):
            del parent[path[-1]]
        else:
            parent[path[-1]] = copy.deepcopy(data.draw(REPLACEMENTS))
    assert is_valid(document) == (not list(validator().iter_errors(document)))
