"""Places in text: offsets and characters of YAML strings as 1-based line and column."""

from __future__ import annotations

from coe.locate import byte_line_column, in_scalar, line_column


def test_line_column_counts_from_one() -> None:
    text = "ab\ncd\n"
    assert [line_column(text, i) for i in (0, 1, 3, 4, 6)] == [(1, 1), (1, 2), (2, 1), (2, 2), (3, 1)]


def test_byte_line_column_counts_characters() -> None:
    data = "é\nxé?".encode("utf-8")
    assert byte_line_column(data, len(data) - 1) == (2, 3)


def _place(text: str, line: int, column: int, value: str, index: int) -> tuple[int, int]:
    return in_scalar(text.splitlines(), line, column, value, index)


def test_characters_of_plain_and_quoted_strings() -> None:
    assert _place("a: human error\n", 1, 4, "human error", 6) == (1, 10)
    assert _place('a: "human error"\n', 1, 4, "human error", 6) == (1, 11)


def test_characters_of_block_scalars_skip_leading_blank_lines() -> None:
    text = "a: |\n\n  one\n  two error\n"
    assert _place(text, 1, 4, "\none\ntwo error\n", 9) == (4, 7)
    assert _place(text, 1, 4, "x", 0) == (3, 3)
