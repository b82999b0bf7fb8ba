"""The review rules: the questions a COE reviewer asks, asked of every COE.

Each rule is a small function whose docstring is its documentation, with a failing and a
passing example (YAML merged over a minimal COE; the tests run both, and the rules page
of the docs is generated from them). A rule yields `(path, message)` findings; the
path places the warning on its line. A repository turns rules off, raises them to
errors and sets their thresholds in the `coe` plugin's section of mkdocs.yml:

    plugins:
      - coe:
          rules:
            COE105: {level: error, minutes: 5}
            COE108: off
"""

from __future__ import annotations

import inspect
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date
from typing import Any

from .locate import line_column
from .model import Coe
from .problems import Level, Problem
from .sources import JsonPath, Source, narrative_file

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


def review(coe: Coe, source: Source, settings: ReviewSettings) -> list[Problem]:
    """Every finding of every rule that is on, as problems at their places."""
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
        for finding in registered.check(coe, source, today=today, **options):
            path, message = finding[0], finding[1]
            if path == ("narrative.md",):
                problems.append(_in_narrative(source, code, message, finding[2], setting.level))  # type: ignore[misc]
                continue
            if len(finding) == 3:
                value = _value_at(source.data, path)
                line, column = source.position_in(path, value, finding[2])  # type: ignore[misc]
            else:
                span = source.span(path)
                line, column = span.line, span.column
            problems.append(Problem(source.display, line, column, code, message, setting.level))
    return problems


def _in_narrative(source: Source, code: str, message: str, index: int, level: Level) -> Problem:
    from pathlib import Path

    text = narrative_file(source)[0] or ""
    line, column = line_column(text, index)
    return Problem(str(Path(source.display).parent / "narrative.md"), line, column, code, message, level)


def _value_at(data: Any, path: JsonPath) -> str:
    for part in path:
        data = data[part]
    return data


def _node_path(source: Source, node_id: str) -> JsonPath:
    paths = source.derived.get("why_node_paths")
    if paths is None:  # once per file: rules look up many nodes
        from .checks import source_why_nodes

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


def _has_detect_action(coe: Coe) -> bool:
    return any(item.kind == "detect" for item in coe.action_items)


@rule("COE101", "why-chain")
def why_chain(coe: Coe, source: Source, **_: Any) -> Iterator[Finding]:
    """The why-tree never branches: it names a single contributing factor.

    Incidents have several contributing factors: why it happened, why it was not
    caught sooner, why the impact lasted as long as it did. A chain stops at one.

    Failing example:

        whys:
          problem: 3% of API calls failed
          causes:
            - id: W1
              because: Hosts returned HTTP 500
              causes:
                - {id: W1.1, because: A volume degraded, root_cause: true, category: hardware}

    Passing example:

        whys:
          problem: 3% of API calls failed
          causes:
            - {id: W1, because: A volume degraded, root_cause: true, category: hardware}
            - {id: W2, because: No alarm on volume latency, root_cause: true, category: detection-gap}
    """
    if coe.whys is None:
        return
    nodes = coe.whys.nodes()
    if len(coe.whys.causes) < 2 and all(len(node.causes) < 2 for node in nodes):
        yield ("whys", "problem"), (
            "the why-tree is a chain with one contributing factor; ask also why it was not "
            "caught sooner and why the impact lasted as long as it did")


@rule("COE102", "open-leaf")
def open_leaf(coe: Coe, source: Source, **_: Any) -> Iterator[Finding]:
    """A leaf of the why-tree is not marked as a root cause.

    Keep asking why until the answer is something to change, then mark it
    `root_cause: true` with a category.

    Failing example:

        whys:
          problem: 3% of API calls failed
          causes:
            - {id: W1, because: Hosts returned HTTP 500}

    Passing example:

        whys:
          problem: 3% of API calls failed
          causes:
            - {id: W1, because: A volume degraded, root_cause: true, category: hardware}
    """
    if coe.whys is None:
        return
    for node in coe.whys.nodes():
        if not node.causes and not node.root_cause:
            yield _node_path(source, node.id), (
                f"why-node {node.id} is a leaf but not a root cause; ask why once more, "
                "or mark it root_cause: true")


