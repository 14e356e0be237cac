"""The agency as a team (/api/agency/v1): a manager assigns reports to officers, and in an
agency that requires sign-off an officer's answer waits for the manager's approval before the
citizen or the public sees anything of it."""

from __future__ import annotations

from sqlalchemy import select

from ioc.events.models import Event
from ioc.feedback.report_models import AuditEntry, ExtensionRequest
from tests.staff_api.conftest import PASSWORD_HASH, World
from tests.staff_api.test_agency_api import AGENCY, as_agency, jpeg, media_dir, resolve_with

__all__ = ["media_dir"]  # the fixture, for the photo tests


def sign_off_on(world: World) -> None:
    world.sxd.requires_sign_off = True
    world.session.flush()


def second_officer(world: World) -> str:
    from ioc.feedback.models import User
    from ioc.feedback.people.staff_sessions import sign_in
    from tests.staff_api.conftest import PASSWORD

    user = User(
        role="agency_officer",
        username="sxd_officer2",
        display_name="Trần Văn Bình",
        agency=world.sxd,
        password_hash=PASSWORD_HASH,
    )
    world.session.add(user)
    world.session.flush()
    signed = sign_in(world.session, username=user.username, password=PASSWORD)
    world.headers[user.username] = {"Authorization": f"Bearer {signed.token}"}
    world.session.flush()
    return user.username


def citizen_view(client, world: World, ref: str) -> dict:
    response = client.get(f"/api/mobile/v1/reports/{ref}", headers=world.headers["citizen"])
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def public_results(client) -> list[dict]:
    return client.get("/api/public/v1/results").get_json()["items"]


# ---- assignment ----


def test_manager_assigns_a_report_to_an_officer_and_the_change_is_audited(client, world):
    report = world.assigned("SXD")

    response = as_agency(
        client,
        world,
        "POST",
        f"/reports/{report.ref}/assignee",
        json={"username": "sxd_officer"},
        who="sxd_manager",
    )

    assert response.status_code == 200, response.get_json()
    assert response.get_json()["assignee"] == {
        "username": "sxd_officer",
        "full_name": "Cán bộ sxd_officer",
    }
    entry = world.session.scalars(
        select(AuditEntry).where(
            AuditEntry.action == "assign_officer", AuditEntry.target_ref == report.ref
        )
    ).one()
    assert (entry.before, entry.after) == ({"assignee": None}, {"assignee": "sxd_officer"})
    event = world.session.scalars(
        select(Event).where(Event.type == "report.assignee_changed")
    ).one()
    assert event.payload["assignee"] == "sxd_officer"
    timeline = as_agency(client, world, "GET", f"/reports/{report.ref}").get_json()["timeline"]
    assert timeline[-1]["action"] == "assign_officer"
    assert timeline[-1]["is_public"] is False


def test_reassignment_records_before_and_after(client, world):
    report = world.assigned("SXD")
    other = second_officer(world)
    for username in ("sxd_officer", other):
        as_agency(
            client,
            world,
            "POST",
            f"/reports/{report.ref}/assignee",
            json={"username": username},
            who="sxd_manager",
        )

    entries = world.session.scalars(
        select(AuditEntry)
        .where(AuditEntry.action == "assign_officer", AuditEntry.target_ref == report.ref)
        .order_by(AuditEntry.id)
    ).all()
    assert [(e.before, e.after) for e in entries][-1] == (
        {"assignee": "sxd_officer"},
        {"assignee": other},
    )


def test_an_officer_takes_an_unassigned_report_but_cannot_give_one_away(client, world):
    report = world.assigned("SXD")
    other = second_officer(world)
    path = f"/reports/{report.ref}/assignee"

    giving = as_agency(client, world, "POST", path, json={"username": other})
    taking = as_agency(client, world, "POST", path, json={"username": "sxd_officer"})
    stealing = as_agency(client, world, "POST", path, json={"username": other}, who=other)
    unassigning = as_agency(client, world, "POST", path, json={"username": None})

    assert giving.status_code == 403
    assert taking.status_code == 200
    assert taking.get_json()["assignee"]["username"] == "sxd_officer"
    assert stealing.status_code == 403
    assert unassigning.status_code == 403


