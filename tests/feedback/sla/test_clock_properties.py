"""Property-based tests of the legal clock.

A hypothesis state machine files a few reports and drives random sequences of actions on them
through the real use cases and the real database (SQLite and PostGIS), while time passes in
small and large jumps (into lunch, overnight, across a weekend and the 30 April / 3 May 2027
holidays) with the SLA sweep after some of them. Beside the database it keeps its own view of
every report and a reference model of each running clock (:mod:`reference_clock`), written
from the rules with the working calendar's primitives only. After every step:

- each report's clock as the engine reads it (kind, deadline, time used and left, due soon,
  overdue) equals the model's, and a paused clock is never due soon or overdue;
- the staff of an agency see a report exactly while their agency leads it (a returned report
  vanishes at once for the agency that returned it), and each return is recorded with the
  working hours the agency held the report;
- the on-time statistics equal a replay of every report's history through the model;
- no deadline got two notices of the same kind, and each sweep raises exactly the notices the
  model expects (never one for a paused report).

Actions that the report's state or the actor's role forbid must raise the documented error
and change nothing.

Each action happens a second after the one before (the first after a jump at the very instant
jumped to), as people's actions do. A pause past its limit ends when a sweep finds it (as of
the instant the limit ran out), as in production, where the sweep runs every minute.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import pytest
import time_machine
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)
from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from ioc.errors import Conflict, Forbidden, InvalidInput, IocError, NotFound
from ioc.events.models import Event
from ioc.feedback.intake.filing import Intake, submit_report
from ioc.feedback.lifecycle.agency_work import (
    accept_report,
    request_extension,
    resolve_report,
    return_report,
)
from ioc.feedback.lifecycle.citizen_actions import Rating, add_comment, rate_report
from ioc.feedback.lifecycle.handling import get_report_for_staff
from ioc.feedback.lifecycle.questions import ask_citizen
from ioc.feedback.lifecycle.triage import (
    assign_report,
    classify_report,
    close_report,
    decide_extension,
    decline_reopen,
    reopen_report,
    verify_report,
)
from ioc.feedback.lifecycle.workflow import can_see
from ioc.feedback.models import User
from ioc.feedback.reads.statistics import GroupBy, compute_figures
from ioc.feedback.report_models import ExtensionRequest, Report, ReportHistory, ReportReturn
from ioc.feedback.sla.clock import ClockKind, clock_of
from ioc.feedback.sla.sweep import sweep_deadlines
from ioc.feedback.states import Role
from ioc.geo.service import AreaLocator
from tests.factories import (
    VN,
    make_agency,
    make_category,
    make_policy,
    make_province_with_two_communes,
    make_rule,
    make_user,
)
from tests.feedback.sla.reference_clock import (
    Extension,
    RefClock,
    Row,
    Targets,
    replay_latest_resolution,
)

# Giải phóng miền Nam (Friday 30 April 2027) and Labour Day, which falls on a Saturday and is
# taken on Monday 3 May.
HOLIDAYS = frozenset({date(2027, 4, 30), date(2027, 5, 3)})
_SHIPPED = make_policy()
POLICY = replace(_SHIPPED, calendar=replace(_SHIPPED.calendar, holidays=HOLIDAYS))
CALENDAR = POLICY.calendar
TARGETS = Targets(calendar=CALENDAR, rules=POLICY.rules)
RULES = POLICY.rules

# Monday 26 April 2027, 08:00 in Vietnam.
START = datetime(2027, 4, 26, 8, 0, tzinfo=VN).astimezone(UTC)
STEP = timedelta(seconds=1)
IN_A = (108.05, 16.05)
TRIAGE = frozenset({"pending_review", "returned"})
HANDLING = frozenset({"assigned", "in_progress"})
RESOLVED = frozenset({"resolved"})
AGENCIES = ("SXD", "GTVT")
MAX_REPORTS = 4
# Deadlines are compared to the microsecond, give or take float hours turned into instants.
INSTANT_TOLERANCE = timedelta(microseconds=1)
HOURS_TOLERANCE = 1e-6


@dataclass(frozen=True)
class CategorySpec:
    code: str
    tier: str
    hours: int
    lead: str | None  # auto-dispatched to this agency, or None for the IOC queue


CATEGORIES = (
    CategorySpec("o_ga", "normal", 16, None),
    CategorySpec("den_duong", "normal", 16, "SXD"),
    CategorySpec("cay_do", "urgent", 3, "GTVT"),
    CategorySpec("ngap_nuoc", "urgent", 3, None),
    CategorySpec("lan_chiem", "complex", 60, None),
)


@dataclass(frozen=True)
class World:
    """What every run shares: the database session, the places, categories and people."""

    session: Session
    intake: Intake
    operator: User
    supervisor: User
    citizen: User
    officers: dict[str, User]


def make_world(session: Session) -> World:
    make_province_with_two_communes(session)
    agencies = {code: make_agency(session, code) for code in AGENCIES}
    for spec in CATEGORIES:
        category = make_category(
            session,
            spec.code,
            sla_tier=spec.tier,
            sla_target_hours=spec.hours,
            is_auto_dispatch=spec.lead is not None,
        )
        if spec.lead:
            make_rule(session, category, "P", agencies[spec.lead])
    return World(
        session=session,
        intake=Intake(locator=AreaLocator(check_seconds=0), policy=POLICY),
        operator=make_user(session, Role.IOC_OPERATOR, "operator"),
        supervisor=make_user(session, Role.IOC_SUPERVISOR, "supervisor"),
        citizen=make_user(session, Role.CITIZEN, "lan"),
        officers={
            code: make_user(session, Role.AGENCY_OFFICER, f"officer-{code}", agency)
            for code, agency in agencies.items()
        },
    )


@dataclass
class Pending:
    until: datetime
    hours: float
    asked_against: datetime


@dataclass
class Returned:
    agency: str
    assigned_at: datetime
    returned_at: datetime
    hours_held: float


@dataclass
class Case:
    """The model's view of one report."""

    id: int
    ref: str
    category: CategorySpec
    tier: str
    status: str
    lead: str | None
    received_at: datetime
    clock: RefClock | None = None
    reopened: int = 0
    rating: str | None = None
    resolved_at: datetime | None = None
    pending: Pending | None = None
    granted: int = 0
    granted_hours: float = 0.0
    returns: list[Returned] = field(default_factory=list)
    due_soon_announced: bool = False
    overdue_announced: bool = False

    @property
    def is_paused(self) -> bool:
        return self.clock is not None and self.clock.paused_at is not None

    def start_clock(self, kind: str, at: datetime) -> None:
        """A new clock, with a new deadline and a new assignment round."""
        if kind == "receipt":
            target = TARGETS.receipt(self.tier)
        else:
            target = TARGETS.resolution(
                self.tier, category_tier=self.category.tier, category_hours=self.category.hours
            )
        self.clock = RefClock.start(kind, tier=self.tier, at=at, target=target, calendar=CALENDAR)
        self.pending, self.granted, self.granted_hours = None, 0, 0.0
        self.new_deadline()

    def new_deadline(self) -> None:
        self.due_soon_announced = self.overdue_announced = False


