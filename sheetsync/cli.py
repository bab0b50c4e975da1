"""The command line: a thin layer over the library (parse, call, print, exit)."""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import sys
from pathlib import Path

import click

from sheetsync import __version__
from sheetsync.cli_options import (
    EXIT_FINDINGS,
    EXIT_OK,
    EXIT_USAGE,
    CliError,
    echo_warnings,
    load_settings,
    settings_options,
)
from sheetsync.cli_options import parse_as_of as _as_of
from sheetsync.errors import SheetsyncError


@click.group()
@click.version_option(__version__, prog_name="sheetsync")
def cli() -> None:
    """Check the risk registers, issues logs, KPI sheets, action plans and financial tables kept
    in Excel; annotate copies of them; write quarterly summaries and templates."""


@cli.command()
@click.argument("paths", nargs=-1, required=True,
                type=click.Path(exists=True, path_type=Path))
@click.option("--out", "out_dir", required=True, type=click.Path(file_okay=False, path_type=Path),
              help="Folder for the annotated copies, exception reports and records.")
@click.option("--fail-on", type=click.Choice(["error", "warning", "never"]), default="error",
              show_default=True, help="Exit 1 when findings of this severity (or worse) are found.")
@settings_options
def validate(paths: tuple[Path, ...], out_dir: Path, fail_on: str, as_of: dt.date | None,
             config_file: Path | None, schemas_dir: Path | None) -> None:
    """Validate workbooks (files or folders) and write annotated copies and reports to --out.

    \b
    Example:
        sheetsync validate "Risk registers/" --out checked --as-of 2023-03-31
    """
    # NOTE: loaded on first use (--help stays fast), as sheetsync's exports are: quietly
    from sheetsync import validate_paths, write_reports
    from sheetsync.report.reports import summary_lines

    settings = load_settings(as_of=as_of, config_file=config_file, schemas_dir=schemas_dir)
    run = validate_paths(list(paths), out_dir, settings)
    write_reports(run)
    for line in summary_lines(run):
        click.echo(line)
    echo_warnings(run.all_warnings())
    click.echo(f"Outputs in {out_dir}: annotated/, exceptions.xlsx, exceptions.csv, "
               "exceptions.json, records/")
    sys.exit(EXIT_FINDINGS if run.failed(fail_on) else EXIT_OK)


@cli.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path))
@settings_options
def inspect(paths: tuple[Path, ...], as_of: dt.date | None, config_file: Path | None,
            schemas_dir: Path | None) -> None:
    """Say what sheetsync takes each sheet for: kind and why, header rows, each column's
    meaning, the scale used, the entries; for a sheet it skips, the nearest header row and
    what it lacks. Writes nothing.

    \b
    Example:
        sheetsync inspect "Risk registers/" --config settings.yaml
    """
    from sheetsync import validate_paths  # (loaded on first use: --help stays fast)
    from sheetsync.report.inspect import inspect_run, render

    settings = load_settings(as_of=as_of, config_file=config_file, schemas_dir=schemas_dir)
    click.echo(render(inspect_run(validate_paths(list(paths), None, settings))), nl=False)


@cli.command()
@click.argument("directory", required=False, default="sheetsync-demo",
                type=click.Path(file_okay=False, path_type=Path))
@click.option("--as-of", callback=_as_of, metavar="YYYY-MM-DD", default="2023-03-31",
              show_default=True, help="The date the demo treats as today.")
def demo(directory: Path, as_of: dt.date) -> None:
    """Write example registers with typical mistakes into DIRECTORY and validate them."""
    from sheetsync import Settings, validate_paths, write_reports
    from sheetsync.demo import write_demo_workbooks
    from sheetsync.report.reports import summary_lines

    inputs = directory / "registers"
    out_dir = directory / "checked"
    written = write_demo_workbooks(inputs)
    click.echo(f"Wrote {len(written)} example workbooks to {inputs}")
    run = validate_paths([inputs], out_dir, Settings.load(as_of=as_of))
    write_reports(run)
    for line in summary_lines(run):
        click.echo(line)
    click.echo(f"Open {out_dir / 'exceptions.xlsx'} for every problem found, and the annotated "
               f"copies in {out_dir / 'annotated'} to see each one marked on its cell.")


@cli.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path))
@click.option("--out", "out_file", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="The summary workbook to write (.xlsx).")
@click.option("--quarter", metavar="LABEL",
              help="The quarter, such as 'Q3 2022/23' (default: the one the as-of date is in).")
@click.option("--previous", "previous_file", type=click.Path(exists=True, dir_okay=False,
                                                             path_type=Path),
              help="Last quarter's summary, for direction of travel and the heat-map comparison.")
@click.option("--history", "history_path", type=click.Path(exists=True, path_type=Path),
              help="The output folder of 'sheetsync run' (or its history.sqlite): each top "
                   "risk's score over four quarters, and risks above appetite not moving.")
@click.option("--public", is_flag=True,
              help="Leave exempt (Part B) risks out of the data sheets, for publication.")
