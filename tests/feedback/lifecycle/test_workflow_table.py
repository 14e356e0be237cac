"""The transition table, exhaustively: every action × every status × every kind of actor.

The generated matrix derives its expectation from ``TRANSITIONS`` and checks that ``perform``
and ``allowed_actions`` agree with it; the hand-written tables below pin the rules that
matter most independently of the table, so a wrong row in ``TRANSITIONS`` is caught too.

Building a report costs ~30 ms, far too much for ~1,200 cases per backend, so one report and
its actors are built once per module and backend inside an outer transaction that is rolled
back at the end; every case runs in its own savepoint on that connection, rolled back after
the case. (Tests in this module must therefore not use the ``session`` fixture: on SQLite the
outer transaction holds the write lock.)
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import Connection, select
from sqlalchemy.orm import Session

from ioc.errors import Conflict, Forbidden, IocError, NotFound
from ioc.events.models import Event
from ioc.feedback.intake.filing import Intake, submit_report
from ioc.feedback.lifecycle.workflow import (
    TRANSITIONS,
    Action,
    Party,
    allowed_actions,
    can_see,
    perform,
)
from ioc.feedback.models import User
from ioc.feedback.report_models import Report, ReportHistory
from ioc.feedback.states import ReportStatus as S
from ioc.feedback.states import Role
from ioc.geo.service import AreaLocator
from tests.conftest import BACKENDS
from tests.factories import make_agency, make_category, make_policy, make_province_with_two_communes

POLICY = make_policy()


VN = ZoneInfo("Asia/Ho_Chi_Minh")
IN_A = (108.05, 16.05)

#: Every kind of actor: the role, and for agency staff how their agency relates to the report
#: (its lead agency, one of its supporting agencies, or neither).
ACTORS: dict[str, tuple[Role, str | None]] = {
    "citizen": (Role.CITIZEN, None),
    "viewer": (Role.VIEWER, None),
    "ioc_operator": (Role.IOC_OPERATOR, None),
    "ioc_supervisor": (Role.IOC_SUPERVISOR, None),
    "admin": (Role.ADMIN, None),
    "agency_officer-lead": (Role.AGENCY_OFFICER, "lead"),
    "agency_officer-support": (Role.AGENCY_OFFICER, "support"),
    "agency_officer-unrelated": (Role.AGENCY_OFFICER, "unrelated"),
    "agency_manager-lead": (Role.AGENCY_MANAGER, "lead"),
    "agency_manager-support": (Role.AGENCY_MANAGER, "support"),
    "agency_manager-unrelated": (Role.AGENCY_MANAGER, "unrelated"),
}

Outcome = S | type[IocError]


@dataclass(frozen=True)
class Matrix:
    """A submitted report (lead ``LEAD``, supporting ``SUPPORT``) and one user per actor kind."""

    connection: Connection
    report_id: int
    actor_ids: dict[str, int]
    no_agency_officer_id: int
    history: list[tuple[int, str, str | None, str, int | None]]
    events: list[str]


@pytest.fixture(scope="module", params=BACKENDS)
def matrix(request: pytest.FixtureRequest) -> Iterator[Matrix]:
    engine = request.getfixturevalue(f"{request.param}_engine")
    connection = engine.connect()
    outer = connection.begin()
    try:
        with Session(bind=connection, join_transaction_mode="create_savepoint") as session:
            make_province_with_two_communes(session)
            make_category(session, "o_ga", is_auto_dispatch=False)
            agencies = {
                "lead": make_agency(session, "LEAD"),
                "support": make_agency(session, "SUPPORT"),
                "unrelated": make_agency(session, "OTHER"),
            }
            users = {
                key: User(
                    role=role,
                    username=None if role is Role.CITIZEN else f"matrix-{key}",
                    firebase_uid=f"uid-{key}" if role is Role.CITIZEN else None,
                    agency=agencies[relation] if relation else None,
                )
                for key, (role, relation) in ACTORS.items()
            }
            no_agency = User(role=Role.AGENCY_OFFICER, username="matrix-no-agency")
            session.add_all([*users.values(), no_agency])
            session.flush()
            intake = Intake(locator=AreaLocator(check_seconds=0), policy=make_policy())
            report = submit_report(
                session,
                intake,
                category_code="o_ga",
                lon=IN_A[0],
                lat=IN_A[1],
                channel="phone",
                reporter_id=users["citizen"].id,
            )
            report.lead_agency = agencies["lead"]
            report.supporting_agencies = [agencies["support"]]
            session.commit()
            built = Matrix(
                connection=connection,
                report_id=report.id,
                actor_ids={key: user.id for key, user in users.items()},
                no_agency_officer_id=no_agency.id,
                history=_history(session, report),
                events=_event_types(session, report),
            )
        yield built
    finally:
        outer.rollback()
        connection.close()


@pytest.fixture
def case_session(matrix: Matrix) -> Iterator[Session]:
    """A savepoint on the module's connection, rolled back after the case."""
    with Session(bind=matrix.connection, join_transaction_mode="create_savepoint") as session:
        yield session
        session.rollback()


