"""The corpus: loading every COE, and the queries the reports and the site share.

Expected figures on the example COEs (coes/, COE-1001..COE-1012) were worked out by hand
from their YAML and are written here as literals; the working is in the comments.
"Today" is 2026-11-27 throughout.
"""

from __future__ import annotations

import math
import re
from datetime import date
from fractions import Fraction
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from coe.corpus import CorpusError, load_corpus, window
from coe.corpus.actions import (action_rows, action_totals, completion_rate, days_to_close,
                                filter_actions, group_actions, open_rows)
from coe.corpus.counts import compute_stats, count_by
from coe.corpus.dates import filter_coes, month_of, quarter_of, quarter_start, start_date
from coe.corpus.figures import durations_by_quarter, median, percentile
from coe.corpus.recurrence import (recurrence_rows, recurring_dependencies,
                                   recurring_root_causes, recurring_services)
from coe.corpus.window import headline
from coe.model import ActionItem, Coe

from .conftest import MINIMAL_COE, ROOT, write_coe

TODAY = date(2026, 11, 27)

# Open (open or in-progress) items due before 2026-11-27, by team:
#   COE-1001 AI-4 search-sre; COE-1002 AI-3, AI-5 identity; COE-1003 AI-4 notifications;
#   COE-1004 AI-1 网络基础设施; COE-1005 AI-3 observability, AI-7 object-storage;
#   COE-1006 AI-4 payments-sre; COE-1007 AI-3, AI-5 api-platform; COE-1008 AI-4
#   search-sre; COE-1009 AI-3 identity, AI-7 session-store; COE-1010 AI-1 notifications,
#   AI-5 procurement.
OVERDUE_BY_TEAM = {
    "identity": 3, "api-platform": 2, "notifications": 2, "search-sre": 2,
    "object-storage": 1, "observability": 1, "payments-sre": 1, "procurement": 1,
    "session-store": 1, "网络基础设施": 1,
}
# Every open item by team (the overdue ones above plus those due later).
OPEN_BY_TEAM = {
    "notifications": 4, "identity": 3, "checkout": 3, "api-platform": 2, "search-sre": 2,
    "object-storage": 2, "observability": 2, "session-store": 2, "config-push": 2,
    "payments-sre": 1, "procurement": 1, "网络基础设施": 1, "developer-platform": 1,
    "network-infrastructure": 1, "search-platform": 1, "工程效能": 1,
}
BROKEN = re.sub(r"(?m)^severity: \d$", "severity: high", MINIMAL_COE)
BROKEN_LINE = ('coes/2025-10-20-checkout/coe.yaml:5:11: error COE012 '
               'severity must be an integer from 1 to 5, got "high"')


@pytest.fixture(scope="module")
def coes():
    return list(load_corpus(ROOT / "coes", root=ROOT).coes)


def by_id(coes, coe_id):
    return next(c for c in coes if c.id == coe_id)


# --- the corpus ------------------------------------------------------------------------


def test_corpus_holds_every_example_in_order_of_start(coes) -> None:
    assert [c.id for c in coes] == [f"COE-{n}" for n in range(1001, 1013)]


def test_a_broken_coe_stops_the_corpus_with_its_problems(tmp_path: Path) -> None:
    write_coe(tmp_path / "coes", MINIMAL_COE, "2025-10-20-ok")
    write_coe(tmp_path / "coes", BROKEN.replace("COE-1", "COE-2"))
    with pytest.raises(CorpusError) as caught:
        load_corpus(tmp_path / "coes", root=tmp_path)
    assert [p.rule for p in caught.value.problems] == ["COE012"]
    assert caught.value.coes == 2
    assert BROKEN_LINE in str(caught.value)
    assert str(caught.value).startswith("1 of 2 COEs have errors")


def test_no_folder_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(NotADirectoryError):
        load_corpus(tmp_path / "nowhere")


def test_calendar_keys_use_the_start_in_utc(tmp_path: Path) -> None:
    # 02:00 on 1 December in UTC+08:00 is 18:00 on 30 November in UTC.
    text = (MINIMAL_COE.replace("2025-10-20T06:48:00Z", "2025-12-01T02:00:00+08:00")
            .replace("2025-10-20T06:52:00Z", "2025-12-01T02:04:00+08:00"))
    write_coe(tmp_path / "coes", text, "2025-11-30-late")
    [coe] = load_corpus(tmp_path / "coes", root=tmp_path).coes
    assert month_of(coe) == "2025-11"
    assert quarter_of(coe) == "2025-Q4"
    assert start_date(coe) == date(2025, 11, 30)
    assert filter_coes([coe], since=date(2025, 12, 1)) == []
    assert filter_coes([coe], until=date(2025, 11, 30)) == [coe]


