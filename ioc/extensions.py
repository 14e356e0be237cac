"""Process-wide services the adapters share, wired to an app by :func:`init_app`."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from flask import Flask, current_app
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from ioc.config import ConfigurationError, Settings
from ioc.db import make_engine, make_session_factory, unit_of_work
from ioc.feedback.intake.catalogue import Catalogue
from ioc.feedback.intake.filing import Intake
from ioc.feedback.people.citizens import CitizenAccounts
from ioc.feedback.sla.calendar import DEFAULT_HOLIDAYS_FILE, load_calendar
from ioc.feedback.sla.policy import DEFAULT_POLICY_FILE, SlaPolicy, read_policy_file
from ioc.feedback.sla.policy_source import PolicyFiles, PolicyHolder
from ioc.geo.service import AreaLocator
from ioc.identity import FirebaseTokenVerifier, TokenVerifier
from ioc.media import MediaStore

log = logging.getLogger(__name__)


@dataclass
class Services:
    settings: Settings
    engine: Engine
    session_factory: sessionmaker[Session]
    locator: AreaLocator
    policies: PolicyHolder
    token_verifier: TokenVerifier
    media: MediaStore
    _pinned_intake: Intake | None = None
    #: Citizens signed in lately, so their next requests skip the account lookup.
    citizen_accounts: CitizenAccounts = field(default_factory=CitizenAccounts)
    #: The categories, agencies and routing rules every filing reads, kept in process.
    catalogue: Catalogue = field(default_factory=Catalogue)

    @property
    def policy(self) -> SlaPolicy:
        """The deadline policy in force (the province profile's, re-read when it changes)."""
        return self.policies.current(self.session_factory)

    @policy.setter
    def policy(self, value: SlaPolicy) -> None:
        self.policies.pin(value)

    @property
    def intake(self) -> Intake:
        if self._pinned_intake is not None:
            return self._pinned_intake
        return Intake(locator=self.locator, policy=self.policy, catalogue=self.catalogue)

    @intake.setter
    def intake(self, value: Intake) -> None:
        self._pinned_intake = value

    @contextmanager
    def unit_of_work(self) -> Iterator[Session]:
        with unit_of_work(self.session_factory) as session:
            yield session


def init_app(app: Flask, settings: Settings) -> Services:
    """Build the services for ``settings`` and attach them to ``app``.

    Raises:
        ConfigurationError: the SLA policy (IOC_SLA_POLICY_FILE) or the holidays file
            (IOC_HOLIDAYS_FILE) is missing or malformed.
    """
    policy = sla_policy(settings)
    engine = make_engine(settings.database_url, **pool_limits(settings))
    locator = AreaLocator(check_seconds=settings.area_index_check_seconds)
    services = Services(
        settings=settings,
        engine=engine,
        session_factory=make_session_factory(engine),
        locator=locator,
        policies=PolicyHolder(
            PolicyFiles(
                timezone=settings.tz,
                policy_file=settings.sla_policy_file,
                holidays_file=settings.holidays_file,
            ),
            initial=policy,
            check_seconds=settings.area_index_check_seconds,
        ),
        token_verifier=FirebaseTokenVerifier(settings.firebase_project_id),
        media=MediaStore(settings.media_dir),
    )
    app.extensions["ioc"] = services
    return services


def pool_limits(settings: Settings) -> dict[str, Any]:
    """How many connections a process may hold and how long it waits for one (PostgreSQL; an
    embedded SQLite database keeps SQLAlchemy's defaults)."""
    if settings.is_sqlite:
        return {}
    return {
        "pool_size": settings.db_pool_size,
        "max_overflow": settings.db_max_overflow,
        "pool_timeout": settings.db_pool_timeout_ms / 1000,
    }


def sla_policy(settings: Settings) -> SlaPolicy:
    """The province's deadline policy with its working calendar (office hours + holidays).

    Raises:
        ConfigurationError: the policy or the holidays file is missing, unreadable or
            malformed; the message names the setting, the file and each wrong key.
    """
    policy_path = settings.sla_policy_file or DEFAULT_POLICY_FILE
    holidays_path = settings.holidays_file or DEFAULT_HOLIDAYS_FILE
    try:
        rules = read_policy_file(policy_path)
    except OSError as exc:
        raise ConfigurationError(
            f"IOC_SLA_POLICY_FILE: cannot read the SLA policy {policy_path}: {exc.strerror or exc}"
        ) from exc
    except ValueError as exc:
        raise ConfigurationError(f"IOC_SLA_POLICY_FILE: invalid SLA policy: {exc}") from exc
    try:
        calendar = load_calendar(settings.tz, holidays_path, week=rules.office_hours.week())
    except OSError as exc:
        raise ConfigurationError(
            f"IOC_HOLIDAYS_FILE: cannot read the holidays file {holidays_path}: "
            f"{exc.strerror or exc}"
        ) from exc
    except ValueError as exc:
        raise ConfigurationError(f"IOC_HOLIDAYS_FILE: invalid holidays file: {exc}") from exc
    this_year = datetime.now(settings.tz).year
    if not any(day.year == this_year for day in calendar.holidays):
        # Deadlines would silently run through Tết: the file needs this year's schedule.
        log.warning(
            "the holidays file %s lists no holiday in %s; deadlines ignore public holidays "
            "until it is updated (IOC_HOLIDAYS_FILE)",
            holidays_path,
            this_year,
        )
    return SlaPolicy(calendar=calendar, rules=rules)


def services() -> Services:
    """The services of the current app (inside a request, CLI command or app context)."""
    found = current_app.extensions["ioc"]
    if not isinstance(found, Services):
        raise RuntimeError("the app was not built by ioc.app.create_app")
    return found
