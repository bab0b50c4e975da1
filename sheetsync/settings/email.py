"""The ``email:`` section of the settings: who reminders go to, and through which mail server.

Off unless ``send: true``. The password is never in the settings file: it is read, when a
message is about to go, from the environment variable the settings name (``password_env``) or
else from the system keyring (the ``keyring`` package, where it is installed), and is never
printed, logged or stored.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sheetsync.errors import ConfigError

SECURITY_PORTS = {"starttls": 587, "ssl": 465, "none": 25}
ONLY_WHEN = ("changed", "always")
KEYRING_SERVICE = "sheetsync"
DEFAULT_SENDER = "sheetsync <sheetsync@localhost>"
_ADDRESS = re.compile(r"^[^@\s<>\"(),;:]+@[^@\s<>\"(),;:]+\.[^@\s<>\"(),;:]+$")
_SMTP_KEYS = {"host", "port", "security", "username", "password_env", "keyring_service",
              "verify_certificate", "ca_file", "timeout", "retries", "retry_wait"}
Fail = Callable[[str], ConfigError]
_EMAIL_KEYS = {"send", "smtp", "from", "reply_to", "cc", "addresses", "link_root", "only_when",
               "attach"}


@dataclass(frozen=True, slots=True)
class SmtpSettings:
    """How to reach the mail server. No password here: see ``smtp_password``."""

    host: str = "localhost"
    port: int = 587
    security: str = "starttls"  #: starttls, ssl or none.
    username: str | None = None
    password_env: str | None = None
    keyring_service: str = KEYRING_SERVICE
    verify_certificate: bool = True
    ca_file: str | None = None  #: Extra certificate authorities (PEM), e.g. the council's own.
    timeout: float = 30.0  #: Seconds to wait for the server at each step.
    retries: int = 3  #: Attempts per message before it is reported as failed.
    retry_wait: float = 5.0  #: Seconds between attempts.


@dataclass(frozen=True, slots=True)
class EmailSettings:
    """Reminders to owners, read from the settings' ``email:`` section."""

    send: bool = False
    smtp: SmtpSettings = field(default_factory=SmtpSettings)
    sender: str = DEFAULT_SENDER
    reply_to: str | None = None
    cc: tuple[str, ...] = ()
    addresses: dict[str, str] = field(default_factory=dict)  #: Owner name -> address.
    link_root: str | None = None  #: How owners reach the output folder (a share, a URL).
    only_when: str = "changed"  #: changed (new or different list) or always.
    attach: bool = True  #: Attach the owner's workbook from ``owners/``.

    def address_of(self, owner: str) -> str | None:
        """The settings' address for an owner (names compared ignoring case and spacing)."""
        wanted = owner_key(owner)
        return next((a for name, a in self.addresses.items() if owner_key(name) == wanted), None)


def owner_key(name: str) -> str:
    return " ".join(str(name).split()).casefold()


def is_address(text: str) -> bool:
    """A plain ``name@domain.tld`` address, as a register column or the settings give it."""
    return bool(_ADDRESS.match(text.strip()))


def parse_email(data: Any, source: str) -> EmailSettings | None:
    """The ``email:`` section checked; a mistake raises ConfigError naming the settings file."""
    if data is None:
        return None

    def fail(problem: str) -> ConfigError:
        return ConfigError(source, f"email: {problem}")

    if not isinstance(data, dict):
        raise fail("should be a set of 'name: value' settings")
    _known(data, _EMAIL_KEYS, "", fail)
    send = data.get("send", False)
    if not isinstance(send, bool):
        raise fail("send should be true or false")
    smtp = _smtp(data.get("smtp") or {}, fail)
    sender = str(data.get("from") or DEFAULT_SENDER)
    if send and "from" not in data:
        raise fail("from is needed to send, such as 'Risk Team <risk@council.example>'")
    if "from" in data:
        _check_address(sender, "from", fail)
    reply_to = data.get("reply_to")
    if reply_to is not None:
        _check_address(str(reply_to), "reply_to", fail)
    cc = data.get("cc") or []
    if not isinstance(cc, list):
        raise fail("cc should be a list of addresses")
    for address in cc:
        _check_address(str(address), "cc", fail)
    addresses = data.get("addresses") or {}
    if not isinstance(addresses, dict):
        raise fail("addresses should map owner names to addresses, such as "
                   "{'J Smith': j.smith@council.example}")
    for name, address in addresses.items():
        if not is_address(str(address)):
            raise fail(f"addresses: {str(address)!r} (for {name!r}) is not an email address")
    only_when = str(data.get("only_when", "changed")).casefold()
    if only_when not in ONLY_WHEN:
        raise fail(f"only_when should be 'changed' or 'always', not {data.get('only_when')!r}")
    attach = data.get("attach", True)
    if not isinstance(attach, bool):
        raise fail("attach should be true or false")
    link_root = data.get("link_root")
    return EmailSettings(
        send=send, smtp=smtp, sender=sender, reply_to=str(reply_to) if reply_to else None,
        cc=tuple(str(a).strip() for a in cc),
        addresses={str(n).strip(): str(a).strip() for n, a in addresses.items()},
        link_root=str(link_root) if link_root else None, only_when=only_when, attach=attach)


