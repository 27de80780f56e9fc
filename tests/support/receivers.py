"""Real alert receivers on loopback: an SMTP server (aiosmtpd) and an HTTP webhook endpoint.

Each records what it received so a test can assert an alert arrived, once, with the
right text. Both bind 127.0.0.1 on a free port and are stopped by the caller.
"""
from __future__ import annotations

import base64
import json
import socket
import threading
from email import message_from_bytes, policy
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword


def _free_port() -> int:
    # aiosmtpd's Controller connects to its own port to see it is up, so it cannot take port 0.
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Mailbox:
    """An SMTP server that accepts mail after a LOGIN with ``user``/``password``."""

    def __init__(self, user: str, password: str):
        self.user, self.password = user, password
        self.messages: list[Any] = []  # email.message.EmailMessage
        # Plain SMTP on loopback: allow AUTH without TLS so the URL's password is really checked.
        self._controller = Controller(self, hostname="127.0.0.1", port=_free_port(), authenticator=self._auth,
                                      auth_require_tls=False)

    def _auth(self, server, session, envelope, mechanism, auth_data) -> AuthResult:
        ok = isinstance(auth_data, LoginPassword) and auth_data.login.decode() == self.user \
            and auth_data.password.decode() == self.password
        return AuthResult(success=ok)

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(message_from_bytes(envelope.content, policy=policy.default))
        return "250 OK"

    @property
    def port(self) -> int:
        return self._controller.port

    def start(self) -> "Mailbox":
        self._controller.start()
        return self

    def stop(self) -> None:
        self._controller.stop()

    def url(self, scheme: str = "mailto") -> str:
        return (f"{scheme}://{self.user}:{self.password}@127.0.0.1:{self.port}"
                f"?from=siteproof@clinic.test&to=team@clinic.test")


class Webhook:
    """An HTTP endpoint that records every JSON POST (with its Basic-auth user, if any)."""

    def __init__(self):
        self.posts: list[dict[str, Any]] = []
        received = self.posts

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                auth = self.headers.get("Authorization", "")
                user = base64.b64decode(auth[6:]).decode().split(":", 1)[0] if auth.startswith("Basic ") else None
                received.append({"path": self.path, "user": user, "json": json.loads(body)})
                self.send_response(200)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):  # keep test output clean
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def port(self) -> int:
        return self._server.server_address[1]

    def start(self) -> "Webhook":
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._thread.is_alive():  # shutdown() waits for serve_forever, which never ran otherwise
            self._server.shutdown()
        self._server.server_close()

    def url(self, path: str = "/hook", auth: str = "") -> str:
        return f"json://{auth + '@' if auth else ''}127.0.0.1:{self.port}{path}"


MAIL_PASSWORD = "pw-Sm7p-5ecret"  # what the SMTP server accepts; tests check it never leaks


@pytest.fixture(scope="module")
def mailbox():
    box = Mailbox("alerts", MAIL_PASSWORD).start()
    yield box
    box.stop()


@pytest.fixture(scope="module")
def webhook():
    hook = Webhook().start()
    yield hook
    hook.stop()
