"""Filing a report: locate, route, deadlines, history and the outbox event, in one transaction."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
from shapely import box
from sqlalchemy import func, select

from ioc.db import unit_of_work
from ioc.errors import InvalidInput
from ioc.events.log import latest_seq
from ioc.events.models import Event
from ioc.feedback.intake.filing import submit_report
from ioc.feedback.models import Agency, Category, User
from ioc.feedback.people.callers import caller_lookup
from ioc.feedback.report_models import Report, ReportArea, ReportHistory
from ioc.feedback.states import Channel, ReportStatus, Role
from ioc.geo.cells import cell_for
from tests.factories import (
    feature,
    make_agency,
    make_areas,
    make_category,
    make_province_with_two_communes,
    make_rule,
)

VN = ZoneInfo("Asia/Ho_Chi_Minh")
# Monday 7 July 2025, 08:00 in Vietnam: deadlines below are counted from here.
MONDAY_8AM = datetime(2025, 7, 7, 8, 0, tzinfo=VN)
IN_A = (108.05, 16.05)
OUTSIDE = (105.85, 21.03)


def _make_citizen(session) -> User:
    citizen = User(
        role="citizen",
        firebase_uid="firebase-uid-7Qx2",
        display_name="Nguyễn Thị Lan",
        phone="0905123456",
        email="lan@example.vn",
    )
    session.add(citizen)
    session.flush()
    return citizen


@pytest.fixture
def place(session) -> None:
    make_province_with_two_communes(session)


@pytest.fixture
def lighting(session, place) -> Category:
    """An auto-dispatch category routed to SXD with two supporting agencies in the province."""
    category = make_category(session, "den_duong", sla_tier="normal", sla_target_hours=24)
    make_rule(
        session,
        category,
        "P",
        make_agency(session, "SXD"),
        supporting=[make_agency(session, "DIEN-LUC"), make_agency(session, "UBND-A")],
    )
    return category


@pytest.fixture
def private(session, place) -> Category:
    """A category the IOC reviews first, even though a rule exists."""
    category = make_category(session, "an_ninh", is_auto_dispatch=False)
    make_rule(session, category, "P", make_agency(session, "CA"))
    return category


def _submit(session, intake, category_code="den_duong", at=IN_A, **kwargs) -> Report:
    kwargs.setdefault("received_at", MONDAY_8AM)
    return submit_report(
        session,
        intake,
        category_code=category_code,
        lon=at[0],
        lat=at[1],
        **({"channel": Channel.MOBILE} | kwargs),
    )


def _count(session, model) -> int:
    return session.scalar(select(func.count()).select_from(model))


def _event_of(session, report: Report) -> Event:
    return session.scalars(select(Event).where(Event.report_id == report.id)).one()


def test_auto_dispatch_category_with_rule_is_assigned_to_the_lead(session, intake, lighting):
    report = _submit(session, intake)

    assert report.status == ReportStatus.ASSIGNED
    assert report.lead_agency.code == "SXD"
    assert [agency.code for agency in report.supporting_agencies] == ["DIEN-LUC", "UBND-A"]


def test_a_new_ref_is_never_one_a_report_already_has(session, intake, lighting):
    taken = _submit(session, intake).ref
    draws = iter([taken, taken, "PA2507-NEW0ZZ"])
    unlucky = replace(intake, draw_ref=lambda _at: next(draws))

    report = _submit(session, unlucky)

    assert report.ref == "PA2507-NEW0ZZ"
    assert session.scalars(select(Report.ref).order_by(Report.id)).all() == [taken, report.ref]
    # Nothing of the unlucky draws was written: one area row per level, one history entry.
    assert _count(session, ReportHistory) == 2
    assert _count(session, ReportArea) == 2 * len(report.areas)


def test_a_caller_found_as_the_report_is_written_is_added_once_despite_redraws(
    session, intake, lighting
):
    taken = _submit(session, intake).ref
    draws = iter([taken, taken, "PA2507-NEW1ZZ"])
    unlucky = replace(intake, draw_ref=lambda _at: next(draws))
    caller = caller_lookup(name="Trần Thị Mai", phone="0905123123", email=None)

    report = _submit(session, unlucky, channel=Channel.PHONE, reporter=caller)
    again = _submit(session, intake, channel=Channel.PHONE, reporter=caller)

    accounts = session.scalars(select(User).where(User.phone == "0905123123")).all()
    assert [(a.display_name, a.role) for a in accounts] == [("Trần Thị Mai", Role.CITIZEN)]
    assert report.reporter_id == again.reporter_id == accounts[0].id
    assert [entry.actor_id for entry in report.history] == [accounts[0].id]


def test_a_report_filed_in_a_savepoint_rolled_back_is_gone(session, intake, lighting):
    kept = _submit(session, intake)
    savepoint = session.begin_nested()
    report = _submit(session, intake)
    report_id = report.id
    savepoint.rollback()

    assert session.get(Report, report_id) is None
    assert session.get(Report, kept.id) is kept
    assert session.scalars(select(Report.id)).all() == [kept.id]


def test_assigned_report_is_due_after_the_category_working_hours(session, intake, lighting):
    report = _submit(session, intake)

    # 24 working hours from Monday 08:00: 7 on Monday, 7.5 each Tuesday and Wednesday, then 2
    # hours on Thursday morning.
    assert report.due_at == datetime(2025, 7, 10, 9, 30, tzinfo=VN)


def test_non_auto_dispatch_category_waits_for_review_without_agency(session, intake, private):
    report = _submit(session, intake, category_code="an_ninh")

    assert report.status == ReportStatus.PENDING_REVIEW
    assert report.lead_agency is None
    assert report.supporting_agencies == []
    assert report.due_at is None


def test_pending_report_has_a_receipt_deadline_of_eight_working_hours(session, intake, private):
    report = _submit(session, intake, category_code="an_ninh")

    assert report.receipt_due_at == datetime(2025, 7, 8, 8, 30, tzinfo=VN)


def test_auto_dispatch_category_without_rule_waits_for_review(session, intake, place):
    make_category(session, "khac", is_auto_dispatch=True)

    report = _submit(session, intake, category_code="khac")

    assert report.status == ReportStatus.PENDING_REVIEW
    assert report.lead_agency is None


def test_report_stores_its_area_chain_leaf_first(session, intake, lighting):
    report = _submit(session, intake)
    session.expire_all()

    rows = session.scalars(
        select(ReportArea).where(ReportArea.report_id == report.id).order_by(ReportArea.depth)
    ).all()
    assert [(row.depth, row.area.code) for row in rows] == [(0, "A"), (1, "P")]


def test_report_stores_its_place_and_map_cell(session, intake, lighting):
    report = _submit(session, intake, accuracy_m=8.5)
    session.expire_all()

    stored = session.get(Report, report.id)
    assert (stored.lon, stored.lat) == IN_A
    assert (stored.cell_x, stored.cell_y) == cell_for(*IN_A)
    assert stored.accuracy_m == 8.5


def test_report_gets_a_readable_reference(session, intake, lighting):
    report = _submit(session, intake)

    assert report.ref.startswith("PA2507-")
    assert len(report.ref) == len("PA2507-") + 6


def test_submission_writes_a_submitted_history_row(session, intake, lighting):
    report = _submit(session, intake)
    session.expire_all()

    history = session.scalars(
        select(ReportHistory).where(ReportHistory.report_id == report.id)
    ).all()
    assert [(h.action, h.from_status, h.to_status, h.is_public) for h in history] == [
        ("submitted", None, ReportStatus.ASSIGNED, True)
    ]


def test_submission_writes_one_report_created_event_for_the_map(session, intake, lighting):
    report = _submit(session, intake)

    event = _event_of(session, report)
    assert event.type == "report.created"
    assert event.seq > latest_seq(session)  # not yet on any screen: the publisher sends it
    assert event.payload["ref"] == report.ref
    assert (event.payload["lon"], event.payload["lat"]) == IN_A
    assert event.payload["category"] == "den_duong"
    assert event.payload["status"] == ReportStatus.ASSIGNED
    assert event.payload["area"] == "A"


def test_event_payload_does_not_reveal_the_reporter(session, intake, lighting):
    citizen = _make_citizen(session)

    report = _submit(session, intake, reporter_id=citizen.id)

    payload = _event_of(session, report).payload
    assert not [key for key in payload if "reporter" in key or "user" in key]
    text = json.dumps(payload, ensure_ascii=False)
    for secret in (citizen.firebase_uid, citizen.display_name, citizen.phone, citizen.email):
        assert secret not in text


def test_event_goes_to_ops_and_to_every_agency_on_the_report(session, intake, lighting):
    report = _submit(session, intake)

    audiences = _event_of(session, report).audiences
    assert audiences == ["ops", "agency:SXD", "agency:DIEN-LUC", "agency:UBND-A"]


def test_event_of_a_pending_report_goes_to_ops_only(session, intake, private):
    report = _submit(session, intake, category_code="an_ninh")

    assert _event_of(session, report).audiences == ["ops"]


def test_event_reaches_the_reporter_own_channel(session, intake, lighting):
    citizen = _make_citizen(session)

    report = _submit(session, intake, reporter_id=citizen.id)

    assert f"citizen:{citizen.id}" in _event_of(session, report).audiences


def test_place_outside_every_area_is_invalid_and_writes_nothing(session, intake, lighting):
    before = (_count(session, Report), _count(session, Event))

    with pytest.raises(InvalidInput) as raised:
        _submit(session, intake, at=OUTSIDE)

    assert set(raised.value.details["fields"]) == {"lon", "lat"}
    assert (_count(session, Report), _count(session, Event)) == before


def test_unknown_category_is_invalid_and_names_the_field(session, intake, lighting):
    before = (_count(session, Report), _count(session, Event))

    with pytest.raises(InvalidInput) as raised:
        _submit(session, intake, category_code="khong_ton_tai")

    assert set(raised.value.details["fields"]) == {"category"}
    assert (_count(session, Report), _count(session, Event)) == before


def test_inactive_category_is_refused(session, intake, lighting):
    lighting.is_active = False
    session.flush()

    with pytest.raises(InvalidInput) as raised:
        _submit(session, intake)

    assert set(raised.value.details["fields"]) == {"category"}


def test_too_long_description_is_invalid_and_names_the_field(session, intake, lighting):
    with pytest.raises(InvalidInput) as raised:
        _submit(session, intake, description="x" * 2001)

    assert set(raised.value.details["fields"]) == {"description"}
    assert _count(session, Report) == 0


def _move_border_west(session, *, valid_from: datetime) -> None:
    """Redraw A and B so the border moves from 108.1 to 108.08 east."""
    make_areas(
        session,
        [
            feature("A", "Xã An Hòa", box(108.0, 16.0, 108.08, 16.1)),
            feature("B", "Phường Bình Minh", box(108.08, 16.0, 108.2, 16.1)),
        ],
        level="commune",
        parent_code="P",
        valid_from=valid_from,
    )


def test_report_keeps_the_area_version_it_was_filed_under(session, intake, lighting):
    point = (108.09, 16.05)  # in A today; in B after the redraw below
    old = _submit(session, intake, at=point)
    old_area_id = old.areas[0].area_id
    redraw = datetime(2025, 8, 1, tzinfo=UTC)
    _move_border_west(session, valid_from=redraw)
    session.expire_all()

    stored = session.get(Report, old.id)
    assert stored.areas[0].area_id == old_area_id
    assert stored.areas[0].area.code == "A"
    assert stored.areas[0].area.valid_to == redraw


def test_new_report_after_a_redraw_is_filed_under_the_new_area(session, intake, lighting):
    point = (108.09, 16.05)
    _submit(session, intake, at=point)
    _move_border_west(session, valid_from=datetime(2025, 8, 1, tzinfo=UTC))

    new = _submit(session, intake, at=point, received_at=datetime(2025, 8, 4, 8, 0, tzinfo=VN))

    assert [ra.area.code for ra in new.areas] == ["B", "P"]
    assert new.areas[0].area.valid_to is None


def test_failed_unit_of_work_leaves_no_report_and_no_event(
    session, session_factory, intake, lighting
):
    before = (_count(session, Report), _count(session, Event))

    filed: list[str] = []

    def file_then_crash() -> None:
        with unit_of_work(session_factory) as work:
            filed.append(_submit(work, intake).ref)  # flushed inside the transaction
            raise RuntimeError("crash before commit")

    with pytest.raises(RuntimeError, match="crash"):
        file_then_crash()

    assert filed
    assert session.scalar(select(Report).where(Report.ref == filed[0])) is None
    assert (_count(session, Report), _count(session, Event)) == before


def test_committed_unit_of_work_keeps_the_report_and_its_event(
    session, session_factory, intake, lighting
):
    with unit_of_work(session_factory) as work:
        ref = _submit(work, intake).ref

    report = session.scalars(select(Report).where(Report.ref == ref)).one()
    assert _event_of(session, report).type == "report.created"
    assert session.scalar(select(Agency.code).where(Agency.id == report.lead_agency_id)) == "SXD"
