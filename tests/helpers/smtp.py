"""A real SMTP server on 127.0.0.1 for the reminder tests (``aiosmtpd``): STARTTLS with a test
certificate authority (``trustme``), login required, and ways to misbehave (refuse an address,
drop the line part-way). Also a server that accepts connections and never answers."""

from __future__ import annotations

import contextlib
import email
import socket
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.policy import default
from pathlib import Path
from typing import Any

import trustme
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

USER, PASSWORD = "risk-bot", "s3cret-Pa55w0rd-x9"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class Received:
    sender: str
    recipients: list[str]
    raw: bytes

    @property
    def message(self) -> EmailMessage:
        parsed = email.message_from_bytes(self.raw, policy=default)
        assert isinstance(parsed, EmailMessage)
        return parsed


@dataclass
class Handler:
    """Keeps what arrives; ``refuse`` addresses get 550; ``drops`` DATA commands hang up."""

    received: list[Received] = field(default_factory=list)
    refuse: set[str] = field(default_factory=set)
    drops: int = 0
    logins: list[str] = field(default_factory=list)

    async def handle_RCPT(self, server: Any, session: Any, envelope: Any, address: str,
                          options: list[str]) -> str:
        if address in self.refuse:
            return "550 5.1.1 No such mailbox here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        if self.drops:
            self.drops -= 1
            server.transport.close()
            return "421 closing"
        self.received.append(Received(envelope.mail_from, list(envelope.rcpt_tos),
                                      envelope.original_content or envelope.content))
        return "250 Message accepted"

    def authenticate(self, server: Any, session: Any, envelope: Any, mechanism: str,
                     auth_data: Any) -> AuthResult:
        ok = (isinstance(auth_data, LoginPassword) and auth_data.login == USER.encode()
              and auth_data.password == PASSWORD.encode())
        self.logins.append("ok" if ok else "refused")
        return AuthResult(success=ok, handled=False)


@dataclass
class MailServer:
    host: str
    port: int
    handler: Handler
    ca_file: Path

    def settings(self, **smtp: Any) -> dict[str, Any]:
        """The settings' ``email.smtp`` for this server."""
        return {"host": self.host, "port": self.port, "security": "starttls", "username": USER,
                "password_env": "SHEETSYNC_TEST_SMTP_PASSWORD", "ca_file": str(self.ca_file),
                "timeout": 5, "retries": 2, "retry_wait": 0, **smtp}


@contextlib.contextmanager
def mail_server(folder: Path) -> Iterator[MailServer]:
    """STARTTLS required, login required (over TLS only), certificate for 127.0.0.1."""
    authority = trustme.CA()
    certificate = authority.issue_cert("127.0.0.1", "localhost")
    folder.mkdir(parents=True, exist_ok=True)
    ca_file = folder / "test-ca.pem"
    authority.cert_pem.write_to_path(str(ca_file))
    import ssl

    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    certificate.configure_cert(context)
    handler = Handler()
    port = free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port, tls_context=context,
                            require_starttls=True, auth_required=True, auth_require_tls=True,
                            authenticator=handler.authenticate, timeout=10)
    controller.start()
    try:
        yield MailServer("127.0.0.1", port, handler, ca_file)
    finally:
        controller.stop()


@contextlib.contextmanager
def silent_server() -> Iterator[int]:
    """A port that accepts connections and never says a word (a hung mail server)."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(8)
    held: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        listener.settimeout(0.2)
        while not stop.is_set():
            with contextlib.suppress(OSError):
                held.append(listener.accept()[0])

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    try:
        yield int(listener.getsockname()[1])
    finally:
        stop.set()
        thread.join(timeout=5)
        for connection in held:
            connection.close()
        listener.close()