@rule("COE103", "root-cause-unaddressed")
def root_cause_unaddressed(coe: Coe, source: Source, **_: Any) -> Iterator[Finding]:
    """A root cause that no action item addresses.

    Every root cause needs an action item whose `addresses` names it, or the same
    cause can bring the same incident back.

    Failing example:

        whys:
          problem: 3% of API calls failed
          causes:
            - {id: W1, because: A volume degraded, root_cause: true, category: hardware}

    Passing example:

        whys:
          problem: 3% of API calls failed
          causes:
            - {id: W1, because: A volume degraded, root_cause: true, category: hardware}
        action_items:
          - {id: AI-1, title: Replace degraded volumes automatically, owner: ana, priority: high,
             due: 2099-01-01, status: open, addresses: [W1], link: "https://tickets.example.com/1"}
    """
    if coe.whys is None:
        return
    addressed = {node for item in coe.action_items for node in item.addresses}
    for node in coe.whys.nodes():
        if node.root_cause and node.id not in addressed:
            yield _node_path(source, node.id), (
                f"root cause {node.id} has no action item; add one whose addresses lists {node.id}")


_NUMBER = re.compile(r"\d")


@rule("COE104", "impact-unquantified")
def impact_unquantified(coe: Coe, source: Source, **_: Any) -> Iterator[Finding]:
    """The impact has no number: no metrics, no customers affected, no figure in the
    summary or the customer experience.

    Put numbers on the impact: how many customers, what error rate, for how long.

    Failing example:

        summary: Some checkout calls failed.
        impact: {customer_experience: Checkout failed.}

    Passing example:

        summary: 3% of checkout calls failed for 45 minutes.
        impact: {customer_experience: Checkout failed.}
    """
    impact = coe.impact
    if impact.metrics or impact.customers_affected is not None:
        return
    if _NUMBER.search(coe.summary) or _NUMBER.search(impact.customer_experience):
        return
    yield ("impact",), ("the impact has no numbers; add metrics, customers_affected, or figures "
                        "in the summary (how many, how much, how long)")


def _minutes(value: float) -> str:
    return f"{value:.0f} minutes"


@rule("COE105", "slow-detection", minutes=10)
def slow_detection(coe: Coe, source: Source, minutes: float = 10, **_: Any) -> Iterator[Finding]:
    """Detection took longer than the threshold (default 10 minutes) and no action item of
    kind `detect` makes it faster next time.

    Failing example:

        times: {start: "2025-10-20T06:00:00Z", detected: "2025-10-20T06:40:00Z"}

    Passing example:

        times: {start: "2025-10-20T06:00:00Z", detected: "2025-10-20T06:40:00Z"}
        action_items:
          - {id: AI-1, title: Alarm on checkout errors, owner: ana, priority: high, kind: detect,
             due: 2099-01-01, status: open, link: "https://tickets.example.com/1"}
    """
    taken = coe.times.time_to_detect
    if taken is not None and taken > minutes and not _has_detect_action(coe):
        yield ("times", "detected"), (
            f"detection took {_minutes(taken)} (over {minutes:g}) and no action item of kind "
            "detect shortens it; how would the same pattern be caught sooner next time?")


@rule("COE106", "late-engagement", minutes=15)
def late_engagement(coe: Coe, source: Source, minutes: float = 15, **_: Any) -> Iterator[Finding]:
    """Engagement came more than the threshold (default 15 minutes) after detection and
    no action item of kind `detect` addresses it.

    Failing example:

        times: {start: "2025-10-20T06:00:00Z", detected: "2025-10-20T06:01:00Z",
                engaged: "2025-10-20T06:31:00Z"}

    Passing example:

        times: {start: "2025-10-20T06:00:00Z", detected: "2025-10-20T06:01:00Z",
                engaged: "2025-10-20T06:05:00Z"}
    """
    taken = coe.times.time_to_engage
    if taken is not None and taken > minutes and not _has_detect_action(coe):
        yield ("times", "engaged"), (
            f"the first engineer engaged {_minutes(taken)} after detection (over {minutes:g}) "
            "and no action item of kind detect addresses the paging or escalation")


