"""COEs as frozen dataclasses, built only from valid data; derived figures live here.

Everything after validation (pages, diagrams, charts, reports, exports) reads these
objects, never the raw YAML, so each figure is computed one way in one place.
"""

from __future__ import annotations

import csv
import json
import weakref
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from .locate import Places
from .sources import NARRATIVE_FILE, JsonPath, Source, graph_data, narrative_file
from .times import parse_date, parse_time


def minutes_between(earlier: datetime | None, later: datetime | None) -> float | None:
    """Whole and fractional minutes from `earlier` to `later`, None when either is unknown."""
    if earlier is None or later is None:
        return None
    return (later - earlier).total_seconds() / 60


@dataclass(frozen=True)
class Times:
    """The incident's key moments, as aware datetimes in the offsets they were written in."""

    start: datetime
    detected: datetime
    engaged: datetime | None = None
    mitigated: datetime | None = None
    resolved: datetime | None = None
    json_path: JsonPath = field(default=(), repr=False, compare=False)  # where it is written

    @property
    def time_to_detect(self) -> float | None:
        """Minutes from start to detection."""
        return minutes_between(self.start, self.detected)

    @property
    def time_to_engage(self) -> float | None:
        """Minutes from detection to the first engineer engaged."""
        return minutes_between(self.detected, self.engaged)

    @property
    def time_to_mitigate(self) -> float | None:
        """Minutes from start to mitigation: the impact's duration."""
        return minutes_between(self.start, self.mitigated)

    @property
    def time_to_resolve(self) -> float | None:
        """Minutes from start to resolution of the underlying problem."""
        return minutes_between(self.start, self.resolved)


@dataclass(frozen=True)
class Detection:
    method: str
    alarm: str | None = None
    analysis: str | None = None


@dataclass(frozen=True)
class Metric:
    name: str
    value: float
    unit: str | None = None


@dataclass(frozen=True)
class Graph:
    """An impact graph: its data points, read from the CSV beside the COE."""

    title: str
    data: str
    points: tuple[tuple[datetime, float], ...]
    unit: str | None = None
    threshold: float | None = None


@dataclass(frozen=True)
class Impact:
    customer_experience: str
    customers_affected: int | None = None
    metrics: tuple[Metric, ...] = ()
    graphs: tuple[Graph, ...] = ()
    json_path: JsonPath = field(default=(), repr=False, compare=False)  # where it is written


@dataclass(frozen=True)
class TimelineEntry:
    at: datetime
    event: str
    kind: str | None = None
    link: str | None = None


@dataclass(frozen=True)
class Communication:
    at: datetime
    channel: str
    message: str
    audience: str | None = None
    json_path: JsonPath = field(default=(), repr=False, compare=False)  # where it is written


@dataclass(frozen=True)
class Mitigation:
    kind: str
    description: str
    at: datetime | None = None
    effective: bool | None = None
    json_path: JsonPath = field(default=(), repr=False, compare=False)  # where it is written


@dataclass(frozen=True)
class Dependency:
    name: str
    promise: str | None = None
    observed: str | None = None
    failure_mode_expected: bool | None = None
    blast_radius: str | None = None


@dataclass(frozen=True)
class WhyNode:
    """A node of the why-tree: one contributing factor and the factors behind it."""

    id: str
    because: str
    why: str | None = None
    evidence: str | None = None
    root_cause: bool = False
    category: str | None = None
    causes: tuple[WhyNode, ...] = ()
    json_path: JsonPath = field(default=(), repr=False, compare=False)  # where it is written


def _depth_first(roots: Iterable[WhyNode]) -> list[WhyNode]:
    # A stack rather than recursion: several review rules walk every tree.
    nodes = []
    stack = list(reversed(tuple(roots)))
    while stack:
        node = stack.pop()
        nodes.append(node)
        stack.extend(reversed(node.causes))
    return nodes


@dataclass(frozen=True)
class Whys:
    problem: str
    causes: tuple[WhyNode, ...]
    json_path: JsonPath = field(default=(), repr=False, compare=False)  # where it is written

    def nodes(self) -> list[WhyNode]:
        """Every node of the tree, depth first in document order."""
        return _depth_first(self.causes)


OPEN_STATUSES = ("open", "in-progress")


@dataclass(frozen=True)
class ActionItem:
    id: str
    title: str
    owner: str
    priority: str
    due: date
    status: str
    team: str | None = None
    closed: date | None = None
    kind: str | None = None
    addresses: tuple[str, ...] = ()
    link: str | None = None
    json_path: JsonPath = field(default=(), repr=False, compare=False)  # where it is written

    @property
    def is_open(self) -> bool:
        """Open or in progress: work still to do."""
        return self.status in OPEN_STATUSES

    def days_overdue(self, today: date) -> int:
        """Days past due on `today` for an open item; 0 when not overdue."""
        return max(0, (today - self.due).days) if self.is_open else 0

    def is_overdue(self, today: date) -> bool:
        """Open or in progress, and due before `today`."""
        return self.days_overdue(today) > 0


