"""Surge detection: many reports of one category in one commune within the window."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from ioc.db import utcnow
from ioc.events.models import Event
from ioc.feedback.intake.filing import Intake, submit_report
from ioc.feedback.models import Category
from ioc.feedback.report_models import Report
from ioc.feedback.states import ReportStatus
from ioc.feedback.surges.detection import SurgeStatus, detect_surges
from tests.factories import make_category, make_province_with_two_communes

IN_A = (108.05, 16.05)
IN_B = (108.15, 16.05)


def _flooding(session: Session, threshold: int | None = 3, window: int = 60) -> Category:
    make_province_with_two_communes(session)
    return make_category(
        session,
        "ngap_ung",
        name_vi="Ngập úng",
        is_auto_dispatch=False,
        surge_threshold=threshold,
        surge_window_minutes=window,
    )


def _file(session: Session, intake: Intake, minutes_ago: float, at=IN_A) -> Report:
    return _file_at(session, intake, utcnow() - timedelta(minutes=minutes_ago), at=at)


def _file_at(session: Session, intake: Intake, received_at: datetime, at=IN_A) -> Report:
    return submit_report(
        session,
        intake,
        category_code="ngap_ung",
        lon=at[0],
        lat=at[1],
        channel="mobile",
        received_at=received_at,
    )


def _surge_events(session: Session, kind: str = "surge.detected") -> list[Event]:
    return list(session.scalars(select(Event).where(Event.type == kind).order_by(Event.seq)))


def test_three_floods_in_one_commune_within_the_hour_raise_one_surge(session, intake):
    _flooding(session)
    reports = [_file(session, intake, minutes) for minutes in (50, 30, 5)]

    surges = detect_surges(session)

    assert len(surges) == 1
    [event] = _surge_events(session)
    assert event.audiences == ["ops"]
    assert event.payload["count"] == 3
    assert event.payload["refs"] == [r.ref for r in reports]
    assert event.payload["area"] == "A"
    assert event.payload["category"] == "ngap_ung"


def test_two_floods_below_the_threshold_raise_nothing(session, intake):
    _flooding(session)
    _file(session, intake, 40)
    _file(session, intake, 10)

    assert detect_surges(session) == []
    assert _surge_events(session) == []


def test_a_category_without_threshold_never_raises(session, intake):
    _flooding(session, threshold=None)
    for minutes in (3, 2, 1, 0):
        _file(session, intake, minutes)

    assert detect_surges(session) == []


def test_reports_spread_over_more_than_the_window_raise_nothing(session, intake):
    _flooding(session, window=60)
    now = utcnow()
    for minutes in (61, 30, 1):
        _file_at(session, intake, now - timedelta(minutes=minutes))

    assert detect_surges(session, now=now) == []


def test_a_report_exactly_at_the_window_start_counts(session, intake):
    _flooding(session, window=60)
    now = utcnow()
    for minutes in (60, 30, 0):
        _file_at(session, intake, now - timedelta(minutes=minutes))

    [surge] = detect_surges(session, now=now)

    assert len(surge.report_ids) == 3
    assert surge.window_start == now - timedelta(minutes=60)
    assert surge.window_end == now


def test_reports_filed_after_now_wait_for_their_turn(session, intake):
    _flooding(session)
    now = utcnow() - timedelta(minutes=30)
    for minutes in (20, 10, 5):  # all after ``now``
        _file(session, intake, minutes)

    assert detect_surges(session, now=now) == []


def test_each_commune_is_counted_on_its_own(session, intake):
    _flooding(session)
    _file(session, intake, 30, at=IN_A)
    _file(session, intake, 20, at=IN_A)
    _file(session, intake, 25, at=IN_B)
    _file(session, intake, 15, at=IN_B)

    assert detect_surges(session) == []

    _file(session, intake, 5, at=IN_B)
    [surge] = detect_surges(session)

    assert _surge_events(session)[0].payload["area"] == "B"
    assert len(surge.report_ids) == 3


def test_other_categories_do_not_count_towards_a_surge(session, intake):
    _flooding(session)
    make_category(session, "rac_thai", surge_threshold=3)
    _file(session, intake, 30)
    _file(session, intake, 20)
    submit_report(
        session, intake, category_code="rac_thai", lon=IN_A[0], lat=IN_A[1], channel="mobile"
    )

    assert detect_surges(session) == []


def test_rejected_and_duplicate_reports_are_not_counted(session, intake):
    _flooding(session)
    _first, second, third = (_file(session, intake, m) for m in (30, 20, 10))
    second.status = ReportStatus.REJECTED
    third.status = ReportStatus.DUPLICATE
    session.flush()

    assert detect_surges(session) == []


def test_an_open_surge_absorbs_newcomers_without_a_second_alert(session, intake):
    _flooding(session)
    for minutes in (30, 20, 10):
        _file(session, intake, minutes)
    [surge] = detect_surges(session)

    assert detect_surges(session) == []  # nothing new: nothing said
    late = _file(session, intake, 1)
    [again] = detect_surges(session)

    assert again.id == surge.id
    assert late.id in again.report_ids
    assert len(again.report_ids) == 4
    assert len(_surge_events(session)) == 1
    [update] = _surge_events(session, "surge.updated")
    assert update.payload["count"] == 4
    assert update.payload["id"] == surge.id


def test_a_dismissed_surge_is_not_raised_again_for_the_same_reports(session, intake):
    _flooding(session)
    for minutes in (30, 20, 10):
        _file(session, intake, minutes)
    [surge] = detect_surges(session)
    surge.status = SurgeStatus.DISMISSED
    session.flush()

    assert detect_surges(session) == []
    _file(session, intake, 1)  # one newcomer is not a new surge
    assert detect_surges(session) == []
    assert len(_surge_events(session)) == 1


def test_surge_event_carries_the_map_point_and_a_suggestion(session, intake):
    _flooding(session)
    _file(session, intake, 30, at=(108.02, 16.02))
    _file(session, intake, 20, at=(108.04, 16.04))
    _file(session, intake, 10, at=(108.06, 16.06))
    detect_surges(session)

    payload = _surge_events(session)[0].payload

    assert payload["lon"] == pytest.approx(108.04)
    assert payload["lat"] == pytest.approx(16.04)
    assert payload["category_name"] == "Ngập úng"
    assert payload["area_name"] == "Xã An Hòa"
    assert "Ngập úng" in payload["suggestion"]
    assert "Xã An Hòa" in payload["suggestion"]
    assert payload["status"] == "open"
