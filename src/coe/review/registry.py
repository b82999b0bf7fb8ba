"""The registry of review rules: each rule module registers its rules with `rule`."""

from __future__ import annotations

import inspect
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from ..model import Coe
from ..sources import JsonPath, Source

Finding = tuple[JsonPath, str] | tuple[JsonPath, str, int]


@dataclass(frozen=True)
class ReviewRule:
    code: str
    name: str
    check: Callable[..., Iterator[Finding]]
    options: dict[str, Any]

    @property
    def doc(self) -> str:
        return inspect.getdoc(self.check) or ""


REVIEW_RULES: dict[str, ReviewRule] = {}


def rule(code: str, name: str, **options: Any) -> Callable[[Callable[..., Iterator[Finding]]], Callable[..., Iterator[Finding]]]:
    """Register a review rule; keyword arguments are its settings and their defaults."""

    def register(check: Callable[..., Iterator[Finding]]) -> Callable[..., Iterator[Finding]]:
        REVIEW_RULES[code] = ReviewRule(code, name, check, options)
        return check

    return register



def _node_path(source: Source, node_id: str) -> JsonPath:
    paths = source.derived.get("why_node_paths")
    if paths is None:  # once per file: rules look up many nodes
        from ..checks import source_why_nodes

        paths = {}
        for path, node in source_why_nodes(source):
            if isinstance(node.get("id"), str):
                paths.setdefault(node["id"], path + ("id",))  # the first node with that id
        source.derived["why_node_paths"] = paths
    return paths.get(node_id, ("whys",))


def _action_path(coe: Coe, item_id: str, field_name: str = "id") -> JsonPath:
    for index, item in enumerate(coe.action_items):
        if item.id == item_id:
            return ("action_items", index, field_name)
    return ("action_items",)