@settings_options
def summary(paths: tuple[Path, ...], out_file: Path, quarter: str | None,
            previous_file: Path | None, history_path: Path | None, public: bool,
            as_of: dt.date | None, config_file: Path | None, schemas_dir: Path | None) -> None:
    """Write the consolidated quarterly summary workbook for committee packs.

    \b
    Example:
        sheetsync summary "Registers/" --out "Q3 summary.xlsx" --quarter "Q3 2022/23"
    """
    from sheetsync import validate_paths  # (loaded on first use: --help stays fast)
    from sheetsync.report.quarters import parse_quarter, quarter_of
    from sheetsync.report.summary import write_summary
    from sheetsync.report.summary_data import build_summary_data
    from sheetsync.weekly.history import risk_history

    settings = load_settings(as_of=as_of, config_file=config_file, schemas_dir=schemas_dir)
    try:
        period = parse_quarter(quarter) if quarter else quarter_of(settings.as_of)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--quarter") from None
    run = validate_paths(list(paths), None, settings)
    try:
        earlier = risk_history(history_path, period) if history_path else None
        data = build_summary_data(run, period, settings.config, previous_file, history=earlier,
                                  public=public)
    except SheetsyncError as exc:
        raise CliError(str(exc)) from exc
    write_summary(data, out_file)
    registers = sum(len(wb.sheets) for wb in run.workbooks)
    click.echo(f"{period.label}: {len(run.workbooks)} workbooks, {registers} registers read; "
               f"summary written to {out_file}")


@cli.command()
@click.argument("kind", type=click.Choice(["risk_register", "issues_log", "kpi_sheet",
                                           "action_plan"]))
@click.argument("out_file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--config", "config_file", type=click.Path(exists=True, dir_okay=False,
                                                         path_type=Path),
              help="Organisation settings file: its matrix, bands and lists go into the template.")
@click.option("--schemas", "schemas_dir", type=click.Path(exists=True, file_okay=False,
                                                          path_type=Path),
              help="Folder of schema files to use instead of the built-in ones.")
def template(kind: str, out_file: Path, config_file: Path | None,
             schemas_dir: Path | None) -> None:
    """Write a blank KIND workbook that guides officers to entries sheetsync accepts.

    \b
    Example:
        sheetsync template risk_register my-register.xlsx
    """
    from sheetsync.report.templates import write_template

    settings = load_settings(config_file=config_file, schemas_dir=schemas_dir)
    write_template(kind, out_file, settings.specs[kind], settings.config)
    click.echo(f"Wrote the {settings.specs[kind].title} template to {out_file}")


@cli.command()
@click.option("--schemas", "schemas_dir", type=click.Path(exists=True, file_okay=False,
                                                          path_type=Path))
def rules(schemas_dir: Path | None) -> None:
    """List every rule code with its default severity and meaning."""
    from sheetsync.settings.catalogue import rule_catalogue

    try:
        catalogue = rule_catalogue(schemas_dir)
    except SheetsyncError as exc:
        raise CliError(str(exc)) from exc
    for rule in catalogue:
        click.echo(f"{rule.code}  {rule.severity.label:<7}  {rule.title}")




def _forgiving_streams() -> None:
    """A character the console or a scheduler's log cannot show (``ŵ`` in cp1252) becomes
    ``?`` rather than stopping the run."""
    for stream in (sys.stdout, sys.stderr):
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None:
            reconfigure(errors="replace")


def main() -> None:
    """Entry point: no traceback reaches a user unless SHEETSYNC_DEBUG is set."""

    _forgiving_streams()
    try:
        cli(prog_name="sheetsync")
    except SheetsyncError as exc:  # (such as the one file a command writes, open in Excel)
        click.echo(f"sheetsync: {exc}", err=True)
        sys.exit(EXIT_USAGE)
    except Exception as exc:
        if os.environ.get("SHEETSYNC_DEBUG"):
            raise
        click.echo(f"sheetsync: unexpected problem: {type(exc).__name__}: {exc} "
                   "(set SHEETSYNC_DEBUG=1 to see the details)", err=True)
        sys.exit(EXIT_USAGE)


def console() -> None:
    """The ``sheetsync`` command and ``python -m sheetsync``: ``main``, then the process ends
    without freeing, one by one, the objects the command made.

    NOTE: at exit Python frees every object, and pandas' and a checked folder's are many
    (0.1 s of a 50,000-row ``validate``, about as long in a weekly run's main process). By
    then every file the command wrote is closed and in place, the history closed, its lock
    released, its threads and workers joined: the console's streams are flushed here. What
    is skipped besides is ``atexit`` hooks, which sheetsync does not use (a debugger's or a
    coverage tool's would not run). ``main`` still returns or raises SystemExit as any
    function does, for tests and anyone embedding the CLI.
    """
    try:
        main()
        code = 0
    except SystemExit as exc:  # (as sys.exit would: a message is shown and means 1)
        code = exc.code if isinstance(exc.code, int) else 0 if exc.code is None else 1
        if not isinstance(exc.code, int | None):
            click.echo(exc.code, err=True)
    for stream in (sys.stdout, sys.stderr):
        # NOTE: None under pythonw (a scheduled task's); a closed pipe: nothing can reach it
        with contextlib.suppress(OSError, ValueError, AttributeError):
            stream.flush()
    os._exit(code)


# NOTE: last, once everything above exists: the weekly run's commands register on ``cli``.
from sheetsync import cli_weekly  # noqa: E402, F401
