"""Figure rollups: after any sequence of real use cases (extensions approved and denied among
them) the daily and monthly counters and the
month totals per dimension equal a recount from the reports, their history and their returns,
a rebuild writes the same rows, and figures read from whole months equal the same period added
up day by day."""

from __future__ import annotations

import random
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

import pytest
import time_machine
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from ioc.errors import IocError
from ioc.feedback.intake.filing import Intake, submit_report
from ioc.feedback.lifecycle import agency_work, citizen_actions, questions, triage
from ioc.feedback.lifecycle.citizen_actions import Rating
from ioc.feedback.lifecycle.handling import pending_extension
from ioc.feedback.models import Agency, Category, User
from ioc.feedback.reads.figure_rollups import (
    COUNTERS,
    ReportFigure,
    ReportFigureMonth,
    ReportFigureMonthTotal,
    ReportFigureWeek,
    ReportHandlingBucket,
    ReportHandlingBucketMonth,
    ReportHandlingBucketMonthTotal,
    ReportHandlingBucketWeek,
    ReportReceiptBucket,
    ReportReceiptBucketMonth,
    ReportReceiptBucketMonthTotal,
    ReportReceiptBucketWeek,
    bucket_of,
    rebuild_figure_rollups,
    return_contribution,
)
from ioc.feedback.reads.hotspots import ReportCellWeek, rebuild_cell_weeks
from ioc.feedback.reads.rollups import ReportCellCount, rebuild_rollups
from ioc.feedback.reads.statistics import Figures, GroupBy, compute_figures, period_parts
from ioc.feedback.report_models import ExtensionRequest, Report, ReportReturn
from ioc.feedback.sla.policy import SlaPolicy
from ioc.feedback.states import HANDLING_STATES, TRIAGE_STATES, ReportStatus, Role
from tests.factories import (
    VN,
    make_agency,
    make_category,
    make_province_with_two_communes,
    make_rule,
    make_user,
)

IN_A = (108.05, 16.05)
IN_B = (108.15, 16.05)
CHANNELS = ("mobile", "web", "phone", "zalo")

FINAL = {ReportStatus.REJECTED, ReportStatus.DUPLICATE, ReportStatus.CLOSED}

Rows = Counter[tuple[Any, ...]]


@dataclass
class Province:
    session: Session
    intake: Intake
    traveller: time_machine.Traveller
    agencies: list[Agency]
    categories: list[Category]
    operator: User
    supervisor: User
    officers: dict[int, User]
    citizens: list[User]
    #: What the test itself saw at each return: (report id, agency id, category id, hours).
    returns: list[tuple[int, int, int, float]] = field(default_factory=list)

    @property
    def policy(self) -> SlaPolicy:
        return self.intake.policy


@pytest.fixture
def province(session: Session, intake: Intake, fixed_clock: time_machine.Traveller) -> Province:
    make_province_with_two_communes(session)
    agencies = [make_agency(session, code, area_code="P") for code in ("SXD", "MTDT")]
    queued = make_category(session, "den_duong", is_auto_dispatch=False)
    dispatched = make_category(session, "rac", is_auto_dispatch=True)
    urgent = make_category(
        session, "o_ga", is_auto_dispatch=False, sla_tier="urgent", sla_target_hours=4
    )
    make_rule(session, dispatched, "A", agencies[1])
    return Province(
        session=session,
        intake=intake,
        traveller=fixed_clock,
        agencies=agencies,
        categories=[queued, dispatched, urgent],
        operator=make_user(session, Role.IOC_OPERATOR, "operator"),
        supervisor=make_user(session, Role.IOC_SUPERVISOR, "supervisor"),
        officers={
            a.id: make_user(session, Role.AGENCY_OFFICER, f"cb_{a.code}", a) for a in agencies
        },
        citizens=[make_user(session, Role.CITIZEN, f"dan{i}") for i in range(3)],
    )


