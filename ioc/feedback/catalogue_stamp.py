"""The catalogue's revision stamp: moved by every change to agencies, category groups,
categories or routing rules, so a process can tell that its in-process copy of them
(:mod:`ioc.feedback.intake.catalogue`) is stale.

A transaction that changes any of them moves the stamp in the database once, in the same
transaction (other processes notice when they next check it), and this process's own count
of catalogue commits (:func:`local_changes`) once it commits, so its copy is stale at once.
"""

from __future__ import annotations

import itertools
from typing import Any

from sqlalchemy import Integer, event, select, update
from sqlalchemy.orm import Mapped, Session, mapped_column

from ioc.db import Base
from ioc.feedback.models import Agency, Category, CategoryGroup, RoutingRule

_CATALOGUE = (Agency, CategoryGroup, Category, RoutingRule)
#: Set in ``session.info`` while its transaction holds catalogue changes not yet committed.
CHANGED = "ioc_catalogue_changed"


class CatalogueRevision(Base):
    """The single row of the stamp."""

    __tablename__ = "catalogue_revision"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, default=1)
    revision: Mapped[int] = mapped_column(Integer, default=0)


def catalogue_revision(session: Session) -> int:
    return session.scalar(select(CatalogueRevision.revision).where(CatalogueRevision.id == 1)) or 0


_committed = [0]


def changes_catalogue(session: Session) -> bool:
    """Whether the session's transaction changed the catalogue, flushed or not yet."""
    if session.info.get(CHANGED):
        return True
    pending = itertools.chain(session.new, session.dirty, session.deleted)
    return any(isinstance(instance, _CATALOGUE) for instance in pending)


def local_changes() -> int:
    """How many transactions of this process changed the catalogue and committed."""
    return _committed[0]


@event.listens_for(Session, "after_flush")
def _note_change(session: Session, _flush_context: Any) -> None:
    if session.info.get(CHANGED) or not changes_catalogue(session):
        return
    session.info[CHANGED] = True
    session.connection().execute(
        update(CatalogueRevision)
        .where(CatalogueRevision.id == 1)
        .values(revision=CatalogueRevision.revision + 1)
    )


@event.listens_for(Session, "after_commit")
def _count_commit(session: Session) -> None:
    if session.info.pop(CHANGED, False):
        _committed[0] += 1


@event.listens_for(Session, "after_rollback")
def _forget(session: Session) -> None:
    session.info.pop(CHANGED, None)