def test_manager_may_unassign_and_someone_outside_the_agency_is_refused(client, world):
    report = world.assigned("SXD")
    path = f"/reports/{report.ref}/assignee"
    as_agency(client, world, "POST", path, json={"username": "sxd_officer"}, who="sxd_manager")

    outsider = as_agency(
        client, world, "POST", path, json={"username": "mtdt_officer"}, who="sxd_manager"
    )
    cleared = as_agency(client, world, "POST", path, json={"username": None}, who="sxd_manager")

    assert outsider.status_code == 422
    assert "username" in outsider.get_json()["error"]["details"]["fields"]
    assert cleared.status_code == 200
    assert cleared.get_json()["assignee"] is None


def test_inbox_views_mine_unassigned_and_team(client, world):
    mine = world.assigned("SXD")
    nobodys = world.assigned("SXD")
    theirs = world.assigned("SXD")
    other = second_officer(world)
    for report, username in ((mine, "sxd_officer"), (theirs, other)):
        as_agency(
            client,
            world,
            "POST",
            f"/reports/{report.ref}/assignee",
            json={"username": username},
            who="sxd_manager",
        )

    def refs(query: str, who: str = "sxd_officer") -> list[str]:
        response = as_agency(client, world, "GET", f"/inbox?{query}", who=who)
        assert response.status_code == 200, response.get_json()
        return [i["ref"] for i in response.get_json()["items"]]

    assert refs("view=mine") == [mine.ref]
    assert refs("view=unassigned") == [nobodys.ref]
    assert set(refs("view=team", who="sxd_manager")) == {mine.ref, nobodys.ref, theirs.ref}
    assert refs(f"view=team&assignee={other}", who="sxd_manager") == [theirs.ref]
    assert as_agency(client, world, "GET", "/inbox?view=team").status_code == 403
    items = as_agency(client, world, "GET", "/inbox?view=mine").get_json()["items"]
    assert items[0]["assignee"]["username"] == "sxd_officer"


# ---- sign-off ----


def test_with_sign_off_an_officers_resolution_waits_for_the_manager(client, world, media_dir):
    sign_off_on(world)
    report = world.in_progress("SXD", category=world.potholes)
    contribution = {"text": "Đã rào chắn"}
    as_agency(
        client, world, "POST", f"/reports/{report.ref}/contribution", contribution, "mtdt_officer"
    )

    drafted = resolve_with(client, world, report.ref, "Đã vá ổ gà", [jpeg()])

    assert drafted.status_code == 200, drafted.get_json()
    body = drafted.get_json()
    assert body["status"] == "in_progress"
    assert body["result_text"] is None
    assert body["sign_off"] is True
    assert body["draft"]["kind"] == "resolution"
    assert body["draft"]["answer"] == "Đã vá ổ gà"
    assert body["draft"]["author"]["username"] == "sxd_officer"
    assert len(body["draft"]["photos"]) == 1
    seen = citizen_view(client, world, report.ref)
    assert seen["status"] == "in_progress"
    assert seen["result"] is None
    assert "Đã vá ổ gà" not in str(seen)
    assert report.ref not in [i["ref"] for i in public_results(client)]
    open311 = client.get(f"/open311/v2/requests/{report.ref}.json")
    assert open311.status_code == 200
    assert "Đã vá ổ gà" not in open311.get_data(as_text=True)
    draft_photo = body["draft"]["photos"][0]["key"]
    assert draft_photo not in open311.get_data(as_text=True)
    manager_view = as_agency(client, world, "GET", f"/reports/{report.ref}", who="sxd_manager")
    assert {"approve_draft", "send_back_draft"} <= set(manager_view.get_json()["allowed_actions"])

    approved = as_agency(client, world, "POST", f"/reports/{report.ref}/approve", {}, "sxd_manager")

    assert approved.status_code == 200, approved.get_json()
    assert approved.get_json()["status"] == "resolved"
    assert approved.get_json()["draft"] is None
    seen = citizen_view(client, world, report.ref)
    assert seen["result"]["text"] == "Đã vá ổ gà"
    assert len(seen["result"]["photos"]) == 1
    photo = client.get(seen["result"]["photos"][0]["url"])
    assert photo.status_code == 200
    assert report.ref in [i["ref"] for i in public_results(client)]
    resolved = world.refresh(report)
    assert resolved.resolved_on_time is True
    assert resolved.resolved_at is not None


