"""Figures that screens poll answer 304 while nothing changed; agencies see and export only
their own figures and reports; reading who reported and exporting are audited."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import openpyxl
from sqlalchemy import select

from ioc.feedback.report_models import AuditEntry
from tests.staff_api.conftest import REPORTER_NAME, World

SCORECARD = "/api/public/v1/scorecard"
OPS_STATISTICS = "/api/ops/v1/statistics"
AGENCY = "/api/agency/v1"


# ---- conditional answers ----


def test_the_scorecard_carries_an_etag_and_may_be_kept_for_a_minute(client, world: World):
    world.assigned("SXD")

    response = client.get(SCORECARD)

    assert response.status_code == 200
    assert response.headers["ETag"]
    assert response.cache_control.public
    assert response.cache_control.max_age == 60


def test_an_unchanged_scorecard_costs_a_304_without_a_body(client, world: World):
    world.assigned("SXD")
    etag = client.get(SCORECARD).headers["ETag"]

    again = client.get(SCORECARD, headers={"If-None-Match": etag})

    assert again.status_code == 304
    assert again.get_data() == b""
    assert again.headers["ETag"] == etag


def test_a_new_report_changes_the_scorecard_etag(client, world: World):
    etag = client.get(SCORECARD).headers["ETag"]
    world.new_report()
    world.session.flush()

    after = client.get(SCORECARD, headers={"If-None-Match": etag})

    assert after.status_code == 200
    assert after.headers["ETag"] != etag


def test_the_etag_follows_the_period_asked_for(client, world: World):
    default = client.get(SCORECARD).headers["ETag"]

    other = client.get(f"{SCORECARD}?since=2026-01-01", headers={"If-None-Match": default})

    assert other.status_code == 200
    assert other.headers["ETag"] != default


def test_a_minute_later_the_figures_are_computed_again(client, world: World, fixed_clock):
    headers = world.headers["viewer"]
    etag = client.get(OPS_STATISTICS, headers=headers).headers["ETag"]

    fixed_clock.shift(timedelta(minutes=1))
    later = client.get(OPS_STATISTICS, headers={**headers, "If-None-Match": etag})

    assert later.status_code == 200


def test_ops_statistics_are_private_and_answer_304_when_unchanged(client, world: World):
    world.assigned("SXD")
    headers = world.headers["viewer"]
    first = client.get(OPS_STATISTICS, headers=headers)

    again = client.get(OPS_STATISTICS, headers={**headers, "If-None-Match": first.headers["ETag"]})

    assert first.cache_control.private
    assert first.cache_control.no_cache
    assert again.status_code == 304


def test_a_304_still_needs_a_sign_in(client, world: World):
    etag = client.get(OPS_STATISTICS, headers=world.headers["viewer"]).headers["ETag"]

    assert client.get(OPS_STATISTICS, headers={"If-None-Match": etag}).status_code == 401


# ---- an agency's own figures and reports ----


def _items_by_key(response) -> dict[str, dict]:
    assert response.status_code == 200, response.get_json()
    return {item["key"]: item for item in response.get_json()["items"]}


def test_an_agency_sees_only_the_figures_of_the_reports_it_leads(client, world: World):
    world.resolved("SXD")
    world.assigned("SXD")
    world.assigned("MTDT")
    world.new_report()
    world.session.flush()

    sxd = _items_by_key(
        client.get(f"{AGENCY}/statistics?group_by=agency", headers=world.headers["sxd_officer"])
    )
    mtdt = _items_by_key(
        client.get(f"{AGENCY}/statistics?group_by=agency", headers=world.headers["mtdt_officer"])
    )

    assert set(sxd) == {"SXD"}
    assert (sxd["SXD"]["received"], sxd["SXD"]["resolved"]) == (2, 1)
    assert set(mtdt) == {"MTDT"}
    assert mtdt["MTDT"]["received"] == 1


def test_an_agencys_figures_by_category_count_only_its_reports(client, world: World):
    world.assigned("SXD", category=world.potholes)
    world.assigned("MTDT")
    world.session.flush()

    items = _items_by_key(
        client.get(f"{AGENCY}/statistics?group_by=category", headers=world.headers["sxd_manager"])
    )

    assert {key: item["received"] for key, item in items.items()} == {"o_ga": 1}


def test_an_approved_extension_counts_the_same_for_the_agency_the_ioc_and_the_public(
    client, world: World
):
    extended = world.with_extension_request("SXD")
    denied = world.with_extension_request("SXD")
    world.assigned("SXD")
    for report, approve in ((extended, True), (denied, False)):
        decided = client.post(
            f"/api/ops/v1/reports/{report.ref}/extension",
            json={"approve": approve},
            headers=world.headers["ioc_supervisor"],
        )
        assert decided.status_code == 200, decided.get_json()

    agency = _items_by_key(client.get(f"{AGENCY}/statistics", headers=world.headers["sxd_manager"]))
    ops = _items_by_key(client.get(OPS_STATISTICS, headers=world.headers["ioc_supervisor"]))
    public = {row["key"]: row for row in client.get(SCORECARD).get_json()["agencies"]}

    assert (agency["SXD"]["received"], agency["SXD"]["extended"]) == (3, 1)
    assert ops["SXD"]["extended"] == public["SXD"]["extended"] == 1


def test_agencies_do_not_share_a_cached_answer(client, world: World):
    etag = client.get(f"{AGENCY}/statistics", headers=world.headers["sxd_officer"]).headers["ETag"]

    other = client.get(
        f"{AGENCY}/statistics", headers={**world.headers["mtdt_officer"], "If-None-Match": etag}
    )

    assert other.status_code == 200


def test_an_agency_exports_only_the_reports_it_leads(client, world: World):
    own = [world.assigned("SXD").ref, world.in_progress("SXD").ref]
    world.assigned("MTDT")
    world.in_progress("CA", supporting=["SXD"])
    world.new_report()
    world.session.flush()

    response = client.get(f"{AGENCY}/exports/reports.csv", headers=world.headers["sxd_officer"])

    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    assert sorted(row[0] for row in rows[1:]) == sorted(own)
    assert {row[5] for row in rows[1:]} == {"Sở Xây dựng"}


def test_an_agency_xlsx_export_holds_its_reports_and_never_the_reporter(client, world: World):
    own = world.assigned("SXD").ref
    world.assigned("MTDT")
    world.session.flush()

    response = client.get(f"{AGENCY}/exports/reports.xlsx", headers=world.headers["sxd_officer"])

    sheet = openpyxl.load_workbook(io.BytesIO(response.get_data())).active
    values = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert [row[0] for row in values[1:]] == [own]
    assert all(REPORTER_NAME not in str(cell) for row in values for cell in row)


def test_an_agency_export_is_audited_with_its_agency(client, world: World):
    client.get(f"{AGENCY}/exports/reports.csv", headers=world.headers["mtdt_officer"]).get_data()

    entry = world.session.scalars(
        select(AuditEntry).where(AuditEntry.action == "export_reports")
    ).one()
    assert entry.actor_id == world.users["mtdt_officer"].id
    assert entry.after["format"] == "csv"
    assert entry.after["filters"]["lead_agency_id"] == world.mtdt.id


# ---- reading who reported ----


def _reporter_reads(world: World) -> list[AuditEntry]:
    world.session.expire_all()
    return list(
        world.session.scalars(select(AuditEntry).where(AuditEntry.action == "read_reporter"))
    )


def test_showing_the_reporter_to_an_operator_is_audited(client, world: World):
    report = world.new_report()
    world.session.flush()

    shown = client.get(f"/api/ops/v1/reports/{report.ref}", headers=world.headers["ioc_operator"])

    assert shown.get_json()["reporter"]["name"] == REPORTER_NAME
    [entry] = _reporter_reads(world)
    assert (entry.actor_id, entry.target_ref) == (world.users["ioc_operator"].id, report.ref)


def test_an_agency_reading_a_report_leaves_no_reporter_read(client, world: World):
    report = world.assigned("SXD")
    world.session.flush()

    client.get(f"{AGENCY}/reports/{report.ref}", headers=world.headers["sxd_officer"])

    assert _reporter_reads(world) == []
