"""Process-wide services the adapters share, wired to an app by :func:`init_app`."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from flask import Flask, current_app
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from ioc.config import Settings
from ioc.db import make_engine, make_session_factory, unit_of_work
from ioc.feedback.service import Intake
from ioc.feedback.sla import WorkingCalendar
from ioc.geo.service import AreaLocator
from ioc.identity import FirebaseTokenVerifier, TokenVerifier
from ioc.media import MediaStore


@dataclass
class Services:
    settings: Settings
    engine: Engine
    session_factory: sessionmaker[Session]
    locator: AreaLocator
    intake: Intake
    token_verifier: TokenVerifier
    media: MediaStore

    @contextmanager
    def unit_of_work(self) -> Iterator[Session]:
        with unit_of_work(self.session_factory) as session:
            yield session


def init_app(app: Flask, settings: Settings) -> Services:
    engine = make_engine(settings.database_url)
    locator = AreaLocator(check_seconds=settings.area_index_check_seconds)
    services = Services(
        settings=settings,
        engine=engine,
        session_factory=make_session_factory(engine),
        locator=locator,
        intake=Intake(locator=locator, calendar=WorkingCalendar(timezone=settings.tz)),
        token_verifier=FirebaseTokenVerifier(settings.firebase_project_id),
        media=MediaStore(settings.media_dir),
    )
    app.extensions["ioc"] = services
    return services


def services() -> Services:
    """The services of the current app (inside a request, CLI command or app context)."""
    return current_app.extensions["ioc"]
