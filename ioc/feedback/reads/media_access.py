"""Who may fetch a stored photo: the one home of that rule.

Photos of ordinary reports are public: the public map, Open311 and the citizen app link to
them, and their keys are unguessable and never reused, so anyone may cache them for good.
Some photos are not for everyone:

- photos of private categories (public order tips) identify a place, and sometimes people,
  that only the reporter and the staff who handle the report may see;
- an officer's draft answer waits for a manager's sign-off, and a supporting agency's photos
  belong to its part of the work; both stay among staff.

Those are served only to signed-in staff who may read the report (IOC staff and viewers; the
lead and supporting agencies) and, for a private category's own photos, to the reporter.
Everyone else is told the photo does not exist, exactly as for an unknown key.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from ioc.feedback.lifecycle.drafts import DRAFT_PHOTO
from ioc.feedback.lifecycle.workflow import can_see
from ioc.feedback.models import User
from ioc.feedback.report_models import Attachment, Report
from ioc.feedback.sla.support import SUPPORT_PHOTO
from ioc.feedback.states import Role

#: Photos that stay among staff whatever the category.
STAFF_ONLY_PURPOSES = frozenset({DRAFT_PHOTO, SUPPORT_PHOTO})


@dataclass(frozen=True)
class MediaFile:
    """A stored photo (or its thumbnail) as our own records describe it."""

    key: str
    content_type: str
    is_public: bool
    purpose: str
    report: Report


def find_media_file(session: Session, *, key: str) -> MediaFile | None:
    """The photo or thumbnail stored under ``key``; ``None`` when no attachment names the key
    or moderation hid it."""
    attachment = session.scalar(
        select(Attachment).where(
            or_(Attachment.storage_key == key, Attachment.thumbnail_key == key)
        )
    )
    if attachment is None or attachment.is_hidden:
        return None
    report = session.get_one(Report, attachment.report_id)
    return MediaFile(
        key=key,
        # Photos and thumbnails are both re-encoded by intake, so one recorded type fits both.
        content_type=attachment.content_type,
        is_public=not report.category.is_private and attachment.purpose not in STAFF_ONLY_PURPOSES,
        purpose=attachment.purpose,
        report=report,
    )


def may_fetch(viewer: User | None, media: MediaFile) -> bool:
    """Whether ``viewer`` (``None``: nobody signed in) may be sent ``media``."""
    if media.is_public:
        return True
    if viewer is None:
        return False
    if viewer.role == Role.CITIZEN:
        return media.report.reporter_id == viewer.id and media.purpose not in STAFF_ONLY_PURPOSES
    return can_see(viewer, media.report)
