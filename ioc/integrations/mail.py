"""E-mail behind a small interface, and its SMTP sender (the standard library's ``smtplib``).

The worker depends on :class:`EmailSender`; :class:`SmtpEmailSender` hands each message to the
province's mail server, with STARTTLS and a sign-in when configured. A server that cannot be
reached, or answers "try later" (4xx), leaves the message to be retried; one that refuses the
recipient or the message for good (5xx) makes it dead at once.
"""

from __future__ import annotations

import logging
import smtplib
import ssl
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formatdate, make_msgid, parseaddr
from typing import Protocol

from ioc.config import Settings
from ioc.integrations.outcome import Outcome

log = logging.getLogger(__name__)

# A stalled mail server should cost a worker seconds, not the socket's default of forever.
_TIMEOUT_SECONDS = 15.0


@dataclass(frozen=True)
class MailMessage:
    """One plain-text e-mail to one address."""

    to: str
    subject: str
    body: str


class EmailSender(Protocol):
    """Sends one e-mail; the outcome says whether it left, may be retried, or never will."""

    def send(self, message: MailMessage) -> Outcome: ...


class SmtpEmailSender:
    """Sends each message over its own SMTP connection (staff e-mails are few)."""

    def __init__(
        self,
        host: str,
        port: int,
        *,
        sender: str,
        username: str = "",
        password: str = "",
        starttls: bool = True,
        timeout: float = _TIMEOUT_SECONDS,
    ) -> None:
        """Raises:
        ValueError: ``host`` or ``sender`` is empty.
        """
        if not host or not sender:
            raise ValueError("an SMTP host and a sender address are required")
        self._host, self._port, self._sender = host, port, sender
        self._username, self._password = username, password
        self._starttls, self._timeout = starttls, timeout

    def send(self, message: MailMessage) -> Outcome:
        try:
            with smtplib.SMTP(self._host, self._port, timeout=self._timeout) as smtp:
                if self._starttls:
                    smtp.starttls(context=ssl.create_default_context())
                if self._username:
                    smtp.login(self._username, self._password)
                refused = smtp.send_message(self._message(message))
        except smtplib.SMTPRecipientsRefused as exc:
            code, reply = next(iter(exc.recipients.values()))
            return _refused(code, reply)
        except smtplib.SMTPDataError as exc:
            return _refused(exc.smtp_code, exc.smtp_error)
        except smtplib.SMTPResponseException as exc:
            # A refused sign-in or sender is the deployment's to fix; retry until it is.
            return Outcome.retry(f"SMTP {exc.smtp_code}: {_text(exc.smtp_error)}", exc.smtp_code)
        except (smtplib.SMTPException, OSError) as exc:
            return Outcome.retry(f"{type(exc).__name__}: {exc}")
        if refused:
            code, reply = next(iter(refused.values()))
            return _refused(code, reply)
        return Outcome.delivered(250)

    def _message(self, message: MailMessage) -> EmailMessage:
        mail = EmailMessage()
        mail["From"] = self._sender
        mail["To"] = message.to
        mail["Subject"] = message.subject
        mail["Date"] = formatdate(localtime=False)
        address = parseaddr(self._sender)[1]
        mail["Message-ID"] = make_msgid(domain=address.split("@", 1)[1] if "@" in address else None)
        mail.set_content(message.body)
        return mail


def _refused(code: int, reply: bytes | str) -> Outcome:
    error = f"SMTP {code}: {_text(reply)}"
    if 500 <= code < 600:
        return Outcome.give_up(error, code)
    return Outcome.retry(error, code)


def _text(reply: bytes | str) -> str:
    return reply.decode(errors="replace") if isinstance(reply, bytes) else str(reply)


def smtp_sender(settings: Settings) -> SmtpEmailSender | None:
    """The e-mail sender a deployment's settings describe, or None while IOC_SMTP_HOST is unset."""
    if not settings.smtp_host:
        return None
    return SmtpEmailSender(
        settings.smtp_host,
        settings.smtp_port,
        sender=settings.smtp_from,
        username=settings.smtp_username,
        password=settings.smtp_password,
        starttls=settings.smtp_starttls,
    )