def test_coes_by_severity(coes) -> None:
    # 1: 1004, 1009; 2: 1002, 1005, 1007, 1012; 3: 1001, 1006, 1008, 1010; 4: 1003; 5: 1011
    assert count_by(coes, "severity") == [("1", 2), ("2", 4), ("3", 4), ("4", 1), ("5", 1)]


def test_coes_by_month_scope_and_detection(coes) -> None:
    # COE-1004 starts 2025-11-11T00:03+08:00, still November in UTC (the 10th).
    assert count_by(coes, "month") == [
        ("2025-06", 1), ("2025-08", 1), ("2025-09", 1), ("2025-11", 1), ("2026-01", 1),
        ("2026-03", 1), ("2026-05", 1), ("2026-07", 1), ("2026-08", 1), ("2026-10", 1),
        ("2026-11", 2),
    ]
    # multi-service: 1002, 1004, 1007, 1009, 1012
    assert count_by(coes, "scope") == [("single-service", 7), ("multi-service", 5)]
    assert dict(count_by(coes, "detection_method")) == {
        "canary": 2, "subsystem-alarm": 2, "aggregate-alarm": 2, "service-alarm": 2,
        "customer-report": 1, "support-case": 1, "social-media": 1, "manual": 1,
    }


def test_coes_by_service_counts_each_coe_once_per_service(coes) -> None:
    services = dict(count_by(coes, "service"))
    assert services["checkout-api"] == 5  # 1002, 1004, 1007, 1009, 1011
    assert services["search"] == 4  # 1001, 1004, 1007, 1008
    assert services["notifications"] == 4  # 1002, 1003, 1010, 1012
    assert services["payments-webhooks"] == 1
    assert count_by(coes, "service")[0] == ("checkout-api", 5)


def test_coes_by_root_cause_category_and_mitigation_kind(coes) -> None:
    # COEs with at least one root-cause node of the category.
    assert count_by(coes, "root_cause_category") == [
        ("process", 9),        # all but 1008, 1011, 1012
        ("configuration", 8),  # 1001, 1005, 1006, 1007, 1009, 1010, 1011, 1012
        ("detection-gap", 7),  # 1001, 1003, 1005, 1006, 1008, 1010, 1011
        ("software-bug", 7),   # 1002, 1003, 1005, 1007, 1008, 1009, 1010
        ("capacity", 5),       # 1002, 1004, 1005, 1008, 1009
        ("dependency", 5),     # 1002, 1004, 1007, 1010, 1012
        ("deployment", 4),     # 1001, 1002, 1004, 1006
        ("hardware", 1),
        ("other", 1),
    ]
    assert dict(count_by(coes, "mitigation_kind")) == {
        "rollback": 7,      # 1001, 1002, 1003, 1004, 1006, 1007, 1012
        "feature-flag": 6,  # 1003, 1006, 1007, 1009, 1010, 1011
        "restart": 5,       # 1002, 1005, 1008, 1009, 1012
        "scale-up": 5,      # 1004, 1005, 1008, 1010, 1011
        "shift-away": 4,    # 1001, 1004, 1009, 1010
        "other": 3,         # 1005, 1006, 1008
        "roll-forward": 3,  # 1005, 1006, 1008
    }


def test_median_and_p90_per_quarter(coes) -> None:
    quarters = durations_by_quarter(coes)
    assert list(quarters) == ["2025-Q2", "2025-Q3", "2025-Q4", "2026-Q1", "2026-Q2",
                              "2026-Q3", "2026-Q4"]
    q4 = quarters["2026-Q4"]  # COE-1010, 1011, 1012
    assert q4.coes == 3
    # detect: 1010 08:15->08:53 = 38, 1011 20:00->20:04 = 4, 1012 09:41->09:44 = 3
    # sorted 3, 4, 38: median 4; p90 at rank ceil(0.9 * 3) = 3 -> 38
    assert (q4.time_to_detect.median, q4.time_to_detect.p90) == (4, 38)
    # engage: 9, 0, 3 -> median 3, p90 9; mitigate: 145, 12, 41 -> median 41, p90 145
    assert (q4.time_to_engage.median, q4.time_to_engage.p90) == (3, 9)
    assert (q4.time_to_mitigate.median, q4.time_to_mitigate.p90) == (41, 145)
    # resolve: only COE-1010 is resolved, 10-06 08:15 -> 10-07 12:00 = 27 h 45 min
    assert q4.time_to_resolve.count == 1
    assert q4.time_to_resolve.median == q4.time_to_resolve.p90 == 1665
    q3 = quarters["2025-Q3"]  # COE-1002 (3 min), COE-1003 (47 min): an even count
    assert (q3.time_to_detect.median, q3.time_to_detect.p90) == (25, 47)
    # resolve: 19 h 50 min = 1190, 17 h 55 min = 1075 -> median 1132.5
    assert (q3.time_to_resolve.median, q3.time_to_resolve.p90) == (1132.5, 1190)