Expected = type[IocError] | None

SNAPSHOT_COLUMNS = (
    "status",
    "sla_tier",
    "lead_agency_id",
    "rating",
    "receipt_due_at",
    "due_at",
    "clock_started_at",
    "paused_at",
    "paused_hours",
    "resolved_on_time",
    "resolved_at",
    "closed_at",
    "due_soon_announced_at",
    "overdue_announced_at",
    "version",
)

# Openings and shift ends, the lunch break and the evening, and hours from which the targets
# end exactly at a shift's end (8 working hours from 11:00 or 16:30, 16 from 16:00).
LOCAL_TIMES = [
    *(time(7, 30), time(8), time(11), time(11, 30), time(12)),
    *(time(13, 30), time(16), time(16, 30), time(17), time(18)),
]

which = st.integers(min_value=0, max_value=MAX_REPORTS - 1)
# Mostly an action the model expects to succeed, sometimes any report at all.
aim = st.sampled_from(["legal", "legal", "legal", "any"])
sweep_after = st.booleans()
agency_actor = st.sampled_from(["lead", "lead", "lead", "other"])


class LegalClockMachine(RuleBasedStateMachine):
    def __init__(self, world: World) -> None:
        super().__init__()
        self.world = world
        self.session = world.session
        self.savepoint = self.session.begin_nested()
        self.now = START
        self.cases: list[Case] = []

    def teardown(self) -> None:
        if self.savepoint.is_active:
            self.savepoint.rollback()
        self.session.expire_all()

    # --- helpers --------------------------------------------------------------------------

    def _row(self, case: Case) -> Report:
        return self.session.get_one(Report, case.id)

    def _choose(self, index: int, aim: str, expect: Callable[[Case], Expected]) -> Case:
        pool = [c for c in self.cases if expect(c) is None] if aim == "legal" else []
        pool = pool or self.cases
        return pool[index % len(pool)]

    def _case(self, ref: str) -> Case:
        return next(c for c in self.cases if c.ref == ref)

    def _snapshot(self, row: Report) -> tuple[Any, ...]:
        """The report's columns and how many rows hang off it (history, events, extension
        requests and their decisions, returns)."""
        columns = tuple(getattr(row, name) for name in SNAPSHOT_COLUMNS)

        def count(table: Any, *where: Any) -> Any:
            return (
                select(func.count())
                .select_from(table)
                .where(table.report_id == row.id, *where)
                .scalar_subquery()
            )

        counts = self.session.execute(
            select(
                count(ReportHistory),
                count(Event),
                count(ExtensionRequest),
                count(ExtensionRequest, ExtensionRequest.decision.is_not(None)),
                count(ReportReturn),
            )
        ).one()
        return (*columns, *counts)

    def _attempt(
        self, case: Case, expected: Expected, action: Callable[[Report], object]
    ) -> IocError | None:
        """Run ``action`` now; if the model expects an error, check it came and changed
        nothing, and return it."""
        row = self._row(case)
        before = self._snapshot(row)
        try:
            with time_machine.travel(self.now, tick=False):
                if expected is None:
                    action(row)
                    self.session.flush()
                    return None
                with pytest.raises(expected) as caught:
                    action(row)
                assert type(caught.value) is expected
                assert self._snapshot(row) == before, "a refused action changed the report"
                return caught.value
        finally:
            self.now += STEP

    def _officer(self, case: Case, by: str) -> tuple[str, User]:
        """The lead agency's officer, or another agency's."""
        lead = case.lead or (case.returns[-1].agency if case.returns else AGENCIES[0])
        code = lead if by == "lead" else next(a for a in AGENCIES if a != case.lead)
        return code, self.world.officers[code]

    @staticmethod
    def _expect_staff(case: Case, sources: frozenset[str], agency: str | None) -> Expected:
        """What the transition table answers: agency staff see only their agency's reports."""
        if agency is not None and case.lead != agency:
            return NotFound
        return None if case.status in sources else Conflict

    # --- time passes ----------------------------------------------------------------------

    def _wait_until(self, moment: datetime, sweep: bool) -> None:
        self.now = max(self.now, moment.astimezone(UTC))
        if sweep:
            self._sweep()

    def _next_local(self, clock_time: time) -> datetime:
        local = self.now.astimezone(VN)
        moment = datetime.combine(local.date(), clock_time, VN)
        return moment if moment > local else moment + timedelta(days=1)

    @rule(
        span=st.one_of(
            st.integers(1, 59).map(lambda minutes: timedelta(minutes=minutes)),
            st.integers(1, 23).map(lambda hours: timedelta(hours=hours)),
            st.integers(1, 7).map(lambda days: timedelta(days=days)),
        ),
        sweep=sweep_after,
    )
    def time_passes(self, span: timedelta, sweep: bool) -> None:
        self._wait_until(self.now + span, sweep)

    @rule(clock_time=st.sampled_from(LOCAL_TIMES), sweep=sweep_after)
    def until_the_next(self, clock_time: time, sweep: bool) -> None:
        """To the next opening, shift end, lunch break or evening (overnight when it has
        passed), or to an hour from which a target ends exactly at a shift's end."""
        self._wait_until(self._next_local(clock_time), sweep)

    @precondition(lambda self: bool(self.cases))
    @rule(
        index=which,
        moment=st.sampled_from(["deadline", "return window", "pause limit"]),
        offset=st.sampled_from([timedelta(0), timedelta(seconds=1), timedelta(minutes=-1)]),
        sweep=sweep_after,
    )
    def until_a_moment_of(self, index: int, moment: str, offset: timedelta, sweep: bool) -> None:
        """To a report's deadline, the end of its return window or of its pause limit."""
        moments = [
            m for c in self.cases if (m := self._moment(c, moment)) and m + offset > self.now
        ]
        if moments:
            self._wait_until(moments[index % len(moments)] + offset, sweep)

    @staticmethod
    def _moment(case: Case, moment: str) -> datetime | None:
        clock = case.clock
        if clock is None:
            return None
        if moment == "deadline":
            return clock.deadline if clock.paused_at is None else None
        if moment == "return window":
            window = RULES.returns.window_working_hours
            return CALENDAR.add_working_hours(clock.started_at, window) if case.lead else None
        if clock.paused_at is None:
            return None
        return CALENDAR.add_working_hours(clock.paused_at, RULES.pauses.max_working_hours)

    @rule()
    def the_sweep_runs(self) -> None:
        self._sweep()

    def _sweep(self) -> None:
        expected = self._model_sweep()
        with time_machine.travel(self.now, tick=False):
            result = sweep_deadlines(self.session, POLICY, now=self.now)
        assert sorted(result.resumed) == sorted(expected["resumed"])
        for ref in result.due_soon + result.overdue:
            assert not self._case(ref).is_paused, "a paused report was announced"
        assert sorted(result.due_soon) == sorted(expected["due_soon"])
        assert sorted(result.overdue) == sorted(expected["overdue"])
        assert sorted(result.closed) == sorted(expected["closed"])

    def _model_sweep(self) -> dict[str, list[str]]:
        """What time alone does, by the rules: expired pauses end at their limit, each deadline
        is announced once as near and once as passed, unrated results close."""
        now, expected = self.now, {"resumed": [], "due_soon": [], "overdue": [], "closed": []}
        for case in self.cases:
            clock = case.clock
            if clock is not None and clock.paused_at is not None:
                expires = CALENDAR.add_working_hours(
                    clock.paused_at, RULES.pauses.max_working_hours
                )
                if expires <= now:
                    clock.resume(expires)
                    expected["resumed"].append(case.ref)
        for case in self.cases:
            clock = case.clock
            if clock is None or clock.paused_at is not None:
                continue
            if clock.is_overdue(now) and not case.overdue_announced:
                case.overdue_announced = case.due_soon_announced = True
                expected["overdue"].append(case.ref)
            elif clock.is_due_soon(now, _due_soon_threshold(clock)) and not case.due_soon_announced:
                case.due_soon_announced = True
                expected["due_soon"].append(case.ref)
        days = RULES.closing.auto_close_working_days
        for case in self.cases:
            unrated = case.status == "resolved" and case.rating is None and case.resolved_at
            if unrated and CALENDAR.add_working_days(case.resolved_at, days) <= now:
                case.status = "closed"
                expected["closed"].append(case.ref)
        return expected

    # --- citizens file reports ------------------------------------------------------------

    @initialize(category=st.sampled_from(CATEGORIES))
    def a_first_report_is_filed(self, category: CategorySpec) -> None:
        self.a_report_is_filed(category)

    @precondition(lambda self: len(self.cases) < MAX_REPORTS)
    @rule(category=st.sampled_from(CATEGORIES))
    def a_report_is_filed(self, category: CategorySpec) -> None:
        with time_machine.travel(self.now, tick=False):
            report = submit_report(
                self.session,
                self.world.intake,
                category_code=category.code,
                lon=IN_A[0],
                lat=IN_A[1],
                channel="phone",
                description="Phản ánh thử",
                reporter_id=self.world.citizen.id,
            )
        case = Case(
            id=report.id,
            ref=report.ref,
            category=category,
            tier=category.tier,
            status="assigned" if category.lead else "pending_review",
            lead=category.lead,
            received_at=self.now,
        )
        case.start_clock("resolution" if category.lead else "receipt", self.now)
        self.cases.append(case)
        self.now += STEP

    # --- what the rules expect of each action ---------------------------------------------

    def _expect_triage(self, case: Case) -> Expected:
        return self._expect_staff(case, TRIAGE, None)

    def _expect_accept(self, case: Case, by: str) -> Expected:
        return self._expect_staff(case, frozenset({"assigned"}), self._officer(case, by)[0])

    def _asker(self, case: Case, by: str) -> tuple[str | None, User]:
        return (None, self.world.operator) if by == "operator" else self._officer(case, by)

    def _expect_ask(self, case: Case, by: str) -> Expected:
        agency = self._asker(case, by)[0]
        refused = self._expect_staff(case, TRIAGE | HANDLING, agency)
        if refused is not None:
            return refused
        if agency is not None and case.status not in HANDLING:
            return Conflict
        return Conflict if case.is_paused else None

    def _held(self, case: Case) -> float:
        """Working hours since the lead agency got the report (the return window's measure)."""
        assert case.clock is not None
        return CALENDAR.working_hours_between(case.clock.started_at, self.now)

    def _expect_return(self, case: Case, by: str) -> Expected:
        refused = self._expect_staff(case, HANDLING, self._officer(case, by)[0])
        if refused is not None:
            return refused
        return Conflict if self._held(case) > RULES.returns.window_working_hours else None

    def _until(self, case: Case, hours: float, in_the_evening: bool) -> datetime:
        """The date an agency asks for: ``hours`` after the deadline, or that day's evening."""
        if case.clock is None:
            return self.now + timedelta(hours=hours or 1)
        until = case.clock.add(case.clock.deadline, hours)
        if in_the_evening and hours:
            # Staff type any date and time, office hours or not.
            evening = datetime.combine(until.astimezone(VN).date(), time(18, 30), VN)
            until = max(until, evening.astimezone(UTC))
        return until

    def _expect_extension(self, case: Case, by: str, until: datetime) -> Expected:
        refused = self._expect_staff(case, frozenset({"in_progress"}), self._officer(case, by)[0])
        if refused is not None:
            return refused
        assert case.clock is not None
        if case.pending is not None:
            return Conflict
        if until <= case.clock.deadline:
            return InvalidInput
        if case.granted >= RULES.extensions.max_count:
            return Conflict
        asked = case.clock.hours(case.clock.deadline, until)
        if case.granted_hours + asked > RULES.extensions.max_total_working_hours:
            return InvalidInput
        return None

    def _expect_decision(self, case: Case, by: str) -> Expected:
        # Under the shipped policy only supervisors (and admins) decide.
        if by == "operator":
            return Forbidden
        refused = self._expect_staff(case, HANDLING, None)
        if refused is not None:
            return refused
        return Conflict if case.pending is None else None

    def _expect_resolve(self, case: Case, by: str) -> Expected:
        return self._expect_staff(case, frozenset({"in_progress"}), self._officer(case, by)[0])

    @staticmethod
    def _expect_rating(case: Case) -> Expected:
        return Conflict if case.rating is not None or case.status != "resolved" else None

    def _expect_reopen(self, case: Case) -> Expected:
        if self._expect_staff(case, RESOLVED, None) or case.rating != "unsatisfied":
            return Conflict
        return Conflict if case.reopened >= RULES.reopen.max_count else None

    def _expect_decline(self, case: Case) -> Expected:
        if self._expect_staff(case, RESOLVED, None) or case.rating != "unsatisfied":
            return Conflict
        return None

    def _expect_close(self, case: Case) -> Expected:
        return self._expect_staff(case, RESOLVED, None)

    # --- doing it, and what it does to the model --------------------------------------------

    def _verify(self, case: Case) -> None:
        self._attempt(
            case,
            self._expect_triage(case),
            lambda row: verify_report(
                self.session, report=row, actor=self.world.operator, note="Đã gọi lại"
            ),
        )

    def _classify(self, case: Case, tier: str) -> None:
        expected = self._expect_triage(case)
        self._attempt(
            case,
            expected,
            lambda row: classify_report(
                self.session, policy=POLICY, report=row, actor=self.world.operator, tier=tier
            ),
        )
        if expected is None and tier != case.tier:
            assert case.clock is not None
            case.tier = tier
            if case.clock.retarget(tier=tier, target=TARGETS.receipt(tier)):
                case.new_deadline()

    def _assign(self, case: Case, agency: str) -> None:
        expected, at = self._expect_triage(case), self.now
        self._attempt(
            case,
            expected,
            lambda row: assign_report(
                self.session,
                policy=POLICY,
                report=row,
                actor=self.world.operator,
                agency_code=agency,
            ),
        )
        if expected is None:
            case.status, case.lead = "assigned", agency
            case.start_clock("resolution", at)

    def _accept(self, case: Case, by: str) -> None:
        expected, (_, officer) = self._expect_accept(case, by), self._officer(case, by)
        self._attempt(
            case, expected, lambda row: accept_report(self.session, report=row, actor=officer)
        )
        if expected is None:
            case.status = "in_progress"

    def _ask(self, case: Case, by: str) -> None:
        expected, (_, actor), at = self._expect_ask(case, by), self._asker(case, by), self.now
        self._attempt(
            case,
            expected,
            lambda row: ask_citizen(self.session, report=row, actor=actor, question="Số nhà?"),
        )
        if expected is None:
            assert case.clock is not None
            case.clock.pause(at)

    def _answer(self, case: Case) -> None:
        at = self.now
        self._attempt(
            case,
            None,
            lambda row: add_comment(
                self.session,
                report=row,
                citizen_id=self.world.citizen.id,
                text="Số 12",
                policy=POLICY,
            ),
        )
        if case.clock is not None and case.clock.paused_at is not None:
            case.clock.resume(at)

    def _return(self, case: Case, by: str) -> None:
        expected, (agency, officer), at = (
            self._expect_return(case, by),
            self._officer(case, by),
            self.now,
        )
        held = self._held(case) if expected is None else 0.0
        self._attempt(
            case,
            expected,
            lambda row: return_report(
                self.session, policy=POLICY, report=row, actor=officer, reason="Không thuộc"
            ),
        )
        if expected is None:
            assert case.clock is not None
            case.returns.append(Returned(agency, case.clock.started_at, at, held))
            case.status, case.lead = "returned", None
            case.start_clock("receipt", at)

    def _ask_for_time(self, case: Case, by: str, hours: float, in_the_evening: bool) -> None:
        until = self._until(case, hours, in_the_evening)
        expected, (_, officer) = self._expect_extension(case, by, until), self._officer(case, by)
        self._attempt(
            case,
            expected,
            lambda row: request_extension(
                self.session,
                policy=POLICY,
                report=row,
                actor=officer,
                until=until,
                reason="Chờ vật tư",
            ),
        )
        if expected is None:
            assert case.clock is not None
            deadline = case.clock.deadline
            case.pending = Pending(until, case.clock.hours(deadline, until), deadline)

    def _decide(self, case: Case, by: str, approve: bool) -> None:
        expected = self._expect_decision(case, by)
        actor = self.world.supervisor if by == "supervisor" else self.world.operator
        self._attempt(
            case,
            expected,
            lambda row: decide_extension(
                self.session, policy=POLICY, report=row, actor=actor, approve=approve, note="Ok"
            ),
        )
        if expected is None:
            assert case.clock is not None
            assert case.pending is not None
            if approve:
                case.clock.extend(
                    until=case.pending.until,
                    hours=case.pending.hours,
                    asked_against=case.pending.asked_against,
                )
                case.granted += 1
                case.granted_hours += case.pending.hours
                case.new_deadline()
            case.pending = None

    def _resolve(self, case: Case, by: str) -> None:
        expected, (_, officer), at = (
            self._expect_resolve(case, by),
            self._officer(case, by),
            self.now,
        )
        self._attempt(
            case,
            expected,
            lambda row: resolve_report(
                self.session, policy=POLICY, report=row, actor=officer, answer="Đã xử lý", photos=()
            ),
        )
        if expected is None:
            assert case.clock is not None
            assert self._row(case).resolved_on_time is case.clock.on_time(at)
            case.status, case.resolved_at, case.rating = "resolved", at, None
            case.clock, case.pending = None, None

    def _rate(self, case: Case, rating: Rating) -> None:
        expected = self._expect_rating(case)
        self._attempt(
            case,
            expected,
            lambda row: rate_report(
                self.session,
                report=row,
                citizen_id=self.world.citizen.id,
                rating=rating,
                comment=None,
            ),
        )
        if expected is None:
            case.rating = rating.value
            if rating is not Rating.UNSATISFIED:
                case.status = "closed"

    def _reopen(self, case: Case) -> None:
        expected, at = self._expect_reopen(case), self.now
        at_the_limit = case.status == "resolved" and case.rating == "unsatisfied"
        error = self._attempt(
            case,
            expected,
            lambda row: reopen_report(
                self.session,
                policy=POLICY,
                report=row,
                actor=self.world.operator,
                reason="Người dân chưa hài lòng",
            ),
        )
        if error is not None and at_the_limit:
            assert error.details["limit"] == RULES.reopen.max_count
        if expected is None:
            case.reopened += 1
            case.status, case.rating, case.resolved_at = "assigned", None, None
            case.start_clock("resolution", at)

    def _decline(self, case: Case) -> None:
        expected = self._expect_decline(case)
        self._attempt(
            case,
            expected,
            lambda row: decline_reopen(
                self.session, report=row, actor=self.world.operator, reason="Đã xử lý đúng"
            ),
        )
        if expected is None:
            case.status = "closed"

    def _close(self, case: Case) -> None:
        expected = self._expect_close(case)
        self._attempt(
            case,
            expected,
            lambda row: close_report(
                self.session, report=row, actor=self.world.operator, note=None
            ),
        )
        if expected is None:
            case.status = "closed"

    # --- the rules: staff, citizens and agencies act ----------------------------------------

    @precondition(lambda self: bool(self.cases))
    @rule(
        index=which,
        steps=st.integers(1, 6),
        agency=st.sampled_from(AGENCIES),
        happy=st.booleans(),
        detour=st.sampled_from([None, "question", "extension", "return"]),
    )
    def a_report_moves_on(
        self, index: int, steps: int, agency: str, happy: bool, detour: str | None
    ) -> None:
        """The usual path, a few steps at a time: assignment, acceptance, resolution, rating,
        reopening (refused past the limit, then perhaps declined instead); perhaps with a
        detour: a question to the citizen (perhaps while more time is asked for, and resolved
        without waiting for the answer), an extension, a return."""
        movable = [c for c in self.cases if c.status != "closed"]
        if not movable:
            return
        case = movable[index % len(movable)]
        for step in range(steps):
            if case.status == "closed":
                break
            if step:
                self._check_invariants()
            if case.is_paused and not (detour == "question" and case.status == "in_progress"):
                self._answer(case)
            elif case.pending is not None and detour == "question":
                self._ask(case, "lead")
            elif case.pending is not None:
                self._decide(case, "supervisor", approve=happy)
            elif case.status in TRIAGE:
                self._assign(case, agency)
            elif case.status == "assigned":
                if detour == "return":
                    self._return(case, "lead")
                else:
                    self._accept(case, "lead")
            elif case.status == "in_progress":
                if detour == "question" and not case.is_paused:
                    self._ask(case, "lead")
                elif detour == "extension" and case.granted < RULES.extensions.max_count:
                    self._ask_for_time(case, "lead", hours=7.5, in_the_evening=happy)
                else:
                    # Perhaps without waiting for the citizen's answer.
                    self._resolve(case, "lead")
            elif case.rating is None:
                self._rate(case, Rating.SATISFIED if happy else Rating.UNSATISFIED)
            else:
                self._reopen(case)
                if case.status == "resolved" and not happy:
                    # Refused past the limit: the IOC declines instead.
                    self._decline(case)

    @precondition(lambda self: bool(self.cases))
    @rule(index=which, aim=aim)
    def the_operator_verifies(self, index: int, aim: str) -> None:
        self._verify(self._choose(index, aim, self._expect_triage))

    @precondition(lambda self: bool(self.cases))
    @rule(index=which, aim=aim, tier=st.sampled_from(["urgent", "normal", "complex"]))
    def the_operator_classifies(self, index: int, aim: str, tier: str) -> None:
        self._classify(self._choose(index, aim, self._expect_triage), tier)

    @precondition(lambda self: bool(self.cases))
    @rule(index=which, aim=aim, agency=st.sampled_from(AGENCIES))
    def the_operator_assigns(self, index: int, aim: str, agency: str) -> None:
        self._assign(self._choose(index, aim, self._expect_triage), agency)

    @precondition(lambda self: bool(self.cases))
    @rule(index=which, aim=aim, by=agency_actor)
    def the_agency_accepts(self, index: int, aim: str, by: str) -> None:
        self._accept(self._choose(index, aim, lambda c: self._expect_accept(c, by)), by)

    @precondition(lambda self: bool(self.cases))
    @rule(index=which, aim=aim, by=st.sampled_from(["operator", "lead", "other"]))
    def staff_ask_the_citizen(self, index: int, aim: str, by: str) -> None:
        self._ask(self._choose(index, aim, lambda c: self._expect_ask(c, by)), by)

    @precondition(lambda self: bool(self.cases))
    @rule(index=which, aim=aim)
    def the_citizen_answers(self, index: int, aim: str) -> None:
        self._answer(self._choose(index, aim, lambda c: None if c.is_paused else Conflict))

    @precondition(lambda self: bool(self.cases))
    @rule(index=which, aim=aim, by=agency_actor)
    def the_agency_returns(self, index: int, aim: str, by: str) -> None:
        self._return(self._choose(index, aim, lambda c: self._expect_return(c, by)), by)

    @precondition(lambda self: bool(self.cases))
    @rule(
        index=which,
        aim=aim,
        by=agency_actor,
        hours=st.sampled_from([0.0, 0.5, 4.0, 7.5, 16.0, 30.0, 45.0]),
        in_the_evening=st.booleans(),
    )
    def the_agency_asks_for_more_time(
        self, index: int, aim: str, by: str, hours: float, in_the_evening: bool
    ) -> None:
        def expect(case: Case) -> Expected:
            return self._expect_extension(case, by, self._until(case, hours, in_the_evening))

        self._ask_for_time(self._choose(index, aim, expect), by, hours, in_the_evening)

    @precondition(lambda self: bool(self.cases))
    @rule(
        index=which,
        aim=aim,
        by=st.sampled_from(["supervisor", "supervisor", "operator"]),
        approve=st.booleans(),
    )
    def the_ioc_decides_on_more_time(self, index: int, aim: str, by: str, approve: bool) -> None:
        self._decide(self._choose(index, aim, lambda c: self._expect_decision(c, by)), by, approve)

    @precondition(lambda self: bool(self.cases))
    @rule(index=which, aim=aim, by=agency_actor)
    def the_agency_resolves(self, index: int, aim: str, by: str) -> None:
        self._resolve(self._choose(index, aim, lambda c: self._expect_resolve(c, by)), by)

    @precondition(lambda self: bool(self.cases))
    @rule(index=which, aim=aim, rating=st.sampled_from([Rating.SATISFIED, Rating.UNSATISFIED]))
    def the_citizen_rates(self, index: int, aim: str, rating: Rating) -> None:
        self._rate(self._choose(index, aim, self._expect_rating), rating)

    @precondition(lambda self: bool(self.cases))
    @rule(index=which, aim=aim)
    def the_ioc_reopens(self, index: int, aim: str) -> None:
        self._reopen(self._choose(index, aim, self._expect_reopen))

    @precondition(lambda self: bool(self.cases))
    @rule(index=which, aim=aim)
    def the_ioc_declines_to_reopen(self, index: int, aim: str) -> None:
        self._decline(self._choose(index, aim, self._expect_decline))

    @precondition(lambda self: bool(self.cases))
    @rule(index=which, aim=aim)
    def the_ioc_closes(self, index: int, aim: str) -> None:
        self._close(self._choose(index, aim, self._expect_close))

    # --- invariants -----------------------------------------------------------------------

    @invariant()
    def the_rules_hold(self) -> None:
        self._check_invariants()

    def _check_invariants(self) -> None:
        if not self.cases:
            return
        # Read the reports back from the database, not from the objects the use cases held.
        for case in self.cases:
            self.session.expire(self._row(case))
        rows = {
            row.id: row
            for row in self.session.scalars(
                select(Report)
                .where(Report.id.in_([case.id for case in self.cases]))
                .options(
                    selectinload(Report.support_parts),
                    selectinload(Report.history),
                    selectinload(Report.returns),
                )
            )
        }
        self._clocks_stand_where_the_rules_put_them(rows)
        self._agencies_see_exactly_the_reports_they_lead(rows)
        self._on_time_figures_match_a_replay_of_the_history(rows)
        self._each_deadline_is_announced_at_most_once_of_each_kind()

    def _clocks_stand_where_the_rules_put_them(self, rows: dict[int, Report]) -> None:
        for case in self.cases:
            row = rows[case.id]
            assert row.status == case.status
            assert row.received_at == case.received_at
            assert row.sla_tier == case.tier
            assert (row.lead_agency.code if row.lead_agency else None) == case.lead
            engine = clock_of(row, POLICY, at=self.now)
            model = case.clock
            if model is None:
                assert engine.kind is ClockKind.NONE
                continue
            assert engine.started_at == model.started_at
            assert engine.is_wall_clock is model.wall
            assert engine.used_hours == pytest.approx(model.used(self.now), abs=HOURS_TOLERANCE)
            assert engine.left_hours == pytest.approx(model.left(self.now), abs=HOURS_TOLERANCE)
            if model.paused_at is not None:
                assert engine.kind is ClockKind.PAUSED
                assert engine.paused == model.kind
                assert not engine.is_due_soon
                assert not engine.is_overdue
                continue
            assert engine.kind == model.kind
            stored = row.receipt_due_at if model.kind == "receipt" else row.due_at
            for deadline in (engine.deadline, stored):
                assert deadline is not None
                assert abs(deadline - model.deadline) <= INSTANT_TOLERANCE, (
                    f"{case.ref}: deadline {deadline.astimezone(VN)}, "
                    f"the rules say {model.deadline.astimezone(VN)}"
                )
            assert engine.is_overdue is model.is_overdue(self.now)
            assert engine.is_due_soon is model.is_due_soon(self.now, _due_soon_threshold(model))

    def _agencies_see_exactly_the_reports_they_lead(self, rows: dict[int, Report]) -> None:
        for case in self.cases:
            row = rows[case.id]
            for code, officer in self.world.officers.items():
                assert can_see(officer, row) is (case.lead == code)
            if case.returns and case.lead != case.returns[-1].agency:
                # The agency that sent it back finds it no more.
                officer = self.world.officers[case.returns[-1].agency]
                with pytest.raises(NotFound):
                    get_report_for_staff(self.session, ref=case.ref, actor=officer)
            returns = row.returns
            assert [(r.agency.code, r.assigned_at, r.returned_at) for r in returns] == [
                (r.agency, r.assigned_at, r.returned_at) for r in case.returns
            ]
            for row, returned in zip(returns, case.returns, strict=True):
                assert row.hours_held == pytest.approx(returned.hours_held, abs=HOURS_TOLERANCE)

    def _on_time_figures_match_a_replay_of_the_history(self, rows: dict[int, Report]) -> None:
        extensions: dict[int, list[Extension]] = {case.id: [] for case in self.cases}
        for request in self.session.scalars(
            select(ExtensionRequest).where(ExtensionRequest.report_id.in_(extensions))
        ):
            extensions[request.report_id].append(
                Extension(request.requested_at, request.decided_at, request.until, request.hours)
            )
        expected: dict[str, Counter[str]] = {}
        for case in self.cases:
            row = rows[case.id]
            verdict = replay_latest_resolution(
                [Row(h.action, h.occurred_at, h.to_status, h.note) for h in row.history],
                extensions[case.id],
                category_tier=case.category.tier,
                category_hours=case.category.hours,
                targets=TARGETS,
            )
            assert row.resolved_on_time is verdict
            counts = expected.setdefault(case.lead or "IOC", Counter())
            counts["received"] += 1
            counts["resolved"] += verdict is not None
            counts["resolved_on_time"] += verdict is True
            counts["overdue_now"] += case.clock is not None and case.clock.is_overdue(self.now)
            for returned in case.returns:
                expected.setdefault(returned.agency, Counter())["returned"] += 1
        figures = compute_figures(
            self.session,
            POLICY,
            group_by=GroupBy.AGENCY,
            since=START - timedelta(days=1),
            until=self.now + timedelta(days=1),
            now=self.now,
        )
        actual = {
            f.key: Counter(
                {
                    "received": f.received,
                    "resolved": f.resolved,
                    "resolved_on_time": f.resolved_on_time,
                    "overdue_now": f.overdue_now,
                    "returned": f.returned,
                }
            )
            for f in figures
        }
        # Unary plus drops the zero counts.
        assert {k: +v for k, v in actual.items()} == {k: +v for k, v in expected.items()}

    def _each_deadline_is_announced_at_most_once_of_each_kind(self) -> None:
        # A new deadline: a clock starts (filing, assignment, return, reopening), an extension
        # is granted, or the report is classified (perhaps in another tier).
        new_deadline = {
            "report.created",
            "report.assigned",
            "report.returned",
            "report.reopened",
            "report.extension_granted",
            "report.classified",
        }
        notices = {"report.deadline_due", "report.overdue"}
        seen: dict[int, Counter[str]] = {case.id: Counter() for case in self.cases}
        for report_id, kind in self.session.execute(
            select(Event.report_id, Event.type).where(Event.report_id.in_(seen)).order_by(Event.seq)
        ):
            if kind in new_deadline:
                seen[report_id].clear()
            elif kind in notices:
                seen[report_id][kind] += 1
                assert seen[report_id][kind] == 1, f"report {report_id}: {kind} twice"


def _due_soon_threshold(clock: RefClock) -> float:
    """The policy's due-soon threshold for the clock: wall hours for urgent reports."""
    notices = POLICY.rules.notices
    return notices.urgent_due_soon_hours if clock.wall else notices.due_soon_working_hours


SETTINGS = settings(stateful_step_count=50, deadline=None)
# A round trip costs PostgreSQL more than SQLite, and the rules are the same on both: the
# second backend checks the same machine on fewer runs.
EXAMPLES = {"sqlite": 30, "postgresql": 15}


def test_the_legal_clock_keeps_to_the_rules(session: Session) -> None:
    world = make_world(session)
    examples = EXAMPLES[session.get_bind().dialect.name]
    run_state_machine_as_test(
        lambda: LegalClockMachine(world), settings=settings(SETTINGS, max_examples=examples)
    )
