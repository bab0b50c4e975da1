"""Reminders to owners, against a real SMTP server on 127.0.0.1 (aiosmtpd, STARTTLS with a test
certificate authority, login required): what arrives where, a server that refuses, hangs or
drops the line, owners without an address, non-ASCII and hostile text, ``only_when: changed``
across runs, previews, ``sheetsync remind``, and the password never showing."""

from __future__ import annotations

import datetime as dt
import json
import shutil
import sqlite3
import subprocess
import time
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import openpyxl
import pytest
import yaml
from click.testing import CliRunner
from helpers import soffice, write_openpyxl
from helpers.smtp import PASSWORD, MailServer, free_port, mail_server, silent_server

import sheetsync.weekly.job
import sheetsync.weekly.mail
from sheetsync.cli import cli

ROOT = Path(__file__).resolve().parents[2]
AS_OF = "2026-11-30"  # a Monday
HEADER = ["Ref", "Risk", "Owner", "Owner email", "Likelihood", "Impact", "Score", "Review date"]
ADDRESSES = {"J Smith": "j.smith@council.example", "Director of Place": "place@council.example"}


def registers(folder: Path, *, fix_r1: bool = False) -> Path:
    """J Smith: a wrong score (G2) and a stale review (H3); Dŵr Cymru (address in the register):
    a likelihood of '£ high' (E4); A Jones (no address): a wrong score (G5); Director of Place:
    text that looks like HTML (E6) and like a formula (E7)."""

    def text_cell(book: Any) -> None:
        cell = book["Risks"]["E7"]
        cell.value, cell.data_type = "=1+2", "s"

    write_openpyxl(folder / "Finance" / "risks.xlsx", {"Risks": [
        HEADER,
        ["R1", "Budget gap", "J Smith", None, 2, 3, 6 if fix_r1 else 7, "01/11/2026"],
        ["R2", "Cyber attack", "J Smith", None, 4, 4, 16, "01/01/2026"],
        ["R3", "Flooding", "Dŵr Cymru", "dwr@cymru.example", "£ high", 2, None, "01/11/2026"],
        ["R4", "Pay award", "A Jones", None, 2, 2, 5, "01/11/2026"],
        ["R5", "Roads", "Director of Place", None, "<b>5</b>", 3, None, "01/11/2026"],
        ["R6", "Bridges", "Director of Place", None, None, 3, None, "01/11/2026"]]}, text_cell)
    return folder


def settings(folder: Path, smtp: dict[str, Any], **email: Any) -> Path:
    document = {"email": {"send": True, "smtp": smtp,
                          "from": "Risk and Performance Team <risk@council.example>",
                          "reply_to": "risk@council.example", "cc": ["risk-team@council.example"],
                          "addresses": ADDRESSES, "link_root": "\\\\council\\share\\Risk\\Checked",
                          **email}}
    path = folder / "sheetsync.yaml"
    path.write_text(yaml.safe_dump(document, allow_unicode=True), encoding="utf-8")
    return path


def run(inputs: Path, out: Path, config: Path, *extra: str, as_of: str = AS_OF) -> Any:
    return CliRunner().invoke(cli, ["run", str(inputs), "--out", str(out), "--config", str(config),
                                    "--as-of", as_of, "--jobs", "1", *extra],
                              catch_exceptions=False)


def by_recipient(server: MailServer) -> dict[str, EmailMessage]:
    return {r.message["To"].addresses[0].addr_spec: r.message for r in server.handler.received}


def reminder_rows(out: Path) -> list[tuple[str, str, str]]:
    with sqlite3.connect(out / "history.sqlite") as connection:
        return list(connection.execute(
            "SELECT owner, result, detail FROM reminders ORDER BY rowid"))


