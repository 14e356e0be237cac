"""Fixtures for the staff APIs: a province, three agencies, every staff role signed in, a
citizen who files reports, and shortcuts that move a report to any state.

Staff users are plain rows sharing one password hash made with cheap Argon2 parameters (the
parameters travel inside the hash, so signing in checks it quickly); their bearer tokens come
from the real sign-in use case. Citizens use unsigned Firebase Auth emulator tokens.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import pytest
from argon2 import PasswordHasher
from flask import Flask
from sqlalchemy.orm import Session

from ioc.db import utcnow
from ioc.feedback.intake.filing import Intake, submit_report
from ioc.feedback.lifecycle import agency_work, citizen_actions, triage
from ioc.feedback.lifecycle.citizen_actions import Rating
from ioc.feedback.models import Agency, Category, User
from ioc.feedback.people.staff_sessions import sign_in
from ioc.feedback.report_models import Report
from ioc.identity import emulator_token
from tests.factories import make_agency, make_category, make_province_with_two_communes, make_rule

EMULATOR_HOST = "127.0.0.1:9099"
PASSWORD = "x" * 10
# One hash for every staff user; cheap parameters, checked for real at each sign-in.
PASSWORD_HASH = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1).hash(PASSWORD)

IN_A = (108.05, 16.05)  # commune A, west half of province P
IN_B = (108.15, 16.05)  # commune B, east half

REPORTER_NAME = "Phạm Thị Hồng Nhung"
REPORTER_PHONE = "+84905777123"
REPORTER_UID = "uid-nhung-4Rt8"

#: Who may call: staff users by their username, plus two callers who are not staff.
STAFF = {
    "admin": ("admin", None),
    "ioc_supervisor": ("ioc_supervisor", None),
    "ioc_operator": ("ioc_operator", None),
    "viewer": ("viewer", None),
    "sxd_officer": ("agency_officer", "SXD"),
    "sxd_manager": ("agency_manager", "SXD"),
    "mtdt_officer": ("agency_officer", "MTDT"),
}
CALLERS = ("anonymous", "citizen", *STAFF)


@pytest.fixture(autouse=True)
def firebase_emulator(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FIREBASE_AUTH_EMULATOR_HOST", EMULATOR_HOST)


@dataclass
class World:
    session: Session
    intake: Intake
    sxd: Agency
    mtdt: Agency
    ca: Agency
    lighting: Category  # no photo needed to resolve
    potholes: Category  # a photo of the result is required
    reporter: User
    users: dict[str, User]
    headers: dict[str, dict[str, str]] = field(default_factory=dict)

    # ---- reports in every state, moved there by the real use cases ----

    def new_report(
        self,
        category: Category | None = None,
        *,
        at: tuple[float, float] = IN_A,
        received_at: datetime | None = None,
        description: str = "Đèn đường tắt cả tuần nay",
        reporter: User | None = None,
    ) -> Report:
        """A citizen's report waiting in the IOC queue (pending_review)."""
        return submit_report(
            self.session,
            self.intake,
            category_code=(category or self.lighting).code,
            lon=at[0],
            lat=at[1],
            channel="phone",
            description=description,
            reporter_id=(reporter or self.reporter).id,
            received_at=received_at,
        )

    def assigned(
        self,
        lead: str = "SXD",
        supporting: Sequence[str] = (),
        category: Category | None = None,
    ) -> Report:
        report = self.new_report(category)
        triage.assign_report(
            self.session,
            policy=self.intake.policy,
            report=report,
            actor=self.users["ioc_operator"],
            agency_code=lead,
            supporting_codes=supporting,
        )
        self.session.flush()
        return report

    def in_progress(
        self,
        lead: str = "SXD",
        supporting: Sequence[str] = (),
        category: Category | None = None,
    ) -> Report:
        report = self.assigned(lead, supporting, category)
        agency_work.accept_report(self.session, report=report, actor=self.officer_of(lead))
        self.session.flush()
        return report

    def with_extension_request(self, lead: str = "SXD") -> Report:
        report = self.in_progress(lead)
        agency_work.request_extension(
            self.session,
            policy=self.intake.policy,
            report=report,
            actor=self.officer_of(lead),
            until=report.due_at + timedelta(days=3),
            reason="Chờ vật tư thay bóng đèn",
        )
        self.session.flush()
        return report

    def resolved(self, lead: str = "SXD") -> Report:
        report = self.in_progress(lead)
        agency_work.resolve_report(
            self.session,
            policy=self.intake.policy,
            report=report,
            actor=self.officer_of(lead),
            answer="Đã thay bóng đèn",
            photos=[],
        )
        self.session.flush()
        return report

    def rated_unsatisfied(self, lead: str = "SXD") -> Report:
        report = self.resolved(lead)
        citizen_actions.rate_report(
            self.session,
            report=report,
            citizen_id=self.reporter.id,
            rating=Rating.UNSATISFIED,
            comment="Đèn vẫn chập chờn",
        )
        self.session.flush()
        return report

    def rejected(self) -> Report:
        report = self.new_report()
        triage.reject_report(
            self.session,
            policy=self.intake.policy,
            report=report,
            actor=self.users["ioc_operator"],
            reason="Không rõ",
        )
        self.session.flush()
        return report

    def officer_of(self, code: str) -> User:
        """An agency officer of ``code`` (a row made on demand for agencies without one)."""
        for key, user in self.users.items():
            if user.agency is not None and user.agency.code == code and "officer" in key:
                return user
        user = User(
            role="agency_officer",
            username=f"{code.lower()}.canbo",
            agency=self.agency(code),
            password_hash=PASSWORD_HASH,
        )
        self.session.add(user)
        self.session.flush()
        self.users[f"{code.lower()}_officer"] = user
        return user

    def agency(self, code: str) -> Agency:
        return {"SXD": self.sxd, "MTDT": self.mtdt, "CA": self.ca}[code]

    def sign_in_again(self) -> None:
        """New sessions for every staff member, from "now": for tests that move the clock
        further than a session lasts."""
        for username in self.users:
            signed = sign_in(self.session, username=username, password=PASSWORD)
            self.headers[username] = {"Authorization": f"Bearer {signed.token}"}
        self.session.flush()

    def refresh(self, report: Report) -> Report:
        """The report as the app left it (the test session's copy is stale after a request)."""
        self.session.expire_all()
        return self.session.get_one(Report, report.id)


