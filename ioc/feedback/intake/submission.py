"""Filing a citizen's report exactly once, photos included.

The use case spans two stores: photo files go to the media store and the report to the
database. Files are written first and removed again if the commit fails, so a failure at any
step leaves neither a row nor a file; the idempotency record commits with the report, so a
retry finds either both or neither.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from ioc.db import unit_of_work
from ioc.feedback.intake.filing import Intake, StoredPhoto, submit_report
from ioc.feedback.intake.idempotency import (
    Caller,
    StoredAnswer,
    find_answer,
    remember_answer,
)
from ioc.feedback.intake.photos import ProcessedPhoto
from ioc.feedback.intake.report_insert import is_taken_ref
from ioc.feedback.report_models import Report
from ioc.media import MediaBatch, MediaStore


@dataclass(frozen=True)
class Draft:
    """What the citizen sent, already checked for shape."""

    category_code: str
    lon: float
    lat: float
    accuracy_m: float | None = None
    address: str | None = None
    description: str | None = None
    attributes: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Submission:
    """One attempt to file a report: who, under which idempotency key, what and with which
    photos (already processed)."""

    reporter_id: int
    key: str
    fingerprint: str
    draft: Draft
    photos: Sequence[ProcessedPhoto]
    channel: str


def submit_once(
    session_factory: sessionmaker[Session],
    media: MediaStore,
    intake: Intake,
    submission: Submission,
    *,
    render: Callable[[Report], StoredAnswer],
) -> StoredAnswer:
    """File the report, or return the answer already given to this idempotency key.

    ``render`` shapes the answer from the new report inside the transaction; it is stored
    and replayed as is on every retry.

    Raises:
        InvalidInput: anything :func:`submit_report` refuses, or the key was used before for
            a different request.
    """
    draft = submission.draft

    def file(session: Session, stored: list[StoredPhoto]) -> StoredAnswer:
        report = submit_report(
            session,
            intake,
            category_code=draft.category_code,
            lon=draft.lon,
            lat=draft.lat,
            accuracy_m=draft.accuracy_m,
            address=draft.address,
            description=draft.description,
            attributes=draft.attributes,
            channel=submission.channel,
            reporter_id=submission.reporter_id,
            photos=stored,
        )
        return render(report)

    return file_once(
        session_factory,
        media,
        caller=Caller(user_id=submission.reporter_id),
        key=submission.key,
        fingerprint=submission.fingerprint,
        photos=submission.photos,
        file=file,
    )


def file_once(
    session_factory: sessionmaker[Session],
    media: MediaStore,
    *,
    caller: Caller,
    key: str | None,
    fingerprint: str,
    photos: Sequence[ProcessedPhoto],
    file: Callable[[Session, list[StoredPhoto]], StoredAnswer],
) -> StoredAnswer:
    """Run ``file`` (which files a report with the stored photos and shapes the answer) once
    per ``key`` of ``caller``: a retry gets the first answer. Without a key, it simply runs.

    With photos, the key is looked up first, so a retry writes no photo. Without, the
    report is filed straight away: a retry is rare, and the key's unique record stops its
    transaction at the commit, which saves every first request a query. The photos are
    removed again if the transaction fails.

    Raises:
        InvalidInput: anything ``file`` refuses, or the key was used before for a different
            request.
    """
    attempts = 1
    while True:
        try:
            with media.staged() as batch, unit_of_work(session_factory) as session:
                # The retry check shares the filing's transaction (a transaction fewer per
                # create).
                earlier = (
                    find_answer(session, caller=caller, key=key, fingerprint=fingerprint)
                    if key is not None and photos
                    else None
                )
                if earlier is not None:
                    return earlier
                answer = file(session, stage_photos(batch, photos))
                if key is not None:
                    remember_answer(
                        session, caller=caller, key=key, fingerprint=fingerprint, answer=answer
                    )
            return answer
        except IntegrityError as error:
            if is_taken_ref(error) and attempts < REF_ATTEMPTS:
                attempts += 1
                continue  # a report filed meanwhile drew the same code: file again
            # A parallel retry with the same key committed first: answer as it did.
            earlier = (
                _earlier_answer(session_factory, caller, key, fingerprint)
                if key is not None
                else None
            )
            if earlier is None:
                raise
            return earlier


#: How many times a filing is tried whose reference code a report filed meanwhile took
#: (its rows went with the COMMIT, which the unique code refused). One in a thousand
#: filings draws a taken code at a million reports a month (:func:`unused_ref`).
REF_ATTEMPTS = 5


def _earlier_answer(
    session_factory: sessionmaker[Session], caller: Caller, key: str, fingerprint: str
) -> StoredAnswer | None:
    with unit_of_work(session_factory) as session:
        return find_answer(session, caller=caller, key=key, fingerprint=fingerprint)


def stage_photos(batch: MediaBatch, photos: Sequence[ProcessedPhoto]) -> list[StoredPhoto]:
    """Write processed photos and their thumbnails into a staged batch."""
    return [
        StoredPhoto(
            storage_key=batch.put(photo.data),
            thumbnail_key=batch.put(photo.thumbnail),
            content_type=photo.content_type,
            width=photo.width,
            height=photo.height,
            byte_size=len(photo.data),
            sha256=photo.sha256,
        )
        for photo in photos
    ]
