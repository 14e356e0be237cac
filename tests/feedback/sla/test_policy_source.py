"""The process's deadline policy follows the province profile, read beside a request's own
transaction (on SQLite too, where a transaction holding the write lock is already open)."""

from __future__ import annotations

from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import event

from ioc.db import make_engine, make_session_factory
from ioc.feedback.models import Agency, ProvinceProfile
from ioc.feedback.sla.policy import DEFAULT_POLICY_FILE
from ioc.feedback.sla.policy_source import PolicyFiles, PolicyHolder
from ioc.migrate import upgrade
from tests.factories import make_policy

VN = ZoneInfo("Asia/Ho_Chi_Minh")


def _short_busy_timeout(dbapi_connection: Any, _record: Any) -> None:
    # A lock wait fails fast instead of after the production timeout.
    dbapi_connection.execute("PRAGMA busy_timeout=200")


def test_the_policy_is_reread_while_the_requests_transaction_holds_the_write_lock(
    tmp_path: Path,
) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'ioc.sqlite3'}")
    event.listen(engine, "connect", _short_busy_timeout)
    upgrade(engine)
    factory = make_session_factory(engine)
    text = DEFAULT_POLICY_FILE.read_text().replace("urgent_hours = 2", "urgent_hours = 3")
    with factory.begin() as setup:
        setup.add(
            ProvinceProfile(
                code="HM",
                name_vi="Hải Minh",
                time_zone="Asia/Ho_Chi_Minh",
                sla_policy_toml=text,
                revision=1,
            )
        )
    initial = make_policy()
    holder = PolicyHolder(PolicyFiles(timezone=VN), initial=initial, check_seconds=0)

    with factory() as request:
        request.add(Agency(code="X", name_vi="Cơ quan X"))
        request.flush()  # the request's transaction now holds SQLite's write lock
        policy = holder.current(factory)

    assert policy is not initial
    assert policy.rules.receipt.urgent_hours == 3
    engine.dispose()
