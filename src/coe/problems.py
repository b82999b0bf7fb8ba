"""What validation finds: problems with a place, a level and a stable rule code.

Every finding of every stage (reading, schema, cross-checks, review rules) is a
`Problem`, so that the reporters and the site show them all the same way.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum


class Level(str, Enum):
    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True)
class Rule:
    """A stable code, a short name and what the rule is about (shown in the docs)."""

    code: str
    name: str
    level: Level
    summary: str


# Errors break the format's contract; the codes are stable so that tools and
# teams can refer to them. Review rules (analysis quality) use COE1xx.
RULES: dict[str, Rule] = {
    rule.code: rule
    for rule in [
        Rule("COE001", "unreadable-file", Level.ERROR,
             "The file cannot be read as a COE: too large, not UTF-8, or empty."),
        Rule("COE002", "yaml-syntax", Level.ERROR,
             "The file is not well-formed YAML (tabs for indentation included)."),
        Rule("COE003", "yaml-feature", Level.ERROR,
             "A YAML feature a COE may not use: anchors, aliases, tags, several documents, "
             "keys that are not plain text, nesting too deep."),
        Rule("COE004", "duplicate-key", Level.ERROR,
             "The same key twice in one mapping (YAML would silently keep the last one)."),
        Rule("COE005", "not-a-mapping", Level.ERROR,
             "The file's top level is not a mapping of fields."),
        Rule("COE010", "unknown-field", Level.ERROR,
             "A field the format does not define (often a typo)."),
        Rule("COE011", "missing-field", Level.ERROR,
             "A required field is missing."),
        Rule("COE012", "wrong-type", Level.ERROR,
             "A value of the wrong type: text where a number is expected, and so on."),
        Rule("COE013", "bad-value", Level.ERROR,
             "A value outside what the format allows: enumerations, ranges, lengths, patterns."),
        Rule("COE014", "bad-time", Level.ERROR,
             "A time without an offset, a date that does not exist, or a badly written time."),
        Rule("COE015", "published-incomplete", Level.ERROR,
             "A published COE without the fields required once published."),
        Rule("COE020", "time-order", Level.ERROR,
             "times out of order: start <= detected <= engaged <= mitigated <= resolved."),
        Rule("COE021", "timeline-order", Level.ERROR,
             "Timeline entries out of time order."),
        Rule("COE022", "duplicate-id", Level.ERROR,
             "An id used twice: COE ids across the repository, why-node and action ids in a COE."),
        Rule("COE023", "unresolved-address", Level.ERROR,
             "An action item addresses a why-node id that the tree does not have."),
        Rule("COE024", "graph-data", Level.ERROR,
             "An impact graph's data file is missing, outside the COE's folder or malformed."),
        Rule("COE025", "narrative-twice", Level.ERROR,
             "Both a narrative field and a narrative.md file."),
        Rule("COE027", "local-link", Level.ERROR,
             "A Markdown link to a file that is missing or outside the COE's folder."),
        Rule("COE028", "too-large", Level.ERROR,
             "A why-tree too deep or too large, or a list too long, to draw and read."),
        Rule("COE029", "folder-characters", Level.ERROR,
             "The COE's folder name holds characters other than letters, digits, \"-\", \"_\" "
             "and \".\", or ends in a dot: it becomes the page's address."),
        Rule("COE026", "folder-name", Level.WARNING,
             "The COE's folder is not named YYYY-MM-DD-short-slug."),
    ]
}


@dataclass(frozen=True, order=True)
class Problem:
    """One finding at a place in a file; 1-based line and column, sortable by place."""

    path: str
    line: int
    column: int
    rule: str
    message: str
    level: Level = Level.ERROR

    @classmethod
    def of(cls, rule: str, path: str, line: int, column: int, message: str) -> "Problem":
        """A problem of `rule` at its default level."""
        return cls(path, line, column, rule, message, RULES[rule].level)
