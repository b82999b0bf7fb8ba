"""The `coe` command: parse arguments, call the library, pick a reporter, set the exit code.

Exit codes: 0 success, 1 problems found (or a build failed), 2 usage errors.
Each module here holds a group of commands as plain functions; this one gathers them.
"""

from __future__ import annotations

import click

from .. import __version__
from .authoring import init_command, new_command
from .reports import actions_command, export_command, stats_command
from .site import build_command, check_site_command, serve_command
from .validate import summary_command, validate_command


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="coe")
def main() -> None:
    """Write, review and publish incident postmortems (COEs) kept as YAML in git."""


for command in (validate_command, summary_command, new_command, init_command, build_command,
                serve_command, check_site_command, actions_command, stats_command, export_command):
    main.add_command(command)
