"""Fixtures of the job tests: the web app of tests/web (both databases), Huey in immediate
mode running against it, users with e-mail addresses, and a real SMTP server (aiosmtpd) on
a free loopback port, started and stopped by the test."""

from __future__ import annotations

import socket

import pytest
from aiosmtpd.controller import Controller

from tests.web.conftest import app, client, own_app, shared_app  # noqa: F401
from web.jobs import huey, use_app
from web.jobs import mail as mail_jobs  # noqa: F401 -- registers the tasks and the hooks

SITE = "https://programmy.example.ru"


class Inbox:
    """aiosmtpd handler: keeps what it accepts."""

    def __init__(self):
        self.messages: list[bytes] = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 -- aiosmtpd's name
        self.messages.append(envelope.content)
        return "250 Message accepted for delivery"


class SmtpServer:
    def __init__(self):
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port = s.getsockname()[1]
        self.inbox = Inbox()
        self.controller = None

    @property
    def url(self) -> str:
        return f"smtp://127.0.0.1:{self.port}"

    def start(self):
        self.controller = Controller(self.inbox, hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def stop(self):
        if self.controller is not None:
            self.controller.stop()
            self.controller = None

    @property
    def messages(self) -> list[bytes]:
        return self.inbox.messages


@pytest.fixture
def smtp():
    server = SmtpServer()
    yield server
    server.stop()


@pytest.fixture
def jobs(app, monkeypatch):  # noqa: F811 -- the web tests' app fixture
    """Huey runs tasks at once, in this process, against the test's app."""
    monkeypatch.setitem(app.config, "PUBLIC_BASE_URL", SITE)
    monkeypatch.setitem(app.config, "MAIL_FROM", "Министерство образования <robot@example.ru>")
    huey.immediate = True
    use_app(app)
    yield app
    huey.immediate = False
    use_app(None)


@pytest.fixture
def mailboxes(world):
    """Everybody in the world gets an address (the world's users have none)."""
    for role, user in world.users_by_role().items():
        user.email = f"{role.replace('_', '-')}@example.ru"
    world.session.commit()
    return world
