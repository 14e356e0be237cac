"""Map rollups: the per-cell counts always equal a direct count of the committed reports."""

from __future__ import annotations

from collections import Counter

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from ioc.feedback.intake.filing import Intake, submit_report
from ioc.feedback.lifecycle.triage import classify_report, reject_report
from ioc.feedback.models import User
from ioc.feedback.reads.rollups import ReportCellCount, rebuild_rollups
from ioc.feedback.report_models import Report
from ioc.feedback.states import ReportStatus, Role
from tests.factories import make_category, make_policy, make_province_with_two_communes
from tests.feedback.reads.cell_counts import cells_of_reports, cells_read

POLICY = make_policy()


IN_A = (108.05, 16.05)
IN_B = (108.15, 16.05)


@pytest.fixture
def operator(session: Session) -> User:
    make_province_with_two_communes(session)
    make_category(session, "o_ga", is_auto_dispatch=False)
    make_category(session, "rac", is_auto_dispatch=False)
    user = User(role=Role.IOC_OPERATOR, username="operator")
    session.add(user)
    session.flush()
    return user


def _submit(session: Session, intake: Intake, point: tuple[float, float], code: str) -> Report:
    return submit_report(
        session, intake, category_code=code, lon=point[0], lat=point[1], channel="phone"
    )


def test_new_reports_are_counted_in_their_cell(
    session: Session, intake: Intake, operator: User
) -> None:
    for point in (IN_A, IN_A, IN_B):
        _submit(session, intake, point, "o_ga")
    session.flush()

    assert sum(cells_read(session).values()) == 3
    assert cells_read(session) == cells_of_reports(session)


def test_a_status_change_moves_the_report_between_counts(
    session: Session, intake: Intake, operator: User
) -> None:
    report = _submit(session, intake, IN_A, "o_ga")
    _submit(session, intake, IN_A, "o_ga")
    reject_report(
        session, policy=POLICY, report=report, actor=operator, reason="Không thuộc phạm vi"
    )
    session.flush()

    statuses: Counter[str] = Counter()
    for (_, _, _, status), count in cells_read(session).items():
        statuses[status] += count
    assert statuses[ReportStatus.REJECTED] == 1
    assert cells_read(session) == cells_of_reports(session)


def test_reclassifying_moves_the_report_between_categories(
    session: Session, intake: Intake, operator: User
) -> None:
    report = _submit(session, intake, IN_A, "o_ga")
    classify_report(session, policy=POLICY, report=report, actor=operator, category_code="rac")
    session.flush()

    assert cells_read(session) == cells_of_reports(session)
    assert {category for _, _, category, _ in cells_read(session)} == {report.category_id}


def _committed_province(session_factory: sessionmaker[Session], *categories: str) -> User:
    """The province, ``categories`` and an operator, committed; the operator."""
    with session_factory() as session, session.begin():
        operator = User(role=Role.IOC_OPERATOR, username="operator")
        session.add(operator)
        make_province_with_two_communes(session)
        for code in categories:
            make_category(session, code, is_auto_dispatch=False)
    return operator


def test_a_rolled_back_change_leaves_the_counts_as_they_were(
    session_factory: sessionmaker[Session], intake: Intake
) -> None:
    _committed_province(session_factory, "o_ga")
    with session_factory() as session, session.begin():
        _submit(session, intake, IN_A, "o_ga")
    with session_factory() as session:
        _submit(session, intake, IN_B, "o_ga")
        session.flush()
        session.rollback()
    with session_factory() as session:
        assert sum(cells_read(session).values()) == 1
        assert cells_read(session) == cells_of_reports(session)


class _Abandoned(Exception):
    pass


def _file_then_give_up(session: Session, intake: Intake) -> None:
    with session.begin_nested():
        _submit(session, intake, IN_B, "o_ga")
        raise _Abandoned


def test_a_savepoint_rolled_back_takes_back_its_own_counts_only(
    session_factory: sessionmaker[Session], intake: Intake
) -> None:
    _committed_province(session_factory, "o_ga", "rac")
    with session_factory() as session, session.begin():
        _submit(session, intake, IN_A, "o_ga")  # counted when the transaction commits
        with pytest.raises(_Abandoned):
            _file_then_give_up(session, intake)
        with session.begin_nested():
            _submit(session, intake, IN_B, "rac")
        _submit(session, intake, IN_A, "rac")  # after a released savepoint: held again
    with session_factory() as session:
        assert sum(cells_read(session).values()) == 3
        assert cells_read(session) == cells_of_reports(session)


def test_a_change_left_for_the_commit_to_flush_is_counted(
    session_factory: sessionmaker[Session], intake: Intake
) -> None:
    operator = _committed_province(session_factory, "o_ga")
    with session_factory() as session, session.begin():
        report = _submit(session, intake, IN_A, "o_ga")
        _submit(session, intake, IN_A, "o_ga")
        reject_report(
            session, policy=POLICY, report=report, actor=operator, reason="Không thuộc phạm vi"
        )
    with session_factory() as session:
        assert cells_read(session) == cells_of_reports(session)
        assert ReportStatus.REJECTED in {status for (_, _, _, status) in cells_read(session)}


def test_rebuild_recounts_after_a_bulk_load(
    session: Session, intake: Intake, operator: User
) -> None:

    _submit(session, intake, IN_A, "o_ga")
    session.flush()
    session.execute(ReportCellCount.__table__.delete())

    rebuild_rollups(session)

    assert cells_read(session) == cells_of_reports(session)
    assert session.scalar(select(func.sum(ReportCellCount.count))) == 1
