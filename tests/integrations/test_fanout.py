"""Fan-out: which devices and webhooks hear about which events, with what text."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from ioc.db import unit_of_work
from ioc.events.marks import DISPATCHED, passed_through
from ioc.events.models import Event
from ioc.feedback.citizen_models import Device, ReportFollower
from ioc.feedback.intake.filing import Intake
from ioc.feedback.lifecycle.agency_work import accept_report, request_extension
from ioc.feedback.lifecycle.citizen_actions import support_report
from ioc.feedback.lifecycle.triage import (
    assign_report,
    decide_extension,
    reject_report,
    reopen_report,
    verify_report,
)
from ioc.integrations.fanout import dispatch_events
from ioc.integrations.models import WebhookSubscription
from ioc.integrations.webhooks import matches
from tests.factories import make_agency, make_category, make_policy, make_rule
from tests.integrations.conftest import (
    VN,
    Cast,
    deliveries,
    make_device,
    resolve,
    submit,
)

POLICY = make_policy()


def _fan_out(session: Session) -> None:
    dispatch_events(session, tz=VN)


def _pushes(session: Session) -> dict[str, list[dict]]:
    """Push payloads by device token, in order."""
    found: dict[str, list[dict]] = {}
    for delivery in deliveries(session, channel="push"):
        token = delivery_token(session, delivery.device_id)
        found.setdefault(token, []).append(delivery.payload)
    return found


def delivery_token(session: Session, device_id: int | None) -> str:
    return session.get(Device, device_id).token


def test_the_reporter_and_followers_hear_the_resolution_in_their_own_language(
    session: Session, intake: Intake, cast: Cast
) -> None:
    make_device(session, cast.reporter, "tok-lan", locale="vi")
    make_device(session, cast.follower, "tok-minh", locale="en")
    make_device(session, cast.stranger, "tok-hoa")
    report = submit(session, intake, reporter=cast.reporter)
    support_report(session, report=report, citizen_id=cast.follower.id)
    _fan_out(session)  # the filing and the support: nothing citizens wait for
    assert deliveries(session, channel="push") == []

    resolve(session, intake, cast, report, "Đã vá ổ gà, thông xe lúc 15 giờ")
    _fan_out(session)

    pushes = _pushes(session)
    assert set(pushes) == {"tok-lan", "tok-minh"}
    forwarded, resolved = pushes["tok-lan"]
    assert forwarded["title"] == f"Phản ánh {report.ref}"
    assert forwarded["body"] == "Đã chuyển đến Công ty Công trình đô thị xử lý."
    assert resolved["body"] == "Đã xử lý xong: Đã vá ổ gà, thông xe lúc 15 giờ"
    assert resolved["collapse_key"] == report.ref
    event = session.scalars(select(Event).where(Event.type == "report.resolved")).one()
    assert resolved["data"] == {
        "ref": report.ref,
        "seq": str(event.seq),
        "event": "report.resolved",
        "status": "resolved",
        # A tap opens the report on the citizen page.
        "link": f"http://localhost:5000/report?ref={report.ref}",
    }
    english = [p["body"] for p in pushes["tok-minh"]]
    assert english == [
        "Forwarded to Urban Works for handling.",
        "Resolved: Đã vá ổ gà, thông xe lúc 15 giờ",
    ]
    assert pushes["tok-minh"][0]["title"] == f"Report {report.ref}"


def test_in_one_batch_each_report_reaches_its_own_people_only(
    session: Session, intake: Intake, cast: Cast
) -> None:
    make_device(session, cast.reporter, "tok-lan")
    make_device(session, cast.reporter, "tok-lan-tablet")
    make_device(session, cast.follower, "tok-minh")
    make_device(session, cast.stranger, "tok-hoa")
    lans = submit(session, intake, reporter=cast.reporter)
    hoas = submit(session, intake, reporter=cast.stranger)
    support_report(session, report=lans, citizen_id=cast.follower.id)
    resolve(session, intake, cast, lans, "Đã vá")
    resolve(session, intake, cast, hoas, "Đã dọn")

    _fan_out(session)  # every event above, in one batch

    refs = {token: {p["data"]["ref"] for p in found} for token, found in _pushes(session).items()}
    assert refs == {
        "tok-lan": {lans.ref},
        "tok-lan-tablet": {lans.ref},
        "tok-minh": {lans.ref},
        "tok-hoa": {hoas.ref},
    }
    lan_resolved = [p["body"] for p in _pushes(session)["tok-lan"] if "Đã vá" in p["body"]]
    assert lan_resolved == ["Đã xử lý xong: Đã vá"]


def test_rejection_reopening_and_extension_are_announced_with_their_facts(
    session: Session, intake: Intake, cast: Cast
) -> None:
    make_device(session, cast.reporter, "tok-lan")
    rejected = submit(session, intake, reporter=cast.reporter)
    verify_report(session, report=rejected, actor=cast.operator, note="gọi lại, không liên lạc")
    reject_report(
        session, policy=POLICY, report=rejected, actor=cast.operator, reason="Ngoài phạm vi xử lý"
    )
    reopened = submit(session, intake, reporter=cast.reporter)
    resolve(session, intake, cast, reopened, "Đã xử lý")
    reopened.rating = "unsatisfied"
    reopen_report(
        session,
        policy=intake.policy,
        report=reopened,
        actor=cast.supervisor,
        reason="Chưa hài lòng",
    )
    accept_report(session, report=reopened, actor=cast.officer)
    assert reopened.due_at is not None
    until = reopened.due_at + timedelta(days=2)
    request_extension(
        session,
        policy=POLICY,
        report=reopened,
        actor=cast.officer,
        until=until,
        reason="Chờ vật tư",
    )
    decide_extension(
        session, policy=POLICY, report=reopened, actor=cast.supervisor, approve=True, note=None
    )
    _fan_out(session)

    bodies = [p["body"] for p in _pushes(session)["tok-lan"]]
    assert bodies == [
        "Phản ánh không được tiếp nhận: Ngoài phạm vi xử lý",
        "Đã chuyển đến Công ty Công trình đô thị xử lý.",
        "Đã xử lý xong: Đã xử lý",
        "Phản ánh được mở lại và tiếp tục xử lý với thời hạn mới.",
        f"Thời hạn xử lý được gia hạn đến {until.astimezone(VN):%H:%M %d/%m/%Y}.",
    ]


def test_a_report_routed_to_an_agency_on_arrival_tells_the_reporter_at_once(
    session: Session, intake: Intake, cast: Cast
) -> None:
    category = make_category(session, "den", is_auto_dispatch=True)
    make_rule(session, category, "P", make_agency(session, "DIEN", name_vi="Điện lực"))
    make_device(session, cast.reporter, "tok-lan")
    submit(session, intake, reporter=cast.reporter, category="den")
    _fan_out(session)

    assert [p["body"] for p in _pushes(session)["tok-lan"]] == ["Đã chuyển đến Điện lực xử lý."]


def test_a_report_filed_without_a_citizen_sends_no_push(
    session: Session, intake: Intake, cast: Cast
) -> None:
    make_device(session, cast.stranger, "tok-hoa")
    report = submit(session, intake, reporter=None)
    resolve(session, intake, cast, report, "Đã xử lý")
    _fan_out(session)

    assert deliveries(session, channel="push") == []
    dispatched = passed_through(session, DISPATCHED)
    assert session.scalar(select(Event).where(Event.seq > dispatched)) is None


def test_a_private_report_tells_its_reporter_only_and_no_webhook(
    session: Session, intake: Intake, cast: Cast
) -> None:
    session.add(WebhookSubscription(name="all", url="http://x.test/", secret="s", event_types=[]))
    make_device(session, cast.reporter, "tok-lan")
    make_device(session, cast.follower, "tok-minh")
    report = submit(session, intake, reporter=cast.reporter, category="an_ninh")
    # Even a follower who got there somehow (a merge) must not hear about a private report.
    session.add(ReportFollower(report_id=report.id, user_id=cast.follower.id))
    resolve(session, intake, cast, report, "Đã chuyển công an phường")
    _fan_out(session)

    assert set(_pushes(session)) == {"tok-lan"}
    assert deliveries(session, channel="webhook") == []


def test_webhooks_hear_the_events_their_filters_select_without_the_reporter(
    session: Session, intake: Intake, cast: Cast
) -> None:
    subscriptions = {
        name: WebhookSubscription(name=name, url="http://x.test/", secret="s", event_types=types)
        for name, types in {
            "resolved": ["report.resolved"],
            "reports": ["report.*"],
            "everything": [],
            "surges": ["surge.detected"],
        }.items()
    }
    subscriptions["off"] = WebhookSubscription(
        name="off", url="http://x.test/", secret="s", event_types=[], is_active=False
    )
    session.add_all(subscriptions.values())
    report = submit(session, intake, reporter=cast.reporter)
    resolve(session, intake, cast, report, "Đã vá")
    _fan_out(session)

    heard: dict[str, list[str]] = {}
    for delivery in deliveries(session, channel="webhook"):
        name = session.get(WebhookSubscription, delivery.subscription_id).name
        heard.setdefault(name, []).append(delivery.payload["type"])
    chain = ["report.created", "report.assigned", "report.accepted", "report.resolved"]
    assert heard == {"resolved": ["report.resolved"], "reports": chain, "everything": chain}
    envelope = deliveries(session, channel="webhook")[-1].payload
    assert envelope["data"]["ref"] == report.ref
    assert envelope["occurred_at"].endswith("+00:00")
    assert envelope["id"] == envelope["seq"]
    assert set(envelope) == {"id", "seq", "type", "occurred_at", "data"}
    assert not [key for key in envelope["data"] if key.startswith(("reporter", "user", "citizen"))]
    assert cast.reporter.firebase_uid not in json.dumps(envelope)
    assert cast.reporter.display_name not in envelope["data"].values()


def test_nothing_is_fanned_out_for_a_change_that_rolled_back(
    session_factory: sessionmaker[Session], intake: Intake, cast: Cast, session: Session
) -> None:
    make_device(session, cast.reporter, "tok-lan")
    report = submit(session, intake, reporter=cast.reporter)
    _fan_out(session)
    session.commit()

    def reject_then_fail() -> None:
        with unit_of_work(session_factory) as other:
            again = other.get(type(report), report.id)
            reject_report(
                other, policy=POLICY, report=again, actor=other.merge(cast.operator), reason="Sai"
            )
            raise RuntimeError("the use case failed after the rejection")

    with pytest.raises(RuntimeError):
        reject_then_fail()
    with unit_of_work(session_factory) as other:
        fanned = dispatch_events(other, tz=VN)

    assert fanned.events == 0
    assert deliveries(session, channel="push") == []


def test_assigning_to_an_agency_names_it_and_verifying_tells_nobody(
    session: Session, intake: Intake, cast: Cast
) -> None:
    make_device(session, cast.reporter, "tok-lan", locale="en")
    report = submit(session, intake, reporter=cast.reporter)
    verify_report(session, report=report, actor=cast.operator, note="internal")
    assign_report(
        session, policy=intake.policy, report=report, actor=cast.operator, agency_code="LEAD"
    )
    _fan_out(session)

    assert [p["body"] for p in _pushes(session)["tok-lan"]] == [
        "Forwarded to Urban Works for handling."
    ]


@pytest.mark.parametrize(
    ("filters", "event_type", "expected"),
    [
        ([], "report.created", True),
        (["report.*"], "report.resolved", True),
        (["report.*"], "surge.detected", False),
        (["report.resolved"], "report.resolved", True),
        (["report.resolved"], "report.resolved_again", False),
        (["report.resolved", "surge.*"], "surge.detected", True),
    ],
)
def test_subscription_filters(filters: list[str], event_type: str, expected: bool) -> None:
    assert matches(filters, event_type) is expected
