"""The weekly run's commands (run, remind, history): the same thin layer as ``cli``."""

from __future__ import annotations

import dataclasses
import datetime as dt
import os
import sys
from pathlib import Path
from typing import Any

import click

from sheetsync import import_quietly
from sheetsync.cli import cli
from sheetsync.cli_options import (
    EXIT_BUSY,
    EXIT_FINDINGS,
    EXIT_OK,
    CliError,
    echo_warnings,
    load_settings,
    settings_options,
)
from sheetsync.errors import SheetsyncError


@cli.command()
@click.argument("inputs", nargs=-1, type=click.Path(exists=True, path_type=Path))
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path),
              help="Folder for the outputs and the run history (or run.out in --config).")
@click.option("--jobs", type=click.IntRange(min=1), help="Workbooks checked at once (default: "
              "the number of cores).")
@click.option("--force", is_flag=True, default=None, help="Check every workbook again, even "
              "those unchanged since the last run.")
@click.option("--quarter", metavar="LABEL", help="The quarter of the summary, such as "
              "'Q3 2022/23' (default: the one the as-of date is in).")
@click.option("--fail-on", type=click.Choice(["error", "warning", "never"]), default="error",
              show_default=True, help="Exit 1 when findings of this severity (or worse) are found.")
@click.option("--no-email", is_flag=True, help="Send no reminders this time (see 'email:' in "
              "the settings).")
@click.option("--email-preview", type=click.Path(file_okay=False, path_type=Path), metavar="DIR",
              help="Write each owner's reminder as a .eml file in DIR instead of sending it.")
@settings_options
def run(inputs: tuple[Path, ...], out_dir: Path | None, jobs: int | None, force: bool | None,
        quarter: str | None, fail_on: str, no_email: bool, email_preview: Path | None,
        as_of: dt.date | None, config_file: Path | None, schemas_dir: Path | None) -> None:
    """The weekly unattended job: validate, summarise and keep a history of every run.

    Every option may also be set in the config file's 'run:' section; the command line wins.
    Exit codes: 0 clean, 1 errors found, 2 usage or config mistake, 3 another run in progress.

    \b
    Example (weekly, from Task Scheduler or cron):
        sheetsync run "S:/Risk/Registers" --out "S:/Risk/Checked" --config "S:/Risk/sheetsync.yaml"
    """
    # NOTE: the job is imported here (keeps --help fast) with the cycle collector paused and
    # what it made frozen: collections scanning it again and again were 4 of an unchanged
    # re-run's 8 ms of collecting
    import_quietly("sheetsync.weekly.job")
    from sheetsync.report.quarters import parse_quarter, quarter_of
    from sheetsync.weekly.job import run_job
    from sheetsync.weekly.lock import RunInProgress

    settings = load_settings(as_of=as_of, config_file=config_file, schemas_dir=schemas_dir)
    options = settings.config.run
    if as_of is None and options.get("as_of") is not None:
        settings = dataclasses.replace(settings, as_of=options["as_of"])
    paths = list(inputs) or [Path(p) for p in options.get("inputs", [])]
    out = out_dir or (Path(options["out"]) if options.get("out") else None)
    if not paths or out is None:
        raise click.UsageError("give the workbooks or folders to check and --out (on the "
                               "command line or in the config file's run: section)")
    missing = [str(p) for p in paths if not p.exists()]
    if missing:
        raise click.UsageError(f"not found: {', '.join(missing)}")
    try:
        label = quarter or options.get("quarter")
        period = parse_quarter(str(label)) if label else quarter_of(settings.as_of)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--quarter") from None
    count = jobs or int(options.get("jobs") or os.cpu_count() or 1)
    redo = bool(force if force is not None else options.get("force", False))
    bars: list[Any] = []

    def progress(result: Any, done: int, total: int) -> None:
        """A progress bar on a terminal; plain lines for a scheduler's log otherwise."""
        if not sys.stdout.isatty():
            click.echo(f"[{done}/{total}] {result.source.name}: {result.status}")
            return
        if not bars:
            bars.append(click.progressbar(length=total, label="Checking workbooks"))
            bars[0].__enter__()
        bars[0].update(1)
        if done == total:
            bars[0].__exit__(None, None, None)

    try:
        result = run_job(paths, out, settings, period, jobs=count, force=redo,
                         include=options.get("include"), exclude=options.get("exclude"),
                         schemas_dir=schemas_dir, progress=progress, email=not no_email,
                         email_preview=email_preview)
    except RunInProgress as exc:
        click.echo(f"sheetsync: {exc}", err=True)
        sys.exit(EXIT_BUSY)
    except SheetsyncError as exc:
        raise CliError(str(exc)) from exc
    for line in result.summary.lines:
        click.echo(line)
    echo_warnings(result.warnings())
    changes = result.changes
    click.echo(f"Run {result.run_id} ({period.label}): {len(changes.reused)} unchanged workbooks "
               f"reused, {len(changes.stale)} kept stale, {len(changes.new)} new findings, "
               f"{len(changes.resolved)} resolved. Outputs, summary.xlsx and owners/ in {out}")
    if result.reused_outputs:
        click.echo("Nothing changed since the last run: its summary, reports and owner lists "
                   "were reused as they are.")
    if changes.removed:
        gone = len(changes.removed)
        click.echo(f"{gone} workbook{'s' if gone != 1 else ''} of the last run not found this "
                   "time (moved, renamed or deleted); findings in them are not counted as "
                   "resolved: " + "; ".join(changes.removed))
    if result.mail is not None and (result.mail.outcomes or result.mail.warnings):
        for line in result.mail.lines():
            click.echo(line)
    sys.exit(EXIT_FINDINGS if result.failed(fail_on) else EXIT_OK)


