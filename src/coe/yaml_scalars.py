"""What a YAML scalar means in a COE: YAML 1.2's core schema (the JSON data model), where
`no`, `on` and `12:30` stay text, and which scalars a COE may hold at all (no anchors,
no tags but the one that says text)."""

from __future__ import annotations

import math
import re
from typing import Any

import yaml

# YAML 1.2 core schema: what an unquoted scalar means.
_NULL = re.compile(r"^(?:~|null|Null|NULL|)$")
_BOOL = {"true": True, "True": True, "TRUE": True, "false": False, "False": False, "FALSE": False}
_INT = re.compile(r"^[-+]?[0-9]+$")
_OCT = re.compile(r"^0o[0-7]+$")
_HEX = re.compile(r"^0x[0-9a-fA-F]+$")
_FLOAT = re.compile(r"^[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?$")
_INF = re.compile(r"^[-+]?\.(?:inf|Inf|INF)$")
_NAN = re.compile(r"^\.(?:nan|NaN|NAN)$")
STR_TAGS = {"tag:yaml.org,2002:str", "!"}
# An unquoted scalar starting with anything else is text under the core schema.
_MAYBE_NOT_TEXT = frozenset("~nNtTfF0123456789+-.")


def resolve_plain(text: str) -> Any:
    """The value of an unquoted scalar under YAML 1.2's core schema."""
    if _NULL.match(text):
        return None
    if text in _BOOL:
        return _BOOL[text]
    if _INT.match(text):
        return int(text)
    if _OCT.match(text):
        return int(text[2:], 8)
    if _HEX.match(text):
        return int(text[2:], 16)
    if _FLOAT.match(text):
        return float(text)
    if _INF.match(text):
        return -math.inf if text.startswith("-") else math.inf
    if _NAN.match(text):
        return math.nan
    return text


def scalar(event: Any) -> tuple[Any, str | None] | None:
    """The value of a scalar that a COE may hold (no anchor; no tag, or one that says
    text) and, when YAML read its unquoted text as something else, that text; None for
    any other event. Untagged unquoted text is read by YAML 1.2's core schema."""
    if event.__class__ is not yaml.ScalarEvent or event.anchor is not None:
        return None
    text = event.value
    if event.tag is not None:
        return (text, None) if event.tag in STR_TAGS else None
    if event.implicit[0] and (not text or text[0] in _MAYBE_NOT_TEXT):
        value = resolve_plain(text)
        return value, (None if value.__class__ is str else text)
    return text, None
