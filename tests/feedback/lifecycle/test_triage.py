"""IOC triage and supervision: verify, classify, assign, reject, merge, extensions, reopen."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from sqlalchemy import select
from sqlalchemy.orm import Session

from ioc.db import utcnow
from ioc.errors import Conflict, InvalidInput
from ioc.events.models import Event
from ioc.feedback.citizen_models import ReportFollower
from ioc.feedback.intake.filing import Intake, submit_report
from ioc.feedback.lifecycle.agency_work import (
    accept_report,
    request_extension,
    resolve_report,
    return_report,
)
from ioc.feedback.lifecycle.citizen_actions import (
    Rating,
    add_comment,
    rate_report,
    support_report,
)
from ioc.feedback.lifecycle.questions import ask_citizen
from ioc.feedback.lifecycle.triage import (
    assign_report,
    classify_report,
    decide_extension,
    mark_duplicate,
    reject_report,
    reopen_report,
    verify_report,
)
from ioc.feedback.models import Agency, User
from ioc.feedback.report_models import ExtensionRequest, Report, ReportHistory
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
TARGET_HOURS = 24


@dataclass(frozen=True)
class Cast:
    citizen: User
    operator: User
    supervisor: User
    lead: Agency
    support: Agency
    lead_officer: User


@pytest.fixture
def cast(session: Session) -> Cast:
    make_province_with_two_communes(session)
    make_category(session, "o_ga", is_auto_dispatch=False, sla_target_hours=TARGET_HOURS)
    make_category(session, "sap_cay", is_auto_dispatch=False, sla_tier="urgent", sla_target_hours=4)
    lead, support = make_agency(session, "LEAD"), make_agency(session, "SUPPORT")
    make_agency(session, "RETIRED", is_active=False)
    return Cast(
        citizen=make_user(session, Role.CITIZEN, "lan"),
        operator=make_user(session, Role.IOC_OPERATOR, "operator"),
        supervisor=make_user(session, Role.IOC_SUPERVISOR, "supervisor"),
        lead=lead,
        support=support,
        lead_officer=make_user(session, Role.AGENCY_OFFICER, "lead-officer", lead),
    )


def _submit(
    session: Session, intake: Intake, cast: Cast, *, reporter: User | None = None
) -> Report:
    return submit_report(
        session,
        intake,
        category_code="o_ga",
        lon=IN_A[0],
        lat=IN_A[1],
        channel="phone",
        description="Ổ gà lớn giữa đường",
        reporter_id=(reporter or cast.citizen).id,
    )


def _assigned(session: Session, intake: Intake, cast: Cast) -> Report:
    report = _submit(session, intake, cast)
    assign_report(
        session, policy=intake.policy, report=report, actor=cast.operator, agency_code="LEAD"
    )
    return report


def _in_progress(session: Session, intake: Intake, cast: Cast) -> Report:
    report = _assigned(session, intake, cast)
    accept_report(session, report=report, actor=cast.lead_officer)
    return report


def _resolved(session: Session, intake: Intake, cast: Cast) -> Report:
    report = _in_progress(session, intake, cast)
    resolve_report(
        session, policy=POLICY, report=report, actor=cast.lead_officer, answer="Đã vá", photos=()
    )
    return report


def _last_history(report: Report) -> ReportHistory:
    return report.history[-1]


def _event_types(session: Session, report: Report) -> list[str]:
    return list(
        session.scalars(select(Event.type).where(Event.report_id == report.id).order_by(Event.seq))
    )


def _last_event(session: Session, report: Report) -> Event:
    event = session.scalars(
        select(Event).where(Event.report_id == report.id).order_by(Event.seq.desc())
    ).first()
    assert event is not None
    return event


# --- verify and classify -------------------------------------------------------------------


def test_verify_keeps_the_status_and_records_an_internal_note(
    session: Session, intake: Intake, cast: Cast
) -> None:
    report = _submit(session, intake, cast)
    verify_report(session, report=report, actor=cast.operator, note="Đã gọi lại người báo")

    entry = _last_history(report)
    assert report.status == ReportStatus.PENDING_REVIEW
    assert (entry.action, entry.note, entry.is_public, entry.actor_id) == (
        "verify",
        "Đã gọi lại người báo",
        False,
        cast.operator.id,
    )
    assert _event_types(session, report) == ["report.created", "report.verified"]


def test_classify_to_another_category_takes_its_sla_tier(
    session: Session, intake: Intake, cast: Cast
) -> None:
    report = _submit(session, intake, cast)
    assert report.sla_tier == "normal"

    classify_report(
        session, policy=POLICY, report=report, actor=cast.operator, category_code="sap_cay"
    )

    assert (report.category.code, report.sla_tier) == ("sap_cay", "urgent")
    entry = _last_history(report)
    assert (entry.action, entry.note, entry.is_public) == ("classify", "o_ga → sap_cay", False)


def test_classify_can_change_only_the_tier(session: Session, intake: Intake, cast: Cast) -> None:
    report = _submit(session, intake, cast)
    classify_report(session, policy=POLICY, report=report, actor=cast.operator, tier="complex")
    assert (report.category.code, report.sla_tier) == ("o_ga", "complex")


def test_classify_to_an_unknown_category_is_invalid_input(
    session: Session, intake: Intake, cast: Cast
) -> None:
    report = _submit(session, intake, cast)
    with pytest.raises(InvalidInput) as caught:
        classify_report(
            session, policy=POLICY, report=report, actor=cast.operator, category_code="khong_co"
        )
    assert caught.value.details == {"fields": {"category": "khong_co"}}
    assert (report.category.code, report.sla_tier) == ("o_ga", "normal")
    assert [h.action for h in report.history] == ["submitted"]


def test_classify_to_an_unknown_tier_is_invalid_input(
    session: Session, intake: Intake, cast: Cast
) -> None:
    report = _submit(session, intake, cast)
    with pytest.raises(InvalidInput) as caught:
        classify_report(
            session, policy=POLICY, report=report, actor=cast.operator, tier="siêu_khẩn"
        )
    assert caught.value.details == {"fields": {"tier": "siêu_khẩn"}}


# --- assign --------------------------------------------------------------------------------


def test_assign_sets_the_lead_and_supporting_agencies(
    session: Session, intake: Intake, cast: Cast
) -> None:
    report = _submit(session, intake, cast)
    assign_report(
        session,
        policy=intake.policy,
        report=report,
        actor=cast.operator,
        agency_code="LEAD",
        supporting_codes=["SUPPORT"],
    )

    assert report.status == ReportStatus.ASSIGNED
    assert report.lead_agency == cast.lead
    assert report.supporting_agencies == [cast.support]
    event = _last_event(session, report)
    assert event.type == "report.assigned"
    assert event.payload["agency"] == "LEAD"
    assert {"agency:LEAD", "agency:SUPPORT"} <= set(event.audiences)


def test_assign_starts_the_deadline_in_working_time_from_now(
    session: Session, intake: Intake, cast: Cast
) -> None:
    report = _submit(session, intake, cast)
    before = utcnow()
    assign_report(
        session, policy=intake.policy, report=report, actor=cast.operator, agency_code="LEAD"
    )
    after = utcnow()

    assert report.due_at is not None
    earliest = intake.policy.calendar.add_working_hours(before, TARGET_HOURS)
    latest = intake.policy.calendar.add_working_hours(after, TARGET_HOURS)
    assert earliest <= report.due_at <= latest


def test_assign_of_an_urgent_report_runs_on_the_wall_clock(
    session: Session, intake: Intake, cast: Cast
) -> None:
    report = _submit(session, intake, cast)
    classify_report(
        session, policy=POLICY, report=report, actor=cast.operator, category_code="sap_cay"
    )
    before = utcnow()
    assign_report(
        session, policy=intake.policy, report=report, actor=cast.operator, agency_code="LEAD"
    )
    after = utcnow()

    assert report.due_at is not None
    assert before + timedelta(hours=4) <= report.due_at <= after + timedelta(hours=4)


@pytest.mark.parametrize("code", ["KHONG-CO", "RETIRED"])
def test_assign_to_an_unknown_or_inactive_agency_names_the_agency_field(
    session: Session, intake: Intake, cast: Cast, code: str
) -> None:
    report = _submit(session, intake, cast)
    with pytest.raises(InvalidInput) as caught:
        assign_report(
            session, policy=intake.policy, report=report, actor=cast.operator, agency_code=code
        )
    assert caught.value.details == {"fields": {"agency": code}}
    assert report.status == ReportStatus.PENDING_REVIEW


def test_assign_with_an_unknown_supporting_agency_names_the_supporting_field(
    session: Session, intake: Intake, cast: Cast
) -> None:
    report = _submit(session, intake, cast)
    with pytest.raises(InvalidInput) as caught:
        assign_report(
            session,
            policy=intake.policy,
            report=report,
            actor=cast.operator,
            agency_code="LEAD",
            supporting_codes=["KHONG-CO"],
        )
    assert caught.value.details == {"fields": {"supporting": "KHONG-CO"}}


def test_assign_refuses_the_lead_agency_also_as_supporting(
    session: Session, intake: Intake, cast: Cast
) -> None:
    report = _submit(session, intake, cast)
    with pytest.raises(InvalidInput) as caught:
        assign_report(
            session,
            policy=intake.policy,
            report=report,
            actor=cast.operator,
            agency_code="LEAD",
            supporting_codes=["SUPPORT", "LEAD"],
        )
    assert caught.value.details == {"fields": {"supporting": "LEAD"}}
    assert report.status == ReportStatus.PENDING_REVIEW


def test_assign_lists_a_supporting_agency_named_twice_once(
    session: Session, intake: Intake, cast: Cast
) -> None:
    report = _submit(session, intake, cast)
    assign_report(
        session,
        policy=intake.policy,
        report=report,
        actor=cast.operator,
        agency_code="LEAD",
        supporting_codes=["SUPPORT", "SUPPORT"],
    )
    session.flush()
    session.expire(report, ["support_parts"])
    assert report.supporting_agencies == [cast.support]


# --- reject --------------------------------------------------------------------------------


@pytest.mark.parametrize("reason", ["", "   "], ids=["empty", "blank"])
def test_reject_without_a_reason_is_invalid_input(
    session: Session, intake: Intake, cast: Cast, reason: str
) -> None:
    report = _submit(session, intake, cast)
    with pytest.raises(InvalidInput) as caught:
        reject_report(session, policy=POLICY, report=report, actor=cast.operator, reason=reason)
    assert caught.value.details == {"fields": {"reason": "is required"}}
    assert report.status == ReportStatus.PENDING_REVIEW


def test_reject_closes_the_report_with_a_public_reason(
    session: Session, intake: Intake, cast: Cast
) -> None:
    report = _submit(session, intake, cast)
    reject_report(
        session, policy=POLICY, report=report, actor=cast.operator, reason="Không thuộc địa bàn"
    )

    assert report.status == ReportStatus.REJECTED
    assert report.closed_at is not None
    entry = _last_history(report)
    assert (entry.action, entry.note, entry.is_public) == ("reject", "Không thuộc địa bàn", True)
    assert _last_event(session, report).type == "report.rejected"


# --- duplicates ----------------------------------------------------------------------------


def _followers(session: Session, report: Report) -> dict[int, bool]:
    rows = session.scalars(select(ReportFollower).where(ReportFollower.report_id == report.id))
    return {row.user_id: row.is_supporter for row in rows}


def test_mark_duplicate_moves_followers_to_the_original_as_supporters(
    session: Session, intake: Intake, cast: Cast
) -> None:
    original = _submit(session, intake, cast)
    second_reporter = make_user(session, Role.CITIZEN, "minh")
    neighbour = make_user(session, Role.CITIZEN, "hoa")
    duplicate = _submit(session, intake, cast, reporter=second_reporter)
    support_report(session, report=duplicate, citizen_id=neighbour.id)

    returned = mark_duplicate(
        session, policy=POLICY, report=duplicate, actor=cast.operator, of_ref=original.ref
    )
    session.flush()

    assert returned is original
    assert _followers(session, original) == {
        cast.citizen.id: False,
        second_reporter.id: True,
        neighbour.id: True,
    }
    assert original.support_count == 2
    assert (duplicate.status, duplicate.duplicate_of_id) == (ReportStatus.DUPLICATE, original.id)
    assert duplicate.closed_at is not None
    event = _last_event(session, duplicate)
    assert (event.type, event.payload["of"]) == ("report.merged", original.ref)


def test_mark_duplicate_does_not_count_a_follower_of_both_reports_twice(
    session: Session, intake: Intake, cast: Cast
) -> None:
    original = _submit(session, intake, cast)
    neighbour = make_user(session, Role.CITIZEN, "hoa")
    support_report(session, report=original, citizen_id=neighbour.id)
    duplicate = _submit(session, intake, cast, reporter=neighbour)

    mark_duplicate(
        session, policy=POLICY, report=duplicate, actor=cast.operator, of_ref=original.ref
    )

    assert original.support_count == 1
    assert _followers(session, original) == {cast.citizen.id: False, neighbour.id: True}


def test_mark_duplicate_refuses_the_report_itself(
    session: Session, intake: Intake, cast: Cast
) -> None:
    report = _submit(session, intake, cast)
    with pytest.raises(InvalidInput) as caught:
        mark_duplicate(
            session, policy=POLICY, report=report, actor=cast.operator, of_ref=report.ref
        )
    assert caught.value.details == {"fields": {"of": report.ref}}
    assert report.status == ReportStatus.PENDING_REVIEW


def test_mark_duplicate_refuses_an_unknown_original(
    session: Session, intake: Intake, cast: Cast
) -> None:
    report = _submit(session, intake, cast)
    with pytest.raises(InvalidInput) as caught:
        mark_duplicate(
            session, policy=POLICY, report=report, actor=cast.operator, of_ref="PA-000000-XXXX"
        )
    assert caught.value.details == {"fields": {"of": "PA-000000-XXXX"}}


@pytest.mark.parametrize("closed_as", ["rejected", "duplicate"])
def test_mark_duplicate_refuses_an_original_closed_as_rejected_or_duplicate(
    session: Session, intake: Intake, cast: Cast, closed_as: str
) -> None:
    first = _submit(session, intake, cast)
    original = _submit(session, intake, cast)
    if closed_as == "rejected":
        reject_report(
            session, policy=POLICY, report=original, actor=cast.operator, reason="Sai thông tin"
        )
    else:
        mark_duplicate(
            session, policy=POLICY, report=original, actor=cast.operator, of_ref=first.ref
        )
    report = _submit(session, intake, cast)

    with pytest.raises(InvalidInput) as caught:
        mark_duplicate(
            session, policy=POLICY, report=report, actor=cast.operator, of_ref=original.ref
        )
    assert caught.value.details == {"fields": {"of": original.ref}}
    assert report.status == ReportStatus.PENDING_REVIEW


# --- extensions ----------------------------------------------------------------------------


def test_request_extension_waits_for_a_decision_as_an_internal_note(
    session: Session, intake: Intake, cast: Cast
) -> None:
    report = _in_progress(session, intake, cast)
    due = report.due_at
    assert due is not None
    until = due + timedelta(days=5)

    request = request_extension(
        session,
        policy=POLICY,
        report=report,
        actor=cast.lead_officer,
        until=until,
        reason="Chờ vật tư",
    )

    assert (request.until, request.reason, request.decision) == (until, "Chờ vật tư", None)
    assert report.due_at == due
    entry = _last_history(report)
    assert (entry.action, entry.is_public, entry.to_status) == (
        "request_extension",
        False,
        ReportStatus.IN_PROGRESS,
    )
    event = _last_event(session, report)
    assert (event.type, event.payload["until"]) == ("report.extension_requested", until.isoformat())


@pytest.mark.parametrize("shift", [timedelta(0), -timedelta(hours=1)], ids=["same", "earlier"])
def test_request_extension_must_be_later_than_the_deadline(
    session: Session, intake: Intake, cast: Cast, shift: timedelta
) -> None:
    report = _in_progress(session, intake, cast)
    assert report.due_at is not None
    with pytest.raises(InvalidInput) as caught:
        request_extension(
            session,
            policy=POLICY,
            report=report,
            actor=cast.lead_officer,
            until=report.due_at + shift,
            reason="Chờ vật tư",
        )
    assert set(caught.value.details["fields"]) == {"until"}
    assert session.scalars(select(ExtensionRequest)).all() == []


def test_a_second_extension_request_while_one_waits_is_a_conflict(
    session: Session, intake: Intake, cast: Cast
) -> None:
    report = _in_progress(session, intake, cast)
    assert report.due_at is not None
    until = report.due_at + timedelta(days=2)
    request_extension(
        session, policy=POLICY, report=report, actor=cast.lead_officer, until=until, reason="1"
    )

    with pytest.raises(Conflict):
        request_extension(
            session,
            policy=POLICY,
            report=report,
            actor=cast.lead_officer,
            until=until + timedelta(days=1),
            reason="2",
        )
    assert len(session.scalars(select(ExtensionRequest)).all()) == 1


def test_a_new_extension_can_be_requested_once_the_last_was_decided(
    session: Session, intake: Intake, cast: Cast
) -> None:
    report = _in_progress(session, intake, cast)
    assert report.due_at is not None
    first_until = report.due_at + timedelta(days=2)
    request_extension(
        session,
        policy=POLICY,
        report=report,
        actor=cast.lead_officer,
        until=first_until,
        reason="1",
    )
    decide_extension(
        session, policy=POLICY, report=report, actor=cast.supervisor, approve=False, note=None
    )

    second = request_extension(
        session,
        policy=POLICY,
        report=report,
        actor=cast.lead_officer,
        until=first_until + timedelta(days=1),
        reason="2",
    )
    assert second.decision is None


def test_approving_an_extension_moves_the_deadline(
    session: Session, intake: Intake, cast: Cast
) -> None:
    report = _in_progress(session, intake, cast)
    assert report.due_at is not None
    until = report.due_at + timedelta(days=3)
    request_extension(
        session, policy=POLICY, report=report, actor=cast.lead_officer, until=until, reason="Mưa"
    )

    decided = decide_extension(
        session, policy=POLICY, report=report, actor=cast.supervisor, approve=True, note="Đồng ý"
    )

    assert report.due_at == until
    assert (decided.decision, decided.decided_by_id, decided.decision_note) == (
        "approved",
        cast.supervisor.id,
        "Đồng ý",
    )
    assert decided.decided_at is not None
    assert _last_history(report).action == "approve_extension"
    assert _last_event(session, report).type == "report.extension_granted"


def test_an_extension_approved_after_a_pause_keeps_the_time_the_clock_stood_still(
    session: Session, intake: Intake, cast: Cast
) -> None:
    monday = datetime(2026, 11, 23, 8, 0, tzinfo=VN)
    with time_machine.travel(monday, tick=False):
        report = _in_progress(session, intake, cast)
    # 24 working hours from Monday 08:00: due Thursday 09:30; asked until Friday 09:30.
    until = datetime(2026, 11, 27, 9, 30, tzinfo=VN)
    with time_machine.travel(monday + timedelta(minutes=30), tick=False):
        request_extension(
            session, policy=POLICY, report=report, actor=cast.lead_officer, until=until, reason="x"
        )
    with time_machine.travel(monday + timedelta(hours=1), tick=False):
        ask_citizen(session, report=report, actor=cast.lead_officer, question="Ở đâu?")
    # Two working hours waiting for the answer move Thursday's deadline to 11:30.
    with time_machine.travel(monday + timedelta(hours=3), tick=False):
        add_comment(session, report=report, citizen_id=cast.citizen.id, text="Số 5", policy=POLICY)
        decide_extension(
            session, policy=POLICY, report=report, actor=cast.supervisor, approve=True, note=None
        )

    assert report.due_at == datetime(2026, 11, 27, 11, 30, tzinfo=VN)


def test_denying_an_extension_keeps_the_deadline(
    session: Session, intake: Intake, cast: Cast
) -> None:
    report = _in_progress(session, intake, cast)
    due = report.due_at
    assert due is not None
    request_extension(
        session,
        policy=POLICY,
        report=report,
        actor=cast.lead_officer,
        until=due + timedelta(days=3),
        reason="x",
    )

    decided = decide_extension(
        session,
        policy=POLICY,
        report=report,
        actor=cast.supervisor,
        approve=False,
        note="Không đủ lý do",
    )

    assert report.due_at == due
    assert decided.decision == "denied"
    assert _last_history(report).action == "deny_extension"
    assert _last_event(session, report).type == "report.extension_denied"


@pytest.mark.parametrize("approve", [True, False], ids=["approve", "deny"])
def test_deciding_without_a_waiting_request_is_a_conflict(
    session: Session, intake: Intake, cast: Cast, approve: bool
) -> None:
    report = _in_progress(session, intake, cast)
    due = report.due_at
    with pytest.raises(Conflict):
        decide_extension(
            session, policy=POLICY, report=report, actor=cast.supervisor, approve=approve, note=None
        )
    assert report.due_at == due
    assert _last_history(report).action == "accept"


def _give_up_with_a_request_waiting(
    session: Session, intake: Intake, cast: Cast, how: str
) -> tuple[Report, User]:
    """An extension request waits when the agency returns the report (and the IOC assigns it
    to another agency), or resolves it (and the IOC reopens it); each a minute apart."""
    report = _in_progress(session, intake, cast)
    assert report.due_at is not None
    start = utcnow()
    with time_machine.travel(start + timedelta(minutes=1), tick=False):
        request_extension(
            session,
            policy=POLICY,
            report=report,
            actor=cast.lead_officer,
            until=report.due_at + timedelta(days=3),
            reason="Chờ vật tư",
        )
    if how == "return":
        with time_machine.travel(start + timedelta(minutes=2), tick=False):
            return_report(
                session, policy=POLICY, report=report, actor=cast.lead_officer, reason="Không thuộc"
            )
        with time_machine.travel(start + timedelta(minutes=3), tick=False):
            assign_report(
                session, policy=POLICY, report=report, actor=cast.operator, agency_code="SUPPORT"
            )
        return report, make_user(session, Role.AGENCY_OFFICER, "support-officer", cast.support)
    with time_machine.travel(start + timedelta(minutes=2), tick=False):
        resolve_report(
            session,
            policy=POLICY,
            report=report,
            actor=cast.lead_officer,
            answer="Đã vá",
            photos=(),
        )
        rate_report(
            session,
            report=report,
            citizen_id=cast.citizen.id,
            rating=Rating.UNSATISFIED,
            comment=None,
        )
    with time_machine.travel(start + timedelta(minutes=3), tick=False):
        reopen_report(session, policy=POLICY, report=report, actor=cast.operator, reason="Chưa")
    return report, cast.lead_officer


@pytest.mark.parametrize("how", ["return", "reopen"])
def test_a_request_left_waiting_by_an_earlier_assignment_lapses(
    session: Session, intake: Intake, cast: Cast, how: str
) -> None:
    report, officer = _give_up_with_a_request_waiting(session, intake, cast, how)
    due = report.due_at

    with pytest.raises(Conflict):
        decide_extension(
            session, policy=POLICY, report=report, actor=cast.supervisor, approve=True, note=None
        )
    assert report.due_at == due
    accept_report(session, report=report, actor=officer)
    assert due is not None
    request_extension(
        session,
        policy=POLICY,
        report=report,
        actor=officer,
        until=due + timedelta(days=1),
        reason="Chờ vật tư",
    )


# --- reopen --------------------------------------------------------------------------------


def test_reopen_of_an_unrated_resolved_report_is_a_conflict(
    session: Session, intake: Intake, cast: Cast
) -> None:
    report = _resolved(session, intake, cast)
    with pytest.raises(Conflict):
        reopen_report(
            session, policy=intake.policy, report=report, actor=cast.operator, reason="Xem lại"
        )
    assert report.status == ReportStatus.RESOLVED


@pytest.mark.parametrize("rating", [Rating.SATISFIED, Rating.ACCEPTABLE])
def test_reopen_after_a_closing_rating_is_a_conflict(
    session: Session, intake: Intake, cast: Cast, rating: Rating
) -> None:
    report = _resolved(session, intake, cast)
    rate_report(session, report=report, citizen_id=cast.citizen.id, rating=rating, comment=None)
    assert report.status == ReportStatus.CLOSED

    with pytest.raises(Conflict):
        reopen_report(
            session, policy=intake.policy, report=report, actor=cast.operator, reason="Xem lại"
        )
    assert (report.status, report.rating) == (ReportStatus.CLOSED, rating)


def test_reopen_after_an_unsatisfied_rating_assigns_again_with_a_new_deadline(
    session: Session, intake: Intake, cast: Cast
) -> None:
    report = _resolved(session, intake, cast)
    rate_report(
        session,
        report=report,
        citizen_id=cast.citizen.id,
        rating=Rating.UNSATISFIED,
        comment="Vẫn còn ổ gà",
    )

    before = utcnow()
    reopen_report(
        session,
        policy=intake.policy,
        report=report,
        actor=cast.operator,
        reason="Người dân phản ánh",
    )
    after = utcnow()

    assert report.status == ReportStatus.ASSIGNED
    assert (report.rating, report.rating_comment, report.rated_at, report.resolved_at) == (
        None,
        None,
        None,
        None,
    )
    assert report.due_at is not None
    assert (
        intake.policy.calendar.add_working_hours(before, TARGET_HOURS)
        <= report.due_at
        <= intake.policy.calendar.add_working_hours(after, TARGET_HOURS)
    )
    entry = _last_history(report)
    assert (entry.action, entry.from_status, entry.to_status, entry.note) == (
        "reopen",
        ReportStatus.RESOLVED,
        ReportStatus.ASSIGNED,
        "Người dân phản ánh",
    )
    assert _last_event(session, report).type == "report.reopened"


def test_after_reopening_the_citizen_can_rate_the_new_result(
    session: Session, intake: Intake, cast: Cast
) -> None:
    report = _resolved(session, intake, cast)
    rate_report(
        session, report=report, citizen_id=cast.citizen.id, rating=Rating.UNSATISFIED, comment=None
    )
    reopen_report(
        session, policy=intake.policy, report=report, actor=cast.operator, reason="Làm lại"
    )
    accept_report(session, report=report, actor=cast.lead_officer)
    resolve_report(
        session,
        policy=POLICY,
        report=report,
        actor=cast.lead_officer,
        answer="Đã vá lại",
        photos=(),
    )

    rate_report(
        session, report=report, citizen_id=cast.citizen.id, rating=Rating.SATISFIED, comment=None
    )

    assert (report.status, report.rating) == (ReportStatus.CLOSED, Rating.SATISFIED)


def test_reopen_without_a_reason_is_invalid_input(
    session: Session, intake: Intake, cast: Cast
) -> None:

    report = _resolved(session, intake, cast)
    rate_report(
        session, report=report, citizen_id=cast.citizen.id, rating=Rating.UNSATISFIED, comment=None
    )
    with pytest.raises(InvalidInput) as caught:
        reopen_report(
            session, policy=intake.policy, report=report, actor=cast.operator, reason="  "
        )
    assert caught.value.details == {"fields": {"reason": "is required"}}