def _step(p: Province, rng: random.Random, reports: list[Report], *, pauses: bool) -> None:
    """One random thing a person does; what the rules refuse is simply not done."""
    s, policy = p.session, p.policy
    if not reports or rng.random() < 0.25:
        reports.append(
            submit_report(
                s,
                p.intake,
                category_code=rng.choice(p.categories).code,
                lon=rng.choice((IN_A, IN_B))[0],
                lat=IN_A[1],
                channel=rng.choice(CHANNELS),
                reporter_id=rng.choice(p.citizens).id,
            )
        )
        return
    live = [r for r in reports if r.status not in FINAL]
    if not live:
        return
    report = rng.choice(live)
    status = report.status
    lead = p.officers.get(report.lead_agency_id or 0)
    if status in TRIAGE_STATES:
        action = rng.choice(["verify", "classify", "assign", "assign", "reject", "merge", "ask"])
        if action == "verify":
            triage.verify_report(s, report=report, actor=p.operator, note=None)
        elif action == "classify":
            code = rng.choice(p.categories).code
            triage.classify_report(
                s, policy=policy, report=report, actor=p.operator, category_code=code
            )
        elif action == "assign":
            code = rng.choice(p.agencies).code
            triage.assign_report(
                s, policy=policy, report=report, actor=p.operator, agency_code=code
            )
        elif action == "reject":
            triage.reject_report(
                s, policy=policy, report=report, actor=p.operator, reason="Không thuộc phạm vi"
            )
        elif action == "merge":
            others = [r for r in reports if r is not report and r.status in TRIAGE_STATES]
            if others:
                triage.mark_duplicate(
                    s, policy=policy, report=report, actor=p.operator, of_ref=others[0].ref
                )
        elif pauses and report.paused_at is None:
            questions.ask_citizen(s, report=report, actor=p.operator, question="Ở đâu ạ?")
    elif status in HANDLING_STATES and lead is not None:
        if report.paused_at is not None:
            citizen_actions.add_comment(
                s, report=report, citizen_id=report.reporter_id or 0, text="Số 5", policy=policy
            )
        elif status == ReportStatus.ASSIGNED:
            if rng.random() < 0.8:
                agency_work.accept_report(s, report=report, actor=lead)
            else:
                triage.mark_duplicate(
                    s,
                    policy=policy,
                    report=report,
                    actor=p.operator,
                    of_ref=rng.choice(reports).ref,
                )
        elif rng.random() < 0.2:
            agency, category = report.lead_agency_id or 0, report.category_id
            agency_work.return_report(s, policy=policy, report=report, actor=lead, reason="Sai")
            held = s.scalars(select(ReportReturn).where(ReportReturn.report_id == report.id))
            p.returns.append((report.id, agency, category, list(held)[-1].hours_held))
        elif pending_extension(s, report) is not None and rng.random() < 0.6:
            triage.decide_extension(
                s,
                policy=policy,
                report=report,
                actor=p.supervisor,
                approve=rng.random() < 0.6,
                note=None,
            )
        elif pauses and rng.random() < 0.15:
            questions.ask_citizen(s, report=report, actor=lead, question="Ảnh rõ hơn?")
        elif rng.random() < 0.3 and report.due_at is not None:
            agency_work.request_extension(
                s,
                policy=policy,
                report=report,
                actor=lead,
                until=report.due_at + timedelta(hours=rng.choice((2, 20))),
                reason="Chờ vật tư",
            )
        else:
            agency_work.resolve_report(
                s, policy=policy, report=report, actor=lead, answer="Đã xử lý", photos=[]
            )
    elif status == ReportStatus.RESOLVED:
        if report.rating is None:
            citizen_actions.rate_report(
                s,
                report=report,
                citizen_id=report.reporter_id or 0,
                rating=rng.choice(list(Rating)),
                comment=None,
            )
        elif rng.random() < 0.7:
            triage.reopen_report(
                s, policy=policy, report=report, actor=p.operator, reason="Chưa xong"
            )
        else:
            triage.close_report(s, report=report, actor=p.operator, note=None)


def _play(p: Province, seed: int, steps: int, *, pauses: bool = True) -> None:
    rng = random.Random(seed)
    reports: list[Report] = []
    # From the next Monday at 08:00, wherever in the week the chosen instant falls: a seed
    # then meets the same working days, and reaches the states its test counts on.
    local = datetime.now(VN)
    monday = (local + timedelta(days=7 - local.weekday())).replace(
        hour=8, minute=0, second=0, microsecond=0
    )
    p.traveller.move_to(monday)
    for _ in range(steps):
        # Hours to days apart, so reports fall on several local days and clocks run late.
        p.traveller.shift(timedelta(minutes=rng.choice((7, 45, 150, 600, 1500))))
        try:
            with p.session.begin_nested():
                _step(p, rng, reports, pauses=pauses)
                p.session.flush()
        except IocError:
            p.session.expire_all()
    p.session.flush()


def _live(session: Session) -> tuple[Rows, Rows]:
    return _rows(session, ReportFigure, (ReportHandlingBucket, ReportReceiptBucket), "day")


