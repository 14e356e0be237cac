"""Agency handling: accept, notes, return, contributions and the resolution with photos."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from ioc.db import utcnow
from ioc.errors import Conflict, InvalidInput
from ioc.events.models import Event
from ioc.feedback.intake.filing import Intake, StoredPhoto, submit_report
from ioc.feedback.lifecycle.agency_work import (
    accept_report,
    add_note,
    contribute,
    resolve_report,
    return_report,
)
from ioc.feedback.lifecycle.triage import assign_report
from ioc.feedback.lifecycle.workflow import Action, allowed_actions
from ioc.feedback.models import Agency, User
from ioc.feedback.report_models import Report, ReportHistory
from ioc.feedback.states import ReportStatus, Role
from tests.factories import (
    make_agency,
    make_category,
    make_policy,
    make_province_with_two_communes,
    make_user,
)

POLICY = make_policy()


VN = ZoneInfo("Asia/Ho_Chi_Minh")
IN_A = (108.05, 16.05)

AFTER_PHOTO = StoredPhoto(
    storage_key="reports/after/3f2a.jpg",
    thumbnail_key="reports/after/3f2a-thumb.jpg",
    content_type="image/jpeg",
    width=1600,
    height=1200,
    byte_size=245_123,
    sha256="3f2a" * 16,
)


@dataclass(frozen=True)
class Cast:
    operator: User
    lead_officer: User
    power_officer: User  # DIEN-LUC, a supporting agency
    commune_officer: User  # UBND-A, another supporting agency
    other_lead: Agency


@pytest.fixture
def cast(session: Session) -> Cast:
    make_province_with_two_communes(session)
    make_category(session, "o_ga", is_auto_dispatch=False)
    make_category(
        session,
        "rac_thai",
        is_auto_dispatch=False,
        is_photo_required=True,
        is_after_photo_required=True,
    )
    lead = make_agency(session, "SXD")
    return Cast(
        operator=make_user(session, Role.IOC_OPERATOR, "operator"),
        lead_officer=make_user(session, Role.AGENCY_OFFICER, "sxd-officer", lead),
        power_officer=make_user(
            session, Role.AGENCY_OFFICER, "dl-officer", make_agency(session, "DIEN-LUC")
        ),
        commune_officer=make_user(
            session, Role.AGENCY_MANAGER, "ubnd-manager", make_agency(session, "UBND-A")
        ),
        other_lead=make_agency(session, "MT"),
    )


def _assigned(
    session: Session,
    intake: Intake,
    cast: Cast,
    *,
    category: str = "o_ga",
    supporting: Sequence[str] = (),
) -> Report:
    report = submit_report(
        session, intake, category_code=category, lon=IN_A[0], lat=IN_A[1], channel="phone"
    )
    assign_report(
        session,
        policy=intake.policy,
        report=report,
        actor=cast.operator,
        agency_code="SXD",
        supporting_codes=supporting,
    )
    return report


def _in_progress(
    session: Session,
    intake: Intake,
    cast: Cast,
    *,
    category: str = "o_ga",
    supporting: Sequence[str] = (),
) -> Report:
    report = _assigned(session, intake, cast, category=category, supporting=supporting)
    accept_report(session, report=report, actor=cast.lead_officer)
    return report


def _last_history(report: Report) -> ReportHistory:
    return report.history[-1]


def _last_event_type(session: Session, report: Report) -> str | None:
    return session.scalars(
        select(Event.type).where(Event.report_id == report.id).order_by(Event.seq.desc())
    ).first()


# --- accept --------------------------------------------------------------------------------


def test_accept_puts_the_report_in_progress(session: Session, intake: Intake, cast: Cast) -> None:
    report = _assigned(session, intake, cast)
    accept_report(session, report=report, actor=cast.lead_officer)

    assert report.status == ReportStatus.IN_PROGRESS
    entry = _last_history(report)
    assert (entry.action, entry.from_status, entry.to_status, entry.actor_id) == (
        "accept",
        ReportStatus.ASSIGNED,
        ReportStatus.IN_PROGRESS,
        cast.lead_officer.id,
    )
    assert _last_event_type(session, report) == "report.accepted"


def test_accept_by_a_supporting_agency_is_a_conflict(
    session: Session, intake: Intake, cast: Cast
) -> None:
    report = _assigned(session, intake, cast, supporting=["DIEN-LUC"])
    with pytest.raises(Conflict) as caught:
        accept_report(session, report=report, actor=cast.power_officer)
    assert caught.value.details["allowed"] == ["note"]
    assert report.status == ReportStatus.ASSIGNED


# --- notes ---------------------------------------------------------------------------------


@pytest.mark.parametrize("is_public", [True, False], ids=["public", "internal"])
def test_note_keeps_its_visibility_on_the_history_row(
    session: Session, intake: Intake, cast: Cast, is_public: bool
) -> None:
    report = _in_progress(session, intake, cast)
    add_note(
        session, report=report, actor=cast.lead_officer, text="Đã khảo sát", is_public=is_public
    )
    session.expire_all()

    entry = session.scalars(
        select(ReportHistory)
        .where(ReportHistory.report_id == report.id)
        .order_by(ReportHistory.id.desc())
    ).first()
    assert entry is not None
    assert (entry.action, entry.note, entry.is_public) == ("note", "Đã khảo sát", is_public)
    assert report.status == ReportStatus.IN_PROGRESS
    assert _last_event_type(session, report) == "report.noted"


def test_a_supporting_agency_may_add_a_note(session: Session, intake: Intake, cast: Cast) -> None:
    report = _in_progress(session, intake, cast, supporting=["DIEN-LUC"])
    add_note(session, report=report, actor=cast.power_officer, text="Đã cắt điện", is_public=False)
    assert (_last_history(report).action, _last_history(report).actor_id) == (
        "note",
        cast.power_officer.id,
    )


def test_note_without_text_is_invalid_input(session: Session, intake: Intake, cast: Cast) -> None:
    report = _in_progress(session, intake, cast)
    with pytest.raises(InvalidInput) as caught:
        add_note(session, report=report, actor=cast.lead_officer, text=" ", is_public=True)
    assert caught.value.details == {"fields": {"text": "is required"}}


# --- return --------------------------------------------------------------------------------


@pytest.mark.parametrize("accepted", [False, True], ids=["assigned", "in_progress"])
def test_return_puts_the_report_back_in_the_ioc_queue_without_a_deadline(
    session: Session, intake: Intake, cast: Cast, accepted: bool
) -> None:
    report = (_in_progress if accepted else _assigned)(session, intake, cast)
    assert report.due_at is not None

    return_report(
        session,
        policy=POLICY,
        report=report,
        actor=cast.lead_officer,
        reason="Không thuộc thẩm quyền",
    )

    assert (report.status, report.due_at) == (ReportStatus.RETURNED, None)
    entry = _last_history(report)
    assert (entry.action, entry.note, entry.is_public) == (
        "return",
        "Không thuộc thẩm quyền",
        True,
    )
    assert _last_event_type(session, report) == "report.returned"
    assert {Action.VERIFY, Action.ASSIGN, Action.REJECT} <= set(
        allowed_actions(cast.operator, report, POLICY)
    )


def test_a_returned_report_can_be_assigned_again(
    session: Session, intake: Intake, cast: Cast
) -> None:
    report = _in_progress(session, intake, cast)
    return_report(
        session,
        policy=POLICY,
        report=report,
        actor=cast.lead_officer,
        reason="Không phải của chúng tôi",
    )

    assign_report(
        session, policy=intake.policy, report=report, actor=cast.operator, agency_code="MT"
    )

    assert (report.status, report.lead_agency) == (ReportStatus.ASSIGNED, cast.other_lead)
    assert report.due_at is not None
    assert report.due_at > utcnow()
    assert Action.ACCEPT not in allowed_actions(cast.lead_officer, report, POLICY)


def test_return_without_a_reason_is_invalid_input(
    session: Session, intake: Intake, cast: Cast
) -> None:
    report = _in_progress(session, intake, cast)
    with pytest.raises(InvalidInput) as caught:
        return_report(session, policy=POLICY, report=report, actor=cast.lead_officer, reason="")
    assert caught.value.details == {"fields": {"reason": "is required"}}
    assert report.status == ReportStatus.IN_PROGRESS
    assert report.due_at is not None


# --- resolve -------------------------------------------------------------------------------


def test_resolve_without_an_answer_is_invalid_input(
    session: Session, intake: Intake, cast: Cast
) -> None:
    report = _in_progress(session, intake, cast)
    with pytest.raises(InvalidInput) as caught:
        resolve_report(
            session, policy=POLICY, report=report, actor=cast.lead_officer, answer="  ", photos=()
        )
    assert caught.value.details == {"fields": {"answer": "is required"}}
    assert report.status == ReportStatus.IN_PROGRESS


def test_resolve_without_a_photo_is_rejected_when_the_category_requires_one(
    session: Session, intake: Intake, cast: Cast
) -> None:
    report = _in_progress(session, intake, cast, category="rac_thai")
    with pytest.raises(InvalidInput) as caught:
        resolve_report(
            session,
            policy=POLICY,
            report=report,
            actor=cast.lead_officer,
            answer="Đã dọn",
            photos=(),
        )
    assert set(caught.value.details["fields"]) == {"photos"}
    assert (report.status, report.result_text) == (ReportStatus.IN_PROGRESS, None)


def test_resolve_with_a_photo_succeeds_when_the_category_requires_one(
    session: Session, intake: Intake, cast: Cast
) -> None:
    report = _in_progress(session, intake, cast, category="rac_thai")
    resolve_report(
        session,
        policy=POLICY,
        report=report,
        actor=cast.lead_officer,
        answer="Đã dọn",
        photos=[AFTER_PHOTO],
    )
    assert report.status == ReportStatus.RESOLVED


def test_resolve_without_a_photo_succeeds_when_the_category_does_not_require_one(
    session: Session, intake: Intake, cast: Cast
) -> None:
    report = _in_progress(session, intake, cast)
    resolve_report(
        session, policy=POLICY, report=report, actor=cast.lead_officer, answer="Đã vá", photos=()
    )
    assert report.status == ReportStatus.RESOLVED
    assert report.attachments == []


def test_resolve_stores_the_public_answer_time_and_after_photos(
    session: Session, intake: Intake, cast: Cast
) -> None:
    report = _in_progress(session, intake, cast)
    before = utcnow()
    resolve_report(
        session,
        policy=POLICY,
        report=report,
        actor=cast.lead_officer,
        answer="Đã vá ổ gà",
        photos=[AFTER_PHOTO],
    )
    session.flush()
    session.expire_all()

    assert report.status == ReportStatus.RESOLVED
    assert report.result_text == "Đã vá ổ gà"
    assert report.resolved_at is not None
    assert before <= report.resolved_at <= utcnow()
    [attachment] = report.attachments
    assert (
        attachment.purpose,
        attachment.storage_key,
        attachment.thumbnail_key,
        attachment.content_type,
        attachment.width,
        attachment.height,
        attachment.byte_size,
        attachment.sha256,
        attachment.uploaded_by_id,
    ) == (
        "after",
        AFTER_PHOTO.storage_key,
        AFTER_PHOTO.thumbnail_key,
        "image/jpeg",
        1600,
        1200,
        245_123,
        AFTER_PHOTO.sha256,
        cast.lead_officer.id,
    )
    entry = report.history[-1]
    assert (entry.action, entry.note, entry.is_public) == ("resolve", "Đã vá ổ gà", True)
    assert _last_event_type(session, report) == "report.resolved"


def test_resolve_waits_for_every_supporting_agency_to_contribute(
    session: Session, intake: Intake, cast: Cast
) -> None:
    report = _in_progress(session, intake, cast, supporting=["DIEN-LUC", "UBND-A"])

    with pytest.raises(Conflict) as caught:
        resolve_report(
            session, policy=POLICY, report=report, actor=cast.lead_officer, answer="Xong", photos=()
        )
    assert caught.value.details == {"agencies": ["DIEN-LUC", "UBND-A"]}

    contribute(session, report=report, actor=cast.commune_officer, text="Đã rào chắn")
    with pytest.raises(Conflict) as caught:
        resolve_report(
            session, policy=POLICY, report=report, actor=cast.lead_officer, answer="Xong", photos=()
        )
    assert caught.value.details == {"agencies": ["DIEN-LUC"]}
    assert report.status == ReportStatus.IN_PROGRESS

    contribute(session, report=report, actor=cast.power_officer, text="Đã thay cáp")
    resolve_report(
        session, policy=POLICY, report=report, actor=cast.lead_officer, answer="Xong", photos=()
    )
    assert report.status == ReportStatus.RESOLVED


def test_contribution_is_a_public_history_row_of_the_supporting_agency(
    session: Session, intake: Intake, cast: Cast
) -> None:
    report = _in_progress(session, intake, cast, supporting=["DIEN-LUC"])
    contribute(session, report=report, actor=cast.power_officer, text="Đã thay cáp")

    entry = _last_history(report)
    assert (entry.action, entry.note, entry.actor_id, entry.to_status) == (
        "contribute",
        "Đã thay cáp",
        cast.power_officer.id,
        ReportStatus.IN_PROGRESS,
    )
    assert _last_event_type(session, report) == "report.contributed"


def test_contribute_without_text_is_invalid_input(
    session: Session, intake: Intake, cast: Cast
) -> None:
    report = _in_progress(session, intake, cast, supporting=["DIEN-LUC"])
    with pytest.raises(InvalidInput):
        contribute(session, report=report, actor=cast.power_officer, text="")


def test_a_supporting_agency_cannot_resolve(session: Session, intake: Intake, cast: Cast) -> None:
    report = _in_progress(session, intake, cast, supporting=["DIEN-LUC"])
    contribute(session, report=report, actor=cast.power_officer, text="Đã thay cáp")
    with pytest.raises(Conflict) as caught:
        resolve_report(
            session,
            policy=POLICY,
            report=report,
            actor=cast.power_officer,
            answer="Xong",
            photos=(),
        )
    assert caught.value.details["allowed"] == ["note", "contribute"]
    assert report.status == ReportStatus.IN_PROGRESS


def test_after_a_reopen_supporting_agencies_contribute_again_before_the_lead_resolves(
    session: Session, intake: Intake, cast: Cast
) -> None:

    from ioc.feedback.lifecycle.triage import reopen_report

    report = _in_progress(session, intake, cast, supporting=["DIEN-LUC"])
    contribute(session, report=report, actor=cast.power_officer, text="Đã thay cáp")
    resolve_report(
        session, policy=POLICY, report=report, actor=cast.lead_officer, answer="Xong", photos=[]
    )
    report.rating = "unsatisfied"
    reopen_report(
        session, policy=intake.policy, report=report, actor=cast.operator, reason="Chưa hài lòng"
    )
    accept_report(session, report=report, actor=cast.lead_officer)

    with pytest.raises(Conflict):
        resolve_report(
            session, policy=POLICY, report=report, actor=cast.lead_officer, answer="Lại", photos=[]
        )
    assert report.result_text is None  # the first answer no longer stands as the result
