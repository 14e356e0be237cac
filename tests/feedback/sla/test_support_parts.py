"""Supporting agencies' parts (phối hợp): a deadline of their own, a share of the lead's
counted in working time, done when they contribute, flagged once to the lead and the IOC when
late."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from sqlalchemy import select

from ioc.events.audiences import AUDIENCE_OPS, agency_audience
from ioc.events.models import Event
from ioc.feedback.intake.filing import submit_report
from ioc.feedback.lifecycle.agency_work import accept_report, contribute
from ioc.feedback.report_models import Report
from ioc.feedback.sla.deadlines import retarget_clock, start_resolution_clock
from ioc.feedback.sla.policy import DEFAULT_POLICY_FILE, SlaPolicy, load_policy, parse_policy_text
from ioc.feedback.sla.support import is_part_overdue
from ioc.feedback.sla.sweep import sweep_deadlines
from ioc.feedback.states import Role
from tests.factories import (
    make_agency,
    make_category,
    make_policy,
    make_province_with_two_communes,
    make_rule,
    make_user,
)

# Friday 24 April 2026, 15:00 in Vietnam: then a weekend, the Hùng Kings' day off (Monday
# 27 April, for Sunday 26 April) and three working days before 30 April.
FRIDAY_3PM = datetime(2026, 4, 24, 8, 0, tzinfo=UTC)


def _local(year: int, month: int, day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour - 7, minute, tzinfo=UTC)


@pytest.fixture
def report(session, intake) -> Report:
    make_province_with_two_communes(session)
    category = make_category(session, "den", sla_target_hours=24)
    lead, support = make_agency(session, "SXD"), make_agency(session, "MTDT")
    make_rule(session, category, "P", lead, supporting=[support])
    return submit_report(
        session,
        intake,
        category_code="den",
        lon=108.05,
        lat=16.05,
        channel="phone",
        received_at=FRIDAY_3PM,
    )


def _events(session, kind: str) -> list[Event]:
    return list(session.scalars(select(Event).where(Event.type == kind)))


@pytest.fixture
def with_holidays() -> SlaPolicy:
    """The shipped policy with the shipped public holidays."""
    return load_policy(ZoneInfo("Asia/Ho_Chi_Minh"))


def test_a_part_is_due_after_half_the_leads_working_hours_skipping_weekend_and_holiday(
    report, with_holidays
):
    start_resolution_clock(report, with_holidays, at=FRIDAY_3PM)

    # 12 working hours from Friday 15:00: 2 on Friday, none on the weekend nor on the Monday
    # off, 7.5 on Tuesday, 2.5 on Wednesday morning.
    [part] = report.support_parts

    assert part.agency.code == "MTDT"
    assert part.started_at == FRIDAY_3PM
    assert part.due_at == _local(2026, 4, 29, 10)
    assert report.due_at == _local(2026, 5, 4, 16, 30)  # the lead: 24 working hours
    assert part.done_at is None


def test_the_share_comes_from_the_policy(session, report):
    quarter = make_policy(supporting={"share_of_resolution": 0.25})

    start_resolution_clock(report, quarter, at=FRIDAY_3PM)

    # 6 working hours (no holidays in this policy): 2 on Friday, 4 on Monday morning.
    assert report.support_parts[0].due_at == _local(2026, 4, 27, 11, 30)


def test_an_urgent_report_gives_its_part_wall_clock_hours(session, intake, report):
    report.sla_tier = "urgent"

    start_resolution_clock(report, intake.policy, at=FRIDAY_3PM)

    # Half of the policy's 4 urgent hours, day and night.
    assert report.support_parts[0].due_at == FRIDAY_3PM + timedelta(hours=2)


def test_a_new_tier_moves_an_open_part_from_when_it_started(session, report, with_holidays):
    start_resolution_clock(report, with_holidays, at=FRIDAY_3PM)
    report.sla_tier = "complex"

    retarget_clock(report, with_holidays)

    # 40 of the complex tier's 80 working hours, over the weekend, the Hùng Kings' day off,
    # 30 April and 1 May: 2 + 7.5 + 7.5 + 7.5 + 7.5 + 7.5 by Wednesday 6 May, then half an hour.
    assert report.support_parts[0].due_at == _local(2026, 5, 7, 8)


@pytest.mark.parametrize(
    ("replace", "named"),
    [
        ("share_of_resolution = 0.5", "share_of_resolution = 0"),
        ("share_of_resolution = 0.5", "share_of_resolution = 1.5"),
        ("[supporting]\nshare_of_resolution = 0.5\n", ""),
    ],
)
def test_a_policy_without_a_sensible_share_is_refused_naming_the_key(replace, named):
    text = DEFAULT_POLICY_FILE.read_text(encoding="utf-8").replace(replace, named)

    with pytest.raises(ValueError, match=r"supporting"):
        parse_policy_text(text, source="test")


def test_contributing_completes_the_part(session, report):
    officer = make_user(session, Role.AGENCY_OFFICER, "mtdt", agency=report.support_parts[0].agency)
    lead_officer = make_user(session, Role.AGENCY_OFFICER, "sxd", agency=report.lead_agency)
    accept_report(session, report=report, actor=lead_officer)
    moment = _local(2026, 4, 28, 9)

    with time_machine.travel(moment, tick=False):
        contribute(session, report=report, actor=officer, text="Đã thu dọn")

    [part] = report.support_parts
    assert part.done_at == moment
    assert part.text == "Đã thu dọn"
    assert is_part_overdue(part, at=moment + timedelta(days=30)) is False


def test_the_sweep_flags_a_late_part_once_to_the_lead_and_the_ioc(session, intake, report):
    [part] = report.support_parts
    assert part.due_at is not None
    late = part.due_at + timedelta(minutes=1)

    first = sweep_deadlines(session, intake.policy, now=late)
    second = sweep_deadlines(session, intake.policy, now=late + timedelta(hours=1))

    assert first.support_overdue == [(report.ref, "MTDT")]
    assert first.overdue == []  # the lead still has time
    assert second.support_overdue == []
    assert part.overdue_announced_at == late
    assert is_part_overdue(part, at=late)
    [event] = _events(session, "report.support_overdue")
    assert event.payload["supporting_agency"] == "MTDT"
    assert set(event.audiences) == {AUDIENCE_OPS, agency_audience("SXD"), agency_audience("MTDT")}
    assert report.history[-1].action == "support_overdue"
    assert report.history[-1].is_public is False


def test_a_part_done_in_time_is_never_flagged(session, intake, report):
    officer = make_user(session, Role.AGENCY_OFFICER, "mtdt", agency=report.support_parts[0].agency)
    lead_officer = make_user(session, Role.AGENCY_OFFICER, "sxd", agency=report.lead_agency)
    accept_report(session, report=report, actor=lead_officer)
    contribute(session, report=report, actor=officer, text="Xong")
    due_at = report.support_parts[0].due_at
    assert due_at is not None

    result = sweep_deadlines(session, intake.policy, now=due_at + timedelta(hours=1))

    assert result.support_overdue == []
    assert _events(session, "report.support_overdue") == []


def test_a_paused_report_does_not_flag_its_parts(session, intake, report):
    due_at: Any = report.support_parts[0].due_at
    report.paused_at = FRIDAY_3PM + timedelta(hours=1)

    result = sweep_deadlines(session, intake.policy, now=due_at + timedelta(hours=1))

    assert result.support_overdue == []
