"""Two workers detecting surges at once still raise one alert per cluster (PostGIS).

The transactions must really commit and overlap, so this runs on a throwaway database of its
own rather than inside the shared test transaction.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from ioc.db import make_session_factory, unit_of_work
from ioc.events.models import Event
from ioc.feedback.intake.filing import Intake, submit_report
from ioc.feedback.report_models import Surge
from ioc.feedback.surges.detection import detect_surges
from ioc.geo.service import AreaLocator
from ioc.migrate import upgrade
from tests.conftest import throwaway_postgis_database
from tests.factories import make_category, make_policy, make_province_with_two_communes

pytestmark = pytest.mark.postgis


@pytest.fixture
def factory() -> Iterator[sessionmaker[Session]]:
    with throwaway_postgis_database("ioc_surges") as engine:
        upgrade(engine)
        factory = make_session_factory(engine)
        intake = Intake(
            locator=AreaLocator(check_seconds=0),
            policy=make_policy(),
        )
        with unit_of_work(factory) as session:
            make_province_with_two_communes(session)
            make_category(session, "ngap_ung", surge_threshold=3)
        with unit_of_work(factory) as session:
            for _ in range(3):
                submit_report(
                    session,
                    intake,
                    category_code="ngap_ung",
                    lon=108.05,
                    lat=16.05,
                    channel="mobile",
                )
        yield factory


def test_two_workers_at_once_raise_one_surge(factory):
    first_detected = threading.Event()
    second_done = threading.Event()

    def second_worker() -> None:
        first_detected.wait(10)
        with unit_of_work(factory) as session:
            detect_surges(session)
        second_done.set()

    thread = threading.Thread(target=second_worker)
    thread.start()
    with unit_of_work(factory) as session:
        [surge] = detect_surges(session)
        first_detected.set()
        # Give the other worker every chance to run past us before we commit; with the
        # detection lock it waits for this commit instead.
        second_done.wait(1)
    thread.join(10)

    with factory() as session:
        assert session.scalar(select(func.count()).select_from(Surge)) == 1
        detected = session.scalar(
            select(func.count()).select_from(Event).where(Event.type == "surge.detected")
        )
        assert detected == 1
        assert session.get_one(Surge, surge.id).status == "open"
