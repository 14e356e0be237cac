"""Push notifications behind a small interface, and its firebase-admin (FCM HTTP v1) sender.

The worker depends on :class:`PushSender`; :class:`FirebasePushSender` sends through the
province's Firebase project. Development and tests point it at a local server speaking the FCM
v1 API (``IOC_FCM_ENDPOINT``); production refuses that setting.
"""

from __future__ import annotations

import logging
import threading
import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

import firebase_admin
from firebase_admin import credentials, exceptions, messaging
from google.auth.exceptions import GoogleAuthError

from ioc.config import Settings
from ioc.integrations.outcome import Outcome

log = logging.getLogger(__name__)

# A stalled FCM call should cost a worker seconds, not firebase-admin's default two minutes.
_HTTP_TIMEOUT_SECONDS = 15
_apps_lock = threading.Lock()


@dataclass(frozen=True)
class PushMessage:
    """One notification for one device token.

    ``collapse_key`` makes a newer message about the same report replace an older one still
    waiting on the device; ``data`` (strings only, as FCM requires) lets the app open the report;
    ``link`` is the page a tap on a web notification opens.
    """

    token: str
    title: str
    body: str
    collapse_key: str
    data: dict[str, str] = field(default_factory=dict)
    link: str = ""


class PushSender(Protocol):
    """Sends push notifications; one outcome per message, in order."""

    def send(self, messages: Sequence[PushMessage]) -> list[Outcome]: ...


class FirebasePushSender:
    """Sends through Firebase Cloud Messaging with firebase-admin's ``send_each``.

    The firebase-admin app is created on first send (never at import time) under a name this
    class owns. Credentials: ``credential`` if given, else the service-account file
    ``credentials_file``, else Application Default Credentials.
    """

    def __init__(
        self,
        project_id: str,
        *,
        credentials_file: Path | None = None,
        credential: credentials.Base | None = None,
        endpoint: str = "",
    ) -> None:
        """Raises:
        ValueError: ``project_id`` is empty.
        """
        if not project_id:
            raise ValueError("a Firebase project id is required")
        self._project_id = project_id
        self._credentials_file = credentials_file
        self._credential = credential
        self._endpoint = endpoint.rstrip("/")
        # The endpoint is part of the name so a stand-in never inherits another one's app.
        self._app_name = f"ioc-push-{project_id}" + (f"@{self._endpoint}" if endpoint else "")
        self._app: firebase_admin.App | None = None

    def send(self, messages: Sequence[PushMessage]) -> list[Outcome]:
        if not messages:
            return []
        try:
            batch = messaging.send_each([_fcm_message(m) for m in messages], app=self._app_())
        except (exceptions.FirebaseError, GoogleAuthError, ValueError, OSError) as exc:
            # No message left (credentials missing, bad service-account file…): all retry.
            log.warning("push sending failed before any message left: %s", exc)
            return [Outcome.retry(f"{type(exc).__name__}: {exc}") for _ in messages]
        return [_outcome(response) for response in batch.responses]

    def close(self) -> None:
        """Forget the firebase-admin app (tests create one per stand-in server)."""
        with _apps_lock:
            if self._app is not None:
                firebase_admin.delete_app(self._app)
                self._app = None

    def _app_(self) -> firebase_admin.App:
        with _apps_lock:
            if self._app is None:
                try:
                    self._app = firebase_admin.get_app(self._app_name)
                except ValueError:
                    self._app = firebase_admin.initialize_app(
                        self._credential_(),
                        options={
                            "projectId": self._project_id,
                            "httpTimeout": _HTTP_TIMEOUT_SECONDS,
                        },
                        name=self._app_name,
                    )
            if self._endpoint:
                # firebase-admin has no public setting for the FCM address; this private
                # attribute is why firebase-admin is pinned to one major version.
                service = messaging._get_messaging_service(self._app)
                service._fcm_url = f"{self._endpoint}/v1/projects/{self._project_id}/messages:send"
            return self._app

    def _credential_(self) -> credentials.Base:
        if self._credential is not None:
            return self._credential
        if self._credentials_file is not None:
            return credentials.Certificate(str(self._credentials_file))
        return credentials.ApplicationDefault()


def _fcm_message(message: PushMessage) -> messaging.Message:
    with warnings.catch_warnings():
        # firebase-admin 7.7 deprecates registration tokens in favour of Firebase installation
        # ids; FCM still delivers to tokens, and the apps register tokens today.
        warnings.filterwarnings("ignore", "Message.token is deprecated", DeprecationWarning)
        return _build_message(message)


def _build_message(message: PushMessage) -> messaging.Message:
    return messaging.Message(
        token=message.token,
        notification=messaging.Notification(title=message.title, body=message.body),
        data=message.data,
        android=messaging.AndroidConfig(
            collapse_key=message.collapse_key,
            priority="high",
            notification=messaging.AndroidNotification(tag=message.collapse_key),
        ),
        apns=messaging.APNSConfig(headers={"apns-collapse-id": message.collapse_key}),
        webpush=messaging.WebpushConfig(
            headers={"Urgency": "high", "Topic": _topic(message.collapse_key)},
            notification=messaging.WebpushNotification(
                title=message.title,
                body=message.body,
                tag=message.collapse_key,
                icon=_WEB_ICON,
            ),
            # FCM opens only HTTPS links itself; the service worker opens data["link"] anyway.
            fcm_options=messaging.WebpushFCMOptions(link=message.link)
            if message.link.startswith("https://")
            else None,
        ),
    )


_WEB_ICON = "/report/icons/icon-192.png"


def _topic(collapse_key: str) -> str:
    # A Web Push topic (RFC 8030) is at most 32 URL-safe characters; a newer message with the
    # same topic replaces one the push service still holds for an offline browser.
    return "".join(c for c in collapse_key if c.isalnum() or c in "-_")[:32] or "ioc"


def _outcome(response: messaging.SendResponse) -> Outcome:
    if response.success:
        return Outcome.delivered(200)
    error = response.exception
    http = getattr(error, "http_response", None)
    status = getattr(http, "status_code", None)
    text = f"{getattr(error, 'code', type(error).__name__)}: {error}"
    if isinstance(error, messaging.UnregisteredError):
        return Outcome.give_up(text, status, unregistered=True)
    # A malformed token or one of another Firebase project will never work; but do not forget
    # the device, since an invalid argument may as well be a message this code built wrong.
    if isinstance(error, exceptions.InvalidArgumentError | messaging.SenderIdMismatchError):
        return Outcome.give_up(text, status)
    return Outcome.retry(text, status)


def firebase_sender(settings: Settings) -> FirebasePushSender:
    """The push sender a deployment's settings describe (project, credentials, endpoint)."""
    return FirebasePushSender(
        settings.firebase_project_id,
        credentials_file=settings.firebase_credentials,
        endpoint=settings.fcm_endpoint,
    )
