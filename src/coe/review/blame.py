"""Blaming wording, and the quick matchers that find it without slowing every COE down."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from ..locate import Place, line_column
from ..model import Coe
from .registry import Finding, rule


_BLAME = [
    (r"human errors?", "name the decision and what made it reasonable at the time"),
    (r"operator errors?", "describe the step the operator took and what the tooling allowed"),
    (r"user errors?", "describe what the interface let the person do"),
    (r"careless(?:ly|ness)?", "describe the conditions (time pressure, missing check) instead"),
    (r"should have known", "say what information was missing at the time"),
    (r"should have (?:checked|noticed|caught|seen)", "say which check or signal was missing"),
    (r"negligen(?:t|ce)", "describe the gap in the process, not the person"),
    (r"(?:the )?fault of", "describe the mechanism, not whose fault it was"),
    (r"(?:was|were) to blame", "describe the mechanism, not who was to blame"),
    (r"blamed? (?:on|the)", "describe the mechanism, not who is to blame"),
    (r"incompeten(?:t|ce)", "describe what training or tooling was missing"),
    (r"sloppy", "describe the missing safeguard"),
    (r"lazy", "describe the missing safeguard"),
    (r"forgot to", "say which step had no reminder or automation"),
    (r"人为(?:错误|失误)", "描述当时的决定和让它显得合理的条件"),
    (r"操作失误", "描述操作步骤以及工具允许了什么"),
    (r"粗心|疏忽", "描述缺少的检查或保护措施"),
]
# A word of each phrase, at least one of which a blaming text must contain.
_BLAME_WORDS = ("error", "careless", "should", "negligen", "fault", "blame", "incompeten",
                "sloppy", "lazy", "forgot", "人为", "操作失误", "粗心", "疏忽")
# Spaces match any run of whitespace, so wording folded over two YAML lines is found too.
_ANY_SPACE = r"[ \t\r\n]+"
_BLAME_RE = re.compile(
    "|".join(f"(?P<b{i}>{pattern.replace(' ', _ANY_SPACE)})" for i, (pattern, _) in enumerate(_BLAME)),
    re.IGNORECASE,
)


# Letters that re, ignoring case, takes for an ASCII letter but str.lower() does not
# turn into it: "İ" (lowered to two characters), "ı" and "ſ" (matched as i and s).
_FOLDED_ONLY_BY_RE = re.compile("[\u0130\u0131\u017f]")


@dataclass(frozen=True)
class _Caseless:
    """An expression of lowercase letters, spaces and CJK matched ignoring case, with a
    quick test first: re ignoring case is several times slower than re matching case.

    Each character that the expression matches ignoring case is one that str.lower()
    makes into the very character of the expression, but for _FOLDED_ONLY_BY_RE; so in
    a text without those, no match of the case-sensitive expression in the lowered text
    means no match at all. The expression has no anchors, word boundaries or lookaround,
    so searching a slice is searching between `start` and `end`.
    """

    exact: re.Pattern[str]
    lowered: re.Pattern[str]

    @classmethod
    def compile(cls, expression: str) -> "_Caseless":
        return cls(re.compile(expression, re.IGNORECASE), re.compile(expression))

    def search(self, text: str, start: int = 0, end: int | None = None) -> bool:
        """True when the expression matches in `text[start:end]`, ignoring case."""
        window = text[start:end]
        if (window.isascii() or not _FOLDED_ONLY_BY_RE.search(window)) \
                and not self.lowered.search(window.lower()):
            return False
        return self.exact.search(window) is not None


def _by_word() -> dict[str, _Caseless]:
    """For each word of _BLAME_WORDS, an expression of just the phrases containing it."""
    groups: dict[str, list[str]] = {}
    for pattern, _ in _BLAME:
        word = next(w for w in _BLAME_WORDS if w in pattern.lower())
        groups.setdefault(word, []).append(pattern.replace(" ", _ANY_SPACE))
    return {word: _Caseless.compile("|".join(patterns)) for word, patterns in groups.items()}


_BLAME_BY_WORD = _by_word()


def _may_blame(text: str) -> bool:
    """True when blaming wording may be in `text`: one of its phrases matches near a
    word it contains (a phrase is at most ~30 characters from that word)."""
    lowered = text.lower()
    for word, phrases in _BLAME_BY_WORD.items():
        start = lowered.find(word)
        while start != -1:
            if phrases.search(text, max(0, start - 40), start + len(word) + 40):
                return True
            start = lowered.find(word, start + 1)
    return False


@rule("COE108", "blame-language")
def blame_language(coe: Coe, **_: Any) -> Iterator[Finding]:
    """Wording that blames people ("human error", "operator error", "careless",
    "should have known", "negligent", "fault of", ...), anywhere in the COE.

    A COE is a safe space: it explains why a decision made sense at the time and which
    mechanism failed, so that people keep telling the whole story. Each finding
    suggests a blameless rewording.

    Failing example:

        summary: Checkout failed for 45 minutes because of human error during a deploy.

    Passing example:

        summary: Checkout failed for 45 minutes because the deploy tool allowed a change to all regions at once.
    """
    # Most COEs are blameless. The full expression costs milliseconds a file, so it runs
    # only around the places where one of its words occurs at all.
    texts = coe.texts() if _may_blame(coe.places.file_text()) else ()
    blaming = [(coe.places.of(path), path, text) for path, text in texts if _may_blame(text)]
    blaming.sort(key=lambda found: (found[0].line, found[0].column))  # the order of the file
    for _, path, text in blaming:
        for match in _BLAME_RE.finditer(text):
            yield coe.places.in_text(path, text, match.start()), _reword(match)
    if coe.narrative_beside and coe.narrative:
        for match in _BLAME_RE.finditer(coe.narrative):
            line, column = line_column(coe.narrative, match.start())
            yield Place(line, column, coe.narrative_beside), _reword(match)


def _reword(match: re.Match[str]) -> str:
    index = int(match.lastgroup[1:])  # type: ignore[index]
    return f'blaming wording "{match.group(0)}"; {_BLAME[index][1]}'