def _report_in(session: Session, matrix: Matrix, status: S) -> Report:
    """The report in ``status``; a resolved one the citizen rated unsatisfied, so that the
    IOC's decisions on it (reopen, decline, close) are all open."""
    report = session.get_one(Report, matrix.report_id)
    report.status = status
    report.rating = "unsatisfied" if status is S.RESOLVED else None
    return report


def _actor(session: Session, matrix: Matrix, key: str) -> User:
    return session.get_one(User, matrix.actor_ids[key])


def expected_outcome(actor: str, action: Action, status: S) -> Outcome:
    """What the table says should happen, worked out from the table's rows only."""
    role, relation = ACTORS[actor]
    if role is Role.CITIZEN or relation == "unrelated":
        return NotFound
    transition = TRANSITIONS[action]
    if role not in transition.roles:
        return Forbidden
    # IOC roles are party to every report; agency staff only as lead or supporting agency.
    is_party = (
        relation is None
        or {
            Party.ANY: True,
            Party.LEAD: relation == "lead",
            Party.SUPPORT: relation == "support",
            Party.LEAD_OR_SUPPORT: relation in ("lead", "support"),
        }[transition.party]
    )
    if status not in transition.sources or not is_party:
        return Conflict
    return transition.target or status


def expected_allowed(actor: str, status: S) -> list[str]:
    return [
        action.value
        for action in TRANSITIONS
        if not isinstance(expected_outcome(actor, action, status), type)
    ]


def _assert_outcome(
    session: Session, matrix: Matrix, actor_key: str, action: Action, status: S, expected: Outcome
) -> None:
    report = _report_in(session, matrix, status)
    actor = _actor(session, matrix, actor_key)
    history_before, events_before = matrix.history, matrix.events

    if isinstance(expected, type):
        with pytest.raises(IocError) as caught:
            perform(session, report, actor, action, note="matrix")
        assert type(caught.value) is expected, caught.value.details
        if expected is Conflict:
            assert caught.value.details["allowed"] == expected_allowed(actor_key, status)
            assert caught.value.details["allowed"] == [
                a.value for a in allowed_actions(actor, report, POLICY)
            ]
        assert report.status == status
        assert _history(session, report) == history_before
        assert _event_types(session, report) == events_before
        return

    entry = perform(session, report, actor, action, note="matrix")
    assert report.status == expected
    history = _history(session, report)
    assert history[:-1] == history_before
    assert history[-1] == (entry.id, action.value, status.value, expected.value, actor.id)
    assert _event_types(session, report) == [*events_before, TRANSITIONS[action].event]


def _history(
    session: Session, report: Report
) -> list[tuple[int, str, str | None, str, int | None]]:
    rows = session.execute(
        select(
            ReportHistory.id,
            ReportHistory.action,
            ReportHistory.from_status,
            ReportHistory.to_status,
            ReportHistory.actor_id,
        )
        .where(ReportHistory.report_id == report.id)
        .order_by(ReportHistory.id)
    )
    return [(row[0], row[1], row[2], row[3], row[4]) for row in rows]


def _event_types(session: Session, report: Report) -> list[str]:
    return list(
        session.scalars(select(Event.type).where(Event.report_id == report.id).order_by(Event.seq))
    )


MATRIX_CASES = [
    pytest.param(action, status, actor, id=f"{action}-{status}-{actor}")
    for action in Action
    for status in S
    for actor in ACTORS
]


@pytest.mark.parametrize(("action", "status", "actor"), MATRIX_CASES)
def test_perform_follows_the_transition_table(
    case_session: Session, matrix: Matrix, action: Action, status: S, actor: str
) -> None:
    expected = expected_outcome(actor, action, status)
    _assert_outcome(case_session, matrix, actor, action, status, expected)