@pytest.fixture
def world(session: Session, intake: Intake, app: Flask) -> World:
    """Province P (communes A and B), agencies SXD, MTDT and CA, two categories routed to SXD,
    every staff role signed in, and the citizen who files the reports."""
    make_province_with_two_communes(session)
    sxd = make_agency(session, "SXD", name_vi="Sở Xây dựng", area_code="P")
    mtdt = make_agency(session, "MTDT", name_vi="Công ty Môi trường Đô thị", area_code="P")
    ca = make_agency(session, "CA", name_vi="Công an tỉnh", area_code="P")
    lighting = make_category(
        session, "den_duong", name_vi="Đèn đường", sla_tier="normal", is_auto_dispatch=False
    )
    potholes = make_category(
        session,
        "o_ga",
        name_vi="Ổ gà",
        sla_tier="urgent",
        sla_target_hours=4,
        is_auto_dispatch=False,
        is_photo_required=True,
        is_after_photo_required=True,
    )
    make_rule(session, lighting, "P", sxd)
    make_rule(session, potholes, "P", sxd, supporting=[mtdt])

    reporter = User(
        role="citizen",
        firebase_uid=REPORTER_UID,
        display_name=REPORTER_NAME,
        phone=REPORTER_PHONE,
    )
    session.add(reporter)
    agencies = {"SXD": sxd, "MTDT": mtdt}
    users = {
        username: User(
            role=role,
            username=username,
            display_name=f"Cán bộ {username}",
            agency=agencies[code] if code else None,
            password_hash=PASSWORD_HASH,
        )
        for username, (role, code) in STAFF.items()
    }
    session.add_all(users.values())
    session.flush()

    project_id = app.extensions["ioc"].settings.firebase_project_id
    citizen_token = emulator_token(
        project_id=project_id, uid=REPORTER_UID, name=REPORTER_NAME, phone=REPORTER_PHONE
    )
    headers = {
        "anonymous": {},
        "citizen": {"Authorization": f"Bearer {citizen_token}"},
    }
    for username in users:
        signed = sign_in(session, username=username, password=PASSWORD)
        headers[username] = {"Authorization": f"Bearer {signed.token}"}
    session.flush()
    return World(
        session=session,
        intake=intake,
        sxd=sxd,
        mtdt=mtdt,
        ca=ca,
        lighting=lighting,
        potholes=potholes,
        reporter=reporter,
        users=users,
        headers=headers,
    )


def past(hours: float) -> datetime:
    return utcnow() - timedelta(hours=hours)
