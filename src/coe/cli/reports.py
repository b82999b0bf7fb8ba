"""The cross-incident reports on the command line: `coe actions`, `coe stats`, `coe export`.

Each command parses its options, loads every COE of the repository (refusing to report
when any has errors), asks `corpus` for the figures and `exports` for the text. Exit
codes as for `coe validate`: 0 done, 1 some COE has errors, 2 usage errors.
"""

from __future__ import annotations

import sys
from datetime import date
from pathlib import Path

import click

from .. import exports
from ..corpus import Corpus, CorpusError, load_corpus
from ..corpus.actions import STATUSES, action_rows, filter_actions
from ..corpus.counts import compute_stats
from ..reporters import format_line
from ..repository import coes_dir, display_path
from ..times import resolve_today
from .options import COES_OPTION, DATE, today_option


def _load(folder: Path | None) -> Corpus:
    """Every COE of `folder` (default: the repository's); exits 1 listing the errors if any."""
    if folder is None:
        folder = coes_dir()
        if not folder.is_dir():
            raise click.UsageError(
                f"no COE folder {display_path(folder)}/ here; pass --coes DIR, "
                "or run `coe init` to start a COE repository"
            )
    try:
        return load_corpus(folder)
    except CorpusError as error:
        for problem in error.problems:
            click.echo(format_line(problem), err=True)
        files = len({p.path for p in error.problems})
        click.echo(f"{files} of {error.coes} COEs have errors; no report until they are "
                   "fixed (coe validate shows them too)", err=True)
        sys.exit(1)


@click.command("actions")
@click.option("--overdue", is_flag=True, help="Only items open or in progress and past due.")
@click.option("--status", "statuses", multiple=True, type=click.Choice(STATUSES),
              help="Only items with this status; repeat for several.")
@click.option("--owner", default=None, help="Only items of this owner (any case).")
@click.option("--team", default=None, help="Only items of this team (any case).")
@today_option("items are judged overdue against")
@click.option("--format", "output_format", type=click.Choice(["table", "csv", "json"]),
              default="table", show_default=True, help="Output format.")
@COES_OPTION
def actions_command(overdue: bool, statuses: tuple[str, ...], owner: str | None,
                    team: str | None, today: date | None, output_format: str,
                    coes: Path | None) -> None:
    """List the action items of every COE, with the COE each belongs to.

    Items open or in progress and due before today are flagged overdue, with the
    number of days. The table starts with the day used (`as of YYYY-MM-DD`); JSON
    and CSV carry it as `today`. Exits 1 without a report if any COE has errors.
    """
    day = resolve_today(today)
    corpus = _load(coes)
    rows = filter_actions(action_rows(corpus.coes), day, overdue=overdue,
                          statuses=statuses, owner=owner, team=team)
    formatter = {"table": exports.actions_table, "csv": exports.actions_csv,
                 "json": exports.actions_json}[output_format]
    click.echo(formatter(rows, day), nl=False)


@click.command("stats")
@click.option("--since", type=DATE, default=None,
              help="Only COEs that started on or after this day (UTC).")
@click.option("--until", type=DATE, default=None,
              help="Only COEs that started on or before this day (UTC).")
@today_option("action items are judged overdue against")
@click.option("--format", "output_format", type=click.Choice(["table", "json"]),
              default="table", show_default=True, help="Output format.")
@COES_OPTION
def stats_command(since: date | None, until: date | None, today: date | None,
                  output_format: str, coes: Path | None) -> None:
    """Count COEs and measure response times and follow-up across COEs.

    COEs by severity, month, service, scope, detection method, root-cause category
    and mitigation kind; median and 90th percentile (nearest rank) of the time to
    detect, engage, mitigate and resolve, per quarter of the start (UTC); action
    items open, done and overdue, the completion rate and the median days to close.
    """
    if since and until and since > until:
        raise click.BadParameter(f"--since {since} is after --until {until}",
                                 param_hint="--since")
    day = resolve_today(today)
    corpus = _load(coes)
    stats = compute_stats(corpus.coes, day, since, until)
    formatter = exports.stats_json if output_format == "json" else exports.stats_table
    click.echo(formatter(stats), nl=False)


@click.command("export")
@click.option("--format", "output_format", type=click.Choice(["json", "csv"]),
              default="json", show_default=True,
              help="json: every COE with derived figures; csv: one row per action item.")
@click.option("-o", "--output", type=click.Path(dir_okay=False, writable=True, path_type=Path),
              default=None, help="Write to this file (UTF-8) instead of standard output.")
@today_option("overdue items are counted against")
@COES_OPTION
def export_command(output_format: str, output: Path | None, today: date | None,
                   coes: Path | None) -> None:
    """Export every COE for other tools, as JSON or as CSV of action items.

    JSON: {"generated", "today", "coes"}, each COE with its fields as written, its
    times in UTC and derived figures (times to detect, engage, mitigate and resolve
    in minutes; open and overdue action items). CSV: one row per action item.
    """
    day = resolve_today(today)
    corpus = _load(coes)
    writer = exports.export_csv if output_format == "csv" else exports.export_json
    text = writer(corpus.coes, day)
    if output is None:
        click.echo(text, nl=False)
        return
    output.parent.mkdir(parents=True, exist_ok=True)
    with open(output, "w", encoding="utf-8", newline="") as stream:
        stream.write(text)
    click.echo(f"wrote {display_path(output)} ({len(corpus.coes)} COEs, as of {day})", err=True)