def test_median_and_p90_over_all_coes(coes) -> None:
    overall = compute_stats(coes, TODAY).durations
    # detect, sorted: 2 2 2 3 3 3 4 4 38 47 62 195; median (3 + 4) / 2; p90 rank 11 -> 62
    assert (overall.time_to_detect.median, overall.time_to_detect.p90) == (3.5, 62)
    # mitigate: 12 34 39 41 42 50 71 76 82 145 190 330 -> (50 + 71) / 2, rank 11 -> 190
    assert (overall.time_to_mitigate.median, overall.time_to_mitigate.p90) == (60.5, 190)
    assert overall.time_to_resolve.count == 10  # 1011 and 1012 are not resolved


def test_action_item_totals(coes) -> None:
    totals = action_totals(coes, TODAY)
    # items per COE: 6 7 6 8 7 6 8 6 8 6 3 2
    assert totals.total == 73
    assert totals.done == 36  # 4 4 4 5 3 3 3 3 5 2 0 0
    assert totals.wont_do == 8  # one in each of COE-1001..1008
    assert totals.open == 29  # 11 in progress + 18 open
    assert totals.overdue == 15
    assert totals.completion_rate == pytest.approx(36 / 65)  # done / (73 - 8)
    # 36 done items, days from the start's UTC date to closed, sorted; the 18th and 19th
    # are both 16 (COE-1005 AI-5: 01-14 -> 01-30; COE-1007 AI-7: 05-20 -> 06-05).
    assert totals.median_days_to_close == 16


def test_days_to_close_counts_from_the_utc_start_date(coes) -> None:
    dns = by_id(coes, "COE-1004")  # starts 2025-11-11T00:03+08:00 = 2025-11-10 in UTC
    items = {i.id: i for i in dns.action_items}
    assert days_to_close(dns, items["AI-2"]) == 92  # 2025-11-10 -> 2026-02-10
    assert days_to_close(dns, items["AI-3"]) == 3  # -> 2025-11-13
    assert days_to_close(dns, items["AI-1"]) is None  # in progress
    assert days_to_close(dns, items["AI-8"]) is None  # wont-do


def test_overdue_items_and_their_days(coes) -> None:
    rows = filter_actions(action_rows(coes), TODAY, overdue=True)
    # 2026-11-27 is day 331 of 2026; 2025-12-15 is 16 days before the end of 2025.
    assert [(r.coe.id, r.item.id, r.days_overdue(TODAY)) for r in rows] == [
        ("COE-1001", "AI-4", 347),  # 16 + 331
        ("COE-1002", "AI-3", 343),  # due 2025-12-19: 12 + 331
        ("COE-1002", "AI-5", 301),  # due 2026-01-30, day 30
        ("COE-1003", "AI-4", 273),  # due 2026-02-27, day 58
        ("COE-1004", "AI-1", 241),  # due 2026-03-31, day 90
        ("COE-1005", "AI-3", 241),
        ("COE-1005", "AI-7", 58),  # due 2026-09-30, day 273
        ("COE-1006", "AI-4", 182),  # due 2026-05-29, day 149
        ("COE-1007", "AI-3", 119),  # due 2026-07-31, day 212
        ("COE-1007", "AI-5", 88),  # due 2026-08-31, day 243
        ("COE-1008", "AI-4", 58),
        ("COE-1009", "AI-3", 28),  # due 2026-10-30, day 303
        ("COE-1009", "AI-7", 14),  # due 2026-11-13
        ("COE-1010", "AI-1", 7),  # due 2026-11-20
        ("COE-1010", "AI-5", 21),  # due 2026-11-06
    ]


def test_action_filters(coes) -> None:
    rows = action_rows(coes)
    assert len(rows) == 73
    # lena.brandt: COE-1002 AI-2, AI-7; COE-1007 AI-1, AI-4, AI-8; COE-1012 AI-1
    assert len(filter_actions(rows, TODAY, owner="Lena.Brandt")) == 6
    # identity: COE-1002 AI-1, 3, 5, 6; COE-1009 AI-1, 2, 3, 6
    assert len(filter_actions(rows, TODAY, team="identity")) == 8
    assert [(r.coe.id, r.item.id) for r in filter_actions(rows, TODAY, team="identity",
                                                         overdue=True)] == [
        ("COE-1002", "AI-3"), ("COE-1002", "AI-5"), ("COE-1009", "AI-3")]
    assert len(filter_actions(rows, TODAY, statuses=["wont-do"])) == 8
    assert len(filter_actions(rows, TODAY, statuses=["open", "in-progress"])) == 29
    assert filter_actions(rows, TODAY, team="网络基础设施", statuses=["done"])[0].item.id == "AI-2"


