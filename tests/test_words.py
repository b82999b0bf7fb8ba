"""Counted nouns and terminal widths (`words`)."""

from __future__ import annotations

from coe.words import display_width, plural


def test_display_width_counts_wide_characters_twice() -> None:
    assert display_width("abc") == 3
    assert display_width("网络基础设施") == 12
    assert display_width("ｅ") == 2  # fullwidth
    assert display_width("e\u0301") == 1  # e + combining acute


def test_plural_says_one_alone_without_s() -> None:
    assert plural(1, "error") == "1 error"
    assert plural(0, "warning") == "0 warnings"
    assert plural(2, "COE") == "2 COEs"
