"""The catalogue kept in process: filings read a copy, and a change reaches them when it
commits (in this process) or when the stamp is next checked (another process's change)."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest
from sqlalchemy import event, select, update
from sqlalchemy.orm import Session

from ioc.errors import InvalidInput
from ioc.feedback.catalogue_stamp import CatalogueRevision, catalogue_revision
from ioc.feedback.intake.catalogue import Catalogue
from ioc.feedback.intake.filing import Intake, submit_report
from ioc.feedback.models import Agency, Category, RoutingRule
from ioc.feedback.report_models import Report
from ioc.feedback.states import Channel
from ioc.geo.index import AreaRef
from ioc.geo.service import AreaLocator
from tests.factories import (
    make_agency,
    make_category,
    make_policy,
    make_province_with_two_communes,
    make_rule,
)

NOW = datetime(2026, 3, 10, 3, 0, tzinfo=UTC)
IN_A = (108.05, 16.05)


@pytest.fixture
def chain(session: Session, locator: AreaLocator) -> list[AreaRef]:
    make_province_with_two_communes(session)
    found = locator.locate(session, *IN_A)
    assert found is not None
    return found


@pytest.fixture
def lighting(session: Session, chain: list[AreaRef]) -> Category:
    category = make_category(session, "den_duong")
    make_rule(session, category, "P", make_agency(session, "SXD"))
    session.commit()
    return category


def _lead(catalogue: Catalogue, session: Session, category: Category, chain: list[AreaRef]) -> str:
    lead = catalogue.route(session, category=category, chain=chain, at=NOW).lead
    assert lead is not None
    return lead.code


def test_a_rule_committed_in_this_process_routes_the_next_filing_at_once(
    session: Session, chain: list[AreaRef], lighting: Category
) -> None:
    catalogue = Catalogue(check_seconds=3600)
    assert _lead(catalogue, session, lighting, chain) == "SXD"

    make_rule(session, lighting, "A", make_agency(session, "UBND-A"))
    session.commit()

    assert _lead(catalogue, session, lighting, chain) == "UBND-A"


def test_another_process_change_is_seen_when_the_stamp_is_next_checked(
    session: Session, chain: list[AreaRef], lighting: Category
) -> None:
    commune = make_agency(session, "UBND-A")
    session.commit()
    kept = Catalogue(check_seconds=3600)
    checking = Catalogue(check_seconds=0)
    assert _lead(kept, session, lighting, chain) == "SXD"
    assert _lead(checking, session, lighting, chain) == "SXD"

    # Another process's admin change: its rows and its stamp, nothing of this process's.
    session.execute(update(RoutingRule).values(lead_agency_id=commune.id))
    session.execute(update(CatalogueRevision).values(revision=CatalogueRevision.revision + 1))
    session.commit()

    assert _lead(checking, session, lighting, chain) == "UBND-A"
    # Within its check interval a process keeps its copy: the delay the area index has too.
    assert _lead(kept, session, lighting, chain) == "SXD"


def test_a_transaction_that_changed_the_catalogue_reads_its_own_changes(
    session: Session, chain: list[AreaRef], lighting: Category
) -> None:
    catalogue = Catalogue(check_seconds=3600)
    assert catalogue.active_category(session, "o_ga") is None

    pothole = make_category(session, "o_ga")
    make_rule(session, pothole, "A", make_agency(session, "UBND-A"))

    assert catalogue.active_category(session, "o_ga") is pothole
    assert _lead(catalogue, session, pothole, chain) == "UBND-A"


def test_a_change_not_yet_flushed_is_neither_hidden_nor_overwritten_by_the_copy(
    session: Session, chain: list[AreaRef], lighting: Category
) -> None:
    catalogue = Catalogue(check_seconds=3600)
    assert _lead(catalogue, session, lighting, chain) == "SXD"
    city = session.scalar(select(Agency).where(Agency.code == "SXD"))
    assert city is not None

    with session.no_autoflush:
        city.name_vi = "Sở Xây dựng thành phố"
        route = catalogue.route(session, category=lighting, chain=chain, at=NOW)

    assert route.lead is city
    assert city.name_vi == "Sở Xây dựng thành phố"


def test_the_stamp_moves_once_per_transaction_that_changes_the_catalogue(
    session: Session, lighting: Category
) -> None:
    before = catalogue_revision(session)

    make_agency(session, "CTY-CS")
    make_category(session, "cay_xanh")  # a second flush in the same transaction
    session.commit()
    after_change = catalogue_revision(session)
    session.get(Agency, lighting.id)  # reading changes nothing
    session.commit()

    assert after_change == before + 1
    assert catalogue_revision(session) == after_change


def test_a_filing_routes_by_the_copy_and_refuses_a_category_closed_since(
    session: Session, chain: list[AreaRef], lighting: Category
) -> None:
    intake = Intake(
        locator=AreaLocator(check_seconds=0),
        policy=make_policy(),
        catalogue=Catalogue(check_seconds=3600),
    )
    report = _file_a_light_in_a(session, intake)
    assert report.lead_agency is not None
    assert report.lead_agency.code == "SXD"
    assert report.category.id == lighting.id
    session.commit()

    lighting.is_active = False
    session.commit()

    with pytest.raises(InvalidInput):
        _file_a_light_in_a(session, intake)


def test_a_warmed_up_intake_files_its_first_report_without_reading_areas_or_the_catalogue(
    session: Session, lighting: Category
) -> None:
    intake = Intake(
        locator=AreaLocator(check_seconds=3600),
        policy=make_policy(),
        catalogue=Catalogue(check_seconds=3600),
    )
    intake.warm_up(session)
    session.commit()
    statements: list[str] = []
    listen = event.listens_for(session.get_bind(), "before_cursor_execute")

    @listen
    def _seen(_c: object, _cur: object, statement: str, *_rest: object) -> None:
        statements.append(statement)

    try:
        _file_a_light_in_a(session, intake)
    finally:
        event.remove(session.get_bind(), "before_cursor_execute", _seen)

    assert statements
    assert not [s for s in statements if _READ_AT_START.match(s)]


def _file_a_light_in_a(session: Session, intake: Intake) -> Report:
    return submit_report(
        session, intake, category_code="den_duong", lon=IN_A[0], lat=IN_A[1], channel=Channel.MOBILE
    )


#: Reads of what the warm-up loads: the area index and the catalogue copy (with its stamp).
_READ_AT_START = re.compile(
    r"\s*SELECT (area|area_revision|category|category_group|agency|routing_rule"
    r"|catalogue_revision)\."
)
