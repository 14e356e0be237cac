"""Staff hear about their work: a new assignment, a draft to approve, an overdue supporting part,
by push on their devices and, with a mail server, by e-mail, in their own language."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy.orm import Session

from ioc.db import utcnow
from ioc.events.audiences import AUDIENCE_OPS, agency_audience
from ioc.events.log import record_event
from ioc.feedback.intake.filing import Intake
from ioc.feedback.lifecycle.agency_work import accept_report, resolve_report
from ioc.feedback.lifecycle.assignment import assign_to_officer
from ioc.feedback.lifecycle.triage import assign_report
from ioc.feedback.models import Agency, User
from ioc.feedback.report_models import Report
from ioc.feedback.states import Role
from ioc.integrations.delivery_log import list_deliveries
from ioc.integrations.fanout import dispatch_events
from ioc.integrations.models import Delivery, DeliveryChannel
from ioc.integrations.staff_notices import PUSH_ONLY, StaffChannels
from tests.factories import make_agency, make_user
from tests.integrations.conftest import VN, Cast, deliveries, make_device, submit
from tests.integrations.fcm_standin import FcmStandIn

SITE = "https://ioc.danang.gov.vn"
WITH_EMAIL = StaffChannels(email=True, site_url=SITE)


@dataclass(frozen=True)
class Team:
    report: Report
    manager: User
    deputy: User
    retired: User
    officer: User
    other_manager: User
    supervisor: User
    other: Agency


def _staff(
    session: Session,
    role: Role,
    username: str,
    agency: Agency | None,
    *,
    name: str,
    email: str | None = None,
    locale: str = "vi",
    is_active: bool = True,
) -> User:
    user = make_user(session, role, username, agency)
    user.display_name, user.email, user.locale, user.is_active = name, email, locale, is_active
    session.flush()
    return user


@pytest.fixture
def team(session: Session, intake: Intake, cast: Cast) -> Team:
    other = make_agency(session, "SUPPORT", name_vi="Điện lực thành phố", name_en="City Power")
    officer = cast.officer
    officer.display_name, officer.email = "Trần Văn Bình", "binh@ctdt.danang.gov.vn"
    cast.supervisor.display_name, cast.supervisor.email = "Ngô Thị Giám Sát", "gs@ioc.gov.vn"
    team = Team(
        report=submit(session, intake, reporter=cast.reporter),
        manager=_staff(
            session,
            Role.AGENCY_MANAGER,
            "truongphong",
            cast.lead,
            name="Nguyễn Thị Lan",
            email="lan@ctdt.danang.gov.vn",
        ),
        deputy=_staff(
            session, Role.AGENCY_MANAGER, "phophong", cast.lead, name="Mark Le", locale="en"
        ),
        retired=_staff(
            session,
            Role.AGENCY_MANAGER,
            "nghihuu",
            cast.lead,
            name="Đã nghỉ",
            email="cu@ctdt.danang.gov.vn",
            is_active=False,
        ),
        officer=officer,
        other_manager=_staff(
            session, Role.AGENCY_MANAGER, "dienluc", other, name="Điện lực", email="dl@evn.vn"
        ),
        supervisor=cast.supervisor,
        other=other,
    )
    for user in (team.manager, team.deputy, team.retired, team.officer, team.other_manager):
        make_device(session, user, f"tok-{user.username}", locale=user.locale)
    make_device(session, cast.supervisor, "tok-supervisor")
    session.flush()
    dispatch_events(session, tz=VN, now=utcnow())  # the filing's own events, told already
    return team


def _event(session: Session, type_: str, team: Team, **payload: Any) -> None:
    record_event(
        session,
        type_,
        payload={"ref": team.report.ref, **payload},
        audiences=[AUDIENCE_OPS, agency_audience("LEAD")],
        report_id=team.report.id,
    )


def _fan_out(session: Session, channels: StaffChannels = PUSH_ONLY) -> list[Delivery]:
    before = {d.id for d in deliveries(session)}
    dispatch_events(session, tz=VN, now=utcnow(), staff=channels)
    return [d for d in deliveries(session) if d.id not in before]


def _pushes(told: list[Delivery]) -> dict[str, dict[str, Any]]:
    return {d.payload["recipient"]: d.payload for d in told if d.channel == DeliveryChannel.PUSH}


def _emails(told: list[Delivery]) -> dict[str, dict[str, Any]]:
    return {d.payload["to"]: d.payload for d in told if d.channel == DeliveryChannel.EMAIL}


def test_a_new_assignment_reaches_the_assignee_by_push_in_their_language(
    session: Session, team: Team
) -> None:
    _event(
        session,
        "report.assignee_changed",
        team,
        agency_code="LEAD",
        assignee="officer",
        by="truongphong",
    )

    told = _fan_out(session)

    assert set(_pushes(told)) == {"officer"}
    push = _pushes(told)["officer"]
    assert push["title"] == f"Phản ánh {team.report.ref}"
    assert push["body"] == "Nguyễn Thị Lan đã giao phản ánh này cho Anh/Chị xử lý."
    assert push["collapse_key"] == team.report.ref
    assert push["data"] == {
        "ref": team.report.ref,
        "seq": push["data"]["seq"],
        "event": "report.assignee_changed",
        # A tap opens the report in the officer's console.
        "link": f"http://localhost:5000/agency?ref={team.report.ref}",
    }
    assert told[0].device_id is not None
    assert _emails(told) == {}  # no mail server: no e-mail rows at all


def test_taking_a_report_oneself_or_unassigning_tells_nobody(session: Session, team: Team) -> None:
    _event(
        session,
        "report.assignee_changed",
        team,
        agency_code="LEAD",
        assignee="officer",
        by="officer",
    )
    _event(
        session,
        "report.assignee_changed",
        team,
        agency_code="LEAD",
        assignee=None,
        by="truongphong",
    )

    assert _fan_out(session, WITH_EMAIL) == []


def test_a_draft_reaches_the_agencys_active_managers_each_in_their_language(
    session: Session, team: Team
) -> None:
    _event(
        session,
        "report.draft_submitted",
        team,
        agency_code="LEAD",
        kind="resolution",
        author="officer",
    )

    told = _fan_out(session, WITH_EMAIL)

    pushes = _pushes(told)
    assert set(pushes) == {"truongphong", "phophong"}  # not the retired one, not another agency
    assert pushes["truongphong"]["body"] == (
        "Trần Văn Bình đề nghị Anh/Chị phê duyệt: câu trả lời cho người dân."
    )
    assert pushes["phophong"]["title"] == f"Report {team.report.ref}"
    assert pushes["phophong"]["body"] == (
        "Trần Văn Bình asks for your approval: the answer to the citizen."
    )
    # The deputy has no address: a push only.
    assert set(_emails(told)) == {"lan@ctdt.danang.gov.vn"}


def test_an_e_mail_names_the_report_and_links_to_the_agency_console(
    session: Session, team: Team
) -> None:
    _event(
        session,
        "report.draft_submitted",
        team,
        agency_code="LEAD",
        kind="extension",
        author="officer",
    )

    mail = _emails(_fan_out(session, WITH_EMAIL))["lan@ctdt.danang.gov.vn"]

    ref = team.report.ref
    assert mail["subject"] == f"Phản ánh {ref}: Dự thảo chờ phê duyệt"
    assert mail["body"].startswith("Kính gửi Nguyễn Thị Lan,\n\n")
    assert "Trần Văn Bình đề nghị Anh/Chị phê duyệt: đề nghị gia hạn xử lý." in mail["body"]
    assert f"Mở phản ánh: {SITE}/agency?ref={ref}" in mail["body"]


def test_an_overdue_part_reaches_the_lead_managers_and_the_ioc_supervisors(
    session: Session, team: Team
) -> None:
    due = datetime(2026, 3, 10, 3, 0, tzinfo=UTC)
    _event(
        session,
        "report.support_overdue",
        team,
        lead_agency_code="LEAD",
        supporting_agency_code="SUPPORT",
        due_at=due.isoformat(),
    )

    told = _fan_out(session, WITH_EMAIL)

    pushes = _pushes(told)
    assert set(pushes) == {"truongphong", "phophong", "supervisor"}
    assert pushes["truongphong"]["body"] == (
        "Phần phối hợp của Điện lực thành phố đã quá hạn (hạn 10:00 10/03/2026)."
    )
    assert pushes["phophong"]["body"] == (
        "The part of the supporting agency City Power is overdue (due 10:00 10/03/2026)."
    )
    emails = _emails(told)
    assert set(emails) == {"lan@ctdt.danang.gov.vn", "gs@ioc.gov.vn"}
    # The IOC's supervisors open the report in their own console.
    assert f"{SITE}/triage?ref={team.report.ref}" in emails["gs@ioc.gov.vn"]["body"]


def test_the_delivery_log_names_staff_recipients(session: Session, team: Team) -> None:
    _event(
        session,
        "report.assignee_changed",
        team,
        agency_code="LEAD",
        assignee="officer",
        by="truongphong",
    )
    _fan_out(session, WITH_EMAIL)

    lines = list_deliveries(session, limit=2)

    assert [line.destination for line in lines] == [
        "staff officer e-mail binh@ctdt.danang.gov.vn",
        "staff officer device tok-offi…",
    ]
    assert {line.event_type for line in lines} == {"report.assignee_changed"}


def test_the_worker_pushes_a_staff_notice_through_fcm(
    session: Session, team: Team, standin: FcmStandIn, run_worker
) -> None:
    _event(
        session,
        "report.draft_submitted",
        team,
        agency_code="LEAD",
        kind="return",
        author="officer",
    )
    session.flush()

    round_ = run_worker()

    assert round_.sent.delivered == 2
    (message,) = standin.messages_to("tok-phophong")
    assert message["notification"] == {
        "title": f"Report {team.report.ref}",
        "body": "Trần Văn Bình asks for your approval: returning the report to the IOC.",
    }
    assert message["data"]["event"] == "report.draft_submitted"
    assert len(standin.messages_to("tok-truongphong")) == 1


def test_the_agencys_own_steps_reach_the_people_they_concern(
    session: Session, intake: Intake, cast: Cast, team: Team
) -> None:
    """The use cases themselves, not hand-written events: a manager gives the report to an
    officer, who hears of it; the officer's answer waits for sign-off, and the managers hear
    of the draft."""
    cast.lead.requires_sign_off = True
    assign_report(
        session, policy=intake.policy, report=team.report, actor=cast.operator, agency_code="LEAD"
    )
    assign_to_officer(session, report=team.report, actor=team.manager, username="officer")
    given = _pushes(_fan_out(session))
    accept_report(session, report=team.report, actor=team.officer)
    resolve_report(
        session,
        policy=intake.policy,
        report=team.report,
        actor=team.officer,
        answer="Đã vá ổ gà",
        photos=(),
    )
    drafted = _pushes(_fan_out(session))

    assert set(given) == {"officer"}
    assert set(drafted) == {"truongphong", "phophong"}
    assert "Trần Văn Bình" in drafted["truongphong"]["body"]
    assert team.report.status == "in_progress"
