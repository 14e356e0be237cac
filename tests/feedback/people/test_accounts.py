"""Staff accounts: Argon2id password hashes and who may belong to an agency."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from ioc.errors import Conflict, InvalidInput
from ioc.feedback.models import User
from ioc.feedback.people.accounts import create_staff_user, password_matches
from tests.factories import make_agency

PASSWORD = "mat-khau-dai-du"


def _count_users(session) -> int:
    return session.scalar(select(func.count()).select_from(User))


def test_staff_password_is_stored_as_an_argon2id_hash(session):
    user = create_staff_user(session, username="dieuhanh", role="ioc_operator", password=PASSWORD)

    assert user.password_hash.startswith("$argon2id$")
    assert PASSWORD not in user.password_hash


def test_password_matches_the_right_password_only(session):
    user = create_staff_user(session, username="dieuhanh", role="ioc_operator", password=PASSWORD)

    assert password_matches(user.password_hash, PASSWORD)
    assert not password_matches(user.password_hash, PASSWORD + "x")


def test_staff_user_is_stored_with_role_and_default_display_name(session):
    user = create_staff_user(session, username="giamsat", role="ioc_supervisor", password=PASSWORD)
    session.expire_all()

    stored = session.get(User, user.id)
    assert (stored.username, stored.role, stored.display_name) == (
        "giamsat",
        "ioc_supervisor",
        "giamsat",
    )
    assert stored.agency_id is None
    assert stored.is_active


def test_agency_officer_belongs_to_the_named_agency(session):
    agency = make_agency(session, "SXD")

    user = create_staff_user(
        session, username="sxd.canbo", role="agency_officer", password=PASSWORD, agency_code="SXD"
    )

    assert user.agency_id == agency.id


@pytest.mark.parametrize("role", ["agency_manager", "agency_officer"])
def test_agency_role_with_an_unknown_agency_is_refused(session, role):
    with pytest.raises(InvalidInput) as raised:
        create_staff_user(
            session, username="canbo", role=role, password=PASSWORD, agency_code="KHONG-CO"
        )

    assert set(raised.value.details["fields"]) == {"agency"}
    assert _count_users(session) == 0


def test_agency_role_without_an_agency_is_refused(session):
    with pytest.raises(InvalidInput) as raised:
        create_staff_user(session, username="canbo", role="agency_officer", password=PASSWORD)

    assert raised.value.details["fields"] == {"agency": "missing"}


@pytest.mark.parametrize("role", ["admin", "ioc_supervisor", "ioc_operator", "viewer"])
def test_non_agency_role_with_an_agency_is_refused(session, role):
    make_agency(session, "SXD")

    with pytest.raises(InvalidInput) as raised:
        create_staff_user(
            session, username="nhanvien", role=role, password=PASSWORD, agency_code="SXD"
        )

    assert set(raised.value.details["fields"]) == {"agency"}
    assert _count_users(session) == 0


def test_duplicate_username_is_a_conflict(session):
    create_staff_user(session, username="admin", role="admin", password=PASSWORD)

    with pytest.raises(Conflict) as raised:
        create_staff_user(session, username="admin", role="viewer", password=PASSWORD)

    assert raised.value.details["fields"] == {"username": "admin"}
    assert _count_users(session) == 1


def test_short_password_is_refused(session):
    with pytest.raises(InvalidInput) as raised:
        create_staff_user(session, username="admin", role="admin", password="1234567")

    assert set(raised.value.details["fields"]) == {"password"}
    assert _count_users(session) == 0


def test_citizen_role_is_refused_for_staff_accounts(session):
    with pytest.raises(InvalidInput) as raised:
        create_staff_user(session, username="dan", role="citizen", password=PASSWORD)

    assert raised.value.details["fields"] == {"role": "citizen"}


def test_unknown_role_is_refused(session):
    with pytest.raises(InvalidInput) as raised:
        create_staff_user(session, username="sep", role="superuser", password=PASSWORD)

    assert raised.value.details["fields"] == {"role": "superuser"}
