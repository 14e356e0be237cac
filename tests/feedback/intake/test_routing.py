"""Routing rules: the most specific area wins, a sub-category falls back to its parent.

Every rule is checked twice: read from the database (``resolve_route``, what a transaction
that changed the catalogue reads) and from the process's copy (``Catalogue.route``, what a
filing reads), which sees the rows once they are committed."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy.orm import Session

from ioc.feedback.intake.catalogue import Catalogue
from ioc.feedback.intake.routing import Route, resolve_route
from ioc.feedback.models import Category, RoutingRule
from ioc.geo.index import AreaRef
from tests.factories import (
    make_agency,
    make_category,
    make_province_with_two_communes,
    make_rule,
)

# Province P split into commune A (west) and commune B (east).
IN_A = (108.05, 16.05)
IN_B = (108.15, 16.05)
NOW = datetime(2026, 3, 10, 3, 0, tzinfo=UTC)


@pytest.fixture
def chains(session, locator) -> dict[str, list[AreaRef]]:
    make_province_with_two_communes(session)
    return {"A": locator.locate(session, *IN_A), "B": locator.locate(session, *IN_B)}


RouteOf = Callable[..., Route]


@pytest.fixture(params=["database", "in process"])
def route_of(request: pytest.FixtureRequest, session: Session) -> RouteOf:
    if request.param == "database":
        return resolve_route
    catalogue = Catalogue(check_seconds=3600)

    def from_the_copy(
        session: Session, *, category: Category, chain: Sequence[AreaRef], at: datetime
    ) -> Route:
        session.commit()  # the copy holds committed rows only
        return catalogue.route(session, category=category, chain=chain, at=at)

    return from_the_copy


def test_chain_of_a_point_runs_from_commune_to_province(chains):
    assert [area.code for area in chains["A"]] == ["A", "P"]
    assert [area.code for area in chains["B"]] == ["B", "P"]


def test_commune_rule_beats_province_rule_for_a_point_in_the_commune(route_of, session, chains):
    category = make_category(session, "den_duong")
    province_agency = make_agency(session, "SXD")
    commune_agency = make_agency(session, "UBND-A")
    make_rule(session, category, "P", province_agency)
    rule = make_rule(session, category, "A", commune_agency)

    route = route_of(session, category=category, chain=chains["A"], at=NOW)

    assert route.lead == commune_agency
    assert route.rule_id == rule.id


def test_point_in_a_commune_without_rule_uses_the_province_rule(route_of, session, chains):
    category = make_category(session, "den_duong")
    province_agency = make_agency(session, "SXD")
    make_rule(session, category, "P", province_agency)
    make_rule(session, category, "A", make_agency(session, "UBND-A"))

    route = route_of(session, category=category, chain=chains["B"], at=NOW)

    assert route.lead == province_agency


def test_route_returns_the_supporting_agencies_of_the_rule(route_of, session, chains):
    category = make_category(session, "ngap_ung")
    lead = make_agency(session, "SXD")
    support = [make_agency(session, "CTY-TN"), make_agency(session, "UBND-A")]
    make_rule(session, category, "P", lead, supporting=support)

    route = route_of(session, category=category, chain=chains["A"], at=NOW)

    assert route.lead == lead
    assert [agency.code for agency in route.supporting] == ["CTY-TN", "UBND-A"]
    assert not route.is_ioc_queue


def test_rule_of_another_category_is_not_used(route_of, session, chains):
    make_rule(session, make_category(session, "rac_thai"), "P", make_agency(session, "STNMT"))

    route = route_of(
        session, category=make_category(session, "den_duong"), chain=chains["A"], at=NOW
    )

    assert route.is_ioc_queue


def test_sub_category_without_rule_uses_parent_rule(route_of, session, chains):
    parent = make_category(session, "ha_tang")
    child = make_category(session, "o_ga", parent=parent)
    lead = make_agency(session, "SXD")
    make_rule(session, parent, "P", lead)

    route = route_of(session, category=child, chain=chains["A"], at=NOW)

    assert route.lead == lead


def test_sub_category_own_province_rule_beats_parent_commune_rule(route_of, session, chains):
    # resolve_route searches the category first (every area of the chain), then its parent.
    parent = make_category(session, "ha_tang")
    child = make_category(session, "o_ga", parent=parent)
    own = make_agency(session, "SXD")
    make_rule(session, child, "P", own)
    make_rule(session, parent, "A", make_agency(session, "UBND-A"))

    route = route_of(session, category=child, chain=chains["A"], at=NOW)

    assert route.lead == own


def test_sub_category_uses_the_most_specific_parent_rule(route_of, session, chains):
    parent = make_category(session, "ha_tang")
    child = make_category(session, "o_ga", parent=parent)
    commune_agency = make_agency(session, "UBND-A")
    make_rule(session, parent, "P", make_agency(session, "SXD"))
    make_rule(session, parent, "A", commune_agency)

    route = route_of(session, category=child, chain=chains["A"], at=NOW)

    assert route.lead == commune_agency


def test_no_rule_anywhere_goes_to_the_ioc_queue(route_of, session, chains):
    route = route_of(session, category=make_category(session, "khac"), chain=chains["A"], at=NOW)

    assert route.is_ioc_queue
    assert route.lead is None
    assert route.supporting == []
    assert route.rule_id is None


def test_empty_chain_goes_to_the_ioc_queue(route_of, session):
    category = make_category(session, "den_duong")
    make_rule(session, category, "P", make_agency(session, "SXD"))

    assert route_of(session, category=category, chain=[], at=NOW).is_ioc_queue


def test_a_report_is_routed_by_the_rule_valid_when_it_was_filed(route_of, session, chains):
    category = make_category(session, "den_duong")
    old_agency = make_agency(session, "UBND-HUYEN")
    new_agency = make_agency(session, "UBND-A")
    reform = NOW - timedelta(days=30)
    make_rule(session, category, "A", old_agency, valid_to=reform)
    make_rule(session, category, "A", new_agency, valid_from=reform)

    before = route_of(session, category=category, chain=chains["A"], at=reform - timedelta(1))
    after = route_of(session, category=category, chain=chains["A"], at=NOW)

    assert before.lead == old_agency
    assert after.lead == new_agency


def test_a_rule_not_yet_in_force_is_not_used(route_of, session, chains):
    category = make_category(session, "den_duong")
    make_rule(session, category, "P", make_agency(session, "SXD"), valid_from=NOW + timedelta(1))

    assert route_of(session, category=category, chain=chains["A"], at=NOW).is_ioc_queue


def test_a_group_rule_catches_every_category_of_the_group_without_a_rule_of_its_own(
    route_of, session, chains
):
    own = make_category(session, "den_duong")
    other = make_category(session, "cay_xanh")
    group_agency = make_agency(session, "SXD")
    own_agency = make_agency(session, "CTY-CS")
    session.add(RoutingRule(group=own.group, area_code="P", lead_agency=group_agency))
    make_rule(session, own, "P", own_agency)
    session.flush()

    assert route_of(session, category=other, chain=chains["A"], at=NOW).lead == group_agency
    assert route_of(session, category=own, chain=chains["A"], at=NOW).lead == own_agency
