"""The `coe` command as users run it: help, `coe validate` (formats, exit codes), summary."""

from __future__ import annotations

import json
import re
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from coe.cli import main
from coe.reporters import escape_data, escape_property

from .conftest import EXAMPLES, MINIMAL_COE, ROOT, write_coe

BROKEN = MINIMAL_COE.replace("severity: 3", "severity: high").replace("  detected:", "  detectd:")


def run(*args: str, env: dict[str, str] | None = None):
    return CliRunner().invoke(main, list(args), env=env, catch_exceptions=False)


def test_every_command_has_help() -> None:
    def commands(group: click.Group, prefix: tuple[str, ...] = ()):
        for name, command in group.commands.items():
            yield prefix + (name,), command
            if isinstance(command, click.Group):
                yield from commands(command, prefix + (name,))

    assert run("--help").exit_code == 0
    for path, command in commands(main):
        result = run(*path, "--help")
        assert result.exit_code == 0, path
        assert command.help and len(command.help) > 20, path
        assert "Usage:" in result.output


def test_validate_defaults_to_the_repository_coes(in_tmp: Path) -> None:
    write_coe(in_tmp / "coes")
    result = run("validate")
    assert result.exit_code == 0
    assert result.output == "no problems in 1 COE\n"


def test_validate_reads_coes_dir_from_mkdocs_yml(in_tmp: Path) -> None:
    (in_tmp / "mkdocs.yml").write_text(
        "site_name: x\nmarkdown_extensions:\n  - pymdownx.emoji:\n"
        "      emoji_index: !!python/name:material.extensions.emoji.twemoji\n"
        "plugins:\n  - search\n  - coe:\n      coes_dir: incidents\n"
    )
    write_coe(in_tmp / "incidents", BROKEN)
    result = run("validate")
    assert result.exit_code == 1
    assert "incidents/2025-10-20-checkout/coe.yaml:5:11: error COE012" in result.output


def test_validate_without_coes_folder_is_a_usage_error(in_tmp: Path) -> None:
    result = run("validate")
    assert result.exit_code == 2
    assert "coe init" in result.output


def test_validate_unknown_path_is_a_usage_error(in_tmp: Path) -> None:
    assert run("validate", "nowhere").exit_code == 2


def test_text_format_lines_are_sorted_then_summarised(in_tmp: Path) -> None:
    write_coe(in_tmp / "coes", BROKEN)
    write_coe(in_tmp / "coes", MINIMAL_COE.replace("COE-1", "COE-2"), "2025-10-20-ok")
    result = run("validate")
    assert result.exit_code == 1
    assert result.output.splitlines() == [
        "coes/2025-10-20-checkout/coe.yaml:5:11: error COE012 "
        'severity must be an integer from 1 to 5, got "high"',
        "coes/2025-10-20-checkout/coe.yaml:10:1: error COE011 "
        'missing field "detected" in times, required in every COE',
        "coes/2025-10-20-checkout/coe.yaml:12:3: error COE010 "
        'unknown field "detectd" in times; did you mean "detected"?',
        "3 errors, 0 warnings in 2 COEs",
    ]


def test_parsable_format_keeps_stdout_to_problem_lines(in_tmp: Path) -> None:
    write_coe(in_tmp / "coes", BROKEN)
    result = CliRunner().invoke(main, ["validate", "--format", "parsable"])
    lines = result.stdout.splitlines()
    assert len(lines) == 3
    assert all(re.match(r"^[^:]+:\d+:\d+: (error|warning) COE\d{3} .+", line) for line in lines)
    assert "3 errors, 0 warnings in 1 COE" in result.stderr


def test_json_format(in_tmp: Path) -> None:
    write_coe(in_tmp / "coes", BROKEN)
    result = CliRunner().invoke(main, ["validate", "--format", "json"])
    assert result.exit_code == 1
    document = json.loads(result.stdout)
    assert document["status"] == "fail"
    assert document["problems"][0] == {
        "path": "coes/2025-10-20-checkout/coe.yaml", "line": 5, "column": 11,
        "level": "error", "rule": "COE012",
        "message": 'severity must be an integer from 1 to 5, got "high"',
    }
    assert result.stderr == ""


def test_json_format_ok(in_tmp: Path) -> None:
    write_coe(in_tmp / "coes")
    result = run("validate", "--format", "json")
    assert json.loads(result.output) == {"status": "ok", "problems": []}


def test_github_format_is_chosen_in_actions_and_writes_step_summary(in_tmp: Path) -> None:
    write_coe(in_tmp / "coes", BROKEN)
    summary = in_tmp / "summary.md"
    result = run("validate", env={"GITHUB_ACTIONS": "true", "GITHUB_STEP_SUMMARY": str(summary)})
    assert result.exit_code == 1
    assert result.output.splitlines()[0] == (
        "::error file=coes/2025-10-20-checkout/coe.yaml,line=5,col=11,title=COE012::"
        'severity must be an integer from 1 to 5, got "high"'
    )
    table = summary.read_text()
    assert "| File | Line | Level | Rule | Message |" in table
    assert table.count("| `coes/2025-10-20-checkout/coe.yaml` |") == 3


def test_github_escaping_follows_the_actions_toolkit() -> None:
    assert escape_data("50% done\r\nnext") == "50%25 done%0D%0Anext"
    assert escape_property("a:b,c%d\ne") == "a%3Ab%2Cc%25d%0Ae"


