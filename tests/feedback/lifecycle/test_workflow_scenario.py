"""The life of a report from DESIGN.md §2, end to end through the use cases."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from ioc.events.models import Event
from ioc.feedback.intake.filing import Intake, StoredPhoto, submit_report
from ioc.feedback.lifecycle.agency_work import accept_report, request_extension, resolve_report
from ioc.feedback.lifecycle.citizen_actions import Rating, rate_report
from ioc.feedback.lifecycle.triage import (
    assign_report,
    decide_extension,
    reopen_report,
    verify_report,
)
from ioc.feedback.models import User
from ioc.feedback.report_models import ReportHistory
from ioc.feedback.states import ReportStatus, Role
from tests.factories import make_agency, make_category, make_policy, make_province_with_two_communes

POLICY = make_policy()


def _photo(name: str) -> StoredPhoto:
    return StoredPhoto(
        storage_key=f"reports/{name}.jpg",
        thumbnail_key=f"reports/{name}-thumb.jpg",
        content_type="image/jpeg",
        width=1024,
        height=768,
        byte_size=98_765,
        sha256=name.ljust(64, "0"),
    )


def test_a_report_goes_from_submission_through_a_reopen_to_closed(
    session: Session, intake: Intake
) -> None:

    make_province_with_two_communes(session)
    make_category(
        session,
        "rac_thai",
        is_auto_dispatch=False,
        is_photo_required=True,
        is_after_photo_required=True,
    )
    agency = make_agency(session, "MT")
    citizen = User(role=Role.CITIZEN, firebase_uid="uid-lan", display_name="Lan")
    operator = User(role=Role.IOC_OPERATOR, username="operator")
    supervisor = User(role=Role.IOC_SUPERVISOR, username="supervisor")
    officer = User(role=Role.AGENCY_OFFICER, username="mt-officer", agency=agency)
    session.add_all([citizen, operator, supervisor, officer])
    session.flush()

    report = submit_report(
        session,
        intake,
        category_code="rac_thai",
        lon=108.05,
        lat=16.05,
        channel="mobile",
        description="Rác đổ trộm đầu hẻm",
        reporter_id=citizen.id,
        photos=[_photo("before")],
    )
    assert report.status == ReportStatus.PENDING_REVIEW

    verify_report(session, report=report, actor=operator, note="Ảnh rõ, đúng địa điểm")
    assign_report(session, policy=intake.policy, report=report, actor=operator, agency_code="MT")
    assert report.status == ReportStatus.ASSIGNED

    accept_report(session, report=report, actor=officer)
    assert report.due_at is not None
    until = report.due_at + timedelta(days=2)
    request_extension(
        session, policy=POLICY, report=report, actor=officer, until=until, reason="Chờ xe ép rác"
    )
    decide_extension(
        session, policy=POLICY, report=report, actor=supervisor, approve=True, note="Đồng ý"
    )
    assert report.due_at == until

    resolve_report(
        session,
        policy=POLICY,
        report=report,
        actor=officer,
        answer="Đã thu gom",
        photos=[_photo("after1")],
    )
    assert report.status == ReportStatus.RESOLVED

    rate_report(
        session,
        report=report,
        citizen_id=citizen.id,
        rating=Rating.UNSATISFIED,
        comment="Vẫn còn rác",
    )
    assert report.status == ReportStatus.RESOLVED

    reopen_report(
        session,
        policy=intake.policy,
        report=report,
        actor=operator,
        reason="Người dân chưa hài lòng",
    )
    assert report.status == ReportStatus.ASSIGNED

    accept_report(session, report=report, actor=officer)
    resolve_report(
        session,
        policy=POLICY,
        report=report,
        actor=officer,
        answer="Đã thu gom hết",
        photos=[_photo("after2")],
    )
    rate_report(
        session, report=report, citizen_id=citizen.id, rating=Rating.SATISFIED, comment="Cảm ơn"
    )

    assert report.status == ReportStatus.CLOSED
    assert report.closed_at is not None
    assert report.result_text == "Đã thu gom hết"
    assert [(a.purpose, a.storage_key) for a in report.attachments] == [
        ("before", "reports/before.jpg"),
        ("after", "reports/after1.jpg"),
        ("after", "reports/after2.jpg"),
    ]
    history = session.execute(
        select(ReportHistory.action, ReportHistory.from_status, ReportHistory.to_status)
        .where(ReportHistory.report_id == report.id)
        .order_by(ReportHistory.id)
    ).all()
    assert [tuple(row) for row in history] == [
        ("submitted", None, "pending_review"),
        ("verify", "pending_review", "pending_review"),
        ("assign", "pending_review", "assigned"),
        ("accept", "assigned", "in_progress"),
        ("request_extension", "in_progress", "in_progress"),
        ("approve_extension", "in_progress", "in_progress"),
        ("resolve", "in_progress", "resolved"),
        ("reopen_requested", "resolved", "resolved"),
        ("reopen", "resolved", "assigned"),
        ("accept", "assigned", "in_progress"),
        ("resolve", "in_progress", "resolved"),
        ("rated", "resolved", "closed"),
    ]
    events = session.scalars(
        select(Event.type).where(Event.report_id == report.id).order_by(Event.seq)
    ).all()
    assert events == [
        "report.created",
        "report.verified",
        "report.assigned",
        "report.accepted",
        "report.extension_requested",
        "report.extension_granted",
        "report.resolved",
        "report.rated",
        "report.reopened",
        "report.accepted",
        "report.resolved",
        "report.rated",
    ]
