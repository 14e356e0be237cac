"""The public portal's API: published results (list, paging, filters, search by reference),
one result in full, figures read from the rollups, open data downloads, and never anything
that names who reported. Runs on SQLite and PostGIS."""

from __future__ import annotations

import csv
import io
import json
from datetime import timedelta

from flask import Flask

from ioc.db import utcnow
from ioc.feedback.lifecycle import agency_work, citizen_actions, triage
from ioc.feedback.lifecycle.citizen_actions import Rating
from ioc.feedback.report_models import Report
from tests.factories import make_category, make_photo
from tests.staff_api.conftest import IN_B, REPORTER_NAME, REPORTER_PHONE, World

PUBLIC = "/api/public/v1"


def _photo(app: Flask, world: World, report: Report, purpose: str) -> str:
    store = app.extensions["ioc"].media
    key = f"2026/11/{report.ref.lower()}-{purpose}.jpg"
    path = store.path_of(key)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"\xff\xd8\xff\xd9")
    world.session.add(make_photo(key, purpose=purpose, report_id=report.id, byte_size=4))
    world.session.flush()
    return key


def _rate(world: World, report: Report, rating: Rating) -> None:
    citizen_actions.rate_report(
        world.session,
        report=report,
        citizen_id=world.reporter.id,
        rating=rating,
        comment=f"Cảm ơn, {REPORTER_NAME} {REPORTER_PHONE}",
    )
    world.session.flush()


def _private_rejected(world: World) -> Report:
    hidden = make_category(
        world.session, "bao_luc", name_vi="Bạo lực gia đình", is_private=True,
        is_auto_dispatch=False,
    )  # fmt: skip
    report = world.new_report(hidden)
    triage.reject_report(
        world.session,
        policy=world.intake.policy,
        report=report,
        actor=world.users["ioc_operator"],
        reason="Chuyển công an",
    )
    world.session.flush()
    return report


def _walk(client, path: str) -> list[str]:
    refs: list[str] = []
    url = path
    while True:
        body = client.get(url).get_json()
        refs += [item["ref"] for item in body["items"]]
        if body["next_cursor"] is None:
            return refs
        url = f"{path}&cursor={body['next_cursor']}"


# ---- the list ----


def test_the_list_pages_through_published_results_only_newest_first(client, world: World):
    published = [world.resolved(), world.rejected(), world.resolved("MTDT")]
    _rate(world, published[0], Rating.SATISFIED)  # closed
    world.in_progress()
    world.new_report()
    _private_rejected(world)

    refs = _walk(client, f"{PUBLIC}/results?limit=1")

    assert refs == [r.ref for r in reversed(published)]


def test_a_result_is_found_by_its_reference_and_filtered_by_commune_category_agency(
    client, world: World
):
    mine = world.resolved("SXD")
    other = world.resolved("MTDT")
    east = world.new_report(at=IN_B)
    triage.reject_report(
        world.session,
        policy=world.intake.policy,
        report=east,
        actor=world.users["ioc_operator"],
        reason="x",
    )
    world.session.flush()

    def refs(query: str) -> list[str]:
        response = client.get(f"{PUBLIC}/results?{query}")
        assert response.status_code == 200, response.get_json()
        return [item["ref"] for item in response.get_json()["items"]]

    assert refs(f"ref={mine.ref.lower()}") == [mine.ref]
    assert refs(f"ref={mine.ref[:-1]}")
    assert mine.ref in refs(f"ref={mine.ref[:-1]}")
    assert refs("agency=MTDT") == [other.ref]
    assert refs("area=B") == [east.ref]
    assert set(refs("area=A")) == {mine.ref, other.ref}
    assert refs("category=o_ga") == []
    today = utcnow().date()
    assert len(refs(f"since={today - timedelta(days=1)}&until={today + timedelta(days=2)}")) == 3
    assert refs(f"since={today + timedelta(days=2)}") == []