def test_every_action_has_a_row_in_the_table() -> None:
    assert set(TRANSITIONS) == set(Action)
    assert all(t.sources and t.event.startswith("report.") for t in TRANSITIONS.values())


# Written by hand from DESIGN.md §2, not from TRANSITIONS.
KEY_CASES: list[tuple[str, Action, S, Outcome]] = [
    ("ioc_operator", Action.ASSIGN, S.PENDING_REVIEW, S.ASSIGNED),
    ("ioc_operator", Action.ASSIGN, S.RETURNED, S.ASSIGNED),
    ("ioc_operator", Action.ASSIGN, S.ASSIGNED, Conflict),
    ("ioc_operator", Action.ASSIGN, S.IN_PROGRESS, Conflict),
    ("ioc_operator", Action.ASSIGN, S.CLOSED, Conflict),
    ("ioc_operator", Action.VERIFY, S.PENDING_REVIEW, S.PENDING_REVIEW),
    ("ioc_operator", Action.REJECT, S.RETURNED, S.REJECTED),
    ("admin", Action.MARK_DUPLICATE, S.PENDING_REVIEW, S.DUPLICATE),
    ("ioc_operator", Action.MARK_DUPLICATE, S.ASSIGNED, S.DUPLICATE),
    ("ioc_operator", Action.MARK_DUPLICATE, S.IN_PROGRESS, Conflict),
    ("ioc_operator", Action.REJECT, S.RESOLVED, Conflict),
    ("ioc_operator", Action.ACCEPT, S.ASSIGNED, Forbidden),
    ("ioc_supervisor", Action.RESOLVE, S.IN_PROGRESS, Forbidden),
    # Extensions are decided by supervisors under the shipped policy, not by operators.
    ("ioc_operator", Action.APPROVE_EXTENSION, S.IN_PROGRESS, Forbidden),
    ("ioc_supervisor", Action.APPROVE_EXTENSION, S.IN_PROGRESS, S.IN_PROGRESS),
    ("ioc_supervisor", Action.DENY_EXTENSION, S.IN_PROGRESS, S.IN_PROGRESS),
    ("ioc_operator", Action.REOPEN, S.RESOLVED, S.ASSIGNED),
    ("ioc_supervisor", Action.REOPEN, S.CLOSED, Conflict),
    ("ioc_operator", Action.DECLINE_REOPEN, S.RESOLVED, S.CLOSED),
    ("ioc_operator", Action.CLOSE, S.RESOLVED, S.CLOSED),
    ("ioc_operator", Action.CLOSE, S.IN_PROGRESS, Conflict),
    ("agency_officer-lead", Action.CLOSE, S.RESOLVED, Forbidden),
    ("agency_officer-lead", Action.ACCEPT, S.ASSIGNED, S.IN_PROGRESS),
    ("agency_officer-lead", Action.ACCEPT, S.PENDING_REVIEW, Conflict),
    ("agency_officer-lead", Action.ACCEPT, S.IN_PROGRESS, Conflict),
    ("agency_officer-lead", Action.ACCEPT, S.RETURNED, Conflict),
    ("agency_officer-lead", Action.ACCEPT, S.RESOLVED, Conflict),
    ("agency_manager-lead", Action.ACCEPT, S.ASSIGNED, S.IN_PROGRESS),
    ("agency_officer-lead", Action.RESOLVE, S.IN_PROGRESS, S.RESOLVED),
    ("agency_officer-lead", Action.RESOLVE, S.ASSIGNED, Conflict),
    ("agency_officer-lead", Action.RETURN, S.ASSIGNED, S.RETURNED),
    ("agency_officer-lead", Action.RETURN, S.IN_PROGRESS, S.RETURNED),
    ("agency_officer-lead", Action.REQUEST_EXTENSION, S.IN_PROGRESS, S.IN_PROGRESS),
    ("agency_officer-lead", Action.REQUEST_EXTENSION, S.ASSIGNED, Conflict),
    ("agency_officer-lead", Action.CONTRIBUTE, S.IN_PROGRESS, Conflict),
    ("agency_officer-lead", Action.APPROVE_EXTENSION, S.IN_PROGRESS, Forbidden),
    ("agency_officer-lead", Action.ASSIGN, S.PENDING_REVIEW, Forbidden),
    ("agency_officer-support", Action.ACCEPT, S.ASSIGNED, Conflict),
    ("agency_officer-support", Action.RESOLVE, S.IN_PROGRESS, Conflict),
    ("agency_officer-support", Action.RETURN, S.IN_PROGRESS, Conflict),
    ("agency_officer-support", Action.CONTRIBUTE, S.IN_PROGRESS, S.IN_PROGRESS),
    ("agency_officer-support", Action.NOTE, S.IN_PROGRESS, S.IN_PROGRESS),
    ("agency_manager-support", Action.NOTE, S.ASSIGNED, S.ASSIGNED),
    ("agency_officer-unrelated", Action.NOTE, S.IN_PROGRESS, NotFound),
    ("agency_manager-unrelated", Action.ACCEPT, S.ASSIGNED, NotFound),
    ("agency_officer-unrelated", Action.ASSIGN, S.PENDING_REVIEW, NotFound),
    ("viewer", Action.VERIFY, S.PENDING_REVIEW, Forbidden),
    ("viewer", Action.NOTE, S.IN_PROGRESS, Forbidden),
    ("viewer", Action.REOPEN, S.RESOLVED, Forbidden),
    ("ioc_operator", Action.ASK_CITIZEN, S.PENDING_REVIEW, S.PENDING_REVIEW),
    ("agency_officer-lead", Action.ASK_CITIZEN, S.IN_PROGRESS, S.IN_PROGRESS),
    ("agency_officer-support", Action.ASK_CITIZEN, S.IN_PROGRESS, Conflict),
    ("ioc_operator", Action.ASK_CITIZEN, S.RESOLVED, Conflict),
    ("viewer", Action.ASK_CITIZEN, S.PENDING_REVIEW, Forbidden),
    ("citizen", Action.VERIFY, S.PENDING_REVIEW, NotFound),
    ("citizen", Action.REOPEN, S.RESOLVED, NotFound),
]