def test_completion_rate_leaves_wont_do_out() -> None:
    def item(status: str) -> ActionItem:
        return ActionItem("AI-1", "t", "o", "high", date(2026, 1, 1), status)

    assert completion_rate([item("done"), item("open"), item("wont-do")]) == 0.5
    assert completion_rate([item("wont-do")]) is None
    assert completion_rate([]) is None


def test_recurrence(coes) -> None:
    services = recurring_services(coes)
    assert [(r.name, len(r.coes)) for r in services] == [
        ("checkout-api", 5), ("notifications", 4), ("search", 4), ("auth-service", 3),
        ("object-storage", 3), ("cart", 2), ("config-push", 2), ("internal-dns", 2),
        ("payments-gateway", 2),
    ]
    assert [c.id for c in services[0].coes] == ["COE-1002", "COE-1004", "COE-1007",
                                               "COE-1009", "COE-1011"]
    assert [(r.name, [c.id for c in r.coes]) for r in recurring_dependencies(coes)] == [
        ("config-push", ["COE-1002", "COE-1007", "COE-1012"]),
        ("internal-dns", ["COE-1004", "COE-1012"]),
    ]
    causes = recurring_root_causes(coes)
    assert (causes[0].name, len(causes[0].coes)) == ("process", 9)
    assert "hardware" not in [r.name for r in causes]  # only COE-1009


def test_stats_since_until(coes) -> None:
    stats = compute_stats(coes, TODAY, since=date(2026, 1, 1), until=date(2026, 6, 30))
    assert stats.coes == 3  # COE-1005, 1006, 1007
    assert stats.coes_by["severity"] == [("2", 2), ("3", 1)]
    assert stats.actions.total == 21  # 7 + 6 + 8


# --- median and percentile -------------------------------------------------------------


def test_percentile_examples() -> None:
    assert percentile([1, 2, 3, 4], 90) == 4  # rank ceil(3.6) = 4
    assert percentile([15, 20, 35, 40, 50], 30) == 20  # rank ceil(1.5) = 2
    assert percentile([15, 20, 35, 40, 50], 40) == 20  # rank ceil(2.0) = 2, not 3
    assert percentile(list(range(1, 11)), 70) == 7  # 0.7 * 10 is 7.000000000000001 in floats
    assert percentile([5], 1) == percentile([5], 100) == 5
    assert median([3, 1, 2]) == 2
    assert median([4, 1, 3, 2]) == 2.5
    with pytest.raises(ValueError):
        percentile([], 50)
    with pytest.raises(ValueError):
        percentile([1], 0)
    with pytest.raises(ValueError):
        median([])


NUMBERS = st.lists(st.one_of(st.integers(-10**6, 10**6),
                             st.floats(-1e9, 1e9, allow_nan=False, allow_infinity=False)),
                   min_size=1, max_size=60)
PERCENTS = st.one_of(st.integers(1, 100), st.sampled_from([0.5, 12.5, 33.3, 66.7, 99.9]))


@given(NUMBERS)
def test_median_lies_between_min_and_max_and_splits_the_values(values) -> None:
    middle = median(values)
    assert min(values) <= middle <= max(values)
    assert sum(1 for v in values if v < middle) <= len(values) / 2
    assert sum(1 for v in values if v > middle) <= len(values) / 2
    assert percentile(values, 90) >= middle


@given(NUMBERS, PERCENTS)
def test_percentile_is_the_smallest_value_with_p_percent_at_or_below(values, p) -> None:
    # The nearest-rank definition stated without ranks.
    share = Fraction(str(p)) / 100
    result = percentile(values, p)
    assert result in values
    assert sum(1 for v in values if v <= result) >= share * len(values)
    for smaller in (v for v in values if v < result):
        assert sum(1 for v in values if v <= smaller) < share * len(values)
    ordered = sorted(values)
    assert result == ordered[math.ceil(share * len(values)) - 1]


# --- the dashboard's window, groups of action items, recurrence ------------------------


