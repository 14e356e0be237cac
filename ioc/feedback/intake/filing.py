"""Report use cases. Each takes the session first, raises IocErrors and never commits."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from ioc.db import FoundInStatement, utcnow
from ioc.errors import InvalidInput
from ioc.events.audiences import citizen_audience_sql
from ioc.events.log import FoundBySql
from ioc.feedback.announce import announce_filed
from ioc.feedback.intake.attributes import clean_attributes
from ioc.feedback.intake.catalogue import Catalogue
from ioc.feedback.intake.refs import new_ref
from ioc.feedback.intake.report_insert import (
    NEW_REPORT_ID,
    NEW_REPORT_REPORTER_ID,
    store_new_report,
)
from ioc.feedback.models import Category
from ioc.feedback.report_models import Attachment, Report, ReportArea, ReportHistory
from ioc.feedback.sla.deadlines import start_receipt_clock, start_resolution_clock
from ioc.feedback.sla.policy import SlaPolicy
from ioc.feedback.states import Channel, ReportStatus
from ioc.geo.cells import cell_for
from ioc.geo.service import AreaLocator
from ioc.telemetry.metrics import REPORTS_FILED, after_commit

MAX_DESCRIPTION_CHARS = 2000


@dataclass(frozen=True)
class StoredPhoto:
    """A photo already processed (metadata stripped) and written to the media store."""

    storage_key: str
    thumbnail_key: str
    content_type: str
    width: int
    height: int
    byte_size: int
    sha256: str

    def attachment(self, purpose: str, *, uploaded_by_id: int | None) -> Attachment:
        """The row that attaches this photo to a report ("before" or "after")."""
        return Attachment(
            purpose=purpose,
            storage_key=self.storage_key,
            thumbnail_key=self.thumbnail_key,
            content_type=self.content_type,
            width=self.width,
            height=self.height,
            byte_size=self.byte_size,
            sha256=self.sha256,
            uploaded_by_id=uploaded_by_id,
        )


#: Channels where the citizen holds the phone; staff filing on someone's behalf may have none.
_PHOTO_CHANNELS = frozenset({Channel.MOBILE, Channel.WEB})
MAX_PHOTOS = 5


@dataclass(frozen=True)
class Intake:
    """The place and the services a report needs to be filed."""

    locator: AreaLocator
    policy: SlaPolicy
    #: The categories, agencies and routing rules, kept in process.
    catalogue: Catalogue = field(default_factory=Catalogue)
    #: Draws a report's public reference code (one already taken is drawn again).
    draw_ref: Callable[[datetime], str] = new_ref

    def warm_up(self, session: Session) -> None:
        """Build the area index and the catalogue copy now, so that a fresh process's first
        filings do not wait for them (tens of milliseconds each, and every request that
        arrives meanwhile waits too)."""
        self.locator.index(session)
        self.catalogue.load(session)


def submit_report(
    session: Session,
    intake: Intake,
    *,
    category_code: str,
    lon: float,
    lat: float,
    channel: str,
    accuracy_m: float | None = None,
    address: str | None = None,
    description: str | None = None,
    attributes: dict[str, Any] | None = None,
    reporter_id: int | None = None,
    reporter: FoundInStatement | None = None,
    api_client_id: int | None = None,
    received_at: datetime | None = None,
    photos: Sequence[StoredPhoto] = (),
    category: Category | None = None,
    notes: Sequence[ReportHistory] = (),
    with_commit: bool = False,
) -> Report:
    """File a report: locate it, route it, set its deadlines, record history and event.

    ``notes`` are history entries written after the first (a link the sending system gave,
    say). With ``with_commit``, the caller reads nothing of the new report back before the
    transaction commits but what it gave and what this sets (its reference code, status,
    deadlines…): on PostgreSQL, without photos, its rows then go with the COMMIT, in one
    round trip with it, and its id (and its reporter's, when ``reporter`` finds it) is set
    once the COMMIT succeeded (:func:`ioc.feedback.intake.report_insert.store_new_report`).

    A caller that has already loaded the active category of ``category_code`` in this
    session passes it as ``category``, which saves looking it up again. The reporter is
    ``reporter_id``, or the account ``reporter`` finds as the report is written.

    Auto-dispatch categories with a matching rule go straight to the lead agency; everything
    else waits in the IOC review queue.

    Raises:
        InvalidInput: unknown or inactive category, a place outside the served area, a
            description that is too long, bad attributes, or a missing required photo.
    """
    received = received_at or utcnow()
    if category is None or category.code != category_code or not category.is_active:
        category = intake.catalogue.active_category(session, category_code)
    if category is None:
        raise InvalidInput(
            "unknown category", details={"fields": {"category": "is not an active category"}}
        )
    if description is not None and len(description) > MAX_DESCRIPTION_CHARS:
        raise InvalidInput(
            "description too long",
            details={"fields": {"description": f"at most {MAX_DESCRIPTION_CHARS} characters"}},
        )
    if len(photos) > MAX_PHOTOS:
        raise InvalidInput(
            "too many photos", details={"fields": {"photos": f"at most {MAX_PHOTOS}"}}
        )
    if category.is_photo_required and channel in _PHOTO_CHANNELS and not photos:
        raise InvalidInput(
            "this category needs a photo",
            details={"fields": {"photos": "at least one photo is required for this category"}},
        )
    cleaned_attributes = clean_attributes(category.attributes, attributes)
    chain = intake.locator.locate(session, lon, lat, received)
    if chain is None:
        raise InvalidInput(
            "the place is outside the area served by this operations centre",
            details={
                "fields": {"lon": "outside the served area", "lat": "outside the served area"}
            },
        )
    route = intake.catalogue.route(session, category=category, chain=chain, at=received)
    dispatch = category.is_auto_dispatch and not route.is_ioc_queue
    status = ReportStatus.ASSIGNED if dispatch else ReportStatus.PENDING_REVIEW
    cell_x, cell_y = cell_for(lon, lat)
    report = Report(
        category=category,
        status=status,
        sla_tier=category.sla_tier,
        lon=lon,
        lat=lat,
        accuracy_m=accuracy_m,
        cell_x=cell_x,
        cell_y=cell_y,
        address=address,
        description=description,
        attributes=cleaned_attributes,
        channel=channel,
        reporter_id=reporter_id,
        api_client_id=api_client_id,
        received_at=received,
        received_on=intake.policy.calendar.local_date(received),
        area_id=chain[0].id if chain else None,
        areas=[ReportArea(depth=depth, area_id=area.id) for depth, area in enumerate(chain)],
        attachments=[photo.attachment("before", uploaded_by_id=reporter_id) for photo in photos],
    )
    start_receipt_clock(report, intake.policy, at=received)
    if dispatch:
        report.lead_agency = route.lead
        report.supporting_agencies = list(route.supporting)
        start_resolution_clock(report, intake.policy, at=received)
        # Routed straight to the agency: received the moment it arrived.
        report.is_assigned, report.receipt_on_time, report.receipt_hours = True, True, 0.0
    report.history.append(
        ReportHistory(
            occurred_at=received,
            actor_id=reporter_id,
            action="submitted",
            to_status=status,
            is_public=True,
        )
    )
    report.history.extend(notes)
    leaf_area_code = chain[0].code if chain else None
    if store_new_report(
        session, report, draw=intake.draw_ref, reporter=reporter, with_commit=with_commit
    ):
        # Held for the COMMIT: its id, and the reporter it finds, are known in SQL only.
        found_reporter = citizen_audience_sql(NEW_REPORT_REPORTER_ID) if reporter else None
        announce_filed(
            session,
            report,
            leaf_area_code=leaf_area_code,
            found=FoundBySql(report_id=NEW_REPORT_ID, audience=found_reporter),
        )
    else:
        if reporter is not None:
            for attachment in report.attachments:
                attachment.uploaded_by_id = report.reporter_id
        announce_filed(session, report, leaf_area_code=leaf_area_code)
    after_commit(session, REPORTS_FILED.labels(channel=str(channel)).inc)
    return report