def _outcome_id(outcome: Outcome) -> str:
    return outcome.__name__ if isinstance(outcome, type) else str(outcome)


@pytest.mark.parametrize(
    ("actor", "action", "status", "expected"),
    [
        pytest.param(*case, id=f"{case[0]}-{case[1]}-{case[2]}-{_outcome_id(case[3])}")
        for case in KEY_CASES
    ],
)
def test_key_rules_hold_as_written_in_the_design(
    case_session: Session, matrix: Matrix, actor: str, action: Action, status: S, expected: Outcome
) -> None:
    _assert_outcome(case_session, matrix, actor, action, status, expected)


TRIAGE_ACTIONS = ["verify", "classify", "assign", "reject", "mark_duplicate", "ask_citizen"]
EXTENSION_DECISIONS = ["approve_extension", "deny_extension"]

# Written by hand: what each actor may do to the report, by status, in table order.
ALLOWED_CASES: list[tuple[str, S, list[str]]] = [
    ("ioc_operator", S.PENDING_REVIEW, TRIAGE_ACTIONS),
    ("ioc_operator", S.RETURNED, TRIAGE_ACTIONS),
    ("ioc_supervisor", S.PENDING_REVIEW, TRIAGE_ACTIONS),
    ("ioc_operator", S.ASSIGNED, ["mark_duplicate", "ask_citizen"]),
    ("ioc_operator", S.IN_PROGRESS, ["ask_citizen"]),
    ("ioc_supervisor", S.IN_PROGRESS, [*EXTENSION_DECISIONS, "ask_citizen"]),
    ("ioc_operator", S.RESOLVED, ["reopen", "decline_reopen", "close"]),
    ("ioc_operator", S.CLOSED, []),
    ("ioc_operator", S.REJECTED, []),
    ("ioc_operator", S.DUPLICATE, []),
    ("agency_officer-lead", S.ASSIGNED, ["accept", "note", "return", "ask_citizen"]),
    (
        "agency_officer-lead",
        S.IN_PROGRESS,
        ["note", "return", "request_extension", "resolve", "ask_citizen"],
    ),
    ("agency_officer-lead", S.RESOLVED, []),
    ("agency_officer-lead", S.CLOSED, []),
    (
        "agency_manager-lead",
        S.IN_PROGRESS,
        ["note", "return", "request_extension", "resolve", "ask_citizen"],
    ),
    ("agency_officer-support", S.ASSIGNED, ["note"]),
    ("agency_officer-support", S.IN_PROGRESS, ["note", "contribute"]),
    ("agency_officer-unrelated", S.IN_PROGRESS, []),
    *[("viewer", status, []) for status in S],
    *[("citizen", status, []) for status in S],
]


