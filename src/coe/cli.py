"""The `coe` command: parse arguments, call the library, pick a reporter, set the exit code.

Exit codes: 0 success, 1 problems found (or a build failed), 2 usage errors.
"""

from __future__ import annotations

import os
import sys
import time
from datetime import date
from pathlib import Path

import click

from . import __version__
from .authoring import NewCoe, create_coe, init_repository
from .problems import Level
from .reporters import REPORTERS, format_line
from .repository import GitError, changed_coes, coes_dir, display_path, plugin_config
from .review import ReviewSettings, SettingsError, settings_from_config
from .times import resolve_today
from .memo import carry_over, load_memo, memo_path, save_memo
from .validate import check_file, validate


class DateType(click.ParamType):
    """A YYYY-MM-DD date option."""

    name = "YYYY-MM-DD"

    def convert(self, value: object, param: click.Parameter | None, ctx: click.Context | None) -> date:
        if isinstance(value, date):
            return value
        try:
            return date.fromisoformat(str(value))
        except ValueError:
            self.fail(f"{value!r} is not a date written YYYY-MM-DD", param, ctx)


DATE = DateType()


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="coe")
def main() -> None:
    """Write, review and publish incident postmortems (COEs) kept as YAML in git."""


def review_settings(today: date) -> ReviewSettings:
    """The review rules' settings from mkdocs.yml here; a usage error when not understood."""
    try:
        return settings_from_config(plugin_config(Path.cwd()).get("rules"), today)
    except SettingsError as error:
        raise click.UsageError(f"mkdocs.yml, coe plugin: {error}") from None


@main.command("validate")
@click.argument("paths", nargs=-1, type=click.Path(exists=True, path_type=Path))
@click.option("--format", "output_format", type=click.Choice(list(REPORTERS)), default=None,
              help="Output format. Default: text, or github when GITHUB_ACTIONS=true.")
@click.option("--strict", is_flag=True, help="Fail on warnings as well as errors.")
@click.option("--today", type=DATE, default=None,
              help="The day overdue action items are judged against "
                   "(default: SOURCE_DATE_EPOCH, else the clock).")
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
            click.echo(f"note: {name} changed since {changed_since} but lies in no COE folder "
                       "(no coe.yaml beside it or above it); not validated", err=True)
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


@main.command("summary")
@click.argument("path", type=click.Path(exists=True, path_type=Path))
@click.option("--today", type=DATE, default=None,
              help="The day overdue action items are judged against.")
def summary_command(path: Path, today: date | None) -> None:
    """Print a Markdown summary of one COE for a pull-request comment.

    PATH is a COE folder or its coe.yaml. The summary has the title, severity, derived
    times, the why-tree as a nested list, the action items and the review findings.
    """
    from .render.summary import summary_markdown

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


@main.command("new")
@click.argument("title")
@click.option("--service", "services", multiple=True, metavar="S",
              help="An affected service; repeat for several.")
@click.option("--severity", type=click.IntRange(1, 5), default=3, show_default=True,
              help="1 is the most severe.")
@click.option("--date", "day", type=DATE, default=None,
              help="The day impact began (default: today); names the folder.")
def new_command(title: str, services: tuple[str, ...], severity: int, day: date | None) -> None:
    """Start a new draft COE titled TITLE in the repository's COE folder.

    Writes coes/<date>-<slug>/coe.yaml with the next free id and every required field,
    each with a short prompt, validates it and prints its path.
    """
    title = title.strip()
    if not title or "\n" in title or len(title) > 120:
        raise click.BadParameter("a title is one line of 1 to 120 characters", param_hint="TITLE")
    folder = coes_dir()
    path = create_coe(folder, Path.cwd(), NewCoe(title, services, severity, day or date.today()))
    checked = check_file(path)
    for problem in checked.problems:
        click.echo(format_line(problem), err=True)
    click.echo(display_path(path))
    sys.exit(0 if checked.valid else 1)


@main.command("init")
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path), default=".")
def init_command(directory: Path) -> None:
    """Make DIRECTORY (default: here) a COE repository.

    Writes mkdocs.yml set up for the tool, coes/ with one example COE, the schema for
    editors and .gitignore. Existing files are never overwritten.
    """
    directory.mkdir(parents=True, exist_ok=True)
    for path, written in init_repository(directory):
        shown = display_path(path)
        click.echo(f"wrote {shown}" if written else f"kept  {shown} (exists)")
    click.echo("next: coe new \"What happened\" --service your-service")


