"""Reading YAML: the JSON data model, positions, and refusals of what a COE may not hold."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from coe.checks import identity
from coe.sources import MAX_BYTES, ReadError, parse_text, read_source, top_level_text

from .conftest import EXAMPLES, MINIMAL_COE


def read(text: str):
    return parse_text(text, Path("coe.yaml"), "coe.yaml")


def refusal(path: Path) -> tuple[int, int, str, str]:
    with pytest.raises(ReadError) as caught:
        read_source(path, "coe.yaml")
    p = caught.value.problem
    return p.line, p.column, p.rule, p.message


def test_yaml_12_core_schema_keeps_yaml_11_surprises_as_text() -> None:
    data = read_source(EXAMPLES / "valid/2025-10-20-yaml-12-strings/coe.yaml").data
    assert data["title"] == "no"
    assert data["authors"] == ["yes", "on"]
    assert data["services"] == ["off", "010", "12"]
    assert data["tags"] == ["12:30", "2025-10-20", "0o17x"]
    assert data["times"]["detected"] == "2025-10-20 06:52:00Z"
    assert data["impact"]["metrics"][0]["value"] == 1500.0
    assert data["impact"]["customers_affected"] == 0


@pytest.mark.parametrize(
    ("text", "value"),
    [("true", True), ("False", False), ("~", None), ("null", None), ("", None),
     ("010", 10), ("0o17", 15), ("0x1F", 31), ("-3", -3), ("1.10", 1.1), ("1e3", 1000.0),
     (".inf", math.inf), ("-.Inf", -math.inf), ("yes", "yes"), ("12:30", "12:30"),
     ("2025-10-20", "2025-10-20"), ("'true'", "true"), ('"5"', "5")],
)
def test_scalars_resolve_as_yaml_12_core(text: str, value: object) -> None:
    assert read(f"a: {text}\n").data == {"a": value}


def test_positions_of_keys_and_values_are_kept() -> None:
    source = read(MINIMAL_COE)
    span = source.span(("times", "detected"))
    assert (span.key_line, span.key_column, span.line, span.column) == (12, 3, 12, 13)
    assert source.span(("timeline", 0, "event")).line == 19
    assert source.span(("authors", 0)).column == 11


def test_plain_text_of_retyped_scalars_is_kept() -> None:
    source = read("title: 1.10\nid: '2'\n")
    assert source.span(("title",)).plain == "1.10"
    assert source.span(("id",)).plain is None


def test_duplicate_key_in_nested_mapping_is_refused() -> None:
    with pytest.raises(ReadError) as caught:
        read("times:\n  start: a\n  start: b\n")
    p = caught.value.problem
    assert (p.line, p.column, p.rule) == (3, 3, "COE004")
    assert "first at line 2" in p.message


def test_not_utf8_names_the_byte_and_its_place(tmp_path: Path) -> None:
    path = tmp_path / "coe.yaml"
    path.write_bytes("title: café\nsummary: caf\xe9\n".encode("utf-8")[:-3] + b"\xe9\n")
    line, column, rule, message = refusal(path)
    assert (line, column, rule) == (2, 13, "COE001")
    assert "0xe9" in message and "UTF-8" in message


def test_utf16_is_refused_with_advice(tmp_path: Path) -> None:
    path = tmp_path / "coe.yaml"
    path.write_bytes("title: x\n".encode("utf-16"))
    assert refusal(path)[:3] == (1, 1, "COE001")


def test_byte_order_mark_is_accepted() -> None:
    data = read_source(EXAMPLES / "valid/2025-10-20-byte-order-mark/coe.yaml").data
    assert data["schema_version"] == 1


def test_file_over_the_size_limit_is_refused_without_reading(tmp_path: Path) -> None:
    path = tmp_path / "coe.yaml"
    path.write_text("summary: " + "x" * MAX_BYTES + "\n")
    line, column, rule, message = refusal(path)
    assert (line, column, rule) == (1, 1, "COE001")
    assert "at most 1 MB" in message


def test_alias_bomb_is_refused_at_the_first_alias(tmp_path: Path) -> None:
    lines = ['a: &a ["x","x","x","x","x","x","x","x","x"]']
    for n in range(1, 10):
        lines.append(f"{chr(97 + n)}: &{chr(97 + n)} [" + ",".join([f"*{chr(96 + n)}"] * 9) + "]")
    path = tmp_path / "coe.yaml"
    path.write_text("\n".join(lines) + "\n")
    line, column, rule, message = refusal(path)
    assert (line, column, rule) == (1, 4, "COE003")
    assert "anchor &a" in message


def test_alias_without_anchor_error_first() -> None:
    with pytest.raises(ReadError) as caught:
        read("a: 1\nb: *x\n")
    # libyaml reports an undefined alias as a syntax error at the alias
    assert caught.value.problem.line == 2


def test_deep_nesting_is_refused() -> None:
    with pytest.raises(ReadError) as caught:
        read("a: " + "[" * 150 + "]" * 150 + "\n")
    assert caught.value.problem.rule == "COE003"


def test_control_characters_are_a_syntax_error_not_a_crash() -> None:
    with pytest.raises(ReadError) as caught:
        read("title: a\x00b\n")
    assert caught.value.problem.rule in {"COE001", "COE002"}


def keys(text: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    # YAML limits an implicit key to 1024 characters (escapes included).
    return text.filter(lambda key: len(json.dumps(key)) < 1000)


def json_values(text: st.SearchStrategy[str]) -> st.SearchStrategy[object]:
    return st.recursive(
        st.none() | st.booleans() | st.integers() | text
        | st.floats(allow_nan=False, allow_infinity=False),
        lambda children: st.lists(children, max_size=4)
        | st.dictionaries(keys(text), children, max_size=4),
        max_leaves=20,
    )


# JSON escapes characters beyond U+FFFF as surrogate pairs, which YAML does not accept
# (nor lone surrogates).
ANY_TEXT = st.text(st.characters(max_codepoint=0xFFFF, blacklist_categories=("Cs",)))


def yaml_printable(char: str) -> bool:
    """What a YAML stream may hold unescaped (YAML 1.2, 5.1 c-printable): not U+FFFE or
    U+FFFF, which a reader rightly refuses, nor most control characters."""
    code = ord(char)
    return (char in "\t\n\r" or 0x20 <= code <= 0x7E or code == 0x85 or 0xA0 <= code <= 0xD7FF
            or 0xE000 <= code <= 0xFFFD or 0x10000 <= code <= 0x10FFFF)


# Written raw (not \u-escaped), YAML folds line breaks such as U+0085 and U+2028 in a
# quoted scalar, and refuses the characters it does not allow; everything else must survive.
PRINTABLE_TEXT = st.text(st.characters(blacklist_categories=("Cc", "Cs", "Zl", "Zp"),
                                       blacklist_characters="\ufeff").filter(yaml_printable))


def test_the_printable_strategy_draws_only_what_yaml_allows() -> None:
    assert not yaml_printable("\ufffe") and not yaml_printable("\uffff")
    assert not yaml_printable("\x00") and not yaml_printable("\x7f")
    assert yaml_printable("数") and yaml_printable("\U0001F600") and yaml_printable("\ufdd0")
    with pytest.raises(ReadError):  # the case a random draw once hit: the reader refuses it
        read(json.dumps({"k": "\ufffe"}, ensure_ascii=False))


@settings(max_examples=300, deadline=None)
@given(st.dictionaries(keys(ANY_TEXT), json_values(ANY_TEXT), max_size=5))
def test_json_documents_read_back_as_the_same_data(document: dict) -> None:
    """JSON is YAML: any JSON object must read back unchanged (the JSON data model)."""
    assert read(json.dumps(document)).data == document


@settings(max_examples=300, deadline=None)
@given(st.dictionaries(keys(PRINTABLE_TEXT), json_values(PRINTABLE_TEXT), max_size=5))
def test_unescaped_unicode_reads_back_as_written(document: dict) -> None:
    assert read(json.dumps(document, ensure_ascii=False)).data == document


ID_VALUES = st.one_of(
    st.just("COE-1"), st.just("'COE-1'"), st.just('"COE-2"'), st.just("12"), st.just("null"),
    st.just("~"), st.just("true"), st.just("[a]"), st.just("{x: 1}"), st.just("!!str 7"),
    st.just("&a COE-1"), st.just("*a"), st.just("|\n  COE-3"), st.just("COE-1 # note"),
    st.just("事故-1"), st.just(""), st.just("'a: b'"), st.just("a: b"), st.just("- COE-1"),
)
OTHER_LINES = st.sampled_from([
    "title: x", "causes:\n  - {id: W1, because: b}\n  - [1, [2, {id: 3}]]", "id: COE-9",
    "services: [api, '[x']", "whys:\n  problem: p\n  causes:\n    - id: W1", "? id\n: COE-8",
    "a: &x 1", "b: *x", "c: !!python/name:os.system ''", "'id': COE-7", "\"i\\x64\": COE-6",
    "d: {", "- 1", "e: \"unterminated", "f:\tg", "---\nid: COE-5", "...",
])


@settings(max_examples=400, deadline=None)
@given(st.lists(OTHER_LINES, max_size=4), ID_VALUES, st.lists(OTHER_LINES, max_size=4), st.booleans())
def test_reading_only_as_far_as_the_id_agrees_with_a_full_reading(
        before: list[str], value: str, after: list[str], with_id: bool) -> None:
    """Wherever the whole file reads, `top_level_text` finds the same id at the same
    place as the full reading does (and it never raises)."""
    text = "\n".join(before + ([f"id: {value}"] if with_id else []) + after) + "\n"
    early = top_level_text(text, "id")
    try:
        full = identity(read(text))
    except ReadError:
        return
    assert early == ((full.ident, full.line, full.column) if full else None)


def test_a_file_broken_after_its_id_keeps_its_id() -> None:
    assert top_level_text("schema_version: 1\nid: COE-4\ntitle: [unclosed\n", "id") == ("COE-4", 2, 5)
    assert top_level_text("title: [unclosed\nid: COE-4\n", "id") is None
    assert top_level_text("whys: {causes: [{id: W1}]}\nid: '事故-2'\n", "id") == ("事故-2", 2, 5)
