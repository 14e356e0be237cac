"""Administering staff: set-password links, disabling (sessions end at once), the last admin,
resets, edits and the list with the last sign-in."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, urlparse

import pytest
from sqlalchemy import select

from ioc.errors import InvalidInput, NotFound
from ioc.feedback.models import PasswordSetup, User
from ioc.feedback.people.password_setup import LINK_LIFETIME, set_password
from ioc.feedback.people.staff_admin import (
    LastAdmin,
    create_staff,
    disable_staff,
    enable_staff,
    list_staff,
    reset_password,
    update_staff,
)
from ioc.feedback.people.staff_sessions import find_session, sign_in
from ioc.feedback.report_models import AuditEntry
from tests.factories import make_agency

AT = datetime(2026, 3, 11, 2, 0, tzinfo=UTC)
PASSWORD = "mat-khau-moi-2026"


def _token(link: str) -> str:
    return parse_qs(urlparse(link).query)["token"][0]


def _new(session, username: str = "canbo", role: str = "ioc_operator", **extra):
    return create_staff(
        session,
        username=username,
        full_name=extra.pop("full_name", "Nguyễn Văn An"),
        role=role,
        agency_code=extra.pop("agency_code", None),
        email=extra.pop("email", None),
        actor=None,
        at=AT,
    )


def _admin(session, username: str = "quantri") -> User:
    created = _new(session, username, "admin")
    set_password(session, token=_token(created.link), password=PASSWORD, at=AT)
    return created.user


def test_a_new_staff_member_has_no_password_and_a_seven_day_link(session):
    created = _new(session)

    assert created.user.password_hash is None
    assert created.link.startswith("/set-password?token=")
    assert created.link_expires_at == AT + LINK_LIFETIME
    stored = session.scalar(select(PasswordSetup))
    assert _token(created.link) not in stored.token_hash


def test_a_link_sets_the_password_and_the_member_signs_in(session):
    created = _new(session)

    set_password(session, token=_token(created.link), password=PASSWORD, at=AT)

    assert sign_in(session, username="canbo", password=PASSWORD).user.id == created.user.id


def test_a_link_used_twice_is_refused(session):
    token = _token(_new(session).link)
    set_password(session, token=token, password=PASSWORD, at=AT)

    with pytest.raises(InvalidInput) as raised:
        set_password(session, token=token, password=PASSWORD + "x", at=AT + timedelta(minutes=1))

    assert set(raised.value.details["fields"]) == {"token"}


def test_an_expired_link_is_refused(session):
    token = _token(_new(session).link)

    with pytest.raises(InvalidInput):
        set_password(session, token=token, password=PASSWORD, at=AT + LINK_LIFETIME)


def test_an_unknown_link_is_refused(session):
    _new(session)

    with pytest.raises(InvalidInput):
        set_password(session, token="khong-phai-token", password=PASSWORD, at=AT)


def test_a_short_password_is_refused_and_the_link_still_works(session):
    token = _token(_new(session).link)

    with pytest.raises(InvalidInput) as raised:
        set_password(session, token=token, password="ngan", at=AT)

    assert set(raised.value.details["fields"]) == {"password"}
    set_password(session, token=token, password=PASSWORD, at=AT)


def test_disabling_ends_every_open_session_at_once(session):
    _admin(session)
    created = _new(session)
    set_password(session, token=_token(created.link), password=PASSWORD, at=AT)
    signed = sign_in(session, username="canbo", password=PASSWORD)

    disable_staff(session, username="canbo", actor=None, at=AT)

    assert find_session(session, token=signed.token) is None
    assert signed.user.is_active is False


def test_the_last_active_admin_cannot_be_disabled(session):
    _admin(session)

    with pytest.raises(LastAdmin) as raised:
        disable_staff(session, username="quantri", actor=None, at=AT)

    assert raised.value.code == "last_admin"


def test_an_admin_can_be_disabled_while_another_remains(session):
    _admin(session)
    _admin(session, "quantri2")

    assert disable_staff(session, username="quantri", actor=None, at=AT).is_active is False


def test_the_last_admin_cannot_lose_the_role(session):
    _admin(session)

    with pytest.raises(LastAdmin):
        update_staff(session, username="quantri", actor=None, role="viewer")


def test_enable_lets_a_disabled_member_sign_in_again(session):
    _admin(session)
    created = _new(session)
    set_password(session, token=_token(created.link), password=PASSWORD, at=AT)
    disable_staff(session, username="canbo", actor=None, at=AT)

    enable_staff(session, username="canbo", actor=None)

    assert sign_in(session, username="canbo", password=PASSWORD)


def test_reset_clears_the_password_ends_sessions_and_retires_older_links(session):
    created = _new(session)
    first = _token(created.link)
    set_password(session, token=first, password=PASSWORD, at=AT)
    signed = sign_in(session, username="canbo", password=PASSWORD)
    old_link = _token(_new(session, "canbo2").link)

    link, expires_at = reset_password(session, username="canbo", actor=None, at=AT)

    assert created.user.password_hash is None
    assert find_session(session, token=signed.token) is None
    assert expires_at == AT + LINK_LIFETIME
    set_password(session, token=_token(link), password=PASSWORD + "2", at=AT)
    assert sign_in(session, username="canbo", password=PASSWORD + "2")
    # another user's pending link is untouched
    set_password(session, token=old_link, password=PASSWORD, at=AT)


def test_a_second_link_retires_the_first(session):
    first = _token(_new(session).link)
    reset_password(session, username="canbo", actor=None, at=AT)

    with pytest.raises(InvalidInput):
        set_password(session, token=first, password=PASSWORD, at=AT)


def test_agency_roles_need_an_agency_and_ioc_roles_have_none(session):
    make_agency(session, "SXD")
    _new(session, "sxd.canbo", "agency_officer", agency_code="SXD")

    with pytest.raises(InvalidInput) as raised:
        update_staff(
            session, username="sxd.canbo", actor=None, role="agency_officer", agency_code=None
        )
    assert set(raised.value.details["fields"]) == {"agency"}

    user = update_staff(session, username="sxd.canbo", actor=None, role="ioc_operator")
    assert (user.role, user.agency) == ("ioc_operator", None)


def test_changes_are_audited_with_before_and_after_and_no_secret(session):
    _admin(session)
    _new(session)

    update_staff(session, username="canbo", actor=None, full_name="Trần Thị Bình", email="b@x.vn")

    entry = session.scalars(select(AuditEntry).where(AuditEntry.action == "update_user")).one()
    assert entry.before["full_name"] == "Nguyễn Văn An"
    assert entry.after["full_name"] == "Trần Thị Bình"
    assert entry.after["email"] == "b@x.vn"
    for row in session.scalars(select(AuditEntry)):
        assert "password_hash" not in (row.after or {})
        assert "token" not in str(row.after or {})


def test_unknown_username_is_not_found(session):
    with pytest.raises(NotFound):
        disable_staff(session, username="khong-co", actor=None, at=AT)


def test_the_list_shows_the_last_sign_in_and_filters(session):
    make_agency(session, "SXD")
    _admin(session)
    _new(session, "sxd.canbo", "agency_officer", agency_code="SXD", full_name="Lê Thị Hoa")
    sign_in(session, username="quantri", password=PASSWORD)
    session.flush()

    rows, _ = list_staff(session)
    by_name = {row.user.username: row for row in rows}
    assert by_name["quantri"].last_sign_in_at is not None
    assert by_name["sxd.canbo"].last_sign_in_at is None
    assert [r.user.username for r in list_staff(session, q="hoa")[0]] == ["sxd.canbo"]
    assert [r.user.username for r in list_staff(session, agency_code="SXD")[0]] == ["sxd.canbo"]
    assert [r.user.username for r in list_staff(session, role="admin")[0]] == ["quantri"]


def test_the_list_pages_with_a_cursor(session):
    for number in range(3):
        _new(session, f"canbo{number}")

    first, more = list_staff(session, limit=2)
    second, more_again = list_staff(session, limit=2, after_id=first[-1].user.id)

    assert ([r.user.username for r in first], more) == (["canbo0", "canbo1"], True)
    assert ([r.user.username for r in second], more_again) == (["canbo2"], False)
