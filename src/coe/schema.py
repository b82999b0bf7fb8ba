"""The JSON Schema check, and its errors turned into problems a person can act on.

jsonschema's own messages quote Python reprs and no place; here each error becomes
"field must be X, got Y" at the line and column of the offending key or value, with a
hint when YAML changed an unquoted value and a suggestion for a mistyped name.
"""

from __future__ import annotations

import json
from functools import cache
from typing import TYPE_CHECKING, Any, Iterator

import jsonschema_rs

from .problems import Problem
from .resources import schema_path
from .sources import JsonPath, Source
from .times import EXAMPLE_TIME, date_problem, time_problem

if TYPE_CHECKING:  # jsonschema is imported only when a COE has errors: it is slow to load
    from jsonschema import Draft202012Validator, FormatChecker
    from jsonschema.exceptions import ValidationError

_ONE_LINE = "^[^\\n\\r]*$(?!\\n)"


@cache
def load_schema() -> dict[str, Any]:
    """The COE format's JSON Schema, as shipped with the tool."""
    with schema_path().open(encoding="utf-8") as stream:
        return json.load(stream)


def _format_checker() -> FormatChecker:
    from jsonschema import FormatChecker

    # Our own checks, not jsonschema's optional ones: those pass anything silently
    # when rfc3339-validator is not installed.
    checker = FormatChecker(formats=())
    checker.checks("date-time")(lambda value: not isinstance(value, str) or not time_problem(value))
    checker.checks("date")(lambda value: not isinstance(value, str) or not date_problem(value))
    return checker


@cache
def fast_validator() -> Any:
    """The schema compiled by jsonschema-rs: ten times faster than jsonschema, with
    the same Draft 2020-12 semantics, but without the detail our messages need; it
    answers "valid?" for the common case and jsonschema explains the rest."""
    return jsonschema_rs.validator_for(
        load_schema(),
        formats={"date-time": lambda v: not time_problem(v), "date": lambda v: not date_problem(v)},
        validate_formats=True,
    )


def is_valid(data: Any) -> bool:
    """True when `data` satisfies the schema."""
    return fast_validator().is_valid(data)


@cache
def validator() -> Draft202012Validator:
    """The validator, built once: building it costs more than validating a COE."""
    from jsonschema import Draft202012Validator

    return Draft202012Validator(load_schema(), format_checker=_format_checker())


def schema_problems(source: Source) -> list[Problem]:
    """Every schema violation in `source`, one problem each, at its place."""
    if is_valid(source.data):
        return []
    errors = list(validator().iter_errors(source.data))
    if not errors:
        return []
    typed = {tuple(e.absolute_path) for e in errors if e.validator == "type"}
    problems: dict[tuple[Any, ...], Problem] = {}
    for error in errors:
        path = tuple(error.absolute_path)
        # A value of the wrong type fails its enum or pattern too; the type says it all.
        if path in typed and error.validator != "type":
            continue
        for problem in _problems(error, path, source):
            problems.setdefault((problem.line, problem.column, problem.message), problem)
    return sorted(problems.values())


def _problems(error: "ValidationError", path: JsonPath, source: Source) -> Iterator[Problem]:
    published = "then" in error.absolute_schema_path
    suffix = " when status is published" if published else ""
    keyword = error.validator
    instance = error.instance
    schema = error.schema if isinstance(error.schema, dict) else {}

    def problem(rule: str, line: int, column: int, message: str) -> Problem:
        return Problem.of("COE015" if published else rule, source.display, line, column, message)

    if keyword == "additionalProperties" and isinstance(instance, dict):
        known = list(schema.get("properties", {}))
        for key in instance:
            if key not in known:
                span = source.span(path + (key,))
                yield problem(
                    "COE010", span.key_line, span.key_column,
                    f"unknown field {_quote(key)}{_where(path)}{_suggest(key, known)}",
                )
        return
    if keyword == "required" and isinstance(instance, dict):
        span = source.span(path)
        for key in error.validator_value:
            if key not in instance:
                yield problem(
                    "COE011", span.key_line, span.key_column,
                    f"missing field {_quote(key)}{_where(path)}, required{suffix or ' in every COE'}",
                )
        return
    span = source.span(path)
    field = field_name(path)
    got = describe_value(instance)
    if keyword == "type":
        message = f"{field} must be {expected(schema)}, got {got}"
        if instance is None and span.plain == "":
            message = f"{field} has no value; expected {expected(schema)}"
        elif span.plain is not None:
            kind = "a number" if isinstance(instance, (int, float)) else describe_value(instance)
            message += f" (YAML read the unquoted {span.plain} as {kind}; quote it)"
        elif isinstance(instance, dict) and schema.get("type") == "string":
            message += " (unquoted text containing \": \" starts a mapping: quote the text)"
        yield problem("COE012", span.line, span.column, message)
    elif keyword == "format":
        reason = (time_problem if error.validator_value == "date-time" else date_problem)(instance)
        yield problem("COE014", span.line, span.column, f"{field} {reason}, got {got}")
    elif keyword == "enum":
        options = [str(option) for option in error.validator_value]
        suggestion = _suggest(str(instance), options)
        yield problem(
            "COE013", span.line, span.column,
            f"{field} must be one of {', '.join(options)}, got {got}{suggestion}",
        )
    else:
        yield problem("COE013", span.line, span.column, _value_message(keyword, error, field, got, suffix))


