"""The registry of review rules: each rule module registers its rules with `rule`."""

from __future__ import annotations

import inspect
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from ..locate import Place

# Where the warning goes and what it says.
Finding = tuple[Place, str]
Check = Callable[..., Iterator[Finding]]


@dataclass(frozen=True)
class ReviewRule:
    code: str
    name: str
    check: Check
    options: dict[str, Any]

    @property
    def doc(self) -> str:
        return inspect.getdoc(self.check) or ""


REVIEW_RULES: dict[str, ReviewRule] = {}


def rule(code: str, name: str, **options: Any) -> Callable[[Check], Check]:
    """Register a review rule; keyword arguments are its settings and their defaults."""

    def register(check: Check) -> Check:
        REVIEW_RULES[code] = ReviewRule(code, name, check, options)
        return check

    return register
