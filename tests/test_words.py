"""Counted nouns and terminal widths (`words`)."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from coe.words import display_width, plural, wrap


def test_display_width_counts_wide_characters_twice() -> None:
    assert display_width("abc") == 3
    assert display_width("网络基础设施") == 12
    assert display_width("ｅ") == 2  # fullwidth
    assert display_width("e\u0301") == 1  # e + combining acute


def test_plural_says_one_alone_without_s() -> None:
    assert plural(1, "error") == "1 error"
    assert plural(0, "warning") == "0 warnings"
    assert plural(2, "COE") == "2 COEs"


# --- wrapping ---------------------------------------------------------------------------


def test_wrap_breaks_latin_text_at_spaces() -> None:
    text = "The cache client did not coalesce concurrent misses for the same key"
    lines = wrap(text, 36)
    assert lines == ["The cache client did not coalesce ", "concurrent misses for the same key"]
    assert "".join(lines) == text


def test_wrap_counts_wide_characters_twice_and_breaks_anywhere() -> None:
    text = "服务无法解析内部域名，调用下游时得到 SERVFAIL 或 2 秒超时并且一直重试直到全部失败"
    lines = wrap(text, 36)
    assert "".join(lines) == text
    assert all(display_width(line.rstrip()) <= 36 for line in lines)
    assert display_width("支付") == 4 and display_width("ab") == 2


def test_wrap_keeps_closing_punctuation_off_the_start_of_a_line() -> None:
    lines = wrap("一" * 18 + "。后文", 36)
    assert lines == ["一" * 18 + "。", "后文"]


def test_wrap_cuts_long_words_and_keeps_newlines() -> None:
    assert wrap("x" * 80, 36) == ["x" * 36, "x" * 36, "x" * 8]
    assert wrap("see https://example.com/" + "a" * 40, 36) == [
        "see ", "https://example.com/" + "a" * 16, "a" * 24,
    ]
    assert wrap("one\ntwo\n\nthree", 36) == ["one", "two", "", "three"]


def test_one_line_keeps_text_to_one_line_and_shows_what_it_escaped() -> None:
    from coe.words import one_line

    assert one_line("Checkout 支付网关 latency") == "Checkout 支付网关 latency"
    assert one_line("a\n::error file=x::pwned") == "a\\n::error file=x::pwned"
    assert one_line("\r\t\x1b[31m") == "\\r\\t\\u001b[31m"
    assert one_line("julia.\u200bschneider \u202eevil") == "julia.\\u200bschneider \\u202eevil"


@given(st.text())
def test_one_line_never_breaks_a_line(text: str) -> None:
    from coe.words import one_line

    assert len(one_line(text).splitlines()) <= 1
