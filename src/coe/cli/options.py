"""What several commands of `coe` share: the date type and the common options."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import click


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


CONFIG_OPTION = click.option(
    "-f", "--config-file", type=click.Path(dir_okay=False, path_type=Path),
    default=Path("mkdocs.yml"), show_default=True, help="The site's mkdocs configuration.")


COES_OPTION = click.option(
    "--coes", "coes", type=click.Path(exists=True, file_okay=False, path_type=Path),
    default=None, help="The folder of COEs (default: coes_dir of mkdocs.yml, else ./coes).")


def today_option(what: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """`--today`: the day `what`, by default the one SOURCE_DATE_EPOCH names (else the clock)."""
    return click.option(
        "--today", type=DATE, default=None,
        help=f"The day {what} (default: SOURCE_DATE_EPOCH, else the clock).")
