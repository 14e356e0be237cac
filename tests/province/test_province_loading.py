"""Loading a province pack: first load, no-op reload, versions, closing, refusals (both
backends)."""

from __future__ import annotations

import dataclasses
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ioc.feedback.intake.routing import resolve_route
from ioc.feedback.models import (
    RULES_EPOCH,
    Agency,
    Category,
    PasswordSetup,
    ProvinceProfile,
    RoutingRule,
    User,
)
from ioc.feedback.report_models import AuditEntry
from ioc.geo.models import Area
from ioc.geo.queries import locate_in_database
from ioc.province.changes import compare
from ioc.province.current import current_pack
from ioc.province.loading import LoadResult, apply_edit, load_pack
from ioc.province.pack import PackRefused, ProvincePack, RuleRow
from tests.province.factories import IN_EAST, IN_WEST, make_pack, replace_row

LOADED = datetime(2026, 3, 1, 3, 0, tzinfo=UTC)
LATER = LOADED + timedelta(days=5)


def _load(session: Session, pack: ProvincePack, at: datetime = LOADED) -> LoadResult:
    return load_pack(session, pack, actor=None, at=at, source="test")


def _lead(session: Session, category: str, point: tuple[float, float], at: datetime) -> str | None:
    chain = locate_in_database(session, point[0], point[1], at)
    assert chain
    found = session.scalars(select(Category).where(Category.code == category)).one()
    route = resolve_route(session, category=found, chain=chain, at=at)
    return route.lead.code if route.lead else None


def _count(session: Session, model: type[object]) -> int:
    return session.scalar(select(func.count()).select_from(model)) or 0


def test_first_load_writes_everything_and_routes_by_the_rules(session: Session) -> None:
    result = load_pack(session, make_pack(), actor=None, at=LOADED, source="test")

    assert result.changes["agencies"].added == ["UBND-P", "SXD", "CTN", "UBND-P-W", "UBND-P-E"]
    assert result.changes["areas"].added == ["P", "P-W", "P-E"]
    assert result.changes.summary("vi")[0] == "Tỉnh: 1 thêm, 0 sửa, 0 đóng"
    assert "Agencies: 5 added, 0 changed, 0 closed" in result.changes.summary("en")
    assert _lead(session, "POTHOLE", IN_WEST, LOADED) == "UBND-P-W"
    assert _lead(session, "POTHOLE", IN_EAST, LOADED) == "SXD"
    assert _lead(session, "WATER", IN_EAST, LOADED) == "CTN"  # the group's rule
    rule = session.scalars(select(RoutingRule).where(RoutingRule.area_code == "P-W")).one()
    assert rule.valid_from == RULES_EPOCH
    area = session.scalars(select(Area).where(Area.code == "P-W")).one()
    assert area.valid_from == datetime(2025, 6, 30, 17, 0, tzinfo=UTC)
    profile = session.get(ProvinceProfile, 1)
    assert profile is not None
    assert (profile.code, profile.revision) == ("P", 1)
    pothole = session.scalars(select(Category).where(Category.code == "POTHOLE")).one()
    assert pothole.attributes[0]["values"][1] == {"key": "large", "name": "Lớn", "name_en": "Large"}
    sxd = session.scalars(select(Agency).where(Agency.code == "SXD")).one()
    assert sxd.parent is not None
    assert sxd.parent.code == "UBND-P"


def test_loading_the_same_pack_twice_changes_nothing(session: Session) -> None:
    _load(session, make_pack())
    audits = _count(session, AuditEntry)

    again = load_pack(session, make_pack(), actor=None, at=LATER, source="test")

    assert again.is_empty
    assert again.changes.summary("vi") == ["không có thay đổi"]
    assert again.changes.summary("en") == ["no changes"]
    assert again.password_links == []
    assert _count(session, AuditEntry) == audits


def test_new_users_get_a_one_time_link_stored_hashed(session: Session) -> None:
    result = _load(session, make_pack())

    links = {link.username: link for link in result.password_links}
    assert set(links) == {"quantri", "sxd.canbo", "dieuhanh"}
    link = links["quantri"]
    assert link.expires_at == LOADED + timedelta(days=7)
    stored = session.scalars(select(PasswordSetup)).all()
    assert len(stored) == 3
    token = link.path.split("token=")[1]
    assert all(token not in row.token_hash for row in stored)
    user = session.scalars(select(User).where(User.username == "quantri")).one()
    assert user.password_hash is None
    assert user.role == "admin"


def test_a_changed_rule_gets_a_new_version_and_old_reports_keep_their_route(
    session: Session,
) -> None:
    _load(session, make_pack())
    changed = make_pack(
        rules=(
            RuleRow("POTHOLE", "P", "SXD", ("UBND-P-E",)),
            RuleRow("POTHOLE", "P-W", "SXD", valid_from=date(2026, 3, 5)),
            RuleRow("HT", "P", "CTN"),
        )
    )

    result = _load(session, changed, LATER)

    assert [c.key for c in result.changes["rules"].changed] == ["POTHOLE@P-W"]
    starts = datetime(2026, 3, 4, 17, 0, tzinfo=UTC)  # 00:00 on 5 March in Vietnam
    versions = session.scalars(
        select(RoutingRule).where(RoutingRule.area_code == "P-W").order_by(RoutingRule.valid_from)
    ).all()
    assert [(v.valid_from, v.valid_to) for v in versions] == [
        (RULES_EPOCH, starts),
        (starts, None),
    ]
    assert _lead(session, "POTHOLE", IN_WEST, starts - timedelta(minutes=1)) == "UBND-P-W"
    assert _lead(session, "POTHOLE", IN_WEST, starts) == "SXD"
    assert _load(session, changed, LATER + timedelta(days=1)).is_empty