def test_list_items_carry_names_the_answer_and_a_photo_but_never_who_reported(
    app, client, world: World
):
    report = world.resolved()
    _photo(app, world, report, "before")
    after = _photo(app, world, report, "after")
    _rate(world, report, Rating.ACCEPTABLE)
    world.sxd.name_en = "Department of Construction"
    world.session.flush()

    vi = client.get(f"{PUBLIC}/results").get_json()["items"][0]
    en = client.get(f"{PUBLIC}/results?lang=en").get_json()["items"][0]

    assert vi["agency_name"] == "Sở Xây dựng"
    assert en["agency_name"] == "Department of Construction"
    assert vi["result_text"] == "Đã thay bóng đèn"
    assert vi["rating"] == "acceptable"
    assert vi["photo"].endswith(after)
    text = client.get(f"{PUBLIC}/results").get_data(as_text=True)
    assert REPORTER_NAME not in text
    assert REPORTER_PHONE not in text


# ---- one result ----


def test_a_result_shows_text_photos_answer_timeline_deadline_and_rating(app, client, world):
    report = world.new_report(description="Đèn hỏng, gọi tôi 0905 777 123 hoặc nhung@example.vn")
    triage.assign_report(
        world.session,
        policy=world.intake.policy,
        report=report,
        actor=world.users["ioc_operator"],
        agency_code="SXD",
    )
    world.session.flush()

    agency_work.accept_report(world.session, report=report, actor=world.officer_of("SXD"))
    agency_work.resolve_report(
        world.session,
        policy=world.intake.policy,
        report=report,
        actor=world.officer_of("SXD"),
        answer="Đã thay bóng đèn mới",
        photos=[],
    )
    world.session.flush()
    before = _photo(app, world, report, "before")
    after = _photo(app, world, report, "after")
    _rate(world, report, Rating.SATISFIED)

    response = client.get(f"{PUBLIC}/results/{report.ref}")

    assert response.status_code == 200
    body = response.get_json()
    assert body["status"] == "closed"
    assert body["result_text"] == "Đã thay bóng đèn mới"
    assert body["on_time"] is True
    assert body["rating"] == "satisfied"
    assert [p["url"].rsplit("/", 1)[-1] for p in body["photos"]["before"]] == [
        before.rsplit("/", 1)[-1]
    ]
    assert body["photos"]["after"][0]["url"].endswith(after)
    assert client.get(body["photos"]["after"][0]["url"]).status_code == 200
    assert "0905 777 123" not in body["description"]
    assert "nhung@example.vn" not in body["description"]
    assert "resolved" in [step["status"] for step in body["timeline"]]
    text = response.get_data(as_text=True)
    for secret in (REPORTER_NAME, REPORTER_PHONE, "Cán bộ", "Cảm ơn"):
        assert secret not in text


def test_open_reports_private_ones_and_unknown_refs_are_all_not_found(client, world: World):
    waiting = world.in_progress()
    private = _private_rejected(world)

    for ref in (waiting.ref, private.ref, "PA-NOPE"):
        response = client.get(f"{PUBLIC}/results/{ref}")
        assert response.status_code == 404
        assert response.get_json()["error"]["code"] == "not_found"


# ---- figures ----


def test_figures_per_agency_keep_the_ioc_queue_apart_and_publish_every_rating(client, world: World):
    first = world.resolved("SXD")
    second = world.resolved("SXD")
    _rate(world, first, Rating.SATISFIED)
    _rate(world, second, Rating.UNSATISFIED)
    world.resolved("MTDT")
    world.new_report()  # in the IOC's queue

    body = client.get(f"{PUBLIC}/figures?by=agency").get_json()

    groups = {g["key"]: g for g in body["groups"]}
    assert set(groups) == {"SXD", "MTDT"}
    assert groups["SXD"]["received"] == 2
    assert groups["SXD"]["resolved"] == 2
    assert groups["SXD"]["ratings"] == {"satisfied": 1, "acceptable": 0, "unsatisfied": 1}
    assert groups["SXD"]["satisfaction_percent"] == 50.0
    assert body["unassigned"]["received"] == 1
    assert "Trung tâm IOC" not in json.dumps(body, ensure_ascii=False)
    assert body["province"]["received"] == 4
    assert body["province"]["resolved"] == 3
    assert body["step"] == "day"
    assert sum(p["figures"]["received"] for p in body["trend"]) == 4


