"""A private Dovecot for the test session, and one fresh mailbox folder per test."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from imap_tools import MailBox

from ioc.integrations.mailbox import MailboxSettings
from tests.channels.imap_server import DOVECOT, ImapServer
from tests.integrations.conftest import cast  # noqa: F401 (the cast of people the tests use)


@pytest.fixture(scope="session")
def imap_server() -> Iterator[ImapServer]:
    if not Path(DOVECOT).exists():
        if os.environ.get("IOC_TEST_REQUIRE_DOVECOT"):
            pytest.fail("Dovecot is required (IOC_TEST_REQUIRE_DOVECOT) but not installed")
        pytest.skip("no Dovecot: apt-get install dovecot-imapd")
    server = ImapServer().start()
    yield server
    server.stop()


@pytest.fixture
def mailbox(imap_server: ImapServer) -> MailboxSettings:
    """The settings of a folder of its own, as the worker would read them."""
    folder = f"ioc-{uuid.uuid4().hex[:12]}"
    with _box(imap_server) as box:
        box.folder.create(folder)
    return MailboxSettings(
        host="127.0.0.1",
        port=imap_server.port,
        user=imap_server.user,
        password=imap_server.password,
        folder=folder,
        category="o_ga",
        ca_file=str(imap_server.cert),
    )


def deliver(imap_server: ImapServer, folder: str, message: bytes) -> None:
    """Put a message into the folder as the mail server's delivery agent would (APPEND)."""
    with _box(imap_server) as box:
        box.append(message, folder, dt=None)


def flags_in(imap_server: ImapServer, folder: str) -> list[tuple[str, ...]]:
    with _box(imap_server) as box:
        box.folder.set(folder)
        return [message.flags for message in box.fetch(mark_seen=False, headers_only=True)]


def _box(imap_server: ImapServer) -> MailBox:
    return MailBox("127.0.0.1", port=imap_server.port, ssl_context=imap_server.tls_context()).login(
        imap_server.user, imap_server.password
    )
