"""Webhook subscriptions: who hears which events, at which address, with which secret."""

from __future__ import annotations

import re
import secrets
from collections.abc import Sequence
from urllib.parse import urlsplit

from sqlalchemy import select
from sqlalchemy.orm import Session

from ioc.errors import Conflict, InvalidInput, NotFound
from ioc.integrations.models import WebhookSubscription

#: An event type (``report.resolved``) or every type of a family (``report.*``).
_FILTER = re.compile(r"^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*|\.\*)$")


def add_subscription(
    session: Session, *, name: str, url: str, event_types: Sequence[str] = ()
) -> tuple[WebhookSubscription, str]:
    """Subscribe ``url`` to the events ``event_types`` selects (none: every event).

    Returns the subscription and its new secret, which the receiver needs to check
    signatures; it is shown once, here. Never commits.

    Raises:
        InvalidInput: empty name, a URL that is not http(s), or a malformed event filter.
        Conflict: a subscription of that name exists.
    """
    name = name.strip()
    problems: dict[str, str] = {}
    if not name or len(name) > 100:
        problems["name"] = "1 to 100 characters"
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname or len(url) > 500:
        problems["url"] = "an http:// or https:// address of at most 500 characters"
    bad = [f for f in event_types if not _FILTER.match(f)]
    if bad:
        problems["event"] = f"not an event type or family (like report.resolved, report.*): {bad}"
    if problems:
        raise InvalidInput("invalid webhook subscription", details={"fields": problems})
    if session.scalar(select(WebhookSubscription.id).where(WebhookSubscription.name == name)):
        raise Conflict("a webhook subscription of that name exists", details={"name": name})
    secret = secrets.token_hex(32)
    subscription = WebhookSubscription(
        name=name, url=url, secret=secret, event_types=list(dict.fromkeys(event_types))
    )
    session.add(subscription)
    session.flush()
    return subscription, secret


def list_subscriptions(session: Session) -> list[WebhookSubscription]:
    return list(session.scalars(select(WebhookSubscription).order_by(WebhookSubscription.name)))


def disable_subscription(session: Session, *, name: str) -> WebhookSubscription:
    """Stop sending to a subscription; what it was still owed is given up when due.

    Raises:
        NotFound: no subscription of that name.
    """
    subscription = session.scalar(
        select(WebhookSubscription).where(WebhookSubscription.name == name)
    )
    if subscription is None:
        raise NotFound("no webhook subscription of that name", details={"name": name})
    subscription.is_active = False
    session.flush()
    return subscription