@cli.command()
@click.argument("out_dir", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--preview", type=click.Path(file_okay=False, path_type=Path), metavar="DIR",
              help="Write each reminder as a .eml file in DIR instead of sending it.")
@click.option("--resend", is_flag=True, help="Send every reminder again, even those already "
              "sent (unchanged, or today).")
@click.option("--only", metavar="NAME", help="Only this owner's reminder.")
@click.option("--to", metavar="ADDRESS", help="Send to ADDRESS instead of the owners (a test "
              "message to yourself; not counted as sent).")
@click.option("--config", "config_file", type=click.Path(exists=True, dir_okay=False,
                                                         path_type=Path),
              help="Settings file with the email: section (default: the one the last run used).")
def remind(out_dir: Path, preview: Path | None, resend: bool, only: str | None, to: str | None,
           config_file: Path | None) -> None:
    """Send the last run's reminders (those not sent yet) from OUT_DIR, without re-checking.

    \b
    Example (a test message to yourself):
        sheetsync remind "S:/Risk/Checked" --only "J Smith" --to me@council.example
    """
    from sheetsync.settings.config import load_config
    from sheetsync.settings.email import EmailSettings, is_address
    from sheetsync.settings.schemas import default_schemas_dir
    from sheetsync.weekly.lock import RunInProgress, run_lock
    from sheetsync.weekly.mail import config_of_last_run, remind_again

    if to is not None and not is_address(to):
        raise click.BadParameter(f"{to!r} is not an email address", param_hint="--to")
    recorded = config_of_last_run(out_dir)
    source = config_file or (Path(recorded) if recorded and Path(recorded).is_file() else None)
    try:
        email = load_config(default_schemas_dir(), source).email
    except SheetsyncError as exc:
        raise CliError(str(exc)) from exc
    if email is None:
        if preview is None and to is None:
            raise click.UsageError("the settings have no email: section (give --config)")
        email = EmailSettings()
    try:
        with run_lock(out_dir):
            report = remind_again(out_dir, email, preview=preview, resend=resend, only=only, to=to)
    except RunInProgress as exc:
        click.echo(f"sheetsync: {exc}", err=True)
        sys.exit(EXIT_BUSY)
    for line in report.lines():
        click.echo(line)
    sys.exit(EXIT_FINDINGS if any(o.result == "failed" for o in report.outcomes) else EXIT_OK)


@cli.command(name="history")
@click.argument("out_dir", type=click.Path(exists=True, file_okay=False, path_type=Path))
def history_command(out_dir: Path) -> None:
    """List the runs recorded in an output folder, with their counts."""
    from sheetsync.weekly.history import history_rows

    rows = history_rows(out_dir)
    if not rows:
        click.echo(f"No runs recorded in {out_dir}")
        return
    click.echo("run  started              as of       quarter     workbooks reused errors "
               "warnings new resolved")
    for r in rows:
        click.echo(f"{r['id']:<4} {r['started']:<20} {r['as_of']:<11} {r['quarter']:<11} "
                   f"{r['workbooks']:>9} {r['reused']:>6} {r['errors']:>6} {r['warnings']:>8} "
                   f"{r['new']:>3} {r['resolved']:>8}")