def _smtp(data: Any, fail: Fail) -> SmtpSettings:
    if not isinstance(data, dict):
        raise fail("smtp should be a set of settings, such as {host: smtp.council.example}")
    if "password" in data:
        raise fail("smtp.password: a password is never kept in the settings file; put it in an "
                   "environment variable and name it with smtp.password_env (or use the keyring)")
    _known(data, _SMTP_KEYS, "smtp.", fail)
    security = str(data.get("security", "starttls")).casefold()
    if security not in SECURITY_PORTS:
        raise fail(f"smtp.security should be starttls, ssl or none, not {data.get('security')!r}")
    port = data.get("port", SECURITY_PORTS[security])
    if not isinstance(port, int) or isinstance(port, bool) or not 0 < port < 65536:
        raise fail(f"smtp.port should be a port number such as 587, not {port!r}")
    numbers = {}
    for key, default, least in (("timeout", 30.0, 1.0), ("retries", 3, 1), ("retry_wait", 5.0, 0.0)):
        value = data.get(key, default)
        if not isinstance(value, (int, float)) or isinstance(value, bool) or value < least:
            raise fail(f"smtp.{key} should be a number, {least:g} or more, not {value!r}")
        numbers[key] = value
    verify = data.get("verify_certificate", True)
    if not isinstance(verify, bool):
        raise fail("smtp.verify_certificate should be true or false")
    env = data.get("password_env")
    if env is not None and not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", str(env)):
        raise fail(f"smtp.password_env should name an environment variable, not {env!r}")
    return SmtpSettings(
        host=str(data.get("host", "localhost")), port=port, security=security,
        username=str(data["username"]) if data.get("username") else None,
        password_env=str(env) if env else None,
        keyring_service=str(data.get("keyring_service") or KEYRING_SERVICE),
        verify_certificate=verify, ca_file=str(data["ca_file"]) if data.get("ca_file") else None,
        timeout=float(numbers["timeout"]), retries=int(numbers["retries"]),
        retry_wait=float(numbers["retry_wait"]))


def _known(data: dict[str, Any], known: set[str], prefix: str, fail: Fail) -> None:
    unknown = sorted(str(k) for k in set(data) - known)
    if unknown:
        raise fail(f"unknown setting {prefix}{unknown[0]!r} (known: {', '.join(sorted(known))})")


def _check_address(text: str, key: str, fail: Fail) -> None:
    from email.utils import parseaddr

    _name, address = parseaddr(text)
    if not is_address(address):
        raise fail(f"{key}: {text!r} is not an email address")


def smtp_password(smtp: SmtpSettings) -> str | None:
    """The server password: the named environment variable, else the system keyring, else None.

    Never stored anywhere by sheetsync: callers pass it straight to the mail server.
    """
    if smtp.password_env and os.environ.get(smtp.password_env):
        return os.environ[smtp.password_env]
    if smtp.username:
        try:
            import keyring  # type: ignore[import-not-found,unused-ignore]
        except ImportError:
            return None
        try:
            found = keyring.get_password(smtp.keyring_service, smtp.username)
        except Exception:  # noqa: BLE001 - a keyring with no backend: as if nothing were stored
            return None
        return str(found) if found else None
    return None
