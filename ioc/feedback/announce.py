"""Outbox events about reports: one payload shape, addressed to whoever may see the change."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from ioc.events.audiences import AUDIENCE_OPS, AUDIENCE_PUBLIC, agency_audience, citizen_audience
from ioc.events.log import FoundBySql, record_event_at_commit
from ioc.feedback.report_models import Report
from ioc.feedback.sla.clock import current_kind, running_deadline
from ioc.feedback.states import PUBLISHED_STATES


def announce(session: Session, report: Report, event_type: str, **extra: Any) -> None:
    """Record ``event_type`` for ``report`` in the caller's transaction.

    The payload is what a map needs to draw and colour the report; it never names the
    reporter, so it can go to every audience.
    """
    payload = {**map_point(report), **extra}
    record_event_at_commit(
        session, event_type, payload=payload, audiences=_audiences(report), report_id=report.id
    )


def announce_filed(
    session: Session,
    report: Report,
    *,
    leaf_area_code: str | None,
    found: FoundBySql | None = None,
) -> None:
    """Record ``report.created`` for a report just filed, whose leaf area's code the intake
    has at hand (so no area row is loaded to name it). ``found`` names the report (and its
    reporter's audience) in SQL when its rows go with the COMMIT and its id is not known yet."""
    payload = map_point(report, leaf_area_code=leaf_area_code)
    record_event_at_commit(
        session,
        "report.created",
        payload=payload,
        audiences=_audiences(report),
        report_id=report.id,
        found=found,
    )


def announce_to_staff(
    session: Session, report: Report, event_type: str, *, agency_codes: list[str], **extra: Any
) -> None:
    """Record ``event_type`` for the IOC and the agencies named only (internal work, such as
    a supporting agency's late part, that citizens and the public are not told about)."""
    payload = {**map_point(report), **extra}
    audiences = [AUDIENCE_OPS, *(agency_audience(code) for code in dict.fromkeys(agency_codes))]
    record_event_at_commit(
        session, event_type, payload=payload, audiences=audiences, report_id=report.id
    )


def map_point(report: Report, *, leaf_area_code: str | None = None) -> dict[str, Any]:
    """The identity-free facts a map draws a report with (events and snapshots alike);
    ``leaf_area_code``, when given, is the code of the report's leaf area."""
    leaf = leaf_area_code or (report.areas[0].area.code if report.areas else None)
    return {
        "ref": report.ref,
        "lon": report.lon,
        "lat": report.lat,
        "category": report.category.code,
        "status": report.status,
        "area": leaf,
        "agency": report.lead_agency.code if report.lead_agency else None,
        # The running clock and its deadline (none while paused): the wall map pulses the
        # reports whose deadline has passed.
        "clock": current_kind(report).value,
        "deadline": _iso(running_deadline(report)),
        "received_at": report.received_at.isoformat(),
        "support_count": report.support_count,
    }


def _audiences(report: Report) -> list[str]:
    audiences = [AUDIENCE_OPS]
    # The public portal shows results, never reports still being handled.
    if report.status in PUBLISHED_STATES and not report.category.is_private:
        audiences.append(AUDIENCE_PUBLIC)
    if report.lead_agency is not None:
        audiences.append(agency_audience(report.lead_agency.code))
        audiences.extend(agency_audience(a.code) for a in report.supporting_agencies)
    if report.reporter_id is not None:
        audiences.append(citizen_audience(report.reporter_id))
    return audiences


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment else None
