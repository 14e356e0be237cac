"""Citizen accounts: the first sign-in creates one account, however many requests make it."""

from __future__ import annotations

import threading
import time
import uuid

import pytest
from sqlalchemy import Engine, delete, func, select, text
from sqlalchemy.orm import sessionmaker

from ioc.feedback.models import User
from ioc.feedback.people.citizens import ensure_citizen


def _waiting_on_a_lock(engine: Engine) -> bool:
    with engine.connect() as connection:
        return bool(
            connection.scalar(
                text(
                    "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
                    " AND wait_event_type = 'Lock'"
                )
            )
        )


@pytest.mark.postgis
def test_two_first_requests_of_one_citizen_share_one_account(postgis_engine: Engine) -> None:
    # The app sends several requests at start-up with a fresh token: each finds no account
    # and inserts one; the second insert waits for the first transaction, then must find
    # the account it committed instead of failing with a 500.
    uid = f"race-{uuid.uuid4().hex}"
    factory = sessionmaker(postgis_engine, expire_on_commit=False)
    found: dict[str, int] = {}
    first = factory()
    try:
        created = ensure_citizen(first, uid=uid, name="Nguyễn Văn An", phone=None, email=None)

        def second_request() -> None:
            with factory() as second:
                citizen = ensure_citizen(second, uid=uid, name=None, phone="0905123456", email=None)
                second.commit()
                found["id"] = citizen.id

        thread = threading.Thread(target=second_request)
        thread.start()
        deadline = time.monotonic() + 10
        while not _waiting_on_a_lock(postgis_engine):
            assert time.monotonic() < deadline, "the second request never reached its insert"
            time.sleep(0.02)
        first.commit()
        thread.join(timeout=10)

        assert found["id"] == created.id
        with factory() as check:
            accounts = check.scalars(select(User).where(User.firebase_uid == uid)).all()
            assert [(a.display_name, a.phone) for a in accounts] == [
                ("Nguyễn Văn An", "0905123456")
            ]
    finally:
        first.close()
        with factory() as cleanup:
            cleanup.execute(delete(User).where(User.firebase_uid == uid))
            cleanup.commit()


def test_a_later_sign_in_fills_in_claims_without_blanking_others(session) -> None:
    ensure_citizen(session, uid="u-1", name="Trần Thị Bình", phone=None, email=None)
    citizen = ensure_citizen(session, uid="u-1", name=None, phone="0905000111", email=None)

    assert (citizen.display_name, citizen.phone) == ("Trần Thị Bình", "0905000111")
    count = session.scalar(select(func.count()).select_from(User).where(User.firebase_uid == "u-1"))
    assert count == 1