def test_a_manager_may_edit_the_answer_before_approving(client, world):
    sign_off_on(world)
    report = world.in_progress("SXD")
    as_agency(client, world, "POST", f"/reports/{report.ref}/resolve", {"answer": "Đã sửa"})

    approved = as_agency(
        client,
        world,
        "POST",
        f"/reports/{report.ref}/approve",
        {"answer": "Đã thay bóng đèn mới"},
        "sxd_manager",
    )

    assert approved.status_code == 200, approved.get_json()
    assert approved.get_json()["result_text"] == "Đã thay bóng đèn mới"
    assert citizen_view(client, world, report.ref)["result"]["text"] == "Đã thay bóng đèn mới"


def test_send_back_keeps_the_report_in_progress_with_the_comment(client, world):
    sign_off_on(world)
    report = world.in_progress("SXD")
    as_agency(client, world, "POST", f"/reports/{report.ref}/resolve", {"answer": "Xong"})

    sent_back = as_agency(
        client,
        world,
        "POST",
        f"/reports/{report.ref}/send-back",
        {"comment": "Ghi rõ ngày thay"},
        "sxd_manager",
    )

    assert sent_back.status_code == 200, sent_back.get_json()
    body = sent_back.get_json()
    assert body["status"] == "in_progress"
    assert body["draft"] is None
    assert body["send_backs"][0]["comment"] == "Ghi rõ ngày thay"
    assert body["send_backs"][0]["by"]["username"] == "sxd_manager"
    officer = as_agency(client, world, "GET", f"/reports/{report.ref}").get_json()
    assert officer["send_backs"][0]["comment"] == "Ghi rõ ngày thay"
    assert citizen_view(client, world, report.ref)["result"] is None
    again = as_agency(
        client, world, "POST", f"/reports/{report.ref}/resolve", {"answer": "Thay ngày 3/12"}
    )
    assert again.get_json()["draft"]["answer"] == "Thay ngày 3/12"
    audit = world.session.scalars(
        select(AuditEntry).where(AuditEntry.action == "draft_sent_back")
    ).one()
    assert audit.before == {"status": "pending"}
    assert audit.after["comment"] == "Ghi rõ ngày thay"


def test_with_sign_off_a_managers_own_resolution_goes_out_directly(client, world):
    sign_off_on(world)
    report = world.in_progress("SXD")

    response = as_agency(
        client, world, "POST", f"/reports/{report.ref}/resolve", {"answer": "Xong"}, "sxd_manager"
    )

    assert response.get_json()["status"] == "resolved"
    assert citizen_view(client, world, report.ref)["result"]["text"] == "Xong"


def test_without_sign_off_an_officers_resolution_goes_out_as_before(client, world):
    report = world.in_progress("SXD")

    response = as_agency(
        client, world, "POST", f"/reports/{report.ref}/resolve", {"answer": "Xong"}
    )

    body = response.get_json()
    assert (body["status"], body["sign_off"], body["draft"]) == ("resolved", False, None)
    assert citizen_view(client, world, report.ref)["result"]["text"] == "Xong"


