"""What the commands share: exit codes, the one-line error, and the --as-of / --config /
--schemas options (kept apart so that ``cli.py`` stays a readable list of commands)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from sheetsync.errors import SheetsyncError

if TYPE_CHECKING:
    from sheetsync.results import Settings

EXIT_OK, EXIT_FINDINGS, EXIT_USAGE, EXIT_BUSY = 0, 1, 2, 3


class CliError(click.ClickException):
    """A SheetsyncError (bad schema or config file) shown in one line, exit 2."""

    exit_code = EXIT_USAGE


def load_settings(**where: Any) -> Settings:
    """``Settings.load(**where)``, a mistake in the config or schema files a one-line error."""
    from sheetsync.results import Settings  # (keeps --help fast)

    try:
        return Settings.load(**where)
    except SheetsyncError as exc:
        raise CliError(str(exc)) from exc


def parse_as_of(ctx: click.Context, param: click.Parameter, value: str | None) -> dt.date | None:
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"{value!r} is not a date written YYYY-MM-DD") from None


def settings_options(command: click.decorators.FC) -> click.decorators.FC:
    """--as-of, --config and --schemas, shared by the commands that check workbooks."""
    command = click.option("--schemas", "schemas_dir", type=click.Path(
        exists=True, file_okay=False, path_type=Path),
        help="Folder of schema files to use instead of the built-in ones.")(command)
    command = click.option("--config", "config_file", type=click.Path(
        exists=True, dir_okay=False, path_type=Path),
        help="Organisation settings file (matrix, bands, vocabularies, header names).")(command)
    command = click.option("--as-of", callback=parse_as_of, metavar="YYYY-MM-DD",
                           help="The date every date rule treats as today (default: today).")(command)
    return command

def echo_warnings(warnings: list[dict[str, Any]]) -> None:
    """Outputs left as they were (open in Excel), and the like: after the totals."""
    for warning in warnings:
        click.echo(f"Warning: {warning['message']}")
