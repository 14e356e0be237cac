"""Open311 keys and webhook subscriptions as administrators manage them in the console: by row
id, audited (never the key or the secret), the secret shown once by the caller."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy.orm import Session

from ioc.errors import NotFound
from ioc.feedback.models import User
from ioc.feedback.people import audit
from ioc.integrations import api_clients, subscriptions
from ioc.integrations.models import ApiClient, WebhookSubscription


def create_key(session: Session, *, name: str, actor: User | None) -> api_clients.NewKey:
    """Raises: InvalidInput (a bad name), Conflict (the name is taken)."""
    new = api_clients.create_api_client(session, name=name)
    _audit(
        session, actor, "create_open311_key", "open311_key", new.client.name, None, _key(new.client)
    )
    return new


def revoke_key(session: Session, *, key_id: int, actor: User | None) -> ApiClient:
    """Raises: NotFound when no key has that id."""
    client = session.get(ApiClient, key_id)
    if client is None:
        raise NotFound("no Open311 key with that id", details={"id": key_id})
    before = _key(client)
    api_clients.revoke_api_client(session, name=client.name)
    _audit(session, actor, "revoke_open311_key", "open311_key", client.name, before, _key(client))
    return client


def add_webhook(
    session: Session, *, name: str, url: str, events: Sequence[str], actor: User | None
) -> tuple[WebhookSubscription, str]:
    """Raises: InvalidInput (bad name, URL or event filter), Conflict (the name is taken)."""
    subscription, secret = subscriptions.add_subscription(
        session, name=name, url=url, event_types=events
    )
    _audit(
        session, actor, "create_webhook", "webhook", subscription.name, None, _hook(subscription)
    )
    return subscription, secret


def revoke_webhook(session: Session, *, webhook_id: int, actor: User | None) -> WebhookSubscription:
    """Raises: NotFound when no subscription has that id."""
    subscription = session.get(WebhookSubscription, webhook_id)
    if subscription is None:
        raise NotFound("no webhook with that id", details={"id": webhook_id})
    before = _hook(subscription)
    subscriptions.disable_subscription(session, name=subscription.name)
    _audit(
        session, actor, "revoke_webhook", "webhook", subscription.name, before, _hook(subscription)
    )
    return subscription


def _key(client: ApiClient) -> dict[str, object]:
    return {"name": client.name, "key_prefix": client.key_prefix, "active": client.is_active}


def _hook(subscription: WebhookSubscription) -> dict[str, object]:
    return {
        "name": subscription.name,
        "url": subscription.url,
        "events": list(subscription.event_types),
        "active": subscription.is_active,
    }


def _audit(
    session: Session,
    actor: User | None,
    action: str,
    target_type: str,
    ref: str,
    before: dict[str, object] | None,
    after: dict[str, object],
) -> None:
    audit.record(
        session,
        actor_id=actor.id if actor else None,
        action=action,
        target_type=target_type,
        target_ref=ref,
        before=before,
        after=after,
    )
