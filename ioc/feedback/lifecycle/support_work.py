"""A supporting agency's part of a report (phối hợp), with its photos: stored and recorded
all or nothing. The part's deadline lives in :mod:`ioc.feedback.sla.support`."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy.orm import Session, sessionmaker

from ioc.db import unit_of_work
from ioc.feedback.intake.photos import ProcessedPhoto
from ioc.feedback.intake.submission import stage_photos
from ioc.feedback.lifecycle.agency_work import contribute
from ioc.feedback.lifecycle.handling import get_report_for_staff
from ioc.feedback.models import User
from ioc.media import MediaStore


def contribute_with_photos(
    session_factory: sessionmaker[Session],
    media: MediaStore,
    *,
    ref: str,
    actor_id: int,
    text: str,
    photos: Sequence[ProcessedPhoto],
) -> None:
    """Store the part's photos and record the part, all or nothing (no photo left behind
    when the contribution is refused).

    Raises:
        everything :func:`ioc.feedback.lifecycle.agency_work.contribute` and
        :func:`get_report_for_staff` raise.
    """
    with media.staged() as batch:
        stored = stage_photos(batch, photos)
        with unit_of_work(session_factory) as session:
            actor = session.get_one(User, actor_id)
            report = get_report_for_staff(session, ref=ref, actor=actor)
            contribute(session, report=report, actor=actor, text=text, photos=stored)
