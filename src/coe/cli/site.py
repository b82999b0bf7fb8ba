"""`coe build`, `coe serve` and `coe check-site`: the site, through mkdocs (imported only
when they run)."""

from __future__ import annotations

import sys
import time
from datetime import date
from pathlib import Path

import click

from ..repository import coes_dir, display_path, find_coe_files
from ..words import plural
from .options import CONFIG_OPTION, today_option


def _progress_printer() -> object:
    """A one-line page counter on stderr, shown only on a terminal and on long builds."""
    if not sys.stderr.isatty():
        return None
    started = time.monotonic()

    def show(done: int, total: int) -> None:
        if time.monotonic() - started > 1.0:
            click.echo(f"\rwriting pages {done}/{max(done, total)}", err=True, nl=False)

    return show


@click.command("build")
@CONFIG_OPTION
@click.option("--strict", is_flag=True, help="Fail on warnings, COE review warnings included.")
@today_option("overdue action items are judged against")
@click.option("--site-dir", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Where to write the site (default: site_dir of mkdocs.yml, site/).")
def build_command(config_file: Path, strict: bool, today: date | None, site_dir: Path | None) -> None:
    """Validate the COEs and build the site.

    The site is built aside and swapped in only when the build succeeds, so a failed
    build leaves the previous site as it was.
    """
    from ..plugin import BuildFailed, build_site

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


@click.command("check-site")
@click.argument("site_dir", type=click.Path(file_okay=False, path_type=Path), default="site")
@click.option("--coes", "coes", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="The repository's COE folder (default: coes_dir of mkdocs.yml, else ./coes).")
def check_site_command(site_dir: Path, coes: Path | None) -> None:
    """Check that a built site (default: site/) holds a page for every COE.

    Whichever builder made it: one that skips the coe plugin still says it succeeded.
    Exits 1 with one line saying what is missing.
    """
    from ..site.marker import SiteCheckError, check_site

    folder = coes or coes_dir()
    try:
        count = check_site(site_dir, len(find_coe_files(folder)) if folder.is_dir() else None)
    except SiteCheckError as error:
        click.echo(f"check-site: {error}", err=True)
        sys.exit(1)
    click.echo(f"{display_path(site_dir)}/ holds the pages of {plural(count, 'COE')}")


@click.command("serve")
@CONFIG_OPTION
@click.option("-a", "--dev-addr", metavar="HOST:PORT", default=None,
              help="Address to serve on (default: 127.0.0.1:8000).")
def serve_command(config_file: Path, dev_addr: str | None) -> None:
    """Preview the site at http://127.0.0.1:8000/, rebuilding when a COE changes."""
    from ..plugin import serve_site

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
