"""Surge detection: many reports of one category in one commune within the window."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from ioc.db import utcnow
from ioc.events import Event
from ioc.feedback.models import Category
from ioc.feedback.report_models import Report
from ioc.feedback.service import Intake, submit_report
from ioc.feedback.surges import detect_surges
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
    return submit_report(
        session,
        intake,
        category_code="ngap_ung",
        lon=at[0],
        lat=at[1],
        channel="mobile",
        received_at=utcnow() - timedelta(minutes=minutes_ago),
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
