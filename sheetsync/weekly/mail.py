"""Sending the reminders (standard library ``smtplib``), after a run's history is committed.

One connection for all the messages, STARTTLS, SSL or none, certificates verified with the
system's authorities (plus ``ca_file``) unless the settings say otherwise, a timeout at every
step, and a few attempts per message. Nothing here can stop a run or change its exit code: a
mail server that is down, hangs or drops the line is reported per owner (printed, logged, in
``exceptions.json``'s ``warnings``) and recorded as failed, to be sent by the next run. The
password goes to the server and nowhere else.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import smtplib
import socket
import sqlite3
import ssl
import time
from dataclasses import dataclass, field
from email.utils import getaddresses
from pathlib import Path
from typing import Any

from sheetsync.files import write_text_atomically
from sheetsync.findings import change_key
from sheetsync.report.owners import owner_file
from sheetsync.report.reminders import Reminder, build_reminders
from sheetsync.results import RunResult
from sheetsync.settings.email import EmailSettings, SmtpSettings, owner_key, smtp_password
from sheetsync.weekly import history

EXCEPTIONS_FILE = "exceptions.json"
RESULTS = ("sent", "test", "preview", "skipped", "failed", "no address", "cleared")


@dataclass(slots=True)
class Outcome:
    """What became of one owner's reminder."""

    owner: str
    address: str | None
    result: str  #: sent, failed, skipped, no address, test or preview.
    detail: str = ""
    content_hash: str = ""


@dataclass(slots=True)
class MailReport:
    """The reminders of a run: each owner's outcome, warnings, and preview files written."""

    outcomes: list[Outcome] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    previews: list[Path] = field(default_factory=list)

    def lines(self) -> list[str]:
        """One line for the console and the log, then the warnings."""
        counts = {result: sum(1 for o in self.outcomes if o.result == result)
                  for result in RESULTS}
        summary = ", ".join(f"{n} {result}" for result, n in counts.items() if n) or "none due"
        where = f"; previews in {self.previews[0].parent}" if self.previews else ""
        return [f"Reminders: {summary}{where}", *(f"warning: {w}" for w in self.warnings)]


class _NoPassword(Exception):
    """A user name in the settings but no password anywhere: nothing can be sent."""


def _now() -> dt.datetime:
    return dt.datetime.now()


def remind_after_run(out_dir: Path, run: RunResult, run_id: int, new: set[tuple[Any, ...]],
                     email: EmailSettings | None, *, send: bool = True,
                     preview: Path | None = None, config: str | None = None,
                     log: Path | None = None) -> MailReport:
    """The reminders of a run just recorded: sent (if the settings say so) or previewed.

    Never raises for a mail or file problem: it becomes a warning, added to the run's
    ``exceptions.json`` and its log.
    """
    settings = email or EmailSettings()
    try:
        with history.open_history(out_dir) as connection:
            if config is not None:  # (for a later ``sheetsync remind`` without --config)
                history.record_reminders(connection, run_id, [], config=config)
            if preview is None and not (send and settings.send):
                return MailReport()
            report = _remind(connection, run, run_id, new, settings, preview=preview)
    except (OSError, sqlite3.Error, smtplib.SMTPException, ValueError) as exc:
        report = MailReport(warnings=[f"reminders not sent: {type(exc).__name__}: {exc}"])
    with contextlib.suppress(OSError, ValueError):
        add_warnings(out_dir, report.warnings)
    if log is not None and log.is_file():
        with contextlib.suppress(OSError):
            text = log.read_text(encoding="utf-8")
            write_text_atomically(log, text + "\n".join(report.lines()) + "\n")
    return report


def remind_again(out_dir: Path, email: EmailSettings, *, preview: Path | None = None,
                 resend: bool = False, only: str | None = None,
                 to: str | None = None) -> MailReport:
    """``sheetsync remind``: the last run's reminders, from the history, without re-checking."""
    with history.open_history(out_dir) as connection:
        last = history.last_run(connection, out_dir)
        if last is None:
            return MailReport(warnings=[f"no run is recorded in {out_dir}"])
        run_id, run, new = last
        return _remind(connection, run, run_id, new, email, preview=preview, resend=resend,
                       only=only, to=to)


def config_of_last_run(out_dir: Path) -> str | None:
    """The settings file the last run used (for ``sheetsync remind`` without --config)."""
    if not (out_dir / history.HISTORY_FILE).is_file():
        return None
    with history.open_history(out_dir) as connection:
        run_id = history.last_run_id(connection)
        return history.run_config(connection, run_id) if run_id is not None else None


