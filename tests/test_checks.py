"""Checks beyond the schema, each at the place a reader must look."""

from __future__ import annotations

from pathlib import Path

from coe.problems import Level
from coe.validate import validate

from .conftest import MINIMAL_COE, write_coe

GRAPH = MINIMAL_COE.replace(
    "  customer_experience: Checkout failed with HTTP 500.\n",
    "  customer_experience: Checkout failed with HTTP 500.\n"
    "  graphs:\n    - {title: 5xx rate, data: rate.csv, unit: '%', threshold: 1}\n",
)


def problems(path: Path) -> list[tuple[str, int, int, str]]:
    """The format's problems (review rules, COE1xx, have their own tests)."""
    return [(Path(p.path).name, p.line, p.column, p.rule) for p in validate([path]).problems
            if p.rule < "COE100"]


def test_graph_data_problems_point_into_the_csv(tmp_path: Path) -> None:
    coe = write_coe(tmp_path, GRAPH)
    (coe.parent / "rate.csv").write_text(
        "time,value\n"
        "2025-10-20T06:40:00Z,0.1\n"
        "2025-10-20T06:41:00,0.2\n"
        "2025-10-20T06:42:00Z,high\n"
        "2025-10-20T06:43:00Z\n"
        "2026-02-30T06:44:00Z,1\n"
    )
    assert problems(coe) == [
        ("rate.csv", 3, 1, "COE024"),
        ("rate.csv", 4, 22, "COE024"),
        ("rate.csv", 5, 1, "COE024"),
        ("rate.csv", 6, 1, "COE024"),
    ]


def test_graph_data_header_is_required(tmp_path: Path) -> None:
    coe = write_coe(tmp_path, GRAPH)
    (coe.parent / "rate.csv").write_text("when,rate\n2025-10-20T06:40:00Z,0.1\n")
    found = [p for p in validate([coe]).problems if p.rule < "COE100"]
    assert [(p.line, p.column) for p in found] == [(1, 1)]
    assert 'header "time,value"' in found[0].message


def test_graph_data_with_bom_and_crlf_is_fine(tmp_path: Path) -> None:
    coe = write_coe(tmp_path, GRAPH)
    (coe.parent / "rate.csv").write_bytes(
        b"\xef\xbb\xbftime,value\r\n2025-10-20T06:40:00+08:00,0.1\r\n")
    assert problems(coe) == []


def test_graph_data_must_stay_in_the_folder(tmp_path: Path) -> None:
    outside = tmp_path / "secret.csv"
    outside.write_text("time,value\n2025-10-20T06:40:00Z,1\n")
    coe = write_coe(tmp_path / "coes", GRAPH.replace("rate.csv", "../../secret.csv"))
    (coe.parent / "link.csv").symlink_to(outside)
    assert problems(coe) == [("coe.yaml", 18, 31, "COE024")]
    coe.write_text(GRAPH.replace("rate.csv", "link.csv"))
    assert problems(coe) == [("coe.yaml", 18, 31, "COE024")]


def test_narrative_given_twice(tmp_path: Path) -> None:
    coe = write_coe(tmp_path, MINIMAL_COE + "narrative: The long story.\n")
    assert problems(coe) == []
    (coe.parent / "narrative.md").write_text("# The long story\n")
    assert problems(coe) == [("coe.yaml", 20, 1, "COE025")]


def test_time_order_compares_instants_not_strings(tmp_path: Path) -> None:
    text = MINIMAL_COE.replace("detected: 2025-10-20T06:52:00Z", "detected: 2025-10-20T14:50:00+08:00")
    assert problems(write_coe(tmp_path, text)) == []
    text = MINIMAL_COE.replace("detected: 2025-10-20T06:52:00Z", "detected: 2025-10-20T14:40:00+08:00")
    assert problems(write_coe(tmp_path, text)) == [("coe.yaml", 12, 13, "COE020")]


