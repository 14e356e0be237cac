"""Two staff acting on one report at once: optimistic locking through ``Report.version``.

These tests need transactions that really commit and really overlap, which the shared-connection
``session`` fixture cannot give (its sessions are savepoints of one connection), so they run on
a database of their own per backend: a SQLite file and a throwaway PostGIS database, both
migrated once for the module and dropped afterwards. Each test files its own report.

SQLite takes its write lock when a transaction begins (``BEGIN IMMEDIATE``), so two writers
never overlap there: the second one starts after the first one committed. What can still
happen on SQLite is a stale read, the way two people look at the same screen: both load the
report, then each acts in a transaction of its own. PostgreSQL lets the transactions overlap
too, which the PostGIS-only tests cover.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import Engine, event, select
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.orm.exc import StaleDataError

from ioc.db import make_engine, make_session_factory, unit_of_work
from ioc.events.models import Event
from ioc.feedback.intake.filing import Intake, submit_report
from ioc.feedback.lifecycle.agency_work import accept_report, request_extension
from ioc.feedback.lifecycle.triage import assign_report, decide_extension, reject_report
from ioc.feedback.models import User
from ioc.feedback.report_models import ExtensionRequest, Report, ReportHistory
from ioc.feedback.states import ReportStatus, Role
from ioc.geo.service import AreaLocator
from ioc.migrate import upgrade
from tests.conftest import BACKENDS, throwaway_postgis_database
from tests.factories import make_agency, make_category, make_policy, make_province_with_two_communes

POLICY = make_policy()


VN = ZoneInfo("Asia/Ho_Chi_Minh")
POSTGIS_ONLY = [BACKENDS[1]]


@dataclass(frozen=True)
class Db:
    factory: sessionmaker[Session]
    intake: Intake
    operator_id: int
    supervisor_id: int
    officer_id: int
    support_officer_id: int


def _build(engine: Engine) -> Db:
    upgrade(engine)
    factory = make_session_factory(engine)
    with unit_of_work(factory) as session:
        make_province_with_two_communes(session)
        make_category(session, "o_ga", is_auto_dispatch=False)
        lead, support = make_agency(session, "LEAD"), make_agency(session, "SUPPORT")
        operator = User(role=Role.IOC_OPERATOR, username="operator")
        supervisor = User(role=Role.IOC_SUPERVISOR, username="supervisor")
        officer = User(role=Role.AGENCY_OFFICER, username="lead-officer", agency=lead)
        support_officer = User(role=Role.AGENCY_OFFICER, username="support", agency=support)
        session.add_all([operator, supervisor, officer, support_officer])
        session.flush()
        ids = (operator.id, supervisor.id, officer.id, support_officer.id)
    intake = Intake(locator=AreaLocator(check_seconds=0), policy=make_policy())
    return Db(factory, intake, *ids)


@pytest.fixture(scope="module", params=BACKENDS)
def db(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Db]:
    if request.param == "sqlite":
        path: Path = tmp_path_factory.mktemp("concurrency") / "ioc.sqlite3"
        engine = make_engine(f"sqlite:///{path}")
        try:
            yield _build(engine)
        finally:
            engine.dispose()
    else:
        with throwaway_postgis_database("ioc_concurrency") as engine:
            yield _build(engine)


def _user(session: Session, user_id: int) -> User:
    return session.get_one(User, user_id)


def _file_report(db: Db, *, in_progress_with_extension: bool = False) -> int:
    """A committed report waiting in the IOC queue, or being handled with a pending extension."""
    with unit_of_work(db.factory) as session:
        report = submit_report(
            session, db.intake, category_code="o_ga", lon=108.05, lat=16.05, channel="phone"
        )
        if in_progress_with_extension:
            assign_report(
                session,
                policy=db.intake.policy,
                report=report,
                actor=_user(session, db.operator_id),
                agency_code="LEAD",
                supporting_codes=["SUPPORT"],
            )
            officer = _user(session, db.officer_id)
            accept_report(session, report=report, actor=officer)
            assert report.due_at is not None
            request_extension(
                session,
                policy=POLICY,
                report=report,
                actor=officer,
                until=report.due_at + timedelta(days=3),
                reason="Chờ vật tư",
            )
        session.flush()
        return report.id


def _load(session: Session, report_id: int) -> Report:
    """Load the report and what the use cases read, as a staff screen would."""
    report = session.get_one(Report, report_id)
    _ = (report.category, report.lead_agency, report.supporting_agencies, report.history)
    _ = [area.area for area in report.areas]
    return report


def _assign(session: Session, db: Db, report: Report) -> None:
    assign_report(
        session,
        policy=db.intake.policy,
        report=report,
        actor=_user(session, db.operator_id),
        agency_code="LEAD",
    )


def _reject(session: Session, db: Db, report: Report) -> None:
    reject_report(
        session,
        policy=POLICY,
        report=report,
        actor=_user(session, db.operator_id),
        reason="Không rõ vị trí",
    )


TRIAGE: dict[str, tuple[Callable[[Session, Db, Report], None], ReportStatus, str]] = {
    "assign": (_assign, ReportStatus.ASSIGNED, "report.assigned"),
    "reject": (_reject, ReportStatus.REJECTED, "report.rejected"),
}


def _stored(db: Db, report_id: int) -> tuple[Report, list[str], list[str]]:
    with db.factory() as session:
        report = _load(session, report_id)
        actions = [h.action for h in report.history]
        events = list(
            session.scalars(
                select(Event.type).where(Event.report_id == report_id).order_by(Event.seq)
            )
        )
        return report, actions, events


def _assert_only(db: Db, report_id: int, action: str) -> None:
    _, status, event_type = TRIAGE[action]
    report, actions, events = _stored(db, report_id)
    assert report.status == status
    assert actions == ["submitted", action]
    assert events == ["report.created", event_type]
    if action == "assign":
        assert (report.lead_agency is not None, report.closed_at) == (True, None)
    else:
        assert (report.lead_agency, report.due_at, report.closed_at is not None) == (
            None,
            None,
            True,
        )


ORDERS = [("assign", "reject"), ("reject", "assign")]


@pytest.mark.parametrize(("winner", "loser"), ORDERS, ids=["assign-first", "reject-first"])
def test_second_of_two_staff_acting_on_the_same_loaded_report_fails_with_stale_data(
    db: Db, winner: str, loser: str
) -> None:
    report_id = _file_report(db)
    with db.factory() as first, db.factory() as second:
        # Both load the same version; each read ends before anyone writes (SQLite's writer
        # lock is taken at BEGIN, so an open read would block the other writer).
        mine = _load(first, report_id)
        first.commit()
        theirs = _load(second, report_id)
        second.commit()
        assert mine.version == theirs.version

        TRIAGE[winner][0](first, db, mine)
        first.commit()
        with pytest.raises(StaleDataError):
            TRIAGE[loser][0](second, db, theirs)
        second.rollback()

    _assert_only(db, report_id, winner)


@pytest.mark.parametrize("db", POSTGIS_ONLY, indirect=True)
@pytest.mark.parametrize(("winner", "loser"), ORDERS, ids=["assign-first", "reject-first"])
def test_second_of_two_overlapping_transactions_fails_with_stale_data(
    db: Db, winner: str, loser: str
) -> None:

    report_id = _file_report(db)
    with db.factory() as first, db.factory() as second:
        mine, theirs = _load(first, report_id), _load(second, report_id)  # both stay open

        TRIAGE[winner][0](first, db, mine)
        first.commit()
        with pytest.raises(StaleDataError):
            TRIAGE[loser][0](second, db, theirs)
        second.rollback()

    _assert_only(db, report_id, winner)


def _commit_when_flushing(session: Session, other: Session) -> None:
    """Commit ``other`` when ``session`` starts writing: after its reads, before its writes."""
    event.listen(session, "before_flush", lambda *_: other.commit(), once=True)


@pytest.mark.parametrize("db", POSTGIS_ONLY, indirect=True)
def test_two_overlapping_extension_decisions_cannot_both_be_recorded(db: Db) -> None:
    report_id = _file_report(db, in_progress_with_extension=True)
    with db.factory() as first, db.factory() as second:
        approving = _load(first, report_id)
        decide_extension(
            first,
            policy=POLICY,
            report=approving,
            actor=_user(first, db.supervisor_id),
            approve=True,
            note="Đồng ý",
        )  # flushed, not committed yet
        denying = _load(second, report_id)  # still sees the request waiting
        _commit_when_flushing(second, first)

        with pytest.raises(StaleDataError):
            decide_extension(
                second,
                policy=POLICY,
                report=denying,
                actor=_user(second, db.supervisor_id),
                approve=False,
                note="Không đồng ý",
            )
        second.rollback()

    with db.factory() as session:
        [request] = session.scalars(
            select(ExtensionRequest).where(ExtensionRequest.report_id == report_id)
        ).all()
        report = session.get_one(Report, report_id)
        decisions = session.scalars(
            select(ReportHistory.action).where(
                ReportHistory.report_id == report_id,
                ReportHistory.action.in_(["approve_extension", "deny_extension"]),
            )
        ).all()
        assert (request.decision, report.due_at, decisions) == (
            "approved",
            request.until,
            ["approve_extension"],
        )
