"""The analytics page draws its charts from the analytics API; each has a table view and a CSV."""

from __future__ import annotations

from tests.browser.conftest import screenshot, sign_in

HOOK = "window.iocAnalytics"
CHARTS = (
    "series",
    "rates",
    "channels",
    "compare",
    "ranking",
    "receipt_time",
    "handling",
    "receipt",
)
STREET_LIGHT = {
    "category": "street_light",
    "attributes": {"light_issue": "off"},
    "description": "Đèn đường tắt cả dãy",
}


def _reports(live_server) -> None:
    """Three reports received today: one resolved by SXD, one assigned, one waiting."""
    refs = [live_server.submit_report(**STREET_LIGHT) for _ in range(3)]
    for ref in refs[:2]:
        live_server.staff(
            "dieuhanh", "POST", f"/api/ops/v1/reports/{ref}/assign", {"agency": "SXD"}
        )
    live_server.staff("sxd.canbo", "POST", f"/api/agency/v1/reports/{refs[0]}/accept")
    live_server.staff(
        "sxd.canbo", "POST", f"/api/agency/v1/reports/{refs[0]}/resolve", {"answer": "Đã thay bóng"}
    )


def test_a_supervisor_sees_the_charts_reads_a_table_and_downloads_its_csv(page, live_server):
    _reports(live_server)
    page.set_viewport_size({"width": 1440, "height": 1000})
    sign_in(page, "dieuhanh", next_path="/ops/analytics")
    page.wait_for_function(f"{HOOK} && {HOOK}.ready === true", timeout=20_000)

    drawn = page.evaluate(
        f"Object.fromEntries(Object.entries({HOOK}.charts)"
        ".map(([name, chart]) => [name, chart.data.datasets.length]))"
    )
    assert all(drawn.get(name, 0) > 0 for name in CHARTS), drawn
    received = page.evaluate(
        f"{HOOK}.charts.series.data.datasets[0].data.reduce((a, b) => a + b, 0)"
    )
    assert received >= 3
    # The report the agency resolved was received first: its receipt time is in the histogram.
    receipt_times = page.evaluate(
        f"{HOOK}.charts.receipt_time.data.datasets[0].data.reduce((a, b) => a + b, 0)"
    )
    assert receipt_times >= 1
    assert "Trung vị" in page.locator("section[data-panel=receipt_time] .an-note").inner_text()
    screenshot(page, "ops-analytics")

    series = page.locator("section[data-panel=series]")
    series.get_by_role("button", name="Bảng số liệu").click()
    table = series.locator("table")
    assert table.is_visible()
    assert table.locator("th").first.inner_text() == "Kỳ"
    rows = table.locator("tbody tr")
    assert rows.count() == page.evaluate(f"{HOOK}.charts.series.data.labels.length")

    with page.expect_download() as download_info:
        series.get_by_role("button", name="Tải CSV").click()
    download = download_info.value
    assert download.suggested_filename == "series.csv"
    with open(download.path(), encoding="utf-8-sig") as file:
        lines = file.read().splitlines()
    assert lines[0].startswith("Kỳ,Tiếp nhận,Đã xử lý")
    assert len(lines) == rows.count() + 1
    assert sum(int(line.split(",")[1]) for line in lines[1:]) == received

    report = page.locator("[data-action=report-xlsx]")
    assert "/api/ops/v1/analytics/monthly-report.xlsx?month=" in report.get_attribute("href")