CONFIG_OPTION = click.option(
    "-f", "--config-file", type=click.Path(dir_okay=False, path_type=Path),
    default=Path("mkdocs.yml"), show_default=True, help="The site's mkdocs configuration.")


def _progress_printer() -> object:
    """A one-line page counter on stderr, shown only on a terminal and on long builds."""
    if not sys.stderr.isatty():
        return None
    started = time.monotonic()

    def show(done: int, total: int) -> None:
        if time.monotonic() - started > 1.0:
            click.echo(f"\rwriting pages {done}/{max(done, total)}", err=True, nl=False)

    return show


@main.command("build")
@CONFIG_OPTION
@click.option("--strict", is_flag=True, help="Fail on warnings, COE review warnings included.")
@click.option("--today", type=DATE, default=None,
              help="The day overdue action items are judged against "
                   "(default: SOURCE_DATE_EPOCH, else the clock).")
@click.option("--site-dir", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Where to write the site (default: site_dir of mkdocs.yml, site/).")
def build_command(config_file: Path, strict: bool, today: date | None, site_dir: Path | None) -> None:
    """Validate the COEs and build the site.

    The site is built aside and swapped in only when the build succeeds, so a failed
    build leaves the previous site as it was.
    """
    from .plugin import BuildFailed, build_site

    if not config_file.is_file():
        raise click.UsageError(f"no {config_file} here; run `coe init` to start a COE repository")
    fatal = _log_to_terminal()
    started = time.monotonic()
    progress = _progress_printer()
    try:
        final, plan = build_site(config_file, site_dir, strict,
                                 today.isoformat() if today else None, progress)
    except BuildFailed as error:
        if progress:
            click.echo("", err=True)
        reason = fatal[-1] if fatal else str(error)
        click.echo(f"build failed: {reason}; the previous site was left as it was", err=True)
        sys.exit(1)
    if progress:
        click.echo("", err=True)
    warnings = len(plan.problems) - len(plan.errors)
    if warnings:
        click.echo(f"{warnings} review warnings in COEs; `coe validate` lists them", err=True)
    reports = len(plan.pages) - plan.coe_count
    click.echo(f"{plan.coe_count} COEs, {reports} reports -> {display_path(final)}/ "
               f"in {time.monotonic() - started:.1f} s")


@main.command("serve")
@CONFIG_OPTION
@click.option("-a", "--dev-addr", metavar="HOST:PORT", default=None,
              help="Address to serve on (default: 127.0.0.1:8000).")
def serve_command(config_file: Path, dev_addr: str | None) -> None:
    """Preview the site at http://127.0.0.1:8000/, rebuilding when a COE changes."""
    from .plugin import serve_site

    if not config_file.is_file():
        raise click.UsageError(f"no {config_file} here; run `coe init` to start a COE repository")
    _log_to_terminal()
    click.echo(f"serving on http://{dev_addr or '127.0.0.1:8000'}/ ; editing a COE rebuilds "
               "the preview (Ctrl-C to stop)", err=True)
    serve_site(config_file, dev_addr)


def _log_to_terminal() -> list[str]:
    """mkdocs' warnings and errors on stderr, COE problems exactly as `coe validate` prints them.

    The error that aborts a build is kept, not printed: the caller says it once, with
    what happened to the site. Returns the list it is kept in.
    """
    import logging

    fatal: list[str] = []

    class Handler(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            message = record.getMessage()
            if record.name == "mkdocs.commands.build" and record.levelno >= logging.ERROR:
                fatal.append(message.removeprefix("coe: "))
            elif record.name.startswith("mkdocs.plugins.coe"):
                click.echo(message.removeprefix("coe: "), err=True)
            else:
                click.echo(f"{record.levelname}: {message}", err=True)

    logger = logging.getLogger("mkdocs")
    logger.handlers[:] = [Handler(logging.WARNING)]
    logger.setLevel(logging.WARNING)
    logger.propagate = False
    return fatal


from .cli_reports import register_reports  # noqa: E402
register_reports(main)
