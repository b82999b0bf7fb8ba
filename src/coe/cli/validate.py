"""`coe validate` and `coe summary`: the COEs checked, as problem lines or a PR comment."""

from __future__ import annotations

import os
import sys
from datetime import date
from pathlib import Path

import click

from ..memo import carry_over, load_memo, memo_path, save_memo
from ..problems import Level
from ..reporters import REPORTERS, format_line
from ..repository import GitError, changed_coes, coes_dir, display_path, plugin_config
from ..review import ReviewSettings, SettingsError, settings_from_config
from ..times import resolve_today
from ..validate import validate
from ..words import one_line
from .options import DATE, today_option


def review_settings(today: date) -> ReviewSettings:
    """The review rules' settings from mkdocs.yml here; a usage error when not understood."""
    try:
        return settings_from_config(plugin_config(Path.cwd()).get("rules"), today)
    except SettingsError as error:
        raise click.UsageError(f"mkdocs.yml, coe plugin: {error}") from None


@click.command("validate")
@click.argument("paths", nargs=-1, type=click.Path(exists=True, path_type=Path))
@click.option("--format", "output_format", type=click.Choice(list(REPORTERS)), default=None,
              help="Output format. Default: text, or github when GITHUB_ACTIONS=true.")
@click.option("--strict", is_flag=True, help="Fail on warnings as well as errors.")
@today_option("overdue action items are judged against")
@click.option("--changed-since", metavar="REF", default=None,
              help="Check only the COEs changed since git REF (commits, uncommitted and new "
                   "files); cross-COE checks still see all of them.")
@click.option("--no-cache", is_flag=True,
              help="Read every file again rather than reuse the results of files unchanged "
                   "since the last run (kept in $XDG_CACHE_HOME/coe-tool, else ~/.cache).")
def validate_command(paths: tuple[Path, ...], output_format: str | None, strict: bool,
                     today: date | None, changed_since: str | None, no_cache: bool) -> None:
    """Check COEs against the format and the review rules.

    PATHS are COE folders, coe.yaml files or folders of COEs; the default is the
    repository's COE folder (coes_dir in mkdocs.yml, else ./coes). Exits 0 when there
    are no errors, 1 when there are (or warnings under --strict), 2 on usage errors.
    A file is read again only when it, its narrative.md, graph data or linked files,
    the rules' settings, today or the tool changed since the last run here.
    """
    repository_coes = coes_dir()
    if not paths:
        if not repository_coes.is_dir():
            raise click.UsageError(
                f"no COE folder {display_path(repository_coes)}/ here; "
                "pass a path, or run `coe init` to start a COE repository"
            )
        paths = (repository_coes,)
    if changed_since:
        try:
            changed, strays = changed_coes(changed_since, [Path(p) for p in paths])
        except GitError as error:
            raise click.UsageError(str(error)) from None
        for name in strays:
            click.echo(f"note: {one_line(name)} changed since {one_line(changed_since)} but lies "
                       "in no COE folder (no coe.yaml beside it or above it); not validated",
                       err=True)
        paths = tuple(changed)
    context = [repository_coes] if repository_coes.is_dir() else []
    settings = review_settings(resolve_today(today))
    memo_file = None if no_cache else memo_path(Path.cwd())
    memo = load_memo(memo_file, settings) if memo_file else None
    earlier = dict(memo.entries) if memo else {}
    report = validate(list(paths), context, settings, memo=memo)
    if memo is not None and memo_file is not None:
        carry_over(memo, earlier)
        save_memo(memo, memo_file, settings)
    if output_format is None:
        output_format = "github" if os.environ.get("GITHUB_ACTIONS") == "true" else "text"
    failed = report.count(Level.ERROR) > 0 or (strict and report.count(Level.WARNING) > 0)
    REPORTERS[output_format](report, failed, sys.stdout)
    sys.exit(1 if failed else 0)


@click.command("summary")
@click.argument("path", type=click.Path(exists=True, path_type=Path))
@click.option("--today", type=DATE, default=None,
              help="The day overdue action items are judged against.")
def summary_command(path: Path, today: date | None) -> None:
    """Print a Markdown summary of one COE for a pull-request comment.

    PATH is a COE folder or its coe.yaml. The summary has the title, severity, derived
    times, the why-tree as a nested list, the action items and the review findings.
    """
    from ..render.summary import summary_markdown

    day = resolve_today(today)
    repository_coes = coes_dir()
    report = validate([path], [repository_coes] if repository_coes.is_dir() else [],
                      review_settings(day), keep_models=True)
    if len(report.checked) != 1:
        raise click.UsageError(f"{path} holds {len(report.checked)} COEs; give one COE folder")
    checked = report.checked[0]
    if not checked.valid or checked.model is None:
        for problem in checked.problems:
            click.echo(format_line(problem), err=True)
        sys.exit(1)
    click.echo(summary_markdown(checked.model, day, checked.problems), nl=False)