def test_with_sign_off_an_extension_request_reaches_the_ioc_only_when_approved(client, world):
    sign_off_on(world)
    report = world.in_progress("SXD")
    until = (
        report.due_at.replace(microsecond=0) + (report.due_at - report.received_at)
    ).isoformat()

    drafted = as_agency(
        client,
        world,
        "POST",
        f"/reports/{report.ref}/extension",
        {"until": until, "reason": "Chờ vật tư"},
    )

    assert drafted.status_code == 200, drafted.get_json()
    assert drafted.get_json()["draft"]["kind"] == "extension"
    assert drafted.get_json()["extension_requests"] == []
    approved = as_agency(client, world, "POST", f"/reports/{report.ref}/approve", {}, "sxd_manager")
    assert approved.status_code == 200, approved.get_json()
    requests = world.session.scalars(select(ExtensionRequest)).all()
    assert [r.reason for r in requests] == ["Chờ vật tư"]


def test_with_sign_off_a_return_leaves_the_agency_only_when_approved(client, world):
    sign_off_on(world)
    report = world.assigned("SXD")

    drafted = as_agency(
        client, world, "POST", f"/reports/{report.ref}/return", {"reason": "Không thuộc sở"}
    )

    assert drafted.get_json()["status"] == "assigned"
    assert drafted.get_json()["draft"]["kind"] == "return"
    approved = as_agency(client, world, "POST", f"/reports/{report.ref}/approve", {}, "sxd_manager")
    assert approved.status_code == 200, approved.get_json()
    assert world.refresh(report).status == "returned"


def test_only_one_draft_waits_at_a_time_and_nothing_to_approve_is_a_conflict(client, world):
    sign_off_on(world)
    report = world.in_progress("SXD")
    path = f"/reports/{report.ref}"

    nothing = as_agency(client, world, "POST", f"{path}/approve", {}, "sxd_manager")
    as_agency(client, world, "POST", f"{path}/resolve", {"answer": "Xong"})
    second = as_agency(client, world, "POST", f"{path}/resolve", {"answer": "Xong hẳn"})

    assert nothing.status_code == 409
    assert second.status_code == 409


def test_draft_events_reach_only_the_agency(client, world):
    sign_off_on(world)
    report = world.in_progress("SXD")

    as_agency(client, world, "POST", f"/reports/{report.ref}/resolve", {"answer": "Xong"})

    event = world.session.scalars(select(Event).where(Event.type == "report.draft_submitted")).one()
    assert "Xong" not in str(event.payload)
    assert event.audiences == ["agency:SXD"]


def test_approve_and_send_back_are_in_the_openapi_document(client):
    paths = client.get("/openapi.json").get_json()["paths"]
    for action in ("assignee", "approve", "send-back"):
        assert f"{AGENCY}/reports/{{ref}}/{action}" in paths


def test_a_manager_of_another_agency_sees_nothing_of_the_draft(client, world):
    from ioc.feedback.models import User
    from ioc.feedback.people.staff_sessions import sign_in
    from tests.staff_api.conftest import PASSWORD

    sign_off_on(world)
    report = world.in_progress("SXD")
    as_agency(client, world, "POST", f"/reports/{report.ref}/resolve", {"answer": "Xong"})
    manager = User(
        role="agency_manager",
        username="mtdt_manager",
        agency=world.mtdt,
        password_hash=PASSWORD_HASH,
    )
    world.session.add(manager)
    world.session.flush()
    token = sign_in(world.session, username="mtdt_manager", password=PASSWORD).token
    world.headers["mtdt_manager"] = {"Authorization": f"Bearer {token}"}
    world.session.flush()
    path = f"/reports/{report.ref}"

    answers = [
        as_agency(client, world, "GET", path, who="mtdt_manager"),
        as_agency(client, world, "POST", f"{path}/approve", {}, "mtdt_manager"),
        as_agency(client, world, "POST", f"{path}/send-back", {"comment": "?"}, "mtdt_manager"),
        as_agency(
            client, world, "POST", f"{path}/assignee", {"username": "mtdt_manager"}, "mtdt_manager"
        ),
    ]

    assert [a.status_code for a in answers] == [404, 404, 404, 404]
    assert "Xong" not in str([a.get_json() for a in answers])
