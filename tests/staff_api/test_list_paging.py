"""Every list pages with a cursor: the triage queue, the agency inbox, the operations list of
reports and the public results. Walking the pages lists each item once even while reports are
filed and change between pages; filters narrow; a bad cursor is a 400; roles hold."""

from __future__ import annotations

import base64
from collections.abc import Callable
from datetime import timedelta

from flask.testing import FlaskClient

from ioc.feedback.intake.filing import submit_report
from ioc.feedback.lifecycle import agency_work, triage
from ioc.feedback.report_models import Report
from tests.factories import make_category
from tests.staff_api.conftest import IN_A, IN_B, REPORTER_NAME, REPORTER_PHONE, World, past

OPS = "/api/ops/v1"
AGENCY = "/api/agency/v1"
PUBLIC = "/api/public/v1"


def get(client: FlaskClient, world: World, path: str, who: str = "ioc_operator") -> dict:
    response = client.get(path, headers=world.headers.get(who, {}))
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def walk(
    client: FlaskClient,
    world: World,
    path: str,
    *,
    who: str = "ioc_operator",
    between: Callable[[int], None] = lambda _page: None,
) -> list[str]:
    """Every ref of every page, following ``next_cursor``; ``between(n)`` runs after page n."""
    refs: list[str] = []
    cursor = None
    pages = 0
    while True:
        joiner = "&" if "?" in path else "?"
        url = f"{path}{joiner}cursor={cursor}" if cursor else path
        answer = get(client, world, url, who)
        refs += [item["ref"] for item in answer["items"]]
        pages += 1
        assert pages < 50, "the cursor does not move on"
        cursor = answer["next_cursor"]
        if cursor is None:
            return refs
        between(pages)


def assign(world: World, report: Report, lead: str = "SXD") -> None:
    triage.assign_report(
        world.session,
        policy=world.intake.policy,
        report=report,
        actor=world.users["ioc_operator"],
        agency_code=lead,
    )
    world.session.flush()


# ---- every item once while reports change ----


def test_the_queue_lists_every_waiting_report_once_while_reports_come_and_go(client, world):
    waiting = [world.new_report(received_at=past(hours=30 - i)) for i in range(9)]
    filed_meanwhile: list[Report] = []

    def meanwhile(page: int) -> None:
        filed_meanwhile.append(world.new_report())  # newest: joins the end of the queue
        if page == 1:
            assign(world, waiting[0])  # already listed, leaves the queue
            assign(world, waiting[7])  # not listed yet, leaves the queue

    refs = walk(client, world, f"{OPS}/queue?limit=3", between=meanwhile)

    assert len(refs) == len(set(refs))
    stayed = [r.ref for r in waiting if r is not waiting[7]]
    assert refs == stayed + [r.ref for r in filed_meanwhile]


def test_the_inbox_lists_every_report_once_while_deadlines_and_states_change(client, world):
    reports = [world.assigned("SXD") for _ in range(7)]
    for i, report in enumerate(reports):
        report.due_at = past(hours=-10 * (i + 1))  # deadlines 10 h apart, in list order
    reports[0].due_at = past(hours=5)  # overdue: first
    world.session.flush()
    arrived: list[Report] = []

    def meanwhile(page: int) -> None:
        if page == 1:
            # An unseen report is accepted and given more time; another leaves (returned).
            officer = world.officer_of("SXD")
            agency_work.accept_report(world.session, report=reports[4], actor=officer)
            reports[4].due_at = reports[6].due_at + timedelta(hours=1)
            agency_work.return_report(
                world.session,
                policy=world.intake.policy,
                report=reports[5],
                actor=world.officer_of("SXD"),
                reason="Không thuộc thẩm quyền",
            )
            arrived.append(world.assigned("SXD"))
            world.session.flush()

    refs = walk(client, world, f"{AGENCY}/inbox?limit=2", who="sxd_officer", between=meanwhile)

    assert len(refs) == len(set(refs))
    expected = [r.ref for r in reports if r is not reports[5]]
    assert set(refs) == set(expected) | {arrived[0].ref}
    assert refs[0] == reports[0].ref
    assert refs.index(reports[4].ref) > refs.index(reports[6].ref)


