"""Report use cases. Each takes the session first, raises IocErrors and never commits."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ioc.db import utcnow
from ioc.errors import InvalidInput
from ioc.events import AUDIENCE_OPS, agency_audience, citizen_audience, record_event
from ioc.feedback.models import Category
from ioc.feedback.refs import new_ref
from ioc.feedback.report_models import Report, ReportArea, ReportHistory
from ioc.feedback.routing import resolve_route
from ioc.feedback.sla import WorkingCalendar, receipt_deadline, resolution_deadline
from ioc.feedback.states import ReportStatus
from ioc.geo.cells import cell_for
from ioc.geo.service import AreaLocator

MAX_DESCRIPTION_CHARS = 2000


@dataclass(frozen=True)
class Intake:
    """The place and the services a report needs to be filed."""

    locator: AreaLocator
    calendar: WorkingCalendar


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
    received_at: datetime | None = None,
) -> Report:
    """File a report: locate it, route it, set its deadlines, record history and event.

    Auto-dispatch categories with a matching rule go straight to the lead agency; everything
    else waits in the IOC review queue.

    Raises:
        InvalidInput: unknown or inactive category, a place outside the served area, or a
            description that is too long.
    """
    received = received_at or utcnow()
    category = session.scalar(
        select(Category).where(Category.code == category_code, Category.is_active.is_(True))
    )
    if category is None:
        raise InvalidInput(
            "unknown category", details={"fields": {"category": "is not an active category"}}
        )
    if description is not None and len(description) > MAX_DESCRIPTION_CHARS:
        raise InvalidInput(
            "description too long",
            details={"fields": {"description": f"at most {MAX_DESCRIPTION_CHARS} characters"}},
        )
    chain = intake.locator.locate(session, lon, lat, received)
    if chain is None:
        raise InvalidInput(
            "the place is outside the area served by this operations centre",
            details={
                "fields": {"lon": "outside the served area", "lat": "outside the served area"}
            },
        )
    route = resolve_route(session, category=category, chain=chain)
    dispatch = category.is_auto_dispatch and not route.is_ioc_queue
    status = ReportStatus.ASSIGNED if dispatch else ReportStatus.PENDING_REVIEW
    cell_x, cell_y = cell_for(lon, lat)
    report = Report(
        ref=new_ref(received),
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
        attributes=attributes or {},
        channel=channel,
        reporter_id=reporter_id,
        received_at=received,
        receipt_due_at=receipt_deadline(intake.calendar, received_at=received),
        areas=[ReportArea(depth=depth, area_id=area.id) for depth, area in enumerate(chain)],
    )
    if dispatch:
        report.lead_agency = route.lead
        report.supporting_agencies = list(route.supporting)
        report.due_at = resolution_deadline(
            intake.calendar,
            tier=category.sla_tier,
            target_hours=category.sla_target_hours,
            starts=received,
        )
    report.history.append(
        ReportHistory(
            occurred_at=received,
            actor_id=reporter_id,
            action="submitted",
            to_status=status,
            is_public=True,
        )
    )
    session.add(report)
    session.flush()
    record_event(
        session,
        "report.created",
        payload=_map_payload(report, area_code=chain[0].code),
        audiences=_audiences(report),
        report_id=report.id,
    )
    return report


def _map_payload(report: Report, *, area_code: str) -> dict[str, Any]:
    """The small, identity-free payload a map needs to draw and colour a report."""
    return {
        "ref": report.ref,
        "lon": report.lon,
        "lat": report.lat,
        "category": report.category.code,
        "status": report.status,
        "area": area_code,
        "agency": report.lead_agency.code if report.lead_agency else None,
        "due_at": report.due_at.isoformat() if report.due_at else None,
        "received_at": report.received_at.isoformat(),
    }


def _audiences(report: Report) -> list[str]:
    audiences = [AUDIENCE_OPS]
    if report.lead_agency is not None:
        audiences.append(agency_audience(report.lead_agency.code))
        audiences.extend(agency_audience(a.code) for a in report.supporting_agencies)
    if report.reporter_id is not None:
        audiences.append(citizen_audience(report.reporter_id))
    return audiences
