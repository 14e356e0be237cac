"""``seed_demo``: the generated province, its agencies, categories, rules and accounts.

Seeding hashes six passwords, so each backend is seeded once, into a database of its own;
every test then runs inside a transaction on it that is rolled back.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from ioc.db import make_engine, make_session_factory, unit_of_work, utcnow
from ioc.demo import catalogue
from ioc.demo.seed import DEMO_ACCOUNTS, SeedResult, commune_agency_code, seed_demo
from ioc.demo.simulator import Spot, simulate_report
from ioc.feedback.models import Agency, Category, RoutingRule, User
from ioc.feedback.people.accounts import password_matches
from ioc.feedback.states import ReportStatus
from ioc.feedback.surges.detection import detect_surges
from ioc.geo.models import Area
from ioc.geo.queries import locate_in_database
from ioc.migrate import upgrade
from tests.conftest import BACKENDS, throwaway_postgis_database

PROVINCE = "HM"


@contextmanager
def _throwaway_sqlite(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:
    engine = make_engine(f"sqlite:///{tmp_path_factory.mktemp('seed') / 'seeded.sqlite3'}")
    try:
        yield engine
    finally:
        engine.dispose()


@pytest.fixture(scope="module", params=BACKENDS)
def seeded_database(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[Engine, SeedResult]]:
    """A migrated database holding the committed demo province, once per backend."""
    if request.param == "sqlite":
        database = _throwaway_sqlite(tmp_path_factory)
    else:
        database = throwaway_postgis_database("ioc_seed")
    with database as engine:
        upgrade(engine)
        with unit_of_work(make_session_factory(engine)) as session:
            result = seed_demo(session)
        yield engine, result


@pytest.fixture
def seeded(seeded_database: tuple[Engine, SeedResult]) -> SeedResult:
    return seeded_database[1]


@pytest.fixture
def session(seeded_database: tuple[Engine, SeedResult]) -> Iterator[Session]:
    """A session on the seeded database whose changes are rolled back after the test."""
    connection = seeded_database[0].connect()
    outer = connection.begin()
    with Session(bind=connection, join_transaction_mode="create_savepoint") as session:
        yield session
    outer.rollback()
    connection.close()


def _communes(session) -> list[Area]:
    return session.scalars(
        select(Area).where(Area.parent_code == PROVINCE).order_by(Area.code)
    ).all()


def _counts(session) -> tuple[int, ...]:
    return tuple(
        session.scalar(select(func.count()).select_from(model))
        for model in (Area, Agency, Category, RoutingRule, User)
    )


def test_seed_loads_the_province(session, seeded):
    roots = session.scalars(select(Area).where(Area.parent_code.is_(None))).all()

    assert [(area.code, area.level, area.name_vi) for area in roots] == [
        (PROVINCE, "province", "Tỉnh Hải Minh")
    ]


def test_seed_loads_at_least_forty_communes_under_the_province(session, seeded):
    communes = _communes(session)

    assert len(communes) >= 40
    assert {area.level for area in communes} == {"commune"}
    assert seeded.areas == len(communes) + 1


def test_seed_gives_every_commune_its_people_committee(session, seeded):
    committees = {
        agency.code: agency.area_code
        for agency in session.scalars(select(Agency).where(Agency.code.like("UBND-HM-%")))
    }

    assert committees == {commune_agency_code(area.code): area.code for area in _communes(session)}


def test_seed_loads_the_province_agencies_of_the_catalogue(session, seeded):
    codes = set(session.scalars(select(Agency.code)))

    assert {spec.code for spec in catalogue.AGENCIES} <= codes
    assert seeded.agencies == len(codes)


def test_seed_loads_at_least_fifteen_categories(session, seeded):
    count = session.scalar(select(func.count()).select_from(Category))

    assert count >= 15
    assert seeded.categories == count


def test_seed_routing_rules_point_at_loaded_areas(session, seeded):
    rule_areas = set(session.scalars(select(RoutingRule.area_code)))
    area_codes = set(session.scalars(select(Area.code)))

    assert seeded.rules == session.scalar(select(func.count()).select_from(RoutingRule))
    assert seeded.rules > 0
    assert rule_areas <= area_codes


def test_seed_creates_the_demo_accounts_with_their_passwords(session, seeded):
    users = {user.username: user for user in session.scalars(select(User))}

    assert set(users) == {account.username for account in DEMO_ACCOUNTS}
    for account in DEMO_ACCOUNTS:
        user = users[account.username]
        assert user.role == account.role
        assert (user.agency.code if user.agency else None) == account.agency_code
        assert password_matches(user.password_hash, account.password)


def test_seeding_twice_changes_nothing(session, seeded):
    before = _counts(session)

    again = seed_demo(session)

    assert again.already_seeded
    assert _counts(session) == before


def test_first_seed_reports_it_was_not_already_seeded(seeded):
    assert not seeded.already_seeded


def test_commune_representative_points_locate_to_their_commune_in_process(session, seeded, locator):
    for area in _communes(session):
        point = area.geom.representative_point()
        chain = locator.locate(session, point.x, point.y)
        assert [ref.code for ref in chain] == [area.code, PROVINCE]


def test_commune_representative_points_locate_to_their_commune_in_the_database(session, seeded):
    now = utcnow()
    for area in _communes(session):
        point = area.geom.representative_point()
        chain = locate_in_database(session, point.x, point.y, now)
        assert [ref.code for ref in chain] == [area.code, PROVINCE]


def test_simulated_reports_are_routed_inside_the_province(session, seeded, intake):
    rng = random.Random(1)
    commune_codes = {area.code for area in _communes(session)}

    reports = [simulate_report(session, intake, rng) for _ in range(20)]

    for report in reports:
        assert report.status in (ReportStatus.ASSIGNED, ReportStatus.PENDING_REVIEW)
        assert [ra.depth for ra in report.areas] == [0, 1]
        assert report.areas[0].area.code in commune_codes
        assert report.areas[1].area.code == PROVINCE
    assert any(report.status == ReportStatus.ASSIGNED for report in reports)


def test_assigned_simulated_reports_have_a_lead_agency_and_deadline(session, seeded, intake):
    rng = random.Random(1)

    reports = [simulate_report(session, intake, rng) for _ in range(20)]

    assigned = [report for report in reports if report.status == ReportStatus.ASSIGNED]
    assert assigned
    for report in assigned:
        assert report.lead_agency is not None
        assert report.due_at is not None


def test_neighbours_reporting_one_flood_make_a_surge_on_the_wall_map(session, seeded, intake):
    rng = random.Random(3)
    first = simulate_report(session, intake, rng)
    spot = Spot("flooding", first.lon, first.lat, first.address)

    floods = [simulate_report(session, intake, rng, near=spot) for _ in range(3)]
    [surge] = detect_surges(session)

    assert {report.category.code for report in floods} == {"flooding"}
    assert sorted(surge.report_ids) == sorted(report.id for report in floods)