def _value_message(keyword: str, error: "ValidationError", field: str, got: str, suffix: str) -> str:
    schema = error.schema if isinstance(error.schema, dict) else {}
    value = error.validator_value
    instance = error.instance
    if keyword == "const":
        return f"{field} must be {json.dumps(value)}{suffix}, got {got}"
    if keyword in ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"):
        return f"{field} must be {expected(schema)}, got {got}"
    if keyword == "minLength":
        return f"{field} must not be empty"
    if keyword == "maxLength":
        return f"{field} must be at most {value} characters, got {len(instance)}"
    if keyword == "minItems":
        entries = "an entry" if value == 1 else f"{value} entries"
        return f"{field} must have at least {entries}{suffix}"
    if keyword == "uniqueItems":
        seen: list[Any] = []
        twice = next((item for item in instance if item in seen or seen.append(item)), None)
        return f"{field} lists {describe_value(twice)} more than once"
    if keyword == "pattern":
        if value == _ONE_LINE:
            return f"{field} must be one line; it has a line break"
        if value.startswith("^https?://"):
            return f"{field} must be a web address starting with https://, got {got}"
        examples = schema.get("examples")
        like = f", like {examples[0]}" if examples else f" (pattern {value})"
        return f"{field} must be written as the format says{like}, got {got}"
    return f"{field}: {error.message}"


def field_name(path: JsonPath) -> str:
    """A JSON path written as a reader sees it: `timeline[3].at`, `times.start`."""
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else part)
    return text or "the COE"


def _where(path: JsonPath) -> str:
    return f" in {field_name(path)}" if path else ""


def expected(schema: dict[str, Any]) -> str:
    """What a schema accepts, in words: "an integer from 1 to 5", "true or false"."""
    if "const" in schema:
        return json.dumps(schema["const"])
    if "enum" in schema:
        return "one of " + ", ".join(str(option) for option in schema["enum"])
    kind = schema.get("type")
    if schema.get("format") == "date-time":
        return f"a date-time with an offset, like {EXAMPLE_TIME}"
    if schema.get("format") == "date":
        return "a date written YYYY-MM-DD, like 2025-10-20"
    if kind in ("integer", "number"):
        noun = "an integer" if kind == "integer" else "a number"
        low, high = schema.get("minimum"), schema.get("maximum")
        if low is not None and high is not None:
            return f"{noun} from {low} to {high}"
        if low is not None:
            return f"{noun} of {low} or more"
        return noun
    if kind == "array":
        items = schema.get("items", {})
        if isinstance(items, dict) and items.get("type") == "string":
            return "a list of text"
        return "a list"
    return {
        "string": "text",
        "boolean": "true or false",
        "object": "a mapping of fields",
    }.get(str(kind), f"of type {kind}")


def describe_value(value: Any) -> str:
    """A value as a message quotes it: `"high"`, `the number 750`, `true`, `a list`."""
    if value is None:
        return "an empty value"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return f"the number {value:g}" if isinstance(value, float) else f"the number {value}"
    if isinstance(value, str):
        return _quote(value if len(value) <= 60 else value[:57] + "...")
    if isinstance(value, list):
        return "a list"
    return "a mapping"


def _quote(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)


def _suggest(word: str, options: list[str]) -> str:
    from difflib import get_close_matches  # only a mistake needs it

    close = get_close_matches(word, options, n=1, cutoff=0.6)
    if not close:
        close = [option for option in options if option.lower() == word.lower()]
    return f'; did you mean "{close[0]}"?' if close else ""
