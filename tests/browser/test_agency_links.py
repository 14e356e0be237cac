"""Links in staff e-mails (``/agency?ref=…``) open that report in the agency console."""

from __future__ import annotations

from tests.browser.conftest import sign_in


def test_a_link_from_an_e_mail_opens_the_report_after_signing_in(page, live_server):
    ref = live_server.submit_report(category="street_light", description="Đèn đường tắt cả dãy")
    live_server.staff("dieuhanh", "POST", f"/api/ops/v1/reports/{ref}/assign", {"agency": "SXD"})

    sign_in(page, "sxd.canbo", next_path=f"/agency?ref={ref}")

    page.locator(f'.report-item[data-ref="{ref}"][aria-current="true"]').wait_for()
    page.locator("[data-detail]").filter(has_text="Đèn đường tắt cả dãy").wait_for()