def test_figures_per_commune_and_category_in_english(client, world: World):
    world.lighting.name_en = "Street lighting"
    world.session.flush()
    world.resolved()
    _private_rejected(world)

    by_category = client.get(f"{PUBLIC}/figures?by=category&lang=en").get_json()
    by_area = client.get(f"{PUBLIC}/figures?by=area").get_json()

    assert [(g["key"], g["name"]) for g in by_category["groups"]] == [
        ("den_duong", "Street lighting")
    ]
    assert [g["key"] for g in by_area["groups"]] == ["A"]
    assert by_area["groups"][0]["received"] == 2


def test_a_long_period_trends_by_week_and_a_year_by_month(client, world: World):
    today = utcnow().date()
    weekly = client.get(f"{PUBLIC}/figures?by=province&since={today - timedelta(days=90)}")
    yearly = client.get(f"{PUBLIC}/figures?by=province&since={today - timedelta(days=365)}")

    assert weekly.get_json()["step"] == "week"
    assert yearly.get_json()["step"] == "month"
    assert 12 <= len(yearly.get_json()["trend"]) <= 13


# ---- open data ----


def test_the_csv_download_holds_every_published_result_with_its_licence(client, world):
    published = [world.resolved() for _ in range(3)]
    world.in_progress()

    response = client.get(f"{PUBLIC}/results.csv")

    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert 'rel="license"' in response.headers["Link"]
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    assert [r["ref"] for r in rows] == [r.ref for r in reversed(published)]
    assert {r["licence"] for r in rows} == {"CC BY 4.0"}
    assert rows[0]["result_text"] == "Đã thay bóng đèn"
    assert rows[0]["url"].endswith(f"/public?ref={published[-1].ref}")
    text = response.get_data(as_text=True)
    assert REPORTER_NAME not in text
    assert REPORTER_PHONE not in text


def test_the_geojson_download_pages_past_one_list_page_and_names_its_licence(client, world):
    count = 205  # more than the largest page the list hands out
    for _ in range(count):
        world.rejected()
    _private_rejected(world)

    response = client.get(f"{PUBLIC}/results.geojson")

    assert response.status_code == 200
    assert response.mimetype == "application/geo+json"
    document = json.loads(response.get_data(as_text=True))
    assert document["type"] == "FeatureCollection"
    assert document["licence"] == "CC BY 4.0"
    assert document["licence_url"].startswith("https://")
    assert len(document["features"]) == count
    feature = document["features"][0]
    assert feature["geometry"]["type"] == "Point"
    assert feature["properties"]["status"] == "rejected"


def test_the_open_data_catalogue_links_the_downloads_and_open311(client, world):
    body = client.get(f"{PUBLIC}/open-data").get_json()

    assert body["licence"] == "CC BY 4.0"
    assert body["downloads"]["csv"].endswith("/api/public/v1/results.csv")
    assert body["open311"]["requests"].endswith("/open311/v2/requests.json")
    assert client.get(body["open311"]["discovery"]).status_code == 200


# ---- bad input ----


def test_bad_parameters_are_told_apart_with_a_4xx(client, world: World):
    for path in (
        f"{PUBLIC}/results?limit=0",
        f"{PUBLIC}/results?cursor=nonsense",
        f"{PUBLIC}/results?since=2026-11-10&until=2026-11-01",
        f"{PUBLIC}/results?lang=fr",
        f"{PUBLIC}/results?colour=red",
        f"{PUBLIC}/results/ABC?lang=de",
        f"{PUBLIC}/figures?by=street",
        f"{PUBLIC}/figures?since=yesterday",
        f"{PUBLIC}/results.csv?until=not-a-day",
        f"{PUBLIC}/results.geojson?since=2026-11-10&until=2026-11-01",
    ):
        response = client.get(path)
        assert 400 <= response.status_code < 500, path
        assert "error" in response.get_json(), path
