"""Extension requests respect the policy's caps: how many one assignment may get, and how
much time they may add in all."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from ioc.errors import Conflict, InvalidInput
from ioc.feedback.intake.filing import submit_report
from ioc.feedback.lifecycle.agency_work import accept_report, request_extension
from ioc.feedback.lifecycle.triage import assign_report, decide_extension
from ioc.feedback.models import User
from ioc.feedback.report_models import Report
from ioc.feedback.states import Role
from tests.factories import (
    make_agency,
    make_category,
    make_policy,
    make_province_with_two_communes,
    make_user,
)

# Monday 2026-11-23 08:00 in Vietnam.
MONDAY_8AM = datetime(2026, 11, 23, 1, 0, tzinfo=UTC)
POLICY = make_policy(extensions={"max_count": 2, "max_total_working_hours": 16})


@pytest.fixture
def handled(session, intake) -> Iterator[tuple[Report, User, User]]:
    """A report in progress at SXD; the test goes on at that Monday 08:00."""
    make_province_with_two_communes(session)
    make_category(session, "den", sla_target_hours=8, is_auto_dispatch=False)
    agency = make_agency(session, "SXD")
    officer = make_user(session, Role.AGENCY_OFFICER, "sxd.canbo", agency)
    operator = make_user(session, Role.IOC_OPERATOR, "dieuhanh")
    supervisor = make_user(session, Role.IOC_SUPERVISOR, "giamsat")
    with time_machine.travel(MONDAY_8AM, tick=False):
        report = submit_report(
            session, intake, category_code="den", lon=108.05, lat=16.05, channel="phone"
        )
        assign_report(session, policy=POLICY, report=report, actor=operator, agency_code="SXD")
        accept_report(session, report=report, actor=officer)
        yield report, officer, supervisor


def _extend(session, report: Report, officer: User, supervisor: User, hours: float) -> None:
    assert report.due_at is not None
    until = POLICY.calendar.add_working_hours(report.due_at, hours)
    request_extension(
        session, policy=POLICY, report=report, actor=officer, until=until, reason="Chờ vật tư"
    )
    decide_extension(
        session, policy=POLICY, report=report, actor=supervisor, approve=True, note=None
    )


def test_an_assignment_gets_at_most_the_policys_number_of_extensions(session, handled):
    report, officer, supervisor = handled
    _extend(session, report, officer, supervisor, 4)
    _extend(session, report, officer, supervisor, 4)
    due = report.due_at
    assert due is not None

    with pytest.raises(Conflict) as caught:
        request_extension(
            session,
            policy=POLICY,
            report=report,
            actor=officer,
            until=due + timedelta(days=1),
            reason="Thêm lần nữa",
        )

    assert caught.value.details == {"limit": 2, "granted": 2}
    assert report.due_at == due


def test_extensions_may_not_add_more_than_the_policys_total(session, handled):
    report, officer, supervisor = handled
    _extend(session, report, officer, supervisor, 10)
    assert report.due_at is not None

    with pytest.raises(InvalidInput) as caught:
        request_extension(
            session,
            policy=POLICY,
            report=report,
            actor=officer,
            until=POLICY.calendar.add_working_hours(report.due_at, 7),
            reason="Chờ vật tư",
        )

    assert (caught.value.details["limit_hours"], caught.value.details["left_hours"]) == (16, 6)
    assert "until" in caught.value.details["fields"]


def test_a_request_within_what_is_left_is_accepted(session, handled):
    report, officer, supervisor = handled
    _extend(session, report, officer, supervisor, 10)
    assert report.due_at is not None
    until = POLICY.calendar.add_working_hours(report.due_at, 6)

    request = request_extension(
        session, policy=POLICY, report=report, actor=officer, until=until, reason="Mưa lớn"
    )

    assert request.hours == pytest.approx(6.0)
