"""The e-mail channel: ``ioc worker`` reads the province's mailbox over IMAP (TLS) and turns
each new message into a report.

Every message is read without marking it seen, filed (or held as "needs location") in one
transaction recorded under its Message-ID, and only then flagged ``$IocFiled`` (and moved to
``IOC_IMAP_DONE_FOLDER`` when set). A worker that dies between the commit and the flag finds
the Message-ID on its next poll and only flags the message: nothing is ever filed twice.
Automatic mail (auto-replies, bounces) is flagged without filing, so no mail loop starts.
"""

from __future__ import annotations

import hashlib
import logging
import ssl
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import cast

from imap_tools import AND, MailBox, MailMessage, MailMessageFlags
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from ioc.config import Settings
from ioc.db import unit_of_work, utcnow
from ioc.errors import InvalidInput
from ioc.feedback.citizen_models import InboundStatus
from ioc.feedback.intake.filing import MAX_PHOTOS, Intake
from ioc.feedback.intake.photos import (
    MAX_PHOTO_BYTES,
    ProcessedPhoto,
    photo_location,
    process_photo,
)
from ioc.feedback.intake.submission import stage_photos
from ioc.feedback.lifecycle.inbound import Received, find_inbound, receive_message
from ioc.feedback.states import Channel
from ioc.media import MediaStore

log = logging.getLogger(__name__)

#: The IMAP keyword that marks a message the operations centre has handled.
HANDLED = "$IocFiled"
_TIMEOUT_SECONDS = 30.0


@dataclass(frozen=True)
class MailboxSettings:
    host: str
    port: int
    user: str
    password: str
    folder: str
    category: str
    done_folder: str = ""
    ca_file: str = ""

    def tls_context(self) -> ssl.SSLContext:
        return ssl.create_default_context(cafile=self.ca_file or None)


def mailbox_settings(settings: Settings) -> MailboxSettings | None:
    """The mailbox a deployment's settings describe, or None while IOC_IMAP_HOST is unset."""
    if not settings.imap_host:
        return None
    return MailboxSettings(
        host=settings.imap_host,
        port=settings.imap_port,
        user=settings.imap_user,
        password=settings.imap_password,
        folder=settings.imap_folder,
        category=settings.imap_category,
        done_folder=settings.imap_done_folder,
        ca_file=settings.imap_ca_file,
    )


@dataclass
class Polled:
    filed: int = 0
    held: int = 0
    ignored: int = 0
    #: Messages seen before (a crash between the commit and the flag): flagged only.
    known: int = 0

    @property
    def total(self) -> int:
        return self.filed + self.held + self.ignored + self.known


def poll_mailbox(
    session_factory: sessionmaker[Session],
    media: MediaStore,
    intake: Intake,
    mailbox: MailboxSettings,
    *,
    now: Callable[[], datetime] = utcnow,
    batch_size: int = 20,
) -> Polled:
    """File up to ``batch_size`` messages not yet handled, oldest first.

    Raises:
        imap_tools / OSError errors: the server cannot be reached or refuses the sign-in (the
            worker logs it and tries again at the next poll; nothing was half-done).
        InvalidInput: ``IOC_IMAP_CATEGORY`` names no active category (nothing is flagged).
    """
    polled = Polled()
    with MailBox(
        mailbox.host, port=mailbox.port, ssl_context=mailbox.tls_context(), timeout=_TIMEOUT_SECONDS
    ).login(mailbox.user, mailbox.password, initial_folder=mailbox.folder) as box:
        if mailbox.done_folder and not box.folder.exists(mailbox.done_folder):
            box.folder.create(mailbox.done_folder)
        for message in box.fetch(
            AND(no_keyword=HANDLED), mark_seen=False, limit=batch_size, bulk=True
        ):
            outcome = _handle(session_factory, media, intake, mailbox, message, now())
            setattr(polled, outcome, getattr(polled, outcome) + 1)
            box.flag(message.uid or "", [HANDLED, MailMessageFlags.SEEN], True)
            if mailbox.done_folder:
                box.move(message.uid or "", mailbox.done_folder)
    if polled.total:
        log.info(
            "mailbox: %d filed, %d waiting for a location, %d automatic ignored, %d known",
            polled.filed,
            polled.held,
            polled.ignored,
            polled.known,
        )
    return polled


def _handle(
    session_factory: sessionmaker[Session],
    media: MediaStore,
    intake: Intake,
    mailbox: MailboxSettings,
    message: MailMessage,
    received_at: datetime,
) -> str:
    if _is_automatic(message):
        return "ignored"
    external_id = message_id(message)
    with unit_of_work(session_factory) as session:
        if find_inbound(session, channel=Channel.EMAIL, external_id=external_id) is not None:
            return "known"
    raws = _image_attachments(message)
    location = next(filter(None, (photo_location(raw) for raw in raws)), None)
    photos = _processed(raws, external_id)
    try:
        with media.staged() as batch:
            stored = stage_photos(batch, photos)
            with unit_of_work(session_factory) as session:
                record = receive_message(
                    session,
                    intake,
                    message=Received(
                        channel=Channel.EMAIL,
                        external_id=external_id,
                        sender_email=message.from_values.email if message.from_values else None,
                        sender_name=(message.from_values.name or None)
                        if message.from_values
                        else None,
                        subject=message.subject,
                        body=message.text or _html_text(message.html),
                        received_at=received_at,
                        photos=stored,
                        location=location,
                    ),
                    category_code=mailbox.category,
                )
                status = record.status
    except IntegrityError:
        # Another worker filed the same Message-ID first; the staged files are gone again.
        return "known"
    return "filed" if status == InboundStatus.FILED else "held"


def message_id(message: MailMessage) -> str:
    """The message's Message-ID, or (for the rare mail without one) a digest of its bytes."""
    values = _headers(message).get("message-id") or ()
    found = values[0].strip() if values else ""
    if found:
        return found
    return "sha256:" + hashlib.sha256(message.obj.as_bytes()).hexdigest()


def _headers(message: MailMessage) -> dict[str, tuple[str, ...]]:
    return cast(dict[str, tuple[str, ...]], message.headers)


def _is_automatic(message: MailMessage) -> bool:
    # RFC 3834: auto-replies say so; bounces come from the null sender or a mailer daemon.
    auto = (_headers(message).get("auto-submitted") or ("no",))[0].strip().lower()
    sender = (message.from_ or "").lower()
    return auto != "no" or not sender or sender.startswith("mailer-daemon@")


def _image_attachments(message: MailMessage) -> list[bytes]:
    raws = []
    for attachment in message.attachments:
        if not attachment.content_type.lower().startswith("image/"):
            continue
        if 0 < attachment.size <= MAX_PHOTO_BYTES:
            raws.append(attachment.payload)
        if len(raws) == MAX_PHOTOS:
            break
    return raws


def _processed(raws: list[bytes], external_id: str) -> list[ProcessedPhoto]:
    # A damaged or unsupported picture must not lose the message: it is left out.
    photos = []
    for index, raw in enumerate(raws):
        try:
            photos.append(process_photo(raw, field=f"photos[{index}]"))
        except InvalidInput as refusal:
            log.warning("mailbox: photo %d of %s left out: %s", index, external_id, refusal)
    return photos


def _html_text(html: str) -> str:
    from html.parser import HTMLParser

    parts: list[str] = []

    class _Text(HTMLParser):
        def handle_data(self, data: str) -> None:
            parts.append(data)

    parser = _Text()
    parser.feed(html)
    return " ".join(" ".join(parts).split())