def test_headline_figures_for_2026_q4(coes: list[Coe]) -> None:
    head = headline(coes, TODAY)
    assert (head.quarter, head.previous) == ("2026-Q4", "2026-Q3")
    # 2026-Q4: COE-1010 (SEV3), COE-1011 (SEV5), COE-1012 (SEV2).
    assert head.by_severity == ((2, 1), (3, 1), (5, 1))
    assert head.coes == 3
    # Time to detect 38, 4 and 3 minutes: median 4; to mitigate 145, 12, 41: median 41.
    assert (head.detect, head.mitigate) == (4, 41)
    # 2026-Q3: COE-1008 (62 and 190 minutes) and COE-1009 (2 and 34): means of the two.
    assert (head.detect_before, head.mitigate_before) == (32, 112)
    assert (head.open, head.overdue) == (29, 15)


def test_window_is_six_quarters_up_to_today() -> None:
    assert window.window_start(TODAY) == date(2025, 7, 1)
    assert window.window_quarters(TODAY) == [
        "2025-Q3", "2025-Q4", "2026-Q1", "2026-Q2", "2026-Q3", "2026-Q4"]
    months = window.window_months(TODAY)
    assert (months[0], months[-1], len(months)) == ("2025-07", "2026-11", 17)
    assert window.window_months(date(2026, 1, 1))[0] == "2024-10"
    assert quarter_start(date(2026, 2, 14), 5) == date(2024, 10, 1)


def test_actions_are_grouped_by_team_then_owner_overdue_first(coes: list[Coe]) -> None:
    teams = group_actions(open_rows(coes), TODAY)
    assert {t.team: t.overdue for t in teams if t.overdue} == OVERDUE_BY_TEAM
    assert {t.team: t.open for t in teams} == OPEN_BY_TEAM
    # Most overdue first, then most open, then by name.
    assert [t.team for t in teams[:4]] == ["identity", "notifications", "api-platform",
                                           "search-sre"]
    notifications = next(t for t in teams if t.team == "notifications")
    # rafael.mendes (COE-1003 AI-4, overdue) and tyler.brooks (COE-1010 AI-1, overdue)
    # before ines.carvalho (COE-1010 AI-2 and AI-6, both due later).
    assert [(g.owner, g.overdue, len(g.rows)) for g in notifications.owners] == [
        ("rafael.mendes", 1, 1), ("tyler.brooks", 1, 1), ("ines.carvalho", 0, 2)]
    identity = next(t for t in teams if t.team == "identity")
    kenji = identity.owners[0]
    # COE-1002 AI-3 due 2025-12-19 (343 days before 2026-11-27), AI-5 due 2026-01-30 (301).
    assert kenji.owner == "kenji.watanabe"
    assert [(r.item.id, r.days_overdue(TODAY)) for r in kenji.rows] == [("AI-3", 343),
                                                                      ("AI-5", 301)]


def test_recurring_services_dependencies_and_root_causes(coes: list[Coe]) -> None:
    services = {r.name: [c.id for c in r.coes] for r in recurring_services(coes)}
    assert services == {
        "checkout-api": ["COE-1002", "COE-1004", "COE-1007", "COE-1009", "COE-1011"],
        "search": ["COE-1001", "COE-1004", "COE-1007", "COE-1008"],
        "notifications": ["COE-1002", "COE-1003", "COE-1010", "COE-1012"],
        "auth-service": ["COE-1002", "COE-1007", "COE-1009"],
        "object-storage": ["COE-1004", "COE-1005", "COE-1012"],
        "cart": ["COE-1002", "COE-1009"],
        "config-push": ["COE-1007", "COE-1012"],
        "internal-dns": ["COE-1004", "COE-1012"],
        "payments-gateway": ["COE-1004", "COE-1012"],
    }
    dependencies = recurrence_rows(recurring_dependencies(coes), TODAY)
    assert [(r.name, [c.id for c in r.coes]) for r in dependencies] == [
        ("config-push", ["COE-1002", "COE-1007", "COE-1012"]),
        ("internal-dns", ["COE-1004", "COE-1012"]),
    ]
    config_push = dependencies[0]
    # What else the faulty component touched: the services of COE-1002, 1007 and 1012.
    assert set(config_push.services) == {
        "auth-service", "checkout-api", "cart", "notifications", "rate-limiter", "search",
        "internal-dns", "payments-gateway", "object-storage"}
    # Open items: COE-1002 2 (both overdue), COE-1007 4 (2 overdue), COE-1012 2 (none).
    assert (config_push.open, config_push.overdue) == (8, 4)
    causes = {r.name: len(r.coes) for r in recurring_root_causes(coes)}
    assert causes == {"process": 9, "configuration": 8, "detection-gap": 7,
                      "software-bug": 7, "capacity": 5, "dependency": 5, "deployment": 4}