def test_one_misplaced_timeline_entry_is_one_error(tmp_path: Path) -> None:
    entries = "".join(
        f"  - at: 2025-10-20T07:{m:02d}:00Z\n    event: step {m}\n" for m in (10, 50, 20, 30, 40)
    )
    text = MINIMAL_COE.split("timeline:\n")[0] + "timeline:\n" + entries
    assert problems(write_coe(tmp_path, text)) == [("coe.yaml", 22, 9, "COE021")]


def test_action_ids_are_unique(tmp_path: Path) -> None:
    item = "  - {id: AI-1, title: t, owner: o, priority: low, due: 2026-01-01, status: open}\n"
    text = MINIMAL_COE + "action_items:\n" + item + item
    assert problems(write_coe(tmp_path, text)) == [("coe.yaml", 22, 10, "COE022")]


def test_folder_name_and_date(tmp_path: Path) -> None:
    assert problems(write_coe(tmp_path, MINIMAL_COE, "checkout")) == [("coe.yaml", 1, 1, "COE026")]
    found = [p for p in validate([write_coe(tmp_path, MINIMAL_COE, "2025-10-21-checkout")]).problems
             if p.rule < "COE100"]
    assert [(p.line, p.rule, p.level) for p in found] == [(11, "COE026", Level.WARNING)]


def test_markdown_links_must_stay_in_the_folder(tmp_path: Path) -> None:
    text = MINIMAL_COE.replace(
        "summary: 3% of checkout calls failed for 45 minutes.\n",
        "summary: |\n  See ![graph](graph.png) and [notes](../../secret.txt).\n"
        "  <img src=\"/etc/passwd\"> and [ok](https://example.com) [top](#impact)\n"
        "  <img src=missing.png>\n",
    )
    coe = write_coe(tmp_path, text)
    (coe.parent / "graph.png").write_bytes(b"\x89PNG\r\n\x1a\n")
    assert problems(coe) == [("coe.yaml", 10, 39, "COE027"), ("coe.yaml", 11, 13, "COE027"),
                             ("coe.yaml", 12, 12, "COE027")]


def test_missing_linked_image_and_narrative_links(tmp_path: Path) -> None:
    coe = write_coe(tmp_path, MINIMAL_COE)
    (coe.parent / "narrative.md").write_text("# Story\n\nSee ![x](missing.png).\n")
    assert problems(coe) == [("narrative.md", 3, 10, "COE027")]


def test_limits_on_tree_depth_nodes_and_timeline(tmp_path: Path) -> None:
    from coe.checks import MAX_TIMELINE, MAX_WHY_DEPTH

    def chain(depth: int) -> str:
        lines, indent = ["whys:", "  problem: p", "  causes:"], "    "
        for level in range(depth):
            lines.append(f"{indent}- id: W{level}")
            lines.append(f"{indent}  because: b")
            if level < depth - 1:
                lines.append(f"{indent}  causes:")
            indent += "    "
        return "\n".join(lines) + "\n"

    deep = write_coe(tmp_path, MINIMAL_COE + chain(MAX_WHY_DEPTH + 1), "2025-10-20-deep")
    assert [p[3] for p in problems(deep)] == ["COE028"]
    ok = write_coe(tmp_path, MINIMAL_COE + chain(MAX_WHY_DEPTH), "2025-10-20-ok")
    assert problems(ok) == []
    entries = "".join(f"  - {{at: 2025-10-20T06:48:00Z, event: e{i}}}\n" for i in range(MAX_TIMELINE + 1))
    long = write_coe(tmp_path, MINIMAL_COE.split("timeline:\n")[0] + "timeline:\n" + entries, "2025-10-20-long")
    assert problems(long) == [("coe.yaml", 17, 1, "COE028")]


def test_graph_data_row_limit(tmp_path: Path) -> None:
    from coe.checks import MAX_CSV_ROWS

    coe = write_coe(tmp_path, GRAPH)
    rows = "".join("2025-10-20T06:40:00Z,1\n" for _ in range(MAX_CSV_ROWS + 1))
    (coe.parent / "rate.csv").write_text("time,value\n" + rows)
    assert problems(coe) == [("rate.csv", MAX_CSV_ROWS + 2, 1, "COE024")]
