"""The analytics API reads the rollups and agrees with the statistics API over the same days:
weekly and monthly series, two periods compared, agencies ranked, recurring hotspots, the
handling-time distribution and the monthly report; wrong callers and bad parameters refused."""

from __future__ import annotations

import io
from datetime import date, datetime, timedelta
from statistics import median
from zoneinfo import ZoneInfo

import openpyxl
import pytest

from ioc.db import utcnow
from ioc.feedback.lifecycle import triage
from tests.staff_api.conftest import IN_A, IN_B, World

OPS = "/api/ops/v1"
AN = f"{OPS}/analytics"
VN = ZoneInfo("Asia/Ho_Chi_Minh")


def today() -> date:
    return utcnow().astimezone(VN).date()


def monday(day: date) -> date:
    return day - timedelta(days=day.weekday())


def days_ago(days: int) -> datetime:
    return utcnow() - timedelta(days=days)


def statistics_total(client, world: World, since: date, until: date) -> dict[str, int]:
    response = client.get(
        f"{OPS}/statistics?group_by=channel&since={since}&until={until}",
        headers=world.headers["ioc_supervisor"],
    )
    assert response.status_code == 200
    items = response.get_json()["items"]
    return {
        "received": sum(i["received"] for i in items),
        "resolved": sum(i["resolved"] for i in items),
        "late": sum(i["resolved_late"] for i in items),
        "returned": sum(i["returned"] for i in items),
        "unsatisfied": sum(i["satisfaction"]["unsatisfied"] for i in items),
    }


def seed(world: World) -> None:
    """Reports over three weeks and two places; some resolved and rated today."""
    for days in (0, 1, 7, 8, 9, 15):
        world.new_report(received_at=days_ago(days))
    world.new_report(world.potholes, at=IN_B, received_at=days_ago(14))
    world.resolved("SXD")
    world.rated_unsatisfied("SXD")
    world.rejected()


def test_weekly_series_equal_the_statistics_of_each_week(client, world: World):
    seed(world)
    first = monday(today()) - timedelta(days=21)

    response = client.get(
        f"{AN}/series?grain=week&since={first}&until={today() + timedelta(days=1)}",
        headers=world.headers["ioc_supervisor"],
    )

    assert response.status_code == 200
    body = response.get_json()
    assert body["since"] == first.isoformat()
    assert [p["start"] for p in body["items"]] == [
        (first + timedelta(days=7 * i)).isoformat() for i in range(4)
    ]
    for point in body["items"]:
        start, end = date.fromisoformat(point["start"]), date.fromisoformat(point["end"])
        expected = statistics_total(client, world, start, end)
        assert point["received"] == expected["received"]
        assert point["resolved"] == expected["resolved"]
        assert point["late"] == expected["late"]
        assert point["satisfaction"]["unsatisfied"] == expected["unsatisfied"]
        assert sum(point["by_channel"].values()) == point["received"]
    assert sum(p["received"] for p in body["items"]) == 10


def test_monthly_series_equal_the_statistics_of_each_month(client, world: World):
    seed(world)
    first = (today().replace(day=1) - timedelta(days=1)).replace(day=1)

    response = client.get(f"{AN}/series?grain=month&since={first}", headers=world.headers["viewer"])

    assert response.status_code == 200
    items = response.get_json()["items"]
    assert len(items) == 2
    for point in items:
        start, end = date.fromisoformat(point["start"]), date.fromisoformat(point["end"])
        assert point["received"] == statistics_total(client, world, start, end)["received"]
    assert sum(p["received"] for p in items) == 10


def test_two_periods_compared_match_the_statistics_of_each(client, world: World):
    seed(world)
    end = today() + timedelta(days=1)
    a = (end - timedelta(days=7), end)
    b = (end - timedelta(days=15), end - timedelta(days=7))

    response = client.get(
        f"{AN}/compare?group_by=category&a_since={a[0]}&a_until={a[1]}"
        f"&b_since={b[0]}&b_until={b[1]}",
        headers=world.headers["ioc_supervisor"],
    )

    assert response.status_code == 200
    body = response.get_json()
    assert body["a"]["received"] == statistics_total(client, world, *a)["received"]
    assert body["b"]["received"] == statistics_total(client, world, *b)["received"]
    assert body["a"]["received"] != body["b"]["received"]
    assert {g["key"] for g in body["groups"]} == {"den_duong", "o_ga"}


def test_agencies_are_ranked_with_their_monthly_trend(client, world: World):
    world.resolved("SXD")
    world.assigned("MTDT")
    world.new_report()  # no agency yet: not an agency's

    response = client.get(f"{AN}/agencies", headers=world.headers["ioc_supervisor"])

    assert response.status_code == 200
    items = response.get_json()["items"]
    assert [(i["rank"], i["key"]) for i in items] == [(1, "SXD"), (2, "MTDT")]
    assert items[0]["on_time_percent"] == 100.0
    this_month = today().replace(day=1).isoformat()
    assert items[0]["trend"][-1] == {
        "month": this_month,
        "received": 1,
        "resolved": 1,
        "on_time_percent": 100.0,
        "satisfaction_percent": None,
    }


def test_a_place_reported_in_several_weeks_is_a_hotspot(client, world: World):
    for days in (0, 7, 14):
        world.new_report(received_at=days_ago(days))  # lighting, commune A, three weeks
    world.new_report(world.potholes, at=IN_B, received_at=days_ago(0))  # once only

    response = client.get(
        f"{AN}/hotspots?min_weeks=3&since={today() - timedelta(days=21)}",
        headers=world.headers["ioc_supervisor"],
    )

    assert response.status_code == 200
    body = response.get_json()
    assert body["total"] == 1
    [spot] = body["items"]
    assert (spot["category"], spot["weeks"], spot["reports"]) == ("den_duong", 3, 3)
    assert spot["lon"] == pytest.approx(IN_A[0], abs=0.01)
    assert spot["lat"] == pytest.approx(IN_A[1], abs=0.01)


