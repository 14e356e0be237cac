"""Statistics read from the figure rollups: groupings, an agency's own figures, receipt
timeliness, time lost with the wrong agency, medians from buckets and what is overdue now."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
import time_machine
from sqlalchemy.orm import Session

from ioc.db import utcnow
from ioc.feedback.intake.filing import Intake, submit_report
from ioc.feedback.lifecycle import agency_work, questions, triage
from ioc.feedback.models import Agency, User
from ioc.feedback.reads.statistics import Figures, GroupBy, compute_figures
from ioc.feedback.report_models import Report
from ioc.feedback.states import Role
from tests.factories import make_agency, make_category, make_province_with_two_communes, make_user

IN_A = (108.05, 16.05)
#: Working-time figures need a known place in the working week, whatever the suite's "now".
WEDNESDAY_8AM = datetime.fromisoformat("2026-03-11T08:00:00+07:00")


@pytest.fixture
def staff(session: Session) -> dict[str, User]:
    make_province_with_two_communes(session)
    make_category(session, "den_duong", is_auto_dispatch=False)
    sxd = make_agency(session, "SXD", name_vi="Sở Xây dựng", area_code="P")
    mtdt = make_agency(session, "MTDT", name_vi="Công ty Môi trường Đô thị", area_code="P")
    return {
        "operator": make_user(session, Role.IOC_OPERATOR, "operator"),
        "SXD": make_user(session, Role.AGENCY_OFFICER, "cb_sxd", sxd),
        "MTDT": make_user(session, Role.AGENCY_OFFICER, "cb_mtdt", mtdt),
        "citizen": make_user(session, Role.CITIZEN, "dan"),
    }


def _file(session: Session, intake: Intake, channel: str = "phone", **extra: object) -> Report:
    return submit_report(
        session,
        intake,
        category_code="den_duong",
        lon=IN_A[0],
        lat=IN_A[1],
        channel=channel,
        **extra,  # type: ignore[arg-type]
    )


def _assign(session: Session, intake: Intake, report: Report, staff: dict[str, User], code: str):
    triage.assign_report(
        session, policy=intake.policy, report=report, actor=staff["operator"], agency_code=code
    )
    session.flush()


def _figures(session: Session, intake: Intake, group_by: GroupBy, **kw: object) -> list[Figures]:
    now = utcnow()
    return compute_figures(
        session,
        intake.policy,
        group_by=group_by,
        since=now - timedelta(days=30),
        until=now + timedelta(days=1),
        **kw,  # type: ignore[arg-type]
    )


def test_grouping_by_channel_counts_each_channel(
    session: Session, intake: Intake, staff: dict[str, User]
) -> None:
    for channel in ("phone", "phone", "zalo", "mobile"):
        _file(session, intake, channel)
    session.flush()

    rows = {f.key: (f.name, f.received) for f in _figures(session, intake, GroupBy.CHANNEL)}

    assert rows == {
        "phone": ("Đường dây nóng", 2),
        "zalo": ("Zalo", 1),
        "mobile": ("Ứng dụng di động", 1),
    }


def test_an_agency_sees_only_its_own_figures_and_its_returns(
    session: Session,
    intake: Intake,
    staff: dict[str, User],
    fixed_clock: time_machine.Traveller,
) -> None:
    fixed_clock.move_to(WEDNESDAY_8AM)
    ours, theirs, returned = (_file(session, intake) for _ in range(3))
    for report, code in ((ours, "SXD"), (theirs, "MTDT"), (returned, "MTDT")):
        _assign(session, intake, report, staff, code)
    agency_work.accept_report(session, report=returned, actor=staff["MTDT"])
    fixed_clock.shift(timedelta(hours=2))
    agency_work.return_report(
        session, policy=intake.policy, report=returned, actor=staff["MTDT"], reason="Không phải"
    )
    session.flush()
    sxd, mtdt = (session.query(Agency).filter_by(code=c).one() for c in ("SXD", "MTDT"))

    [own] = _figures(session, intake, GroupBy.AGENCY, agency_id=sxd.id)
    [other] = _figures(session, intake, GroupBy.AGENCY, agency_id=mtdt.id)

    assert (own.key, own.received, own.returned) == ("SXD", 1, 0)
    # MTDT leads one report still and lost the other's time: 2 working hours held.
    assert (other.key, other.received, other.returned) == ("MTDT", 1, 1)
    assert other.returned_hours == pytest.approx(2.0, abs=0.01)
    everyone = {f.key: f.received for f in _figures(session, intake, GroupBy.AGENCY)}
    assert everyone == {"SXD": 1, "MTDT": 1, "IOC": 1}


def test_receipt_timeliness_counts_reports_assigned_within_the_receipt_clock(
    session: Session,
    intake: Intake,
    staff: dict[str, User],
    fixed_clock: time_machine.Traveller,
) -> None:
    fixed_clock.move_to(WEDNESDAY_8AM)
    quick, slow, waiting = (_file(session, intake, "zalo") for _ in range(3))
    _assign(session, intake, quick, staff, "SXD")
    fixed_clock.shift(timedelta(days=3))  # past the 8 working hours of the receipt clock
    _assign(session, intake, slow, staff, "SXD")

    [zalo] = _figures(session, intake, GroupBy.CHANNEL)

    assert (zalo.received, zalo.assigned, zalo.receipt_late) == (3, 2, 1)
    assert zalo.receipt_on_time_percent == 50.0
    assert zalo.to_dict()["receipt_late"] == 1
    # The one still waiting is overdue now; it has no receipt verdict yet.
    assert zalo.overdue_now == 1
    assert waiting.receipt_on_time is None


def test_overdue_now_leaves_out_paused_and_finished_reports(
    session: Session,
    intake: Intake,
    staff: dict[str, User],
    fixed_clock: time_machine.Traveller,
) -> None:
    fixed_clock.move_to(WEDNESDAY_8AM)
    late = _file(session, intake)
    paused = _file(session, intake, reporter_id=staff["citizen"].id)
    rejected = _file(session, intake)
    questions.ask_citizen(session, report=paused, actor=staff["operator"], question="Ở đâu?")
    fixed_clock.shift(timedelta(days=3))
    triage.reject_report(
        session, policy=intake.policy, report=rejected, actor=staff["operator"], reason="Trùng"
    )
    session.flush()

    [ioc] = _figures(session, intake, GroupBy.AGENCY)

    assert (ioc.received, ioc.rejected, ioc.overdue_now) == (3, 1, 1)
    assert late.receipt_on_time is None
    assert rejected.receipt_on_time is False


def test_the_median_handling_time_is_exact_to_a_quarter_hour(
    session: Session,
    intake: Intake,
    staff: dict[str, User],
    fixed_clock: time_machine.Traveller,
) -> None:
    wednesday_8am = WEDNESDAY_8AM
    fixed_clock.move_to(wednesday_8am)
    for hours in (1.0, 2.1, 3.0):  # all before the lunch break
        report = _file(session, intake)
        _assign(session, intake, report, staff, "SXD")
        agency_work.accept_report(session, report=report, actor=staff["SXD"])
        with time_machine.travel(wednesday_8am + timedelta(hours=hours), tick=False):
            agency_work.resolve_report(
                session,
                policy=intake.policy,
                report=report,
                actor=staff["SXD"],
                answer="Đã xử lý",
                photos=[],
            )
        session.flush()

    [sxd] = _figures(session, intake, GroupBy.AGENCY)

    assert sxd.resolved == 3
    assert sxd.median_handling_hours is not None
    assert sxd.median_handling_hours == pytest.approx(2.1, abs=0.25)
    assert sxd.handling_hours_total == pytest.approx(6.1, abs=0.01)
