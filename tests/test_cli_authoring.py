"""`coe new` and `coe init` as users run them: new drafts, new repositories."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from coe.cli import main

from .conftest import MINIMAL_COE, ROOT, write_coe


def run(*args: str, env: dict[str, str] | None = None):
    return CliRunner().invoke(main, list(args), env=env, catch_exceptions=False)


def test_new_writes_a_valid_draft_with_the_next_id(in_tmp: Path) -> None:
    write_coe(in_tmp / "coes", MINIMAL_COE.replace("COE-1", "COE-41"))
    result = run("new", "Payments failed in eu-west-1", "--service", "payments",
                 "--service", "ledger", "--severity", "2", "--date", "2026-11-27")
    assert result.exit_code == 0, result.output
    path = in_tmp / "coes/2026-11-27-payments-failed-in-eu-west-1/coe.yaml"
    assert result.stdout == "coes/2026-11-27-payments-failed-in-eu-west-1/coe.yaml\n"
    text = path.read_text()
    assert "id: COE-42\n" in text
    assert "status: draft" in text
    assert 'scope: multi-service' in text
    assert '  - "payments"\n  - "ledger"' in text
    assert run("validate").exit_code == 0


def test_new_with_a_chinese_title_gives_a_readable_slug(in_tmp: Path) -> None:
    result = run("new", "支付网关连接池耗尽", "--date", "2026-11-27")
    assert result.exit_code == 0
    assert result.stdout.strip() == "coes/2026-11-27-支付网关连接池耗尽/coe.yaml"
    assert 'title: "支付网关连接池耗尽"' in (in_tmp / result.stdout.strip()).read_text()


def test_new_never_reuses_a_folder(in_tmp: Path) -> None:
    first = run("new", "Same title", "--date", "2026-11-27").stdout.strip()
    second = run("new", "Same title", "--date", "2026-11-27").stdout.strip()
    assert first != second and second.endswith("same-title-2/coe.yaml")
    assert "id: COE-2" in (in_tmp / second).read_text()


def test_new_quotes_titles_that_yaml_would_change(in_tmp: Path) -> None:
    result = run("new", 'yes: "quoted" #1 {x}', "--date", "2026-11-27")
    assert result.exit_code == 0
    from coe.sources import read_source

    assert read_source(in_tmp / result.stdout.strip()).data["title"] == 'yes: "quoted" #1 {x}'


def test_new_refuses_a_multiline_title(in_tmp: Path) -> None:
    assert run("new", "two\nlines").exit_code == 2


def test_init_sets_up_a_repository_and_never_overwrites(in_tmp: Path) -> None:
    (in_tmp / "team").mkdir()
    (in_tmp / "team/mkdocs.yml").write_text("site_name: ours\n")
    result = run("init", "team")
    assert result.exit_code == 0
    assert "kept  team/mkdocs.yml (exists)" in result.output
    assert (in_tmp / "team/mkdocs.yml").read_text() == "site_name: ours\n"
    assert (in_tmp / "team/.gitignore").read_text().count("site/") == 1
    assert (in_tmp / "team/docs").is_dir()
    example = next((in_tmp / "team/coes").glob("*/coe.yaml"))
    assert example.read_text().startswith(
        "# yaml-language-server: $schema=../../schema/coe.schema.json\n")
    again = run("init", "team")
    assert "wrote" not in again.output
    assert run("validate", "team/coes").exit_code == 0


def test_init_writes_a_mkdocs_yml_the_tool_reads(in_tmp: Path) -> None:
    run("init")
    assert "coe:" in (in_tmp / "mkdocs.yml").read_text()
    assert run("validate").exit_code == 0


def test_init_writes_pre_commit_and_workflow(in_tmp: Path) -> None:
    run("init")
    hooks = (in_tmp / ".pre-commit-config.yaml").read_text()
    assert "entry: coe validate" in hooks
    workflow = (in_tmp / ".github/workflows/coe.yml").read_text()
    assert "pip install coe-tool" in workflow and "coe validate --changed-since" in workflow
    assert "coe build --strict" in workflow


def test_this_repository_uses_the_workflow_coe_init_writes() -> None:
    template = (ROOT / "templates/workflow-coe.yml").read_text()
    ours = (ROOT / ".github/workflows/coe.yml").read_text()
    body = lambda text: text[text.index("name: COEs"):]  # noqa: E731
    assert body(ours) == body(template).replace("${COE_TOOL}", ".")
    import yaml

    hooks = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())
    assert hooks[0]["id"] == "coe-validate" and hooks[0]["entry"] == "coe validate"