def _live_months(session: Session) -> tuple[Rows, Rows]:
    return _rows(
        session, ReportFigureMonth, (ReportHandlingBucketMonth, ReportReceiptBucketMonth), "month"
    )


def _live_totals(session: Session) -> tuple[Rows, Rows]:
    return _rows(
        session,
        ReportFigureMonthTotal,
        (ReportHandlingBucketMonthTotal, ReportReceiptBucketMonthTotal),
        keys=("month", "dimension", "group_key"),
    )


def _live_weeks(session: Session) -> tuple[Rows, Rows]:
    return _rows(
        session,
        ReportFigureWeek,
        (ReportHandlingBucketWeek, ReportReceiptBucketWeek),
        keys=("week", "channel"),
    )


def _rows(
    session: Session,
    figure: Any,
    histograms: tuple[Any, Any],
    date_column: str = "",
    *,
    keys: tuple[str, ...] = (),
) -> tuple[Rows, Rows]:
    """The counters per key and name, and the histograms per key, kind and bucket."""
    keys = keys or (date_column, "agency_id", "category_id", "area_id", "channel")
    figures: Rows = Counter()
    for row in session.scalars(select(figure)):
        key = tuple(getattr(row, k) for k in keys)
        for name in COUNTERS:
            if getattr(row, name):
                figures[(*key, name)] = getattr(row, name)
    buckets: Rows = Counter()
    for kind, table in zip(("handling", "receipt"), histograms, strict=True):
        for b in session.scalars(select(table)):
            if b.count:
                buckets[(*(getattr(b, k) for k in keys), kind, b.bucket)] = b.count
    return figures, buckets


def _by_month(rows: Rows) -> Rows:
    """Daily rows added up per first day of their month, without the rollup code."""
    months: Rows = Counter()
    for (day, *rest), n in rows.items():
        months[(date(day.year, day.month, 1), *rest)] += n
    return +months


def _by_month_and_dimension(rows: Rows) -> Rows:
    """Daily rows added up per month and per each of the four keys alone, as text, without
    the rollup code."""
    totals: Rows = Counter()
    for (day, agency_id, category_id, area_id, channel, *rest), n in rows.items():
        month = date(day.year, day.month, 1)
        for dimension, value in (
            ("agency", agency_id),
            ("category", category_id),
            ("area", area_id),
            ("channel", channel),
        ):
            totals[(month, dimension, str(value), *rest)] += n
    return +totals


def _recount(p: Province) -> tuple[Rows, Rows]:
    """The figures counted directly from the reports, their history and the returns the
    test made, without the rollup code."""
    figures: Rows = Counter()
    buckets: Rows = Counter()
    timezone = p.policy.calendar.timezone
    days: dict[int, date] = {}
    extensions: dict[int, list[ExtensionRequest]] = {}
    for e in p.session.scalars(select(ExtensionRequest)):
        extensions.setdefault(e.report_id, []).append(e)
    for r in p.session.scalars(select(Report)):
        day = r.received_at.astimezone(timezone).date()
        days[r.id] = day
        key = (day, r.lead_agency_id or 0, r.category_id, r.areas[0].area_id, r.channel)
        actions = Counter(h.action for h in r.history)
        dispatched = any(
            h.action == "submitted" and h.to_status == ReportStatus.ASSIGNED for h in r.history
        )
        resolved = actions["resolve"] > actions["reopen"]
        left_queue = dispatched or any(
            h.from_status in TRIAGE_STATES and h.to_status not in TRIAGE_STATES for h in r.history
        )
        figures[(*key, "received")] += 1
        figures[(*key, "verified")] += actions["verify"] > 0
        figures[(*key, "assigned")] += actions["assign"] > 0 or dispatched
        figures[(*key, "rejected")] += r.status == ReportStatus.REJECTED
        figures[(*key, "resolved")] += resolved
        figures[(*key, "resolved_on_time")] += resolved and r.resolved_on_time is True
        figures[(*key, "resolved_late")] += resolved and r.resolved_on_time is False
        figures[(*key, "reopened")] += actions["reopen"] > 0
        # However many extensions were approved, the report counts once.
        figures[(*key, "extended")] += any(
            e.decision == "approved" for e in extensions.get(r.id, [])
        )
        figures[(*key, f"rated_{r.rating}")] += r.rating is not None
        assert (r.receipt_on_time is not None) is left_queue, r.ref
        figures[(*key, "receipt_on_time")] += r.receipt_on_time is True
        figures[(*key, "receipt_late")] += r.receipt_on_time is False
        if resolved:
            assert r.handling_hours is not None
            figures[(*key, "handling_seconds")] += round(r.handling_hours * 3600)
            buckets[(*key, "handling", bucket_of(r.handling_hours))] += 1
        if r.receipt_on_time is not None:
            # Receipt time has exactly the population of the receipt verdict.
            assert r.receipt_hours is not None, r.ref
            buckets[(*key, "receipt", bucket_of(r.receipt_hours))] += 1
        else:
            assert r.receipt_hours is None, r.ref
    areas = {r.id: r.areas[0].area_id for r in p.session.scalars(select(Report))}
    channels = {r.id: r.channel for r in p.session.scalars(select(Report))}
    for report_id, agency_id, category_id, hours in p.returns:
        key = (days[report_id], agency_id, category_id, areas[report_id], channels[report_id])
        figures[(*key, "returned")] += 1
        figures[(*key, "returned_seconds")] += round(hours * 3600)
    return +figures, +buckets