def test_github_escapes_hostile_paths_and_messages(in_tmp: Path) -> None:
    write_coe(in_tmp / "coes", BROKEN.replace("severity: high", 'severity: "1,5: 100%"'),
              "2025-10-20-a,b:c")
    result = run("validate", "--format", "github")
    lines = [line for line in result.output.splitlines() if line.startswith("::error")]
    # The folder's name is refused (COE029) as well as the value; both lines are escaped.
    assert lines[0].startswith("::error file=coes/2025-10-20-a%2Cb%3Ac/coe.yaml,line=1,col=1,title=COE029::")
    wrong = next(line for line in lines if "title=COE012" in line)
    assert wrong.startswith("::error file=coes/2025-10-20-a%2Cb%3Ac/coe.yaml,line=5,col=11,")
    assert wrong.endswith('got "1,5: 100%25"')


def test_strict_fails_on_warnings(in_tmp: Path) -> None:
    write_coe(in_tmp / "coes", MINIMAL_COE, "badly-named-folder")
    assert run("validate").exit_code == 0
    result = run("validate", "--strict")
    assert result.exit_code == 1
    assert "warning COE026" in result.output


def test_today_must_be_a_date(in_tmp: Path) -> None:
    write_coe(in_tmp / "coes")
    assert run("validate", "--today", "2026-11-27").exit_code == 0
    result = run("validate", "--today", "2026-02-30")
    assert result.exit_code == 2
    assert "YYYY-MM-DD" in result.output


def test_validate_a_single_file_still_sees_the_repository_ids(in_tmp: Path) -> None:
    write_coe(in_tmp / "coes", MINIMAL_COE, "2025-10-20-first")
    second = write_coe(in_tmp / "coes", MINIMAL_COE, "2025-10-20-second")
    result = run("validate", str(second))
    assert result.exit_code == 1
    assert result.output.startswith(
        "coes/2025-10-20-second/coe.yaml:2:5: error COE022 id COE-1 is also used by "
        "coes/2025-10-20-first/coe.yaml"
    )
    assert "in 1 COE" in result.output


def test_no_traceback_for_any_invalid_example(in_tmp: Path) -> None:
    result = CliRunner().invoke(main, ["validate", str(EXAMPLES / "invalid")])
    assert result.exit_code == 1
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert "Traceback" not in result.output


def test_repository_examples_validate_from_the_repository_root(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    result = run("validate", "--today", "2026-11-27")
    assert result.exit_code == 0, result.output


def git(cwd: Path, *args: str) -> None:
    import subprocess

    subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@example.com", *args],
                   cwd=cwd, check=True, capture_output=True)


def test_changed_since_checks_only_changed_coes_but_sees_all_ids(in_tmp: Path) -> None:
    write_coe(in_tmp / "coes", MINIMAL_COE, "2025-10-20-old")
    git(in_tmp, "init", "-q")
    git(in_tmp, "add", ".")
    git(in_tmp, "commit", "-q", "-m", "first")
    write_coe(in_tmp / "coes", MINIMAL_COE.replace("Checkout API", "Cart API"), "2025-10-20-new")
    result = run("validate", "--changed-since", "HEAD")
    assert result.exit_code == 1
    assert result.output.splitlines() == [
        "coes/2025-10-20-new/coe.yaml:2:5: error COE022 id COE-1 is also used by "
        "coes/2025-10-20-old/coe.yaml; COE ids are unique across the repository "
        "(`coe new` picks a free one)",
        "1 error, 0 warnings in 1 COE",
    ]
    git(in_tmp, "add", ".")
    git(in_tmp, "commit", "-q", "-m", "second")
    assert run("validate", "--changed-since", "HEAD").output == "no problems in 0 COEs\n"


def test_changed_since_a_bad_ref_is_a_usage_error(in_tmp: Path) -> None:
    write_coe(in_tmp / "coes")
    git(in_tmp, "init", "-q")
    assert run("validate", "--changed-since", "no-such-ref").exit_code == 2


def test_summary_is_markdown_for_a_pull_request(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    result = run("summary", "coes/2026-11-18-checkout-coupon-cache-stampede", "--today", "2026-11-27")
    assert result.exit_code == 0
    text = result.output
    assert text.startswith("## COE-1011: ")
    assert "| time to detect | time to engage | time to mitigate | time to resolve |" in text
    assert "\n- `W1` " in text and "\n  - `W1.1` " in text
    assert "### Action items" in text
    assert "### Review findings (1)\n\n- `COE102` line 88: why-node W1.2 is a leaf" in text


def test_no_author_text_starts_a_line_of_its_own(in_tmp: Path) -> None:
    # A quoted key with line breaks, and a folder named with one: in a CI log, a line
    # starting with "::" is a workflow command.
    forged = "\\n::set-output name=approved::true\\n::error file=x::fine"
    write_coe(in_tmp / "coes", MINIMAL_COE + f'"{forged}": 1\n', "2025-10-20-a\n::stop-commands::x")
    for output_format in ("text", "parsable"):
        result = run("validate", "--no-cache", "--format", output_format)
        assert result.exit_code == 1
        lines = result.output.splitlines()
        assert len(lines) >= 2 and not any(line.startswith("::") for line in lines), lines
        assert any("COE010" in line and "\\n::set-output name=approved::true" in line for line in lines)
        assert any("COE029" in line and line.startswith("coes/2025-10-20-a\\n::stop-commands") for line in lines)