def test_the_ops_list_and_public_results_list_everything_newest_first(client, world):
    made = [world.resolved("SXD") for _ in range(5)] + [world.new_report() for _ in range(4)]
    for i, report in enumerate(made):
        report.received_at = past(hours=100 - i)
    world.session.flush()

    def meanwhile(_page: int) -> None:
        world.new_report()  # newer than the cursor: waits for a reload, never doubles

    refs = walk(client, world, f"{OPS}/reports?limit=4", between=meanwhile)
    assert refs == [r.ref for r in reversed(made)]

    public = walk(client, world, f"{PUBLIC}/results?limit=2", who="anonymous")
    assert public == [r.ref for r in reversed(made[:5])]


# ---- filters ----


def test_the_queue_filters_by_category_area_channel_and_status(client, world):
    lamp_a = world.new_report(at=IN_A)
    lamp_b = world.new_report(at=IN_B)
    hole_b = world.new_report(world.potholes, at=IN_B)
    by_zalo = submit_report(
        world.session, world.intake, category_code="den_duong", lon=IN_A[0], lat=IN_A[1],
        channel="zalo",
    )  # fmt: skip
    returned = world.assigned("SXD")
    agency_work.return_report(
        world.session,
        policy=world.intake.policy,
        report=returned,
        actor=world.officer_of("SXD"),
        reason="Không thuộc thẩm quyền",
    )
    world.session.flush()

    def refs(query: str) -> set[str]:
        return set(walk(client, world, f"{OPS}/queue?{query}"))

    assert refs("category=o_ga") == {hole_b.ref}
    assert refs("area=B") == {lamp_b.ref, hole_b.ref}
    assert refs("area=P") == {lamp_a.ref, lamp_b.ref, hole_b.ref, by_zalo.ref, returned.ref}
    assert refs("channel=zalo") == {by_zalo.ref}
    assert refs("status=returned") == {returned.ref}
    assert refs("area=B&category=den_duong") == {lamp_b.ref}
    outside = client.get(f"{OPS}/queue?status=resolved", headers=world.headers["ioc_operator"])
    assert outside.status_code == 422


def test_the_ops_list_filters_by_states_agency_days_and_ref(client, world):
    pending = world.new_report()
    with_sxd = world.in_progress("SXD")
    with_mtdt = world.assigned("MTDT")
    done = world.resolved("SXD")
    old = world.new_report(received_at=past(hours=24 * 40))
    world.session.flush()

    def refs(query: str) -> set[str]:
        return set(walk(client, world, f"{OPS}/reports?{query}"))

    assert refs("status=assigned&status=in_progress") == {with_sxd.ref, with_mtdt.ref}
    assert refs("agency=SXD") == {with_sxd.ref, done.ref}
    assert refs(f"ref={with_mtdt.ref[:-1].lower()}") >= {with_mtdt.ref}
    assert refs(f"ref={with_mtdt.ref}") == {with_mtdt.ref}
    assert refs("ref=%25") == set()  # a wildcard is a character, not a pattern
    day = (old.received_at + timedelta(hours=7)).date()  # its local day
    assert refs(f"since={day}&until={day + timedelta(days=1)}") == {old.ref}
    assert pending.ref in refs(f"since={day + timedelta(days=1)}")
    assert old.ref not in refs(f"since={day + timedelta(days=1)}")
    bad = client.get(f"{OPS}/reports?since={day}&until={day}", headers=world.headers["admin"])
    assert bad.status_code == 422


def test_the_inbox_filters_by_lead_or_support_and_category(client, world):
    led = world.assigned("SXD")
    hole = world.assigned("SXD", category=world.potholes)
    supported = world.assigned("CA", supporting=["SXD"])

    def refs(query: str) -> set[str]:
        return set(walk(client, world, f"{AGENCY}/inbox?{query}", who="sxd_officer"))

    assert refs("role=lead") == {led.ref, hole.ref}
    assert refs("role=support") == {supported.ref}
    assert refs("category=o_ga") == {hole.ref}
    assert refs("") == {led.ref, hole.ref, supported.ref}


# ---- cursors and page sizes ----


