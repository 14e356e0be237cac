"""The policy in force for this process: the province's own text in the database when it has
one (edited in the admin console or loaded from a pack), else the files the settings name.

Every process notices an edit made by another one: the holder re-reads the profile's
``revision`` at most every ``check_seconds`` (as the area index does) and rebuilds the policy
when it moved, so no restart is needed.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from ioc.db import READ_ONLY
from ioc.feedback.models import ProvinceProfile
from ioc.feedback.sla.calendar import DEFAULT_HOLIDAYS_FILE, parse_calendar
from ioc.feedback.sla.policy import DEFAULT_POLICY_FILE, SlaPolicy, parse_policy_text

log = logging.getLogger(__name__)

#: The revision read when there is no profile row (or no table yet): the files apply.
NO_PROFILE = -1


@dataclass(frozen=True)
class PolicyFiles:
    """Where the policy and the holidays come from when the database has none."""

    timezone: ZoneInfo
    policy_file: Path | None = None
    holidays_file: Path | None = None

    def policy_text(self) -> str:
        return (self.policy_file or DEFAULT_POLICY_FILE).read_text(encoding="utf-8")

    def holidays_text(self) -> str:
        return (self.holidays_file or DEFAULT_HOLIDAYS_FILE).read_text(encoding="utf-8")


def build_policy(
    timezone: ZoneInfo, *, policy_text: str, holidays_text: str, source: str
) -> SlaPolicy:
    """The policy of ``policy_text`` with the calendar of ``holidays_text``.

    Raises:
        ValueError: either text is malformed; the message names ``source`` and the key/entry.
    """
    rules = parse_policy_text(policy_text, source=f"{source} (policy)")
    calendar = parse_calendar(
        timezone, holidays_text, source=f"{source} (holidays)", week=rules.office_hours.week()
    )
    return SlaPolicy(calendar=calendar, rules=rules)


class PolicyHolder:
    """The process's :class:`SlaPolicy`, rebuilt when the province profile's revision moves.

    ``pin`` fixes a policy (tests, benchmarks): the database is then not consulted.
    """

    def __init__(
        self, files: PolicyFiles, *, initial: SlaPolicy, check_seconds: float = 2.0
    ) -> None:
        self._files = files
        self._check_seconds = check_seconds
        self._policy = initial
        self._revision: int | None = None  # unknown until the first check
        self._checked_at = 0.0
        self._pinned = False
        self._lock = threading.Lock()

    @property
    def files(self) -> PolicyFiles:
        return self._files

    def pin(self, policy: SlaPolicy) -> None:
        self._policy, self._pinned = policy, True

    def current(self, session_factory: Callable[[], Session]) -> SlaPolicy:
        if self._pinned:
            return self._policy
        now = time.monotonic()
        if self._revision is not None and now - self._checked_at < self._check_seconds:
            return self._policy
        with self._lock:
            try:
                with session_factory() as session:
                    session.connection(execution_options={READ_ONLY: True})
                    revision = _revision(session)
                    # The files were read at start-up already: no need to read them again.
                    unchanged_files = self._revision is None and revision == NO_PROFILE
                    if revision != self._revision and not unchanged_files:
                        self._policy = self._rebuild(session, revision)
                        self._revision = revision
            except SQLAlchemyError:
                # The database is out of reach: whatever the request does next will say so;
                # the deadlines keep the policy last read.
                log.warning("cannot check the SLA policy's revision; keeping the last one")
            self._checked_at = now
            return self._policy

    def _rebuild(self, session: Session, revision: int) -> SlaPolicy:
        profile = session.get(ProvinceProfile, 1) if revision != NO_PROFILE else None
        policy_text = (profile.sla_policy_toml if profile else None) or self._files.policy_text()
        holidays_text = (profile.holidays_toml if profile else None) or (
            self._files.holidays_text()
        )
        try:
            policy = build_policy(
                self._files.timezone,
                policy_text=policy_text,
                holidays_text=holidays_text,
                source="the province profile" if profile else "the policy files",
            )
        except ValueError:
            # Edits are checked before they are saved; keep the last good policy regardless.
            log.exception(
                "the SLA policy of revision %s is invalid; keeping the last one", revision
            )
            return self._policy
        log.info("SLA policy loaded: province profile revision %s", revision)
        return policy


def _revision(session: Session) -> int:
    try:
        found = session.scalar(select(ProvinceProfile.revision).where(ProvinceProfile.id == 1))
    except SQLAlchemyError:
        # A database not migrated yet (``ioc db upgrade`` not run): the files apply.
        session.rollback()
        return NO_PROFILE
    return NO_PROFILE if found is None else found