@pytest.mark.parametrize("seed", [7, 2026])
def test_daily_figures_equal_a_recount_after_random_workflows(
    province: Province, seed: int
) -> None:
    _play(province, seed, steps=200)

    figures, buckets = _live(province.session)

    assert figures == _recount(province)[0]
    assert buckets == _recount(province)[1]
    assert _live_months(province.session) == (_by_month(figures), _by_month(buckets))
    assert _live_totals(province.session) == (
        _by_month_and_dimension(figures),
        _by_month_and_dimension(buckets),
    )
    # The workflow reached the states worth counting.
    totals: Counter[str] = Counter()
    for (*_, name), n in figures.items():
        totals[name] += n
    for name in ("received", "verified", "rejected", "resolved", "reopened", "extended"):
        assert totals[name] > 0, name
    assert totals["returned"] > 0
    assert len({key[0] for key in figures}) > 3  # several local days


def test_a_rebuild_writes_the_rows_the_live_upkeep_keeps(province: Province) -> None:
    _play(province, 11, steps=120)
    live, months = _live(province.session), _live_months(province.session)
    totals, weeks = _live_totals(province.session), _live_weeks(province.session)
    assert len({key[0] for key in months[0]}) > 1  # several months
    assert {key[-2] for key in live[1]} == {"handling", "receipt"}

    cells, cell_weeks = _map_cells(province.session), _cell_weeks(province.session)
    assert cells
    assert len({week for week, *_ in cell_weeks}) > 1

    rebuild_figure_rollups(province.session, province.policy)
    rebuild_rollups(province.session)
    rebuild_cell_weeks(province.session)

    assert _live(province.session) == live
    assert _live_months(province.session) == months
    assert _live_totals(province.session) == totals
    assert _live_weeks(province.session) == weeks
    # The wall map's cells and the hotspots' cell-weeks, recounted, as the live upkeep kept them.
    assert _map_cells(province.session) == cells
    assert _cell_weeks(province.session) == cell_weeks


def _map_cells(session: Session) -> Counter[tuple[Any, ...]]:
    rows = session.execute(
        select(
            ReportCellCount.cell_x,
            ReportCellCount.cell_y,
            ReportCellCount.category_id,
            ReportCellCount.status,
            ReportCellCount.count,
        )
    )
    return Counter({tuple(row[:-1]): row[-1] for row in rows if row[-1]})


def _cell_weeks(session: Session) -> Counter[tuple[Any, ...]]:
    rows = session.execute(
        select(
            ReportCellWeek.week,
            ReportCellWeek.cell_x,
            ReportCellWeek.cell_y,
            ReportCellWeek.category_id,
            ReportCellWeek.count,
        )
    )
    return Counter({tuple(row[:-1]): row[-1] for row in rows if row[-1]})


