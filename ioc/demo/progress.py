"""Moves simulated reports along their life in the demo, the way staff would: the IOC
assigns (or now and then rejects), agencies accept and resolve with a photo."""

from __future__ import annotations

import io
import random
from typing import Any

from PIL import Image
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ioc.feedback.intake.photos import ProcessedPhoto, process_photo
from ioc.feedback.intake.routing import resolve_route
from ioc.feedback.lifecycle import agency_work, triage
from ioc.feedback.models import Agency, User
from ioc.feedback.report_models import Report
from ioc.feedback.sla.policy import SlaPolicy
from ioc.feedback.states import Channel, ReportStatus, Role
from ioc.geo.queries import to_ref

OPERATOR = "dieuhanh"  # a demo account (ioc.demo.seed.DEMO_ACCOUNTS)
_MOVING = (ReportStatus.PENDING_REVIEW, ReportStatus.ASSIGNED, ReportStatus.IN_PROGRESS)


def advance_one(services: Any, rng: random.Random) -> str | None:
    """Take the next step on one random open simulated report; its ref, or None."""
    with services.unit_of_work() as session:
        report = _pick(session, rng)
        if report is None:
            return None
        ref = report.ref
        if report.status == ReportStatus.PENDING_REVIEW:
            _triage(session, services.policy, report, rng)
            return ref
        officer = _officer(session, report.lead_agency)
        if report.status == ReportStatus.ASSIGNED:
            agency_work.accept_report(session, report=report, actor=officer)
            return ref
        waiting_for = agency_work.supporting_without_contribution(session, report)
        if waiting_for:
            supporter = next(a for a in report.supporting_agencies if a.code in waiting_for)
            agency_work.contribute(
                session,
                report=report,
                actor=_officer(session, supporter),
                text="Đã phối hợp kiểm tra hiện trường.",
            )
            return ref
        needs_photo, officer_id = report.category.is_after_photo_required, officer.id
    agency_work.resolve_with_photos(
        services.session_factory,
        services.media,
        policy=services.policy,
        ref=ref,
        actor_id=officer_id,
        answer="Đơn vị đã kiểm tra và xử lý xong.",
        photos=[_after_photo(rng)] if needs_photo else [],
    )
    return ref


def _pick(session: Session, rng: random.Random) -> Report | None:
    moving = (Report.channel == Channel.SIMULATOR, Report.status.in_(_MOVING))
    count = session.scalar(select(func.count()).select_from(Report).where(*moving)) or 0
    if not count:
        return None
    return session.scalar(
        select(Report).where(*moving).order_by(Report.id).offset(rng.randrange(count)).limit(1)
    )


def _triage(session: Session, policy: SlaPolicy, report: Report, rng: random.Random) -> None:
    operator = session.execute(select(User).where(User.username == OPERATOR)).scalar_one()
    chain = [to_ref(report_area.area) for report_area in report.areas]
    route = resolve_route(session, category=report.category, chain=chain, at=report.received_at)
    if route.lead is None or rng.random() < 0.1:
        triage.reject_report(
            session,
            policy=policy,
            report=report,
            actor=operator,
            reason="Nội dung không thuộc phạm vi tiếp nhận phản ánh hiện trường",
        )
        return
    triage.assign_report(
        session,
        policy=policy,
        report=report,
        actor=operator,
        agency_code=route.lead.code,
        supporting_codes=[],
    )


def _after_photo(rng: random.Random) -> ProcessedPhoto:
    buffer = io.BytesIO()
    shade = rng.randint(60, 160)
    Image.new("RGB", (320, 240), (shade, shade, shade)).save(buffer, "JPEG")
    return process_photo(buffer.getvalue(), field="photos[0]")


def _officer(session: Session, agency: Agency | None) -> User:
    """The agency's simulated officer, created on first use (no password: cannot sign in)."""
    if agency is None:
        raise ValueError("an assigned report always has a lead agency")
    username = f"sim.{agency.code.lower()}"
    user = session.scalar(select(User).where(User.username == username))
    if user is None:
        user = User(
            role=Role.AGENCY_OFFICER,
            username=username,
            agency=agency,
            display_name=f"Cán bộ {agency.name_vi}",
        )
        session.add(user)
        session.flush()
    return user
