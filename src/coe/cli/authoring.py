"""`coe new` and `coe init`: a new draft COE, a new COE repository."""

from __future__ import annotations

import sys
from datetime import date
from pathlib import Path

import click

from ..authoring import NewCoe, create_coe, init_repository
from ..reporters import format_line
from ..repository import coes_dir, display_path
from ..validate import check_file
from .options import DATE


@click.command("new")
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


@click.command("init")
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
