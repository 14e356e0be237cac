"""Every configuration change in the audit log: one entry per row added, changed or closed."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy.orm import Session

from ioc.feedback.people import audit
from ioc.province.changes import KindChanges

Document = dict[str, Any] | None


def audit_changes(
    session: Session,
    changes: KindChanges,
    *,
    kind: str,
    actor_id: int | None,
    added: Callable[[str], Document] = lambda _key: None,
    closed: tuple[Document, Document] = (None, None),
    close_verb: str = "close",
) -> None:
    """Record ``province.<kind>.add|change|<close_verb>`` for each row of ``changes``:
    ``added(key)`` is an added row's "after"; ``closed`` the (before, after) of a closed one."""
    for key in changes.added:
        _record(session, actor_id, kind, "add", key, None, added(key))
    for change in changes.changed:
        _record(session, actor_id, kind, "change", change.key, change.before, change.after)
    for key in changes.closed:
        _record(session, actor_id, kind, close_verb, key, *closed)


def _record(
    session: Session,
    actor_id: int | None,
    kind: str,
    verb: str,
    ref: str,
    before: Document,
    after: Document,
) -> None:
    audit.record(
        session,
        actor_id=actor_id,
        action=f"province.{kind}.{verb}",
        target_type=kind,
        target_ref=ref,
        before=before,
        after=after,
    )
