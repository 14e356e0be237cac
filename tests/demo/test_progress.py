"""The demo's simulated staff move simulated reports through their life."""

from __future__ import annotations

import random

from sqlalchemy import select

from ioc.demo.progress import advance_one
from ioc.demo.seed import seed_demo
from ioc.demo.simulator import simulate_report
from ioc.feedback.report_models import Report


def test_simulated_staff_assign_accept_and_resolve_simulated_reports(app, session):
    services = app.extensions["ioc"]
    seed_demo(session)
    rng = random.Random(7)
    refs = [simulate_report(session, services.intake, rng).ref for _ in range(4)]

    for _ in range(40):
        advance_one(services, rng)

    session.expire_all()
    statuses = set(session.scalars(select(Report.status).where(Report.ref.in_(refs))))
    assert statuses <= {"resolved", "rejected"}
    resolved = session.scalars(
        select(Report).where(Report.ref.in_(refs), Report.status == "resolved")
    ).all()
    for report in resolved:
        assert report.result_text
        if report.category.is_after_photo_required:
            assert any(a.purpose == "after" for a in report.attachments)


def test_nothing_to_advance_without_simulated_reports(app, session):
    seed_demo(session)

    assert advance_one(app.extensions["ioc"], random.Random(1)) is None