@dataclass(frozen=True)
class Checklist:
    short_term_fixes_verified: bool | None = None
    data_preserved: bool | None = None
    followups_assigned: bool | None = None
    shared_understanding: bool | None = None


@dataclass(frozen=True)
class Coe:
    """One COE, as its page, the reports and the exports see it."""

    folder: Path
    slug: str
    id: str
    title: str
    status: str
    severity: int
    scope: str
    authors: tuple[str, ...]
    services: tuple[str, ...]
    summary: str
    times: Times
    detection: Detection
    impact: Impact
    timeline: tuple[TimelineEntry, ...]
    reviewers: tuple[str, ...] = ()
    regions: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    communications: tuple[Communication, ...] = ()
    mitigations: tuple[Mitigation, ...] = ()
    dependencies: tuple[Dependency, ...] = ()
    whys: Whys | None = None
    lessons: tuple[str, ...] = ()
    action_items: tuple[ActionItem, ...] = ()
    checklist: Checklist | None = None
    narrative: str | None = None
    # The fields as written, as JSON: only the export reads them, and as a dict they
    # would take two thirds of the model's memory. Empty when the model was built only
    # for the review rules (`build_coe(..., written=False)`).
    written: str = field(default="", compare=False, repr=False)
    # Where each value was written: see Places. The narrative's places are those of its
    # own file when it is `narrative_beside` the COE's.
    places: Places = field(default=Places(), repr=False, compare=False)
    narrative_beside: str | None = field(default=None, repr=False, compare=False)

    def texts(self) -> Iterator[tuple[JsonPath, str]]:
        """Every text written in the COE's file, with its JSON path (the narrative only
        when it is one of its fields)."""
        for name in ("id", "title", "status", "scope", "summary"):
            yield (name,), getattr(self, name)
        if self.narrative is not None and self.narrative_beside is None:
            yield ("narrative",), self.narrative
        for name in ("authors", "reviewers", "services", "regions", "tags", "lessons"):
            for index, text in enumerate(getattr(self, name)):
                yield (name, index), text
        # The many entries of the lists below have their paths worked out here rather
        # than each carrying one: only a blaming text needs them.
        parts: list[tuple[JsonPath, Any]] = [
            (("detection",), self.detection), (("impact",), self.impact),
            *((("impact", "metrics", i), metric) for i, metric in enumerate(self.impact.metrics)),
            *((("impact", "graphs", i), graph) for i, graph in enumerate(self.impact.graphs)),
            *((("timeline", i), entry) for i, entry in enumerate(self.timeline)),
            *((("dependencies", i), dependency) for i, dependency in enumerate(self.dependencies)),
            *((part.json_path, part) for part in (*self.communications, *self.mitigations,
                                                  *self.action_items)),
        ]
        if self.whys is not None:
            parts += [(part.json_path, part) for part in (self.whys, *self.whys.nodes())]
        for path, part in parts:
            for name in _TEXT_FIELDS[part.__class__]:
                text = getattr(part, name)
                if text is not None:
                    yield path + (name,), text
        for item in self.action_items:
            for index, text in enumerate(item.addresses):
                yield item.json_path + ("addresses", index), text

    def fields_as_written(self) -> dict[str, Any]:
        """The COE's fields as its file has them, in its order."""
        if not self.written:
            raise ValueError(f"{self.folder}: the model was built without its fields as written")
        fields: dict[str, Any] = json.loads(self.written)
        return fields

    def open_action_items(self) -> list[ActionItem]:
        return [item for item in self.action_items if item.is_open]

    def overdue_action_items(self, today: date) -> list[ActionItem]:
        return [item for item in self.action_items if item.is_overdue(today)]

    def minutes_from_start(self, moment: datetime) -> float:
        """T+minutes of `moment` (negative before impact began)."""
        return (moment - self.times.start).total_seconds() / 60


# The fields of each part of a COE that hold text as written (times and dates, read
# into datetimes and dates, are not).
_TEXT_FIELDS: dict[type, tuple[str, ...]] = {
    Detection: ("method", "alarm", "analysis"),
    Impact: ("customer_experience",),
    Metric: ("name", "unit"),
    Graph: ("title", "data", "unit"),
    TimelineEntry: ("event", "kind", "link"),
    Communication: ("channel", "audience", "message"),
    Mitigation: ("kind", "description"),
    Dependency: ("name", "promise", "observed", "blast_radius"),
    Whys: ("problem",),
    WhyNode: ("id", "because", "why", "evidence", "category"),
    ActionItem: ("id", "title", "owner", "team", "priority", "status", "kind", "link"),
}