@pytest.mark.parametrize(
    ("actor", "status", "expected"),
    [pytest.param(*case, id=f"{case[0]}-{case[1]}") for case in ALLOWED_CASES],
)
def test_allowed_actions_match_the_hand_written_table(
    case_session: Session, matrix: Matrix, actor: str, status: S, expected: list[str]
) -> None:
    report = _report_in(case_session, matrix, status)
    assert allowed_actions(_actor(case_session, matrix, actor), report, POLICY) == expected


@pytest.mark.parametrize(
    ("actor", "sees"),
    [
        ("citizen", False),
        ("viewer", True),
        ("ioc_operator", True),
        ("ioc_supervisor", True),
        ("admin", True),
        ("agency_officer-lead", True),
        ("agency_officer-support", True),
        ("agency_officer-unrelated", False),
        ("agency_manager-lead", True),
        ("agency_manager-support", True),
        ("agency_manager-unrelated", False),
    ],
)
def test_only_ioc_viewers_and_the_reports_agencies_can_see_it(
    case_session: Session, matrix: Matrix, actor: str, sees: bool
) -> None:
    report = _report_in(case_session, matrix, S.IN_PROGRESS)
    assert can_see(_actor(case_session, matrix, actor), report) is sees


def test_agency_staff_without_an_agency_see_no_report(
    case_session: Session, matrix: Matrix
) -> None:
    report = _report_in(case_session, matrix, S.IN_PROGRESS)
    officer = case_session.get_one(User, matrix.no_agency_officer_id)
    assert can_see(officer, report) is False
    with pytest.raises(NotFound):
        perform(case_session, report, officer, Action.NOTE, note="ghi chú")


def test_agency_staff_cannot_see_a_report_not_yet_assigned_to_anyone(
    case_session: Session, matrix: Matrix
) -> None:
    report = _report_in(case_session, matrix, S.PENDING_REVIEW)
    report.lead_agency = None
    report.supporting_agencies = []
    lead_officer = _actor(case_session, matrix, "agency_officer-lead")
    assert can_see(lead_officer, report) is False
    with pytest.raises(NotFound):
        perform(case_session, report, lead_officer, Action.ACCEPT)


def test_conflict_names_the_action_and_the_current_status(
    case_session: Session, matrix: Matrix
) -> None:
    report = _report_in(case_session, matrix, S.CLOSED)
    with pytest.raises(Conflict) as caught:
        perform(case_session, report, _actor(case_session, matrix, "ioc_operator"), Action.ASSIGN)
    assert caught.value.details == {"action": "assign", "status": "closed", "allowed": []}


def test_history_row_keeps_the_note_and_its_visibility(
    case_session: Session, matrix: Matrix
) -> None:
    report = _report_in(case_session, matrix, S.PENDING_REVIEW)
    entry = perform(
        case_session,
        report,
        _actor(case_session, matrix, "ioc_operator"),
        Action.VERIFY,
        note="đã gọi điện xác minh",
        is_public=False,
    )
    case_session.expire_all()
    stored = case_session.get_one(ReportHistory, entry.id)
    assert (stored.note, stored.is_public, stored.occurred_at is not None) == (
        "đã gọi điện xác minh",
        False,
        True,
    )


def test_an_unrated_resolved_report_can_be_closed_but_not_reopened_or_declined(
    case_session: Session, matrix: Matrix
) -> None:
    report = _report_in(case_session, matrix, S.RESOLVED)
    report.rating = None
    operator = _actor(case_session, matrix, "ioc_operator")

    assert allowed_actions(operator, report, POLICY) == [Action.CLOSE]
    for action in (Action.REOPEN, Action.DECLINE_REOPEN):
        with pytest.raises(Conflict) as caught:
            perform(case_session, report, operator, action, note="x")
        assert caught.value.message == (
            "only a report rated unsatisfied can be reopened or declined"
        )
        assert caught.value.details["allowed"] == ["close"]
    assert report.status == S.RESOLVED