def test_a_rule_date_before_the_current_version_is_refused_and_nothing_is_written(
    session: Session,
) -> None:
    _load(session, make_pack())
    _load(
        session,
        make_pack(rules=(RuleRow("POTHOLE", "P-W", "SXD", valid_from=date(2026, 3, 5)),)),
        LATER,
    )
    before = (_count(session, RoutingRule), _count(session, AuditEntry), _count(session, Agency))

    with pytest.raises(PackRefused) as refused:
        _load(
            session,
            make_pack(
                rules=(RuleRow("POTHOLE", "P-W", "CTN", valid_from=date(2026, 3, 1)),),
                agencies=make_pack().agencies[:4],
            ),
            LATER + timedelta(days=1),
        )

    problem = refused.value.problems[0]
    assert problem.origin is not None
    assert problem.origin.column == "valid_from"
    assert "2026-03-05" in problem.message_vi
    after = (_count(session, RoutingRule), _count(session, AuditEntry), _count(session, Agency))
    assert after == before
    assert session.scalars(select(Agency).where(Agency.code == "UBND-P-E")).one().is_active


def test_a_removed_agency_is_closed_not_deleted_and_a_removed_rule_ends(session: Session) -> None:
    _load(session, make_pack())
    pack = make_pack()
    smaller = dataclasses.replace(
        pack,
        agencies=tuple(a for a in pack.agencies if a.code != "CTN"),
        rules=tuple(r for r in pack.rules if r.category_code != "HT"),
    )

    result = _load(session, smaller, LATER)

    assert result.changes["agencies"].closed == ["CTN"]
    ctn = session.scalars(select(Agency).where(Agency.code == "CTN")).one()
    assert (ctn.is_active, ctn.closed_at) == (False, LATER)
    group_rule = session.scalars(select(RoutingRule).where(RoutingRule.group_id.is_not(None))).one()
    assert group_rule.valid_to == LATER
    assert _lead(session, "WATER", IN_EAST, LATER - timedelta(seconds=1)) == "CTN"
    assert _lead(session, "WATER", IN_EAST, LATER) is None
    closing = session.scalars(
        select(AuditEntry).where(AuditEntry.action == "province.agency.close")
    ).one()
    assert closing.after is not None
    assert (closing.target_ref, closing.before, closing.after["active"]) == (
        "CTN",
        {"active": True},
        False,
    )
    assert _load(session, smaller, LATER + timedelta(days=1)).is_empty


def test_changes_are_audited_with_before_and_after(session: Session) -> None:
    _load(session, make_pack())
    pack = make_pack()

    _load(
        session,
        dataclasses.replace(pack, agencies=replace_row(pack.agencies, "SXD", phone="0236")),
        LATER,
    )

    entry = session.scalars(
        select(AuditEntry).where(AuditEntry.action == "province.agency.change")
    ).one()
    assert entry.target_ref == "SXD"
    assert entry.before is not None
    assert entry.after is not None
    assert (entry.before["phone"], entry.after["phone"]) == (None, "0236")


def test_a_pack_that_leaves_no_admin_is_refused(session: Session) -> None:
    _load(session, make_pack())
    pack = make_pack()

    with pytest.raises(PackRefused) as refused:
        _load(session, dataclasses.replace(pack, users=pack.users[1:]), LATER)

    assert refused.value.problems[0].origin is not None
    assert session.scalars(select(User).where(User.username == "quantri")).one().is_active


def test_a_removed_user_is_disabled(session: Session) -> None:
    _load(session, make_pack())
    pack = make_pack()

    result = _load(session, dataclasses.replace(pack, users=pack.users[:2]), LATER)

    assert result.changes["users"].closed == ["dieuhanh"]
    assert not session.scalars(select(User).where(User.username == "dieuhanh")).one().is_active


def test_current_pack_compares_equal_to_the_loaded_pack(session: Session) -> None:
    _load(session, make_pack())

    current = current_pack(session, at=LATER, with_geometry=True)

    assert compare(current, make_pack()).is_empty
    assert [a.code for a in current.agencies] == sorted(a.code for a in make_pack().agencies)
    assert current.rules[0] == RuleRow("HT", "P", "CTN")
    assert [s.level for s in current.area_sources] == ["province", "commune"]
    assert load_pack(session, current, actor=None, at=LATER, source="export").is_empty


def test_an_edit_goes_through_the_loader(session: Session) -> None:
    _load(session, make_pack())

    result = apply_edit(
        session,
        actor=None,
        at=LATER,
        edit=lambda pack: dataclasses.replace(
            pack, categories=replace_row(pack.categories, "WATER", target_hours=12)
        ),
    )

    assert [c.key for c in result.changes["categories"].changed] == ["WATER"]
    assert (
        session.scalars(select(Category).where(Category.code == "WATER")).one().sla_target_hours
        == 12
    )
    assert result.changes["areas"].is_empty
