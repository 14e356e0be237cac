"""The "extended" figure (gia hạn): a report granted an extension counts once in its day, its
month and each dimension's month total, however many it was granted; a denied request counts
nothing; a rebuild recounts it from the approved requests; the figures carry it."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from ioc.feedback.intake.filing import Intake, submit_report
from ioc.feedback.lifecycle.agency_work import accept_report, request_extension
from ioc.feedback.lifecycle.triage import assign_report, decide_extension
from ioc.feedback.models import User
from ioc.feedback.reads.figure_rollups import (
    ReportFigure,
    ReportFigureMonth,
    ReportFigureMonthTotal,
    rebuild_figure_rollups,
)
from ioc.feedback.reads.statistics import GroupBy, compute_figures
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
NOVEMBER = date(2026, 11, 1)
POLICY = make_policy(extensions={"max_count": 2, "max_total_working_hours": 16})


@dataclass
class Desk:
    session: Session
    intake: Intake
    operator: User
    officer: User
    supervisor: User

    def report_in_progress(self, channel: str) -> Report:
        report = submit_report(
            self.session,
            self.intake,
            category_code="den",
            lon=108.05,
            lat=16.05,
            channel=channel,
        )
        assign_report(
            self.session, policy=POLICY, report=report, actor=self.operator, agency_code="SXD"
        )
        accept_report(self.session, report=report, actor=self.officer)
        return report

    def extend(self, report: Report, *, approve: bool) -> None:
        assert report.due_at is not None
        request_extension(
            self.session,
            policy=POLICY,
            report=report,
            actor=self.officer,
            until=POLICY.calendar.add_working_hours(report.due_at, 4),
            reason="Chờ vật tư",
        )
        decide_extension(
            self.session,
            policy=POLICY,
            report=report,
            actor=self.supervisor,
            approve=approve,
            note=None if approve else "Không đủ lý do",
        )
        self.session.flush()


@pytest.fixture
def desk(session: Session, intake: Intake) -> Iterator[Desk]:
    make_province_with_two_communes(session)
    make_category(session, "den", sla_target_hours=8, is_auto_dispatch=False)
    agency = make_agency(session, "SXD")
    with time_machine.travel(MONDAY_8AM, tick=False):
        yield Desk(
            session=session,
            intake=intake,
            operator=make_user(session, Role.IOC_OPERATOR, "dieuhanh"),
            officer=make_user(session, Role.AGENCY_OFFICER, "sxd.canbo", agency),
            supervisor=make_user(session, Role.IOC_SUPERVISOR, "giamsat"),
        )


def _extended(session: Session) -> dict[str, dict[tuple[object, ...], int]]:
    """The non-zero "extended" counters of every tier, by row key."""
    return {
        "days": {
            (f.day, f.channel): f.extended
            for f in session.scalars(select(ReportFigure))
            if f.extended
        },
        "months": {
            (f.month, f.channel): f.extended
            for f in session.scalars(select(ReportFigureMonth))
            if f.extended
        },
        "totals": {
            (f.month, f.dimension, f.group_key): f.extended
            for f in session.scalars(select(ReportFigureMonthTotal))
            if f.extended
        },
    }


def test_a_report_granted_two_extensions_counts_once_in_every_tier(desk: Desk) -> None:
    report = desk.report_in_progress("web")

    desk.extend(report, approve=True)
    desk.extend(report, approve=True)

    assert report.extension_count == 2
    sxd = str(report.lead_agency_id)
    assert _extended(desk.session) == {
        "days": {(date(2026, 11, 23), "web"): 1},
        "months": {(NOVEMBER, "web"): 1},
        "totals": {
            (NOVEMBER, "agency", sxd): 1,
            (NOVEMBER, "category", str(report.category_id)): 1,
            (NOVEMBER, "area", str(report.area_id)): 1,
            (NOVEMBER, "channel", "web"): 1,
        },
    }


def test_a_denied_extension_counts_nothing(desk: Desk) -> None:
    report = desk.report_in_progress("phone")

    desk.extend(report, approve=False)

    assert report.extension_count == 0
    assert _extended(desk.session) == {"days": {}, "months": {}, "totals": {}}


def test_extended_reports_add_up_per_day_and_month_and_the_figures_carry_them(
    desk: Desk,
) -> None:
    extended = desk.report_in_progress("web")
    desk.extend(extended, approve=True)
    denied = desk.report_in_progress("web")
    desk.extend(denied, approve=False)
    with time_machine.travel(MONDAY_8AM + timedelta(days=1), tick=False):
        tuesday = desk.report_in_progress("web")
        desk.extend(tuesday, approve=True)
        desk.report_in_progress("web")

    rows = _extended(desk.session)
    assert rows["days"] == {(date(2026, 11, 23), "web"): 1, (date(2026, 11, 24), "web"): 1}
    assert rows["months"] == {(NOVEMBER, "web"): 2}
    assert rows["totals"][(NOVEMBER, "channel", "web")] == 2
    figures = compute_figures(
        desk.session,
        POLICY,
        group_by=GroupBy.AGENCY,
        since=datetime(2026, 10, 31, 17, tzinfo=UTC),  # 1 November, local midnight
        until=datetime(2026, 11, 30, 17, tzinfo=UTC),
        now=MONDAY_8AM,
        agency_id=extended.lead_agency_id,
    )
    assert [(f.received, f.extended) for f in figures] == [(4, 2)]
    assert figures[0].to_dict()["extended"] == 2


def test_a_rebuild_recounts_the_extensions_from_the_approved_requests(desk: Desk) -> None:
    for approve in (True, False, True):
        desk.extend(desk.report_in_progress("zalo"), approve=approve)
    live = _extended(desk.session)
    # What a loader writing reports and their requests directly leaves empty.
    desk.session.execute(
        update(Report).values(extension_count=0),
        execution_options={"synchronize_session": False},
    )
    desk.session.expire_all()

    rebuild_figure_rollups(desk.session, POLICY)

    assert _extended(desk.session) == live
    assert live["days"] == {(date(2026, 11, 23), "zalo"): 2}
    counts = desk.session.scalars(select(Report.extension_count).order_by(Report.id)).all()
    assert counts == [1, 0, 1]
