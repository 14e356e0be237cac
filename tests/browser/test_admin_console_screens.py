"""The admin console's other screens, clicked through as an administrator would: an agency
created, edited and deactivated; a staff member's password reset, disabled and enabled; a
policy with a wrong value refused with the key named; an Open311 key and a webhook created
(secrets shown once) and revoked; the configuration downloaded as a pack and checked back in
(a dry run: nothing changes); the audit log; and the English switch.

Nothing here changes what the other browser tests rely on (demo accounts, rules, policy).
"""

from __future__ import annotations

import io
import zipfile

from tests.browser.conftest import sign_in

ADMIN = "window.iocAdmin"
AGENCY = "UBND-THU"
STAFF = "kt.thu"


def _open(page, section: str) -> None:
    page.get_by_test_id(f"nav-{section}").click()
    page.wait_for_function(f"{ADMIN}.section() === {section!r}")


def test_an_admin_works_through_every_screen(page, live_server, console):
    # Refusals the test provokes on purpose (the browser logs each failed request).
    console.allow("status of 400")
    live_server.staff(
        "admin",
        "POST",
        "/api/admin/v1/staff",
        {"username": STAFF, "full_name": "Lê Thị Thử", "role": "viewer"},
    )
    page.on("dialog", lambda dialog: dialog.accept())
    sign_in(page, "admin")
    page.wait_for_function(f"{ADMIN} && {ADMIN}.ready === true")

    # An agency: created, renamed, deactivated.
    _open(page, "agencies")
    page.get_by_test_id("agencies-new").click()
    form = page.get_by_test_id("agencies-form")
    form.get_by_test_id("agency-code").fill(AGENCY)
    form.get_by_test_id("agency-kind").select_option("commune_committee")
    form.get_by_test_id("agency-name_vi").fill("UBND phường Thử")
    form.get_by_test_id("agency-name_en").fill("Test Ward Committee")
    form.get_by_test_id("agency-area_code").fill("HM-002")
    form.get_by_test_id("form-save").click()
    page.get_by_role("status").filter(has_text=f"Đã tạo {AGENCY}").wait_for()
    # A save lists only the warnings it brought, not the configuration's old ones.
    assert page.locator("[data-testid=save-warnings] li").count() <= 2
    page.get_by_test_id(f"agencies-edit-{AGENCY}").click()
    page.get_by_test_id("agencies-form").get_by_test_id("agency-name_vi").fill("UBND phường Thử 2")
    page.get_by_test_id("agencies-form").get_by_test_id("form-save").click()
    row = page.locator(f'[data-testid=agencies-table] tr[data-code="{AGENCY}"]')
    row.filter(has_text="UBND phường Thử 2").wait_for()
    page.get_by_test_id(f"agencies-deactivate-{AGENCY}").click()
    row.wait_for(state="detached")

    # A staff member: a new one-time link, then disabled and enabled again.
    _open(page, "staff")
    page.get_by_test_id("staff-search").fill(STAFF)
    page.get_by_test_id(f"staff-reset-{STAFF}").click()
    assert "token=" in page.get_by_test_id("password-link-value").input_value()
    page.get_by_test_id(f"staff-disable-{STAFF}").click()
    page.get_by_test_id(f"staff-enable-{STAFF}").click()
    page.get_by_test_id(f"staff-disable-{STAFF}").wait_for()

    # A wrong value in the policy is refused, naming the key; nothing is saved.
    _open(page, "policy")
    policy = page.get_by_test_id("policy-toml")
    page.wait_for_function(
        "document.querySelector('[data-testid=policy-toml]').value.includes('urgent_hours')"
    )
    policy.fill(policy.input_value().replace("urgent_hours = 2", "urgent_hours = -2", 1))
    page.get_by_test_id("policy-save").click()
    page.get_by_test_id("policy-result").filter(has_text="receipt.urgent_hours").wait_for()

    # An Open311 key and a webhook: each secret shown once, then revoked.
    _open(page, "keys")
    page.get_by_test_id("key-name").fill("Cổng dịch vụ công")
    page.get_by_test_id("key-create").click()
    assert page.get_by_test_id("key-secret-value").input_value()
    page.locator("[data-testid^=keys-revoke-]").last.click()
    key = page.locator("[data-testid=keys-table] tr").filter(has_text="Cổng dịch vụ công")
    key.filter(has_text="Đã thu hồi").wait_for()
    page.get_by_test_id("webhook-name").fill("Hệ thống 1022")
    page.get_by_test_id("webhook-url").fill("https://1022.example.vn/hook")
    page.get_by_test_id("webhook-create").click()
    assert page.get_by_test_id("webhook-secret-value").input_value()
    page.locator("[data-testid^=webhooks-revoke-]").last.click()
    hook = page.locator("[data-testid=webhooks-table] tr").filter(has_text="Hệ thống 1022")
    hook.filter(has_text="Đã thu hồi").wait_for()

    # The configuration as a pack, checked back in: a dry run that finds nothing to change.
    _open(page, "pack")
    with page.expect_download() as download:
        page.get_by_test_id("pack-download").click()
    path = download.value.path()
    assert "agencies.csv" in zipfile.ZipFile(io.BytesIO(path.read_bytes())).namelist()
    page.get_by_test_id("pack-file").set_input_files(path)
    page.get_by_test_id("pack-check").click()
    page.get_by_test_id("pack-summary").filter(has_text="không có thay đổi").wait_for()
    assert page.get_by_test_id("pack-apply").is_enabled()

    # Every change above is in the audit log.
    _open(page, "audit")
    page.get_by_test_id("audit-ref").fill(AGENCY)
    page.get_by_test_id("audit-apply").click()
    page.locator(f'[data-testid=audit-table] tr[data-target="{AGENCY}"]').first.wait_for()

    # In English: the navigation and the names the API gives in English.
    page.locator(".ioc-lang").click()
    page.get_by_test_id("nav-categories").filter(has_text="Categories").wait_for()
    _open(page, "categories")
    page.locator('[data-testid=categories-table] tr[data-code="pothole"]').filter(
        has_text="Pothole / road surface damage"
    ).wait_for()
    _open(page, "staff")
    page.get_by_test_id("staff-new").filter(has_text="Add staff member").wait_for()