@rule("COE107", "dependency-unanalysed")
def dependency_unanalysed(coe: Coe, source: Source, **_: Any) -> Iterator[Finding]:
    """A why-node blames a dependency (`category: dependency`) and the COE has no
    `dependencies` analysis.

    A dependency may not simply be blamed: say what it promised, what it did, whether
    the failure mode was to be expected and how the blast radius could shrink.

    Failing example:

        whys:
          problem: Sign-in failed
          causes:
            - {id: W1, because: The session store failed over, root_cause: true, category: dependency}

    Passing example:

        whys:
          problem: Sign-in failed
          causes:
            - {id: W1, because: The session store failed over, root_cause: true, category: dependency}
        dependencies:
          - {name: session-store, promise: 99.99% and failover under 30 s, observed: failover took 40 s,
             failure_mode_expected: true, blast_radius: Serve cached sessions during failover}
    """
    if coe.whys is None or coe.dependencies:
        return
    for node in coe.whys.nodes():
        if node.category == "dependency":
            yield _node_path(source, node.id), (
                f"why-node {node.id} blames a dependency but the COE has no dependencies "
                "analysis: what did it promise, what did it do, was this failure mode expected?")


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


def _strings(data: Any, path: JsonPath = ()) -> Iterator[tuple[JsonPath, str]]:
    if isinstance(data, str):
        yield path, data
    elif isinstance(data, dict):
        for key, value in data.items():
            yield from _strings(value, path + (key,))
    elif isinstance(data, list):
        for index, value in enumerate(data):
            yield from _strings(value, path + (index,))


@rule("COE108", "blame-language")
def blame_language(coe: Coe, source: Source, **_: Any) -> Iterator[Finding]:
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
    strings = _strings(source.data) if _may_blame(source.text) else ()
    for path, text in strings:
        for match in _BLAME_RE.finditer(text) if _may_blame(text) else ():
            index = int(match.lastgroup[1:])  # type: ignore[index]
            yield path, (f'blaming wording "{match.group(0)}"; {_BLAME[index][1]}'), match.start()
    text = narrative_file(source)[0]
    if "narrative" not in _dict(source.data) and text:
        for match in _BLAME_RE.finditer(text):
            index = int(match.lastgroup[1:])  # type: ignore[index]
            yield ("narrative.md",), f'blaming wording "{match.group(0)}"; {_BLAME[index][1]}', match.start()


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


@rule("COE109", "action-without-ticket")
def action_without_ticket(coe: Coe, source: Source, **_: Any) -> Iterator[Finding]:
    """An open or in-progress action item has no `link` to its ticket.

    Action items are tracked to completion in the team's ticket system; the link is
    how a reader follows one.

    Failing example:

        action_items:
          - {id: AI-1, title: Fix the health check, owner: ana, priority: high, due: 2099-01-01, status: open}

    Passing example:

        action_items:
          - {id: AI-1, title: Fix the health check, owner: ana, priority: high, due: 2099-01-01, status: open,
             link: "https://tickets.example.com/OPS-1"}
    """
    for item in coe.action_items:
        if item.is_open and not item.link:
            yield _action_path(coe, item.id), f"action item {item.id} is {item.status} and has no link to its ticket"


@rule("COE110", "action-overdue")
def action_overdue(coe: Coe, source: Source, today: date, **_: Any) -> Iterator[Finding]:
    """An open or in-progress action item is past its due date on "today" (set with
    `--today`, else SOURCE_DATE_EPOCH, else the clock).

    Failing example:

        action_items:
          - {id: AI-1, title: Fix the health check, owner: ana, priority: high, due: 2000-01-01, status: open,
             link: "https://tickets.example.com/OPS-1"}

    Passing example:

        action_items:
          - {id: AI-1, title: Fix the health check, owner: ana, priority: high, due: 2000-01-01, status: done,
             closed: 2000-01-01}
    """
    for item in coe.action_items:
        late = item.days_overdue(today)
        if late:
            yield _action_path(coe, item.id, "due"), (
                f"action item {item.id} is {late} days overdue (due {item.due.isoformat()}, "
                f"{item.status}, as of {today.isoformat()}); finish it or agree a new date")


@rule("COE111", "silent-high-severity")
def silent_high_severity(coe: Coe, source: Source, **_: Any) -> Iterator[Finding]:
    """Severity 1 or 2 and no `communications`: what were customers told, and when?

    Failing example:

        severity: 1

    Passing example:

        severity: 1
        communications:
          - {at: "2025-10-20T07:00:00Z", channel: status-page, message: We are investigating checkout errors.}
    """
    if coe.severity <= 2 and not coe.communications:
        yield ("severity",), (f"severity {coe.severity} with no communications; record what "
                              "customers were told, and when")


