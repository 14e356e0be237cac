"""Escalations reach people: a deadline near or passed goes to the lead agency's active
managers and the IOC's supervisors, by push and e-mail, once per report and threshold however
often the sweep runs; and the worker sends them to FCM."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy.orm import Session

from ioc.feedback.intake.filing import Intake
from ioc.feedback.lifecycle.triage import assign_report
from ioc.feedback.models import User
from ioc.feedback.report_models import Report
from ioc.feedback.sla.sweep import sweep_deadlines
from ioc.feedback.states import Role
from ioc.integrations.fanout import dispatch_events
from ioc.integrations.models import Delivery, DeliveryChannel
from ioc.integrations.staff_notices import StaffChannels
from tests.factories import make_user
from tests.integrations.conftest import VN, Cast, deliveries, make_device, submit
from tests.integrations.fcm_standin import FcmStandIn

SITE = "https://ioc.danang.gov.vn"
WITH_EMAIL = StaffChannels(email=True, site_url=SITE)


@pytest.fixture
def manager(session: Session, cast: Cast) -> User:
    user = make_user(session, Role.AGENCY_MANAGER, "truongphong", cast.lead)
    user.display_name, user.email = "Nguyễn Thị Lan", "lan@ctdt.danang.gov.vn"
    retired = make_user(session, Role.AGENCY_MANAGER, "nghihuu", cast.lead)
    retired.email, retired.is_active = "cu@ctdt.danang.gov.vn", False
    cast.supervisor.email, cast.supervisor.locale = "gs@ioc.gov.vn", "en"
    make_device(session, user, "tok-manager")
    make_device(session, retired, "tok-retired")
    make_device(session, cast.supervisor, "tok-supervisor", locale="en")
    make_device(session, cast.officer, "tok-officer")
    session.flush()
    return user


def _assigned(session: Session, intake: Intake, cast: Cast) -> Report:
    report = submit(session, intake, reporter=cast.reporter)
    assign_report(
        session, policy=intake.policy, report=report, actor=cast.operator, agency_code="LEAD"
    )
    dispatch_events(session, tz=VN, staff=WITH_EMAIL)  # the filing's own notices, told already
    return report


def _fan_out(session: Session) -> list[Delivery]:
    before = {d.id for d in deliveries(session)}
    dispatch_events(session, tz=VN, staff=WITH_EMAIL)
    return [d for d in deliveries(session) if d.id not in before]


def _staff_told(told: list[Delivery]) -> set[tuple[str, str]]:
    return {
        (d.channel, d.payload["recipient"]) for d in told if d.payload.get("recipient") is not None
    }


def test_an_overdue_report_reaches_the_lead_managers_and_the_supervisors_once(
    session: Session, intake: Intake, cast: Cast, manager: User
) -> None:
    report = _assigned(session, intake, cast)
    assert report.due_at is not None
    late = report.due_at + timedelta(minutes=5)

    first = sweep_deadlines(session, intake.policy, now=late)
    told = _fan_out(session)
    second = sweep_deadlines(session, intake.policy, now=late + timedelta(hours=2))
    told_again = _fan_out(session)

    assert first.overdue == [report.ref]
    assert second.overdue == []
    assert second.due_soon == []
    assert _staff_told(told) == {
        (DeliveryChannel.PUSH, "truongphong"),
        (DeliveryChannel.EMAIL, "truongphong"),
        (DeliveryChannel.PUSH, "supervisor"),
        (DeliveryChannel.EMAIL, "supervisor"),
    }  # not the retired manager, not the officer
    assert told_again == []
    pushes = {d.payload["recipient"]: d.payload for d in told if d.channel == "push"}
    assert pushes["truongphong"]["title"] == f"Phản ánh {report.ref}"
    assert pushes["truongphong"]["body"].startswith("Đã quá hạn xử lý (hạn ")
    assert pushes["supervisor"]["body"].startswith("The handling deadline has passed (due ")
    assert pushes["truongphong"]["data"]["link"] == f"{SITE}/agency?ref={report.ref}"
    mails = {d.payload["to"]: d.payload for d in told if d.channel == "email"}
    assert mails["gs@ioc.gov.vn"]["subject"] == f"Report {report.ref}: Overdue, escalated"
    assert f"{SITE}/triage?ref={report.ref}" in mails["gs@ioc.gov.vn"]["body"]
    assert mails["lan@ctdt.danang.gov.vn"]["subject"] == (
        f"Phản ánh {report.ref}: Quá hạn, đã báo cáo lên trên"
    )


def test_a_deadline_near_then_passed_is_told_once_each(
    session: Session, intake: Intake, cast: Cast, manager: User
) -> None:
    report = _assigned(session, intake, cast)
    assert report.due_at is not None

    soon = sweep_deadlines(session, intake.policy, now=report.due_at - timedelta(minutes=30))
    told_soon = _fan_out(session)
    again = sweep_deadlines(session, intake.policy, now=report.due_at - timedelta(minutes=10))
    late = sweep_deadlines(session, intake.policy, now=report.due_at + timedelta(minutes=1))
    told_late = _fan_out(session)

    assert soon.due_soon == [report.ref]
    assert again.due_soon == []
    assert late.overdue == [report.ref]
    assert {d.payload["data"]["event"] for d in told_soon if d.channel == "push"} == {
        "report.deadline_due"
    }
    assert {d.payload["data"]["event"] for d in told_late if d.channel == "push"} == {
        "report.overdue"
    }
    near = next(d for d in told_soon if d.payload.get("recipient") == "truongphong")
    assert near.payload["body"].startswith("Sắp đến hạn xử lý: hạn ")
    assert len(_staff_told(told_soon)) == len(_staff_told(told_late)) == 4


def test_a_report_no_agency_has_escalates_to_the_supervisors_only(
    session: Session, intake: Intake, cast: Cast, manager: User
) -> None:
    report = submit(session, intake, reporter=cast.reporter)  # waits in the IOC queue
    dispatch_events(session, tz=VN, staff=WITH_EMAIL)
    assert report.receipt_due_at is not None

    sweep_deadlines(session, intake.policy, now=report.receipt_due_at + timedelta(minutes=1))
    told = _fan_out(session)

    assert _staff_told(told) == {
        (DeliveryChannel.PUSH, "supervisor"),
        (DeliveryChannel.EMAIL, "supervisor"),
    }
    push = next(d for d in told if d.payload.get("recipient") == "supervisor")
    assert push.payload["body"].startswith("The receipt deadline has passed")


def test_the_worker_sends_an_escalation_to_fcm(
    session: Session, intake: Intake, cast: Cast, manager: User, standin: FcmStandIn, run_worker
) -> None:
    report = _assigned(session, intake, cast)
    assert report.due_at is not None
    sweep_deadlines(session, intake.policy, now=report.due_at + timedelta(minutes=1))
    session.commit()

    run_worker()

    [message] = [
        m for m in standin.messages_to("tok-manager") if m["data"]["event"] == "report.overdue"
    ]
    assert message["notification"]["title"] == f"Phản ánh {report.ref}"
    assert message["data"]["link"] == f"http://localhost:5000/agency?ref={report.ref}"
