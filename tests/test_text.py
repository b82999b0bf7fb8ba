"""Text rendering: Markdown fields to safe HTML, and the fast path for plain lines."""

from __future__ import annotations

import string

from hypothesis import given, settings
from hypothesis import strategies as st

from coe.render import text

ALPHABET = string.ascii_letters + string.digits + " .,:;!?-#&*%@'\"{}[]<>\\|/_`~=+()$^\n" + "数据库"


@settings(max_examples=1000)
@given(st.text(alphabet=ALPHABET, min_size=1, max_size=60))
def test_fast_path_renders_exactly_as_markdown_does(value: str) -> None:
    converter = text._markdown()
    converter.reset()
    assert text.markdown_html(value) == text.sanitize(converter.convert(text._CJK_BREAK.sub("", value)))


def test_hostile_html_is_sanitised() -> None:
    rendered = text.markdown_html('Hi <script>alert(1)</script><img src=x onerror="alert(2)">'
                                  ' [x](javascript:alert(3)) <iframe src="https://e.com"></iframe>')
    assert "<script" not in rendered and "onerror" not in rendered
    assert "javascript:" not in rendered and "<iframe" not in rendered
    assert '<img src="x">' in rendered


def test_safe_html_survives() -> None:
    rendered = text.markdown_html("<details><summary>More</summary>Press <kbd>Ctrl</kbd></details>\n\n"
                                  "| a | b |\n|---|---|\n| 1 | 2 |\n")
    assert "<details><summary>More</summary>Press <kbd>Ctrl</kbd></details>" in rendered
    assert "<table>" in rendered and "<td>1</td>" in rendered


def test_chinese_line_breaks_do_not_become_spaces() -> None:
    assert text.markdown_html("数据库连接\n池耗尽") == "<p>数据库连接池耗尽</p>"


def test_durations_and_offsets() -> None:
    from datetime import datetime, timedelta, timezone

    assert [text.duration(m) for m in (None, 0, 59.6, 60, 135, 48 * 60 + 5)] == [
        "—", "0 min", "1 h", "1 h", "2 h 15 min", "2 d"]
    assert text.t_plus(-3) == "T−3 min"
    moment = datetime(2025, 10, 20, 14, 48, tzinfo=timezone(timedelta(hours=8)))
    assert text.utc_time(moment) == "2025-10-20 06:48 UTC"
    assert text.local_time(moment) == "2025-10-20 14:48 UTC+08:00"