def _time(value: Any) -> datetime | None:
    return parse_time(value) if isinstance(value, str) else None


def _date(value: Any) -> date | None:
    return parse_date(value) if isinstance(value, str) else None


def _strings(value: Any) -> tuple[str, ...]:
    return tuple(value or ())


def _node(data: dict[str, Any], at: JsonPath) -> WhyNode:
    return WhyNode(
        id=data["id"], because=data["because"], why=data.get("why"),
        evidence=data.get("evidence"), root_cause=bool(data.get("root_cause", False)),
        category=data.get("category"),
        causes=tuple(_node(child, at + ("causes", i)) for i, child in enumerate(data.get("causes", ()))),
        json_path=at,
    )


def _whys(data: dict[str, Any] | None) -> Whys | None:
    if not data:
        return None
    causes = tuple(_node(n, ("whys", "causes", i)) for i, n in enumerate(data["causes"]))
    return Whys(data["problem"], causes, json_path=("whys",))


def _times(data: dict[str, Any]) -> Times:
    return Times(
        start=parse_time(data["start"]), detected=parse_time(data["detected"]),
        engaged=_time(data.get("engaged")), mitigated=_time(data.get("mitigated")),
        resolved=_time(data.get("resolved")), json_path=("times",),
    )


def _impact(data: dict[str, Any], source: Source) -> Impact:
    return Impact(
        customer_experience=data["customer_experience"],
        customers_affected=data.get("customers_affected"),
        metrics=tuple(Metric(**m) for m in data.get("metrics", ())),
        graphs=tuple(
            Graph(title=g["title"], data=g["data"], unit=g.get("unit"),
                  threshold=g.get("threshold"), points=read_points(source, g["data"]))
            for g in data.get("graphs", ())
        ),
        json_path=("impact",),
    )


def _action_item(data: dict[str, Any], at: JsonPath) -> ActionItem:
    return ActionItem(
        id=data["id"], title=data["title"], owner=data["owner"], priority=data["priority"],
        due=parse_date(data["due"]), status=data["status"], team=data.get("team"),
        closed=_date(data.get("closed")), kind=data.get("kind"),
        addresses=_strings(data.get("addresses")), link=data.get("link"), json_path=at,
    )


def read_points(source: Source, name: str) -> tuple[tuple[datetime, float], ...]:
    """The (time, value) rows of a graph's CSV, already checked by validation."""
    text = graph_data(source, name)
    rows = list(csv.reader(text.splitlines()))[1:]
    return tuple(
        (parse_time(row[0].strip()), float(row[1])) for row in rows if len(row) == 2
    )


def build_coe(source: Source, written: bool = True) -> Coe:
    """The model of a COE whose source has passed validation without errors; without
    its fields as `written` when it serves only the review rules."""
    data = source.data
    folder = source.path.parent
    narrative = data.get("narrative")
    beside = None
    if narrative is None:
        narrative = narrative_file(source)[0]
        beside = NARRATIVE_FILE
    whys = data.get("whys")
    checklist = data.get("checklist")
    return Coe(
        folder=folder,
        slug=folder.name,
        id=data["id"],
        title=data["title"],
        status=data["status"],
        severity=data["severity"],
        scope=data["scope"],
        authors=_strings(data["authors"]),
        reviewers=_strings(data.get("reviewers")),
        services=_strings(data["services"]),
        regions=_strings(data.get("regions")),
        tags=_strings(data.get("tags")),
        summary=data["summary"],
        times=_times(data["times"]),
        detection=Detection(**data["detection"]),
        impact=_impact(data["impact"], source),
        timeline=tuple(
            TimelineEntry(at=parse_time(e["at"]), event=e["event"], kind=e.get("kind"),
                          link=e.get("link"))
            for e in data["timeline"]
        ),
        communications=tuple(
            Communication(at=parse_time(c["at"]), channel=c["channel"], message=c["message"],
                          audience=c.get("audience"), json_path=("communications", i))
            for i, c in enumerate(data.get("communications", ()))
        ),
        mitigations=tuple(
            Mitigation(kind=m["kind"], description=m["description"], at=_time(m.get("at")),
                       effective=m.get("effective"), json_path=("mitigations", i))
            for i, m in enumerate(data.get("mitigations", ()))
        ),
        dependencies=tuple(Dependency(**d) for d in data.get("dependencies", ())),
        whys=_whys(whys),
        lessons=_strings(data.get("lessons")),
        action_items=tuple(_action_item(a, ("action_items", i))
                           for i, a in enumerate(data.get("action_items", ()))),
        checklist=Checklist(**checklist) if checklist else None,
        narrative=narrative,
        written=json.dumps(data, ensure_ascii=False, separators=(",", ":")) if written else "",
        places=Places(weakref.ref(source)),
        narrative_beside=beside,
    )