def test_a_rebuild_after_a_bulk_load_fills_the_columns_from_the_history(
    province: Province,
) -> None:
    _play(province, 5, steps=120, pauses=False)
    live_figures, live_buckets = _live(province.session)
    # A return the loader left without keys is counted under its report's keys of now.
    live_figures = _returns_under_their_reports_keys_of_now(province.session, live_figures)
    # What a loader writing reports, history and returns directly leaves empty.
    province.session.execute(
        update(Report).values(
            received_on=None,
            area_id=None,
            is_verified=False,
            is_assigned=False,
            receipt_on_time=None,
            receipt_hours=None,
            reopen_count=0,
            extension_count=0,
            handling_hours=None,
        ),
        execution_options={"synchronize_session": False},
    )
    province.session.execute(
        update(ReportReturn).values(received_on=None, category_id=None, area_id=None, channel=None),
        execution_options={"synchronize_session": False},
    )
    province.session.expire_all()

    rebuild_figure_rollups(province.session, province.policy)
    figures, buckets = _live(province.session)

    # The handling time is measured from the history rows, written a few microseconds
    # after the clock started: a second at most apart per report.
    def without_seconds(rows: Rows) -> Rows:
        return Counter({k: v for k, v in rows.items() if k[-1] != "handling_seconds"})

    assert without_seconds(figures) == without_seconds(live_figures)
    assert buckets == live_buckets
    assert _live_months(province.session) == (_by_month(figures), _by_month(buckets))
    assert _live_totals(province.session)[1] == _by_month_and_dimension(buckets)
    for key, seconds in live_figures.items():
        if key[-1] == "handling_seconds":
            assert abs(figures[key] - seconds) <= live_figures[(*key[:-1], "resolved")]


def _returns_under_their_reports_keys_of_now(session: Session, figures: Rows) -> Rows:
    """``figures`` with each return moved from the keys its report had when it was returned
    to the keys the report has now (what a rebuild can tell of a return without keys)."""
    moved = Counter(figures)
    for back, report in session.execute(
        select(ReportReturn, Report).join(Report, Report.id == ReportReturn.report_id)
    ):
        then, now = (
            return_contribution(
                keys.received_on,
                back.agency_id,
                keys.category_id,
                keys.area_id,
                keys.channel,
                back.hours_held,
            )
            for keys in (back, report)
        )
        if then is None or now is None or then[0] == now[0]:
            continue
        for name, n in then[1].items():
            moved[(*then[0], name)] -= n
            moved[(*now[0], name)] += n
    return +moved


def _totals(figures: list[Figures]) -> dict[str, Counter[Any]]:
    totals: dict[str, Counter[Any]] = {}
    for f in figures:
        total = totals.setdefault(f.key, Counter())
        for name in (
            "received",
            "verified",
            "assigned",
            "resolved",
            "rejected",
            "resolved_on_time",
            "resolved_late",
            "receipt_on_time",
            "receipt_late",
            "overdue_now",
            "reopened",
            "extended",
            "returned",
        ):
            total[name] += getattr(f, name)
        total["returned_seconds"] += round(f.returned_hours * 3600)
        total["handling_seconds"] += round(f.handling_hours_total * 3600)
        total.update({("rated", level): n for level, n in f.ratings.items()})
        total.update({("bucket", b): n for b, n in f.handling_buckets.items()})
        total.update({("receipt", b): n for b, n in f.receipt_buckets.items()})
    return {key: +total for key, total in totals.items()}


@pytest.mark.parametrize(
    ("group_by", "one_agency"),
    [
        (GroupBy.AGENCY, False),
        (GroupBy.AREA, False),
        (GroupBy.CATEGORY, False),
        (GroupBy.CHANNEL, False),
        (GroupBy.CATEGORY, True),
    ],
)
def test_figures_over_months_equal_the_same_period_added_up_day_by_day(
    province: Province, group_by: GroupBy, one_agency: bool
) -> None:
    _play(province, 2026, steps=300)
    s, policy = province.session, province.policy
    days = sorted({r.received_on for r in s.scalars(select(Report)) if r.received_on})
    # From the middle of the first month to the middle of the last: partial months at both
    # ends, whole ones between.
    first, end = days[0] + timedelta(days=3), days[-1] - timedelta(days=2)
    first += timedelta(days=first.day == 1)
    end -= timedelta(days=end.day == 1)
    assert [tier.date_column for tier, *_ in period_parts(first, end)] == ["day", "month", "day"]
    agency_id = province.agencies[1].id if one_agency else None

    def figures(low: date, high: date) -> list[Figures]:
        def midnight(day: date) -> datetime:
            return datetime.combine(day, time(0), tzinfo=policy.calendar.timezone)

        return compute_figures(
            s,
            policy,
            group_by=group_by,
            since=midnight(low),
            until=midnight(high),
            agency_id=agency_id,
        )

    whole = _totals(figures(first, end))
    day_by_day: list[Figures] = []
    day = first
    while day < end:
        day_by_day += figures(day, day + timedelta(days=1))
        day += timedelta(days=1)

    assert whole == _totals(day_by_day)
    assert sum(total["received"] for total in whole.values()) > (20 if one_agency else 50)
    assert len(whole) > 1