@pytest.fixture(autouse=True)
def password(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SHEETSYNC_TEST_SMTP_PASSWORD", PASSWORD)
    monkeypatch.setattr(sheetsync.weekly.job, "IN_USE_WAIT", 0.0)


@pytest.fixture
def server(tmp_path: Path) -> Any:
    with mail_server(tmp_path / "certs") as running:
        yield running


def on_day(monkeypatch: pytest.MonkeyPatch, day: str) -> None:
    moment = dt.datetime.fromisoformat(f"{day}T06:00:00")
    monkeypatch.setattr(sheetsync.weekly.mail, "_now", lambda: moment)


def test_each_owner_gets_one_message_with_their_findings(tmp_path, server) -> None:
    out = tmp_path / "Checked"
    result = run(registers(tmp_path / "in"), out, settings(tmp_path, server.settings()))
    assert result.exit_code == 1  # errors in the registers; sending changes nothing
    received = by_recipient(server)
    assert sorted(received) == ["dwr@cymru.example", "j.smith@council.example",
                                "place@council.example"]
    assert all(sorted(r.recipients) == sorted([r.message["To"].addresses[0].addr_spec,
                                                "risk-team@council.example"])
               for r in server.handler.received)
    smith = received["j.smith@council.example"]
    assert smith["Subject"] == "Risk register: 1 problem to fix, 1 review overdue (w/c 30 Nov 2026)"
    assert smith["From"] == "Risk and Performance Team <risk@council.example>"
    assert smith["Reply-To"] == "risk@council.example"
    text = smith.get_body(("plain",)).get_content()
    assert ("Finance/risks.xlsx, Risks G2 (new this week): The residual score should be "
            "likelihood x impact = 6, but the sheet says 7.") in text
    assert "Finance/risks.xlsx, Risks H3: R2 last reviewed 01/01/2026 (new this week)" in text
    assert "<\\\\council\\share\\Risk\\Checked\\annotated\\Finance\\risks.xlsx>" in text
    assert "G5" not in text and "E6" not in text  # (other owners' rows)
    page = smith.get_body(("html",)).get_content()
    assert ('<a href="file://council/share/Risk/Checked/annotated/Finance/risks.xlsx">'
            "Finance/risks.xlsx</a>") in page
    [attachment] = list(smith.iter_attachments())
    assert attachment.get_filename() == "J Smith.xlsx"
    assert attachment.get_content() == (out / "owners" / "J Smith.xlsx").read_bytes()
    place = received["place@council.example"]
    assert place["Subject"] == "Risk register: 2 problems to fix (w/c 30 Nov 2026)"
    assert "Reminders: 3 sent, 1 no address" in result.stdout
    assert [row[:2] for row in reminder_rows(out)] == [
        ("A Jones", "no address"), ("Director of Place", "sent"), ("Dŵr Cymru", "sent"),
        ("J Smith", "sent")]


def test_an_owner_without_an_address_is_a_warning_in_the_output_the_json_and_the_log(
        tmp_path, server) -> None:
    out = tmp_path / "Checked"
    result = run(registers(tmp_path / "in"), out, settings(tmp_path, server.settings()))
    warning = ("no email address for A Jones: add one under email.addresses in the settings, "
               "or an 'Owner email' column")
    assert f"warning: {warning}" in result.stdout
    document = json.loads((out / "exceptions.json").read_text(encoding="utf-8"))
    assert document["warnings"] == [{"kind": "email", "message": warning}]
    assert warning in next((out / "logs").glob("run-*.log")).read_text(encoding="utf-8")
    assert len(document["findings"]) == 6  # (the run's own report untouched)


def test_non_ascii_names_and_text_arrive_intact(tmp_path, server) -> None:
    run(registers(tmp_path / "in"), tmp_path / "out", settings(tmp_path, server.settings()))
    message = by_recipient(server)["dwr@cymru.example"]
    assert message["To"].addresses[0].display_name == "Dŵr Cymru"
    assert "Dear Dŵr Cymru," in message.get_body(("plain",)).get_content()
    assert "Likelihood holds '£ high'" in message.get_body(("plain",)).get_content()
    assert "Likelihood holds &#x27;£ high&#x27;" in message.get_body(("html",)).get_content()
    assert [a.get_filename() for a in message.iter_attachments()] == ["Dŵr Cymru.xlsx"]


def test_text_that_looks_like_html_or_a_formula_is_shown_not_run(tmp_path, server) -> None:
    run(registers(tmp_path / "in"), tmp_path / "out", settings(tmp_path, server.settings()))
    message = by_recipient(server)["place@council.example"]
    page = message.get_body(("html",)).get_content()
    assert "<b>5</b>" not in page
    assert "Likelihood holds &#x27;&lt;b&gt;5&lt;/b&gt;&#x27;" in page
    assert "Likelihood holds &#x27;=1+2&#x27;" in page
    [attachment] = list(message.iter_attachments())
    copy = tmp_path / "attached.xlsx"
    copy.write_bytes(attachment.get_content())
    sheet = openpyxl.load_workbook(copy)["Open findings"]
    messages = [row[6] for row in sheet.iter_rows(min_row=4, values_only=True)]
    assert ("Likelihood holds '=1+2', which is not a level of this sheet's scale. Enter one of Rare, "
            "Unlikely, Possible, Likely or Almost certain (or 1 to 5).") in messages
    assert all(cell.data_type == "s" for row in sheet.iter_rows(min_row=4) for cell in row
               if cell.value is not None)


def test_the_password_never_appears_in_any_output_log_or_message(tmp_path, server) -> None:
    out = tmp_path / "Checked"
    first = run(registers(tmp_path / "in"), out, settings(tmp_path, server.settings()))
    wrong = CliRunner().invoke(cli, ["remind", str(out), "--resend", "--config",
                                     str(settings(tmp_path, server.settings(username="nobody")))])
    assert "refused the user name or password" in wrong.stdout
    secret = PASSWORD.encode()
    import base64

    for text in (first.stdout, first.stderr, wrong.stdout, wrong.stderr):
        assert PASSWORD not in text
    for path in out.rglob("*"):
        if path.is_file():
            data = path.read_bytes()
            assert secret not in data and base64.b64encode(secret) not in data, path
    for received in server.handler.received:
        assert secret not in received.raw and PASSWORD.encode("utf-8") not in received.raw
    assert server.handler.logins.count("ok") == 1 and "refused" in server.handler.logins


def test_a_rerun_the_same_day_sends_nothing_twice(tmp_path, server, monkeypatch) -> None:
    on_day(monkeypatch, AS_OF)
    inputs, out = registers(tmp_path / "in"), tmp_path / "out"
    config = settings(tmp_path, server.settings(), only_when="always")
    run(inputs, out, config)
    registers(inputs, fix_r1=True)  # (a changed list, the same day)
    second = run(inputs, out, config)
    assert len(server.handler.received) == 3
    assert "Reminders: 3 skipped, 1 no address" in second.stdout
    assert reminder_rows(out)[-3:] == [
        ("Director of Place", "skipped", "already sent today"),
        ("Dŵr Cymru", "skipped", "already sent today"),
        ("J Smith", "skipped", "already sent today")]


def test_only_when_changed_sends_a_new_list_and_skips_an_unchanged_one(tmp_path, server,
                                                                        monkeypatch) -> None:
    inputs, out = registers(tmp_path / "in"), tmp_path / "out"
    config = settings(tmp_path, server.settings(), only_when="changed")
    on_day(monkeypatch, "2026-11-30")
    run(inputs, out, config, as_of="2026-11-30")
    registers(inputs, fix_r1=True)  # J Smith fixed G2; nobody else changed anything
    on_day(monkeypatch, "2026-12-07")
    server.handler.received.clear()
    second = run(inputs, out, config, as_of="2026-12-07")
    assert list(by_recipient(server)) == ["j.smith@council.example"]
    message = by_recipient(server)["j.smith@council.example"]
    assert message["Subject"] == "Risk register: 1 review overdue (w/c 7 Dec 2026)"
    with sqlite3.connect(out / "history.sqlite") as connection:
        first = dt.date.fromisoformat(connection.execute("SELECT min(started) FROM runs")
                                      .fetchone()[0][:10])
    assert (f"R2 last reviewed 01/01/2026 ({first.day} {first:%b %Y})"  # (first found then)
            in message.get_body(("plain",)).get_content())
    assert "Reminders: 1 sent, 2 skipped, 1 no address" in second.stdout
    assert ("Dŵr Cymru", "skipped", "unchanged since 30/11/2026") in reminder_rows(out)
    # With only_when: always, next week everyone is reminded again.
    on_day(monkeypatch, "2026-12-14")
    always = settings(tmp_path, server.settings(), only_when="always")
    server.handler.received.clear()
    run(inputs, out, always, as_of="2026-12-14")
    assert len(server.handler.received) == 3


def test_a_server_that_refuses_loses_nothing_and_the_next_run_sends(tmp_path, server,
                                                                   monkeypatch) -> None:
    inputs, out = registers(tmp_path / "in"), tmp_path / "out"
    quiet = run(inputs, tmp_path / "no-email", settings(tmp_path, server.settings()), "--no-email")
    assert "Reminders" not in quiet.stdout and not server.handler.received
    on_day(monkeypatch, "2026-11-30")
    down = settings(tmp_path, server.settings(port=free_port()))
    result = run(inputs, out, down)
    assert result.exit_code == quiet.exit_code == 1
    assert "Reminders: 3 failed, 1 no address" in result.stdout
    assert ("warning: reminder to J Smith <j.smith@council.example> not sent: 127.0.0.1:"
            in result.stdout)
    assert "refused the connection (no mail server there?); the next run will send it" \
        in result.stdout
    assert (out / "summary.xlsx").is_file() and (out / "owners" / "J Smith.xlsx").is_file()
    document = json.loads((out / "exceptions.json").read_text(encoding="utf-8"))
    assert len(document["warnings"]) == 4 and len(document["findings"]) == 6
    assert not server.handler.received
    on_day(monkeypatch, "2026-11-30")  # the same day, the server back: the failed ones go
    again = run(inputs, out, settings(tmp_path, server.settings()))
    assert "Reminders: 3 sent, 1 no address" in again.stdout
    assert len(server.handler.received) == 3


def test_a_server_that_never_answers_times_out(tmp_path, monkeypatch) -> None:
    inputs, out = registers(tmp_path / "in"), tmp_path / "out"
    with silent_server() as port:
        config = settings(tmp_path, {"host": "127.0.0.1", "port": port, "timeout": 1,
                                     "retries": 2, "retry_wait": 0})
        started = time.monotonic()
        result = run(inputs, out, config)
    assert time.monotonic() - started < 30
    assert result.exit_code == 1 and "Reminders: 3 failed, 1 no address" in result.stdout
    assert "no answer from 127.0.0.1" in result.stdout and "within 1 seconds" in result.stdout
    assert [row[1] for row in reminder_rows(out)] == ["no address", "failed", "failed", "failed"]


def test_a_connection_dropped_part_way_is_tried_again(tmp_path, server) -> None:
    server.handler.drops = 1
    result = run(registers(tmp_path / "in"), tmp_path / "out", settings(tmp_path,
                                                                       server.settings()))
    assert "Reminders: 3 sent, 1 no address" in result.stdout
    assert sorted(by_recipient(server)) == ["dwr@cymru.example", "j.smith@council.example",
                                            "place@council.example"]
    assert len(server.handler.received) == 3  # each once


def test_an_address_the_server_refuses_fails_alone(tmp_path, server) -> None:
    server.handler.refuse = {"dwr@cymru.example"}
    out = tmp_path / "out"
    result = run(registers(tmp_path / "in"), out, settings(tmp_path, server.settings()))
    assert "Reminders: 2 sent, 1 failed, 1 no address" in result.stdout
    assert ("warning: reminder to Dŵr Cymru <dwr@cymru.example> not sent: the server refused "
            "dwr@cymru.example (550 5.1.1 No such mailbox here)") in result.stdout
    reached = sorted(a for r in server.handler.received for a in r.recipients)
    assert reached == ["j.smith@council.example", "place@council.example",  # (the Cc gets all)
                       "risk-team@council.example", "risk-team@council.example",
                       "risk-team@council.example"]
    assert ("Dŵr Cymru", "failed", "the server refused dwr@cymru.example (550 5.1.1 No such "
            "mailbox here)") in reminder_rows(out)


def test_a_preview_writes_eml_files_and_sends_nothing(tmp_path, server) -> None:
    preview = tmp_path / "preview"
    result = run(registers(tmp_path / "in"), tmp_path / "out",
                 settings(tmp_path, server.settings()), "--email-preview", str(preview))
    assert not server.handler.received
    assert sorted(p.name for p in preview.iterdir()) == [
        "A Jones.eml", "Director of Place.eml", "Dŵr Cymru.eml", "J Smith.eml"]
    import email
    from email.policy import default

    message = email.message_from_bytes((preview / "J Smith.eml").read_bytes(), policy=default)
    assert message["X-Unsent"] == "1" and message["To"] == "J Smith <j.smith@council.example>"
    assert b"\r\n" in (preview / "J Smith.eml").read_bytes()
    assert "Reminders: 4 preview" in result.stdout


def test_remind_sends_a_test_to_yourself_and_resends(tmp_path, server) -> None:
    out = tmp_path / "out"
    config = settings(tmp_path, server.settings())
    run(registers(tmp_path / "in"), out, config, "--no-email")
    assert not server.handler.received
    test = CliRunner().invoke(cli, ["remind", str(out), "--only", "j smith", "--to",
                                    "me@council.example"])
    assert test.exit_code == 0, test.output
    [received] = server.handler.received
    assert received.recipients == ["me@council.example"]
    assert received.message["Subject"] == ("[Test for J Smith] Risk register: 1 problem to fix, "
                                           "1 review overdue (w/c 30 Nov 2026)")
    assert "Reminders: 1 test" in test.stdout
    pending = CliRunner().invoke(cli, ["remind", str(out)])  # (settings of the last run)
    assert "Reminders: 3 sent, 1 no address" in pending.stdout
    assert CliRunner().invoke(cli, ["remind", str(out)]).stdout.startswith("Reminders: 3 skipped")
    resent = CliRunner().invoke(cli, ["remind", str(out), "--resend"])
    assert "Reminders: 3 sent" in resent.stdout
    assert len(server.handler.received) == 1 + 3 + 3


def test_the_html_message_renders_and_a_picture_is_kept(tmp_path, server) -> None:
    if soffice() is None:
        pytest.skip("LibreOffice (soffice) is not installed; CI installs it")
    run(registers(tmp_path / "in"), tmp_path / "out", settings(tmp_path, server.settings()))
    page = tmp_path / "reminder.html"
    page.write_text(by_recipient(server)["j.smith@council.example"].get_body(("html",))
                    .get_content(), encoding="utf-8")
    completed = subprocess.run(
        [soffice(), f"-env:UserInstallation=file://{tmp_path / 'profile'}", "--headless",
         "--infilter=HTML (StarWriter)", "--convert-to", "pdf:writer_pdf_Export", "--outdir",
         str(tmp_path), str(page)],
        capture_output=True, text=True, timeout=180, check=False)
    pdf = tmp_path / "reminder.pdf"
    program = Path(soffice() or "").resolve().parent
    if not pdf.is_file() and not (program / "libswlo.so").exists() and not any(
            program.glob("sw*.dll")):
        pytest.skip("LibreOffice Writer (Debian package libreoffice-writer-nogui) is not "
                    "installed, so the HTML cannot be rendered; CI installs it")
    assert completed.returncode == 0 and pdf.read_bytes().startswith(b"%PDF"), completed.stderr
    if shutil.which("pdftotext") is None or shutil.which("pdftoppm") is None:
        pytest.skip("poppler-utils (pdftotext, pdftoppm) is not installed; CI installs it")
    shown = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True,
                           text=True, timeout=60, check=True).stdout
    for words in ("Dear J Smith,", "Problems to fix (1)", "Reviews overdue (1)", "G2",
                  "Error: The residual score should be likelihood x impact = 6",
                  "new this week", "Finance/risks.xlsx"):
        assert words in " ".join(shown.split()), words
    artefacts = ROOT / "test-artefacts"
    artefacts.mkdir(exist_ok=True)
    subprocess.run(["pdftoppm", "-png", "-r", "80", "-f", "1", "-l", "1", "-singlefile",
                    str(pdf), str(artefacts / "reminder-email")], check=True, timeout=60)
    assert (artefacts / "reminder-email.png").stat().st_size > 5000


def test_no_password_anywhere_is_one_clear_reason_per_owner(tmp_path, server,
                                                             monkeypatch) -> None:
    monkeypatch.delenv("SHEETSYNC_TEST_SMTP_PASSWORD")
    monkeypatch.setitem(__import__("sys").modules, "keyring", None)  # (keyring not installed)
    result = run(registers(tmp_path / "in"), tmp_path / "out", settings(tmp_path,
                                                                       server.settings()))
    assert result.exit_code == 1 and "Reminders: 3 failed, 1 no address" in result.stdout
    assert ("not sent: no password for risk-bot: set the environment variable "
            "SHEETSYNC_TEST_SMTP_PASSWORD or store it in the keyring") in result.stdout
    assert not server.handler.received and not server.handler.logins
