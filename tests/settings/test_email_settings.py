"""The settings' email: section: read and checked, mistakes named with the file, and the
password taken only from the environment (or the keyring), never from the file."""

from __future__ import annotations

import pytest
from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st

from sheetsync.cli import cli
from sheetsync.errors import ConfigError
from sheetsync.settings.config import load_config
from sheetsync.settings.email import SmtpSettings, is_address, parse_email, smtp_password
from sheetsync.settings.schemas import default_schemas_dir

FULL = """\
email:
  send: true
  smtp: {host: smtp.council.example, port: 587, security: starttls, username: risk-bot,
         password_env: SHEETSYNC_SMTP_PASSWORD}
  from: "Risk and Performance Team <risk@council.example>"
  reply_to: risk@council.example
  cc: [risk-team@council.example]
  addresses: {"J Smith": j.smith@council.example, "Director of Place": place@council.example}
  link_root: '\\\\council\\share\\Risk\\Checked'
  only_when: changed
"""


def test_the_section_as_the_issue_writes_it(tmp_path) -> None:
    path = tmp_path / "ours.yaml"
    path.write_text(FULL, encoding="utf-8")
    email = load_config(default_schemas_dir(), path).email
    assert email is not None and email.send and email.only_when == "changed"
    assert email.smtp == SmtpSettings(host="smtp.council.example", port=587, security="starttls",
                                      username="risk-bot", password_env="SHEETSYNC_SMTP_PASSWORD")
    assert email.smtp.verify_certificate  # (unless the settings say otherwise)
    assert email.sender == "Risk and Performance Team <risk@council.example>"
    assert email.cc == ("risk-team@council.example",)
    assert email.link_root == "\\\\council\\share\\Risk\\Checked"
    assert email.address_of("  j   SMITH ") == "j.smith@council.example"
    assert email.address_of("K Smith") is None


def test_no_section_means_no_email() -> None:
    assert load_config(default_schemas_dir()).email is None
    assert parse_email({"from": "a@b.example"}, "x.yaml").send is False  # (off unless send: true)


def test_ssl_and_none_default_to_their_ports() -> None:
    assert parse_email({"smtp": {"security": "ssl"}}, "x").smtp.port == 465
    assert parse_email({"smtp": {"security": "none"}}, "x").smtp.port == 25


@pytest.mark.parametrize(("section", "problem"), [
    ("smtp: {host: a, password: hunter2}", "email: smtp.password: a password is never kept in "
                                           "the settings file"),
    ("smtp: {security: tls}", "email: smtp.security should be starttls, ssl or none, not 'tls'"),
    ("smtp: {port: big}", "email: smtp.port should be a port number such as 587, not 'big'"),
    ("smtp: {timeout: 0}", "email: smtp.timeout should be a number, 1 or more, not 0"),
    ("smtp: {hots: a}", "email: unknown setting smtp.'hots'"),
    ("smtp: {password_env: 'MY PASSWORD'}", "smtp.password_env should name an environment "
                                            "variable"),
    ("send: yes please", "email: send should be true or false"),
    ("send: true", "email: from is needed to send"),
    ("from: risk team", "email: from: 'risk team' is not an email address"),
    ("cc: risk@council.example", "email: cc should be a list of addresses"),
    ("addresses: {J Smith: j.smith}", "email: addresses: 'j.smith' (for 'J Smith') is not an "
                                      "email address"),
    ("addresses: [j.smith@council.example]", "email: addresses should map owner names"),
    ("only_when: weekly", "email: only_when should be 'changed' or 'always', not 'weekly'"),
    ("sendd: true", "email: unknown setting 'sendd'"),
])
def test_mistakes_name_the_file(tmp_path, section, problem) -> None:
    path = tmp_path / "ours.yaml"
    path.write_text(f"email:\n  {section}\n", encoding="utf-8")
    with pytest.raises(ConfigError) as raised:
        load_config(default_schemas_dir(), path)
    assert str(raised.value).startswith(f"{path}: ")
    assert problem in str(raised.value)
    assert "hunter2" not in str(raised.value)


def test_a_mistake_stops_the_run_with_exit_2_naming_the_file(tmp_path) -> None:
    path = tmp_path / "ours.yaml"
    path.write_text("email:\n  smtp: {security: tls}\n", encoding="utf-8")
    result = CliRunner().invoke(cli, ["run", str(tmp_path), "--out", str(tmp_path / "out"),
                                      "--config", str(path)])
    assert result.exit_code == 2
    assert f"{path}: email: smtp.security should be starttls, ssl or none" in result.stderr


def test_the_password_comes_from_the_named_variable_only(monkeypatch) -> None:
    smtp = SmtpSettings(username="risk-bot", password_env="SHEETSYNC_SMTP_PASSWORD")
    monkeypatch.setenv("SHEETSYNC_SMTP_PASSWORD", "from-the-environment")
    assert smtp_password(smtp) == "from-the-environment"
    monkeypatch.delenv("SHEETSYNC_SMTP_PASSWORD")
    monkeypatch.setitem(__import__("sys").modules, "keyring", None)  # (keyring not installed)
    assert smtp_password(smtp) is None


@given(st.from_regex(r"[a-z0-9._%+-]{1,20}@[a-z0-9-]{1,20}(\.[a-z]{2,6}){1,2}", fullmatch=True))
def test_plain_addresses_are_addresses(address: str) -> None:
    assert is_address(address) and is_address(f"  {address} ")


@given(st.text(max_size=40).filter(lambda t: "@" not in t or " " in t.strip() or "," in t))
def test_text_without_one_plain_address_is_not_one(text: str) -> None:
    assert not is_address(text)
