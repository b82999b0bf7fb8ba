"""The review rules: the questions a COE reviewer asks, asked of every COE.

Each rule is a small function whose docstring is its documentation, with a failing and a
passing example (YAML merged over a minimal COE; the tests run both, and the rules page
of the docs is generated from them). A rule reads only the model and yields
`(place, message)` findings: the model knows where each of its values was written. A
repository turns rules off, raises them to errors and sets their thresholds in the `coe`
plugin's section of mkdocs.yml:

    plugins:
      - coe:
          rules:
            COE105: {level: error, minutes: 5}
            COE108: off
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from ..model import Coe
from ..problems import Level, Problem
from . import actions, blame, communication, figures, mitigation, tree
from .registry import REVIEW_RULES, ReviewRule, rule

__all__ = ["REVIEW_RULES", "ReviewRule", "ReviewSettings", "RuleSetting", "SettingsError", "review",
           "rule", "settings_from_config"]

# Each module registers its rules when imported; the rules run, and the rules page lists
# them, in the order of their codes, whatever order the modules were imported in.
RULE_MODULES = (tree, figures, blame, actions, communication, mitigation)
for _code in sorted(REVIEW_RULES):
    REVIEW_RULES[_code] = REVIEW_RULES.pop(_code)


@dataclass(frozen=True)
class RuleSetting:
    level: Level | None  # None: off
    options: tuple[tuple[str, Any], ...] = ()


@dataclass(frozen=True)
class ReviewSettings:
    """Per-rule levels and options, from mkdocs.yml; picklable for worker processes."""

    rules: tuple[tuple[str, RuleSetting], ...] = ()
    today: date | None = None

    def setting(self, code: str) -> RuleSetting:
        for known, setting in self.rules:
            if known == code:
                return setting
        return RuleSetting(Level.WARNING)


_DEFAULT_SETTING = RuleSetting(Level.WARNING)


class SettingsError(ValueError):
    """The rules section of mkdocs.yml is not understood."""


def settings_from_config(config: Any, today: date | None = None) -> ReviewSettings:
    """Settings from the plugin's `rules:` mapping: `CODE: off|warning|error` or
    `CODE: {level: ..., <option>: <value>}`."""
    if config is None:
        return ReviewSettings(today=today)
    if not isinstance(config, dict):
        raise SettingsError("rules must be a mapping of rule codes to settings")
    result = []
    for code, value in config.items():
        code = str(code)
        if code not in REVIEW_RULES:
            raise SettingsError(f"unknown rule {code}; the review rules are {', '.join(REVIEW_RULES)}")
        options: dict[str, Any] = {}
        if isinstance(value, dict):
            options = {k: v for k, v in value.items() if k != "level"}
            value = value.get("level", "warning")
        level_name = "off" if value is False else str(value)
        if level_name not in ("off", "warning", "error"):
            raise SettingsError(f"{code}: level must be off, warning or error, got {value!r}")
        unknown = set(options) - set(REVIEW_RULES[code].options)
        if unknown:
            raise SettingsError(f"{code}: unknown option {sorted(unknown)[0]}; "
                                f"it takes {', '.join(REVIEW_RULES[code].options) or 'none'}")
        level = None if level_name == "off" else Level(level_name)
        result.append((code, RuleSetting(level, tuple(sorted(options.items())))))
    return ReviewSettings(tuple(result), today)


def review(coe: Coe, display: str, settings: ReviewSettings) -> list[Problem]:
    """Every finding of every rule that is on, as problems of the file shown as `display`
    (or of the file beside it that a finding names)."""
    problems = []
    today = settings.today or date.today()
    configured: dict[str, RuleSetting] = {}
    for code, setting in settings.rules:
        configured.setdefault(code, setting)  # the first wins, as in ReviewSettings.setting
    for code, registered in REVIEW_RULES.items():
        setting = configured.get(code, _DEFAULT_SETTING)
        if setting.level is None:
            continue
        options = {**registered.options, **dict(setting.options)}
        for place, message in registered.check(coe, today=today, **options):
            path = str(Path(display).parent / place.beside) if place.beside else display
            problems.append(Problem(path, place.line, place.column, code, message, setting.level))
    return problems