def _remind(connection: sqlite3.Connection, run: RunResult, run_id: int, new: set[tuple[Any, ...]],
            email: EmailSettings, *, preview: Path | None, resend: bool = False,
            only: str | None = None, to: str | None = None) -> MailReport:
    seen = history.first_seen(connection)

    reminders, warnings = build_reminders(run, email, is_new=lambda f: change_key(f) in new,
                                          since=lambda f: seen.get(change_key(f)))
    if only is not None:
        reminders = [r for r in reminders if owner_key(r.owner) == owner_key(only)]
        if not reminders:
            warnings.append(f"{only!r} has nothing open in the last run (or is not an owner there)")
    report = MailReport(warnings=warnings)
    if to is None:
        report.warnings += [f"no email address for {r.owner}: add one under email.addresses in "
                            "the settings, or an 'Owner email' column" for r in reminders
                            if r.address is None]
    if preview is not None:
        for reminder in reminders:
            if to:
                _redirect(reminder, to)
            report.previews.append(_write_preview(reminder, preview))
            report.outcomes.append(Outcome(reminder.owner, to or reminder.address, "preview",
                                           content_hash=reminder.content_hash))
        return report
    now = _now()
    last = history.last_reminders(connection)
    due: list[Reminder] = []
    for reminder in reminders:
        before = last.get(owner_key(reminder.owner))
        if to:
            _redirect(reminder, to)
            due.append(reminder)
        elif reminder.address is None:
            report.outcomes.append(Outcome(reminder.owner, None, "no address"))
        elif not resend and before is not None and before.result == "sent" \
                and before.sent_at.date() == now.date():
            report.outcomes.append(Outcome(reminder.owner, reminder.address, "skipped",
                                           "already sent today", reminder.content_hash))
        elif (not resend and email.only_when == "changed" and before is not None
              and before.result == "sent" and before.content_hash == reminder.content_hash):
            report.outcomes.append(Outcome(reminder.owner, reminder.address, "skipped",
                                           f"unchanged since {before.sent_at:%d/%m/%Y}",
                                           reminder.content_hash))
        else:
            due.append(reminder)
    if due:
        sent = deliver(due, email.smtp)
        if to:
            for outcome in sent:
                outcome.result = "test" if outcome.result == "sent" else outcome.result
        report.outcomes += sent
        report.warnings += [f"reminder to {o.owner} <{o.address}> not sent: {o.detail}"
                            + ("" if to else "; the next run will send it")
                            for o in sent if o.result == "failed"]
    if only is None and to is None:
        open_now = {owner_key(r.owner) for r in reminders}
        report.outcomes += [Outcome(row.owner, row.address, "cleared", "nothing open any more")
                            for name, row in last.items()
                            if row.result == "sent" and name not in open_now]
    history.record_reminders(connection, run_id, [
        history.ReminderRow(o.owner, o.address, now, o.content_hash, o.result, o.detail)
        for o in report.outcomes])
    return report


def _redirect(reminder: Reminder, to: str) -> None:
    """A test message: to ``to`` only, marked as a test in its subject."""
    message = reminder.message
    for header in ("To", "Cc", "Subject"):
        del message[header]
    message["To"] = to
    message["Subject"] = f"[Test for {reminder.owner}] {reminder.subject}"


def _write_preview(reminder: Reminder, folder: Path) -> Path:
    """``<owner>.eml``: Outlook opens it as a message ready to send (``X-Unsent``)."""
    message = reminder.message
    if "X-Unsent" not in message:
        message["X-Unsent"] = "1"
    path = folder / owner_file(reminder.owner).replace(".xlsx", ".eml")
    folder.mkdir(parents=True, exist_ok=True)
    from email import policy

    return write_text_atomically(path, message.as_bytes(policy=policy.SMTP).decode("ascii"))


def deliver(reminders: list[Reminder], smtp: SmtpSettings) -> list[Outcome]:
    """Send each reminder, each tried up to ``smtp.retries`` times; an outcome for each."""
    password = smtp_password(smtp)
    outcomes: list[Outcome] = []
    server: smtplib.SMTP | None = None
    down: str | None = None  # (the server cannot be reached: the rest are not tried)
    for reminder in reminders:
        address = ", ".join(a for _name, a in getaddresses([str(reminder.message["To"] or "")]))
        if down is not None:
            outcomes.append(Outcome(reminder.owner, address, "failed", down, reminder.content_hash))
            continue
        problem = ""
        for attempt in range(smtp.retries):
            connected = server is not None
            try:
                if server is None:
                    server = _connect(smtp, password)
                    connected = True
                refused = server.send_message(reminder.message)
                problem = _refused_text(refused) if address in refused else ""
                break
            except smtplib.SMTPRecipientsRefused as exc:
                problem = _reason(exc, smtp, password)
                break
            except (smtplib.SMTPAuthenticationError, _NoPassword, UnicodeEncodeError) as exc:
                problem = down = _reason(exc, smtp, password)
                break
            except smtplib.SMTPResponseException as exc:
                problem = _reason(exc, smtp, password)
                if exc.smtp_code >= 500 and connected:
                    break  # (the server will never take this message)
                _close(server)
                server = None
            except (smtplib.SMTPException, OSError) as exc:
                problem = _reason(exc, smtp, password)
                _close(server)
                server = None
            if attempt + 1 < smtp.retries:
                time.sleep(smtp.retry_wait)
        else:
            if server is None:
                down = problem
        outcomes.append(Outcome(reminder.owner, address, "failed" if problem else "sent",
                                problem, reminder.content_hash))
    if server is not None:
        with contextlib.suppress(smtplib.SMTPException, OSError):
            server.quit()
    return outcomes