def test_a_malformed_altered_or_foreign_cursor_is_a_400(client, world):
    for _ in range(3):
        world.new_report()
    first = get(client, world, f"{OPS}/queue?limit=1")
    cursor = first["next_cursor"]
    raw = bytearray(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
    raw[-3] ^= 1
    altered = base64.urlsafe_b64encode(bytes(raw)).rstrip(b"=").decode()

    for bad, path in [
        ("not-a-cursor", f"{OPS}/queue"),
        ("Zm9vYmFyYmF6cXV4", f"{OPS}/queue"),  # base64 of no cursor
        ("a!b", f"{OPS}/queue"),
        (altered, f"{OPS}/queue"),
        (cursor, f"{OPS}/reports"),  # the queue's cursor, given to another list
        (cursor, f"{PUBLIC}/results"),
    ]:
        response = client.get(f"{path}?cursor={bad}", headers=world.headers["ioc_operator"])
        assert response.status_code == 400, (bad, path, response.get_json())
        error = response.get_json()["error"]
        assert error["code"] == "invalid_cursor"
        assert "cursor" in error["details"]["fields"]


def test_page_sizes_are_bounded_and_a_full_last_page_says_so(client, world):
    for _ in range(4):
        world.new_report()
    for path in (f"{OPS}/queue", f"{OPS}/reports", f"{PUBLIC}/results", f"{AGENCY}/inbox"):
        who = "sxd_officer" if path.startswith(AGENCY) else "ioc_operator"
        for limit in (0, 201):
            response = client.get(f"{path}?limit={limit}", headers=world.headers[who])
            assert response.status_code == 422, path
    exact = get(client, world, f"{OPS}/queue?limit=4")
    assert len(exact["items"]) == 4
    assert exact["next_cursor"] is None
    assert len(get(client, world, f"{OPS}/queue?limit=200")["items"]) == 4
    assert len(get(client, world, f"{OPS}/queue")["items"]) == 4


# ---- roles ----


def test_the_public_never_sees_private_categories_open_reports_or_who_reported(client, world):
    hidden = make_category(
        world.session, "bao_luc", name_vi="Bạo lực gia đình", is_private=True,
        is_auto_dispatch=False,
    )  # fmt: skip
    shown = world.resolved("SXD")
    private = world.new_report(hidden)
    triage.reject_report(
        world.session,
        policy=world.intake.policy,
        report=private,
        actor=world.users["ioc_operator"],
        reason="Chuyển công an",
    )
    world.new_report()
    world.in_progress("SXD")
    world.session.flush()

    response = client.get(f"{PUBLIC}/results")

    assert response.status_code == 200
    body = response.get_json()
    assert [item["ref"] for item in body["items"]] == [shown.ref]
    assert body["items"][0]["result_text"] == "Đã thay bóng đèn"
    text = response.get_data(as_text=True)
    assert REPORTER_NAME not in text
    assert REPORTER_PHONE not in text
    assert "reporter" not in text
    private_only = client.get(f"{PUBLIC}/results?category=bao_luc").get_json()
    assert private_only["items"] == []


def test_an_agency_pages_through_its_own_reports_only(client, world):
    mine = [world.assigned("SXD") for _ in range(3)]
    theirs = [world.assigned("MTDT") for _ in range(3)]

    assert set(walk(client, world, f"{AGENCY}/inbox?limit=1", who="sxd_officer")) == {
        r.ref for r in mine
    }
    assert set(walk(client, world, f"{AGENCY}/inbox?limit=1", who="mtdt_officer")) == {
        r.ref for r in theirs
    }
    ops_list = client.get(f"{OPS}/reports", headers=world.headers["sxd_officer"])
    assert ops_list.status_code == 403


def test_the_agency_snapshot_is_the_first_page_of_the_inbox_with_where_it_goes_on(client, world):
    mine = [world.assigned("SXD") for _ in range(3)]
    world.assigned("MTDT")

    snapshot = get(client, world, f"{AGENCY}/snapshot", who="sxd_officer")

    assert sorted(p["ref"] for p in snapshot["reports"]) == sorted(r.ref for r in mine)
    assert snapshot["next_cursor"] is None
    assert "reporter" not in str(snapshot)