def test_the_handling_distribution_counts_every_resolved_report(client, world: World):
    world.resolved("SXD")
    world.resolved("MTDT")

    response = client.get(f"{AN}/distributions", headers=world.headers["ioc_supervisor"])

    assert response.status_code == 200
    body = response.get_json()
    assert sum(r["count"] for r in body["handling"]) == 2
    assert body["receipt"][0]["on_time"] == 2
    assert sum(r["count"] for r in body["receipt_time"]) == 2
    assert body["median_receipt_working_hours"] is not None


def test_the_receipt_median_equals_the_median_of_the_reports_own_receipt_times(
    client, world: World, fixed_clock
):
    reports = [world.new_report() for _ in range(5)]
    operator = world.users["ioc_operator"]
    policy = world.intake.policy
    stops: list[datetime] = []
    for report, minutes, action in zip(
        reports,
        (10, 30, 30, 110, 120),
        ("assign", "reject", "assign", "merge", "assign"),
        strict=True,
    ):
        fixed_clock.shift(timedelta(minutes=minutes))
        if action == "assign":
            triage.assign_report(
                world.session, policy=policy, report=report, actor=operator, agency_code="SXD"
            )
        elif action == "reject":
            triage.reject_report(
                world.session, policy=policy, report=report, actor=operator, reason="Sai"
            )
        else:
            triage.mark_duplicate(
                world.session, policy=policy, report=report, actor=operator, of_ref=reports[0].ref
            )
        stops.append(utcnow())
        world.session.flush()
    # Each report's receipt time, from its own filing and the moment the IOC was done with it.
    hours = policy.calendar.working_hours_between
    expected = median(hours(r.received_at, stop) for r, stop in zip(reports, stops, strict=True))
    world.sign_in_again()

    response = client.get(
        f"{AN}/distributions?group_by=agency", headers=world.headers["ioc_supervisor"]
    )

    assert response.status_code == 200
    body = response.get_json()
    # Exact to the histogram's quarter hour.
    assert body["median_receipt_working_hours"] == pytest.approx(expected, abs=0.25)
    assert sum(r["count"] for r in body["receipt_time"]) == 5
    assert body["receipt_on_time"] + body["receipt_late"] == 5
    by_group = {g["key"]: g for g in body["groups"]}
    # Three went to the agency; the rejected and the merged one stay the IOC's.
    assert sum(r["count"] for r in by_group["SXD"]["receipt_time"]) == 3
    assert sum(r["count"] for r in by_group["IOC"]["receipt_time"]) == 2
    assert sum(r["count"] for r in by_group["SXD"]["handling"]) == 0


def test_the_monthly_report_totals_equal_the_statistics_of_the_month(client, world: World):
    seed(world)
    month = today().replace(day=1)

    response = client.get(
        f"{AN}/monthly-report.xlsx?month={month:%Y-%m}", headers=world.headers["ioc_supervisor"]
    )

    assert response.status_code == 200
    assert "bao-cao-thang" in response.headers["Content-Disposition"]
    workbook = openpyxl.load_workbook(io.BytesIO(response.data))
    sheet = workbook["Tổng hợp"]
    summary = {row[0]: row[1] for row in sheet.iter_rows(min_row=4, values_only=True)}
    expected = statistics_total(client, world, month, (month + timedelta(days=32)).replace(day=1))
    assert summary["Tiếp nhận"] == expected["received"]
    assert summary["Đã xử lý"] == expected["resolved"]
    channels = list(workbook["Theo kênh"].iter_rows(min_row=4, values_only=True))
    assert channels[-1][:2] == ("Tổng", expected["received"])
    agencies = list(workbook["Kết quả theo cơ quan"].iter_rows(min_row=3, values_only=True))
    median_column = agencies[0].index("Trung vị thời gian tiếp nhận (giờ làm việc)")
    sxd = next(row for row in agencies[1:] if row[0] == world.agency("SXD").name_vi)
    # The agency's reports were sent to it: their receipt time has a median.
    assert sxd[median_column] is not None


@pytest.mark.parametrize(
    "path",
    [
        "series?grain=day",
        "series?since=2026-02-01&until=2026-01-01",
        "series?since=1999-01-01",
        "series?since=2000-01-01&until=2020-01-01",
        "compare?a_since=2026-01-01&a_until=2026-02-01",
        "hotspots?min_weeks=1",
        "monthly-report.xlsx?month=2026-13",
        "monthly-report.xlsx",
        "agencies?colour=red",
        "distributions?group_by=colour",
    ],
)
def test_bad_parameters_are_refused_with_a_4xx(client, world: World, path: str):
    response = client.get(f"{AN}/{path}", headers=world.headers["ioc_supervisor"])

    assert response.status_code in (400, 422)
    assert response.get_json()["error"]["code"]


def test_an_unknown_report_format_is_not_found(client, world: World):
    response = client.get(
        f"{AN}/monthly-report.pdf?month=2026-01", headers=world.headers["ioc_supervisor"]
    )

    assert response.status_code == 404


@pytest.mark.parametrize(
    ("caller", "status"),
    [("anonymous", 401), ("citizen", 401), ("sxd_officer", 403), ("sxd_manager", 403)],
)
def test_only_ops_readers_may_read_analytics(client, world: World, caller: str, status: int):
    for path in ("series", "compare?group_by=street", "monthly-report.xlsx?month=2026-01"):
        response = client.get(f"{AN}/{path}", headers=world.headers[caller])
        assert response.status_code == status, path