def _connect(smtp: SmtpSettings, password: str | None) -> smtplib.SMTP:
    if smtp.username and password is None:
        raise _NoPassword(f"no password for {smtp.username}: set the environment variable "
                       f"{smtp.password_env or '(smtp.password_env)'} or store it in the keyring")
    context = ssl.create_default_context(cafile=smtp.ca_file)
    if not smtp.verify_certificate:
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
    server: smtplib.SMTP
    if smtp.security == "ssl":
        server = smtplib.SMTP_SSL(smtp.host, smtp.port, timeout=smtp.timeout, context=context)
    else:
        server = smtplib.SMTP(smtp.host, smtp.port, timeout=smtp.timeout)
    try:
        if smtp.security == "starttls":
            server.ehlo()
            server.starttls(context=context)
            server.ehlo()
        if smtp.username and password is not None:
            server.login(smtp.username, password)
    except BaseException:
        _close(server)
        raise
    return server


def _close(server: smtplib.SMTP | None) -> None:
    if server is not None:
        with contextlib.suppress(OSError, smtplib.SMTPException):
            server.close()


def _refused_text(refused: dict[str, tuple[int, bytes]]) -> str:
    return "; ".join(f"the server refused {address} ({code} {text.decode(errors='replace')})"
                     for address, (code, text) in refused.items())


def _reason(exc: BaseException, smtp: SmtpSettings, password: str | None) -> str:
    """One line saying what went wrong, in plain words, with no password in it."""
    where = f"{smtp.host}:{smtp.port}"
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        text = _refused_text(exc.recipients)
    elif isinstance(exc, UnicodeEncodeError):  # (its text would show part of the password)
        text = ("the user name or password has characters other than plain ASCII, which "
                "smtplib cannot send to log in")
    elif isinstance(exc, smtplib.SMTPAuthenticationError):
        text = f"{where} refused the user name or password ({exc.smtp_code})"
    elif isinstance(exc, smtplib.SMTPServerDisconnected) and "timed out" in str(exc):
        text = f"no answer from {where} within {smtp.timeout:g} seconds"  # (smtplib's wording)
    elif isinstance(exc, smtplib.SMTPServerDisconnected):
        text = f"{where} closed the connection part-way"
    elif isinstance(exc, smtplib.SMTPResponseException):
        said = exc.smtp_error
        text = f"{where} answered {exc.smtp_code} " + (
            said.decode(errors="replace") if isinstance(said, bytes) else str(said))
    elif isinstance(exc, ssl.SSLCertVerificationError):
        text = f"the certificate of {where} could not be verified ({exc.verify_message})"
    elif isinstance(exc, TimeoutError):
        text = f"no answer from {where} within {smtp.timeout:g} seconds"
    elif isinstance(exc, ConnectionRefusedError):
        text = f"{where} refused the connection (no mail server there?)"
    elif isinstance(exc, socket.gaierror):
        text = f"{smtp.host} was not found"
    elif isinstance(exc, OSError):
        text = f"cannot reach {where} ({exc.strerror or exc})"
    else:
        text = str(exc) or type(exc).__name__
    return scrub(" ".join(text.split()), password)


def scrub(text: str, password: str | None) -> str:
    """``text`` with any trace of the password (as is, or base64 as AUTH sends it) hidden."""
    if not password:
        return text
    import base64

    for secret in (password, base64.b64encode(password.encode()).decode()):
        text = text.replace(secret, "********")
    return text


def add_warnings(out_dir: Path, warnings: list[str]) -> None:
    """Append to the top-level ``warnings`` of the run's ``exceptions.json``."""
    path = out_dir / EXCEPTIONS_FILE
    if not warnings or not path.is_file():
        return
    document = json.loads(path.read_text(encoding="utf-8"))
    document.setdefault("warnings", []).extend(
        {"kind": "email", "message": warning} for warning in warnings)
    write_text_atomically(path, json.dumps(document, indent=2, ensure_ascii=False, default=str))