_ROLLBACK = _Caseless.compile(r"roll(?:ed|ing)?[ -]?back|rollback|revert")


@rule("COE112", "deployment-without-rollback")
def deployment_without_rollback(coe: Coe, source: Source, **_: Any) -> Iterator[Finding]:
    """A why-node of category `deployment`, and no sign that a rollback was considered:
    no mitigation of kind `rollback` and no mention of one in the mitigations or the
    timeline. At the start of every incident, ask "was there a deployment?".

    Failing example:

        whys:
          problem: Checkout failed
          causes:
            - {id: W1, because: Release 42 broke checkout, root_cause: true, category: deployment}

    Passing example:

        whys:
          problem: Checkout failed
          causes:
            - {id: W1, because: Release 42 broke checkout, root_cause: true, category: deployment}
        mitigations:
          - {kind: rollback, description: Rolled back to release 41, effective: true}
    """
    if coe.whys is None:
        return
    deployment = [node for node in coe.whys.nodes() if node.category == "deployment"]
    if not deployment or any(m.kind == "rollback" for m in coe.mitigations):
        return
    texts = [m.description for m in coe.mitigations] + [e.event for e in coe.timeline]
    if any(_ROLLBACK.search(text) for text in texts):
        return
    yield _node_path(source, deployment[0].id), (
        f"why-node {deployment[0].id} is a deployment, but no rollback appears in the "
        "mitigations or the timeline; say whether one was considered and why not")


_KEPT = _Caseless.compile(
    r"kept|keep|aside|preserv|snapshot|heap dump|core dump|for investigation|保留")


@rule("COE113", "restart-without-evidence")
def restart_without_evidence(coe: Coe, source: Source, **_: Any) -> Iterator[Finding]:
    """A restart mitigated, and nothing says what was kept for investigation (some hosts
    set aside, a heap dump, logs). A restart clears the evidence with the fault.

    Failing example:

        mitigations:
          - {kind: restart, description: Restarted all API hosts, effective: true}

    Passing example:

        mitigations:
          - {kind: restart, description: "Restarted all API hosts but two, kept aside for investigation", effective: true}
    """
    restarts = [i for i, m in enumerate(coe.mitigations) if m.kind == "restart"]
    if not restarts:
        return
    texts = [m.description for m in coe.mitigations] + [e.event for e in coe.timeline]
    if any(_KEPT.search(text) for text in texts):
        return
    yield ("mitigations", restarts[0], "kind"), (
        "a restart with nothing kept for investigation; say which hosts, dumps or logs were "
        "set aside before restarting")


@rule("COE114", "slow-first-communication", minutes=30)
def slow_first_communication(coe: Coe, source: Source, minutes: float = 30, **_: Any) -> Iterator[Finding]:
    """Severity 1 or 2, and the first message to customers came more than the threshold
    (default 30 minutes) after detection. Speed comes first in customer communication:
    a short, generic first notice, with depth added in later updates.

    Failing example:

        severity: 2
        communications:
          - {at: "2025-10-20T08:00:00Z", channel: status-page, message: We are investigating.}

    Passing example:

        severity: 2
        communications:
          - {at: "2025-10-20T07:00:00Z", channel: status-page, message: We are investigating.}
    """
    if coe.severity > 2 or not coe.communications:
        return
    first_index, first = min(enumerate(coe.communications), key=lambda pair: pair[1].at)
    waited = (first.at - coe.times.detected).total_seconds() / 60
    if waited > minutes:
        yield ("communications", first_index, "at"), (
            f"the first communication came {_minutes(waited)} after detection (over "
            f"{minutes:g}); a short first notice early, then details, serves customers better")


@rule("COE115", "no-effective-mitigation")
def no_effective_mitigation(coe: Coe, source: Source, **_: Any) -> Iterator[Finding]:
    """Mitigations are listed but none is marked `effective: true`: which one ended the
    impact? Marking the one that worked (and those that did not) tells the next
    responder what to try first.

    Failing example:

        mitigations:
          - {kind: restart, description: Restarted two hosts kept aside for investigation, effective: false}

    Passing example:

        mitigations:
          - {kind: restart, description: Restarted two hosts kept aside for investigation, effective: false}
          - {kind: shift-away, description: Drained the zone, effective: true}
    """
    if coe.mitigations and not any(m.effective for m in coe.mitigations):
        yield ("mitigations",), "no mitigation is marked effective: true; which one ended the impact?"
