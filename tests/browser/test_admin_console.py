"""The admin console: an administrator puts a new category into service without writing code.

Signs in as admin, adds a category with one required attribute and a routing rule for it,
checks the rule in the routing tester, creates a staff user and disables another; a citizen
report in the new category is then routed by the new rule. The element ids are the console's
(``frontend/src/pages/admin``), listed in ``docs/admin-console.md``.
"""

from __future__ import annotations

from tests.browser.conftest import screenshot, sign_in, wait_until

ADMIN = "window.iocAdmin"
TESTER = "window.iocAdminTester"
CATEGORY = "tree_fallen"
#: A point inside the demo province (and one of its communes).
LON, LAT = 108.74, 15.57
#: The whole province: a rule at its level applies in every commune that has none of its own.
PROVINCE = "HM"


def _open(page, section: str) -> None:
    page.get_by_test_id(f"nav-{section}").click()
    page.wait_for_function(f"{ADMIN}.section() === {section!r}")


def test_an_admin_adds_a_category_and_its_rule_and_a_citizen_report_follows_it(page, live_server):
    # Someone to disable, made beforehand so the demo accounts other tests use stay active.
    live_server.staff(
        "admin",
        "POST",
        "/api/admin/v1/staff",
        {"username": "tam.nghi", "full_name": "Trần Văn Tạm", "role": "viewer"},
    )
    page.on("dialog", lambda dialog: dialog.accept())
    page.set_viewport_size({"width": 1366, "height": 768})
    sign_in(page, "admin")
    assert page.url.endswith("/admin")
    page.wait_for_function(f"{ADMIN} && {ADMIN}.ready === true")
    page.get_by_test_id("warnings-badge").wait_for()

    # A category with one required attribute (a pick-one list with two values).
    _open(page, "categories")
    page.get_by_test_id("categories-new").click()
    form = page.get_by_test_id("categories-form")
    form.get_by_test_id("category-code").fill(CATEGORY)
    form.get_by_test_id("category-group_code").fill("environment")
    form.get_by_test_id("category-name_vi").fill("Cây đổ")
    form.get_by_test_id("category-name_en").fill("Fallen tree")
    form.get_by_test_id("category-tier").select_option("urgent")
    form.get_by_test_id("category-target_hours").fill("8")
    form.get_by_test_id("category-auto_dispatch").check()
    form.get_by_test_id("attr-add").click()
    form.get_by_test_id("attr-0-code").fill("blocking")
    form.get_by_test_id("attr-0-datatype").select_option("singlevaluelist")
    form.get_by_test_id("attr-0-required").check()
    form.get_by_test_id("attr-0-description_vi").fill("Cây có chắn đường không?")
    form.get_by_test_id("attr-0-value-0-key").fill("yes")
    form.get_by_test_id("attr-0-value-0-name_vi").fill("Có")
    form.get_by_test_id("attr-0-value-add").click()
    form.get_by_test_id("attr-0-value-1-key").fill("no")
    form.get_by_test_id("attr-0-value-1-name_vi").fill("Không")
    screenshot(page, "admin-category")
    form.get_by_test_id("form-save").click()
    page.get_by_role("status").filter(has_text=f"Đã tạo {CATEGORY}").wait_for()
    page.locator(f'[data-testid=categories-table] tr[data-code="{CATEGORY}"]').wait_for()

    # Its rule: the Department of Construction leads everywhere in the province.
    _open(page, "rules")
    page.get_by_test_id("rules-new").click()
    rule = page.get_by_test_id("rule-form")
    rule.get_by_test_id("rule-category_code").fill(CATEGORY)
    rule.get_by_test_id("rule-area_code").fill(PROVINCE)
    rule.get_by_test_id("rule-lead_agency_code").fill("SXD")
    rule.get_by_test_id("form-save").click()
    page.get_by_role("status").filter(has_text=f"Đã lưu quy tắc {CATEGORY}").wait_for()
    page.locator(f'[data-testid=rules-table] tr[data-key="{CATEGORY}|{PROVINCE}"]').wait_for()

    # The routing tester agrees, with a marker at the typed point.
    _open(page, "tester")
    page.wait_for_function(f"{TESTER} && {TESTER}.ready()")
    page.get_by_test_id("tester-category_code").select_option(CATEGORY)
    page.get_by_test_id("tester-lon").fill(str(LON))
    page.get_by_test_id("tester-lat").fill(str(LAT))
    page.get_by_test_id("tester-run").click()
    lead = page.get_by_test_id("tester-lead")
    lead.wait_for()
    assert lead.get_attribute("data-code") == "SXD"
    assert PROVINCE in page.get_by_test_id("tester-rule").inner_text()
    assert page.locator("[data-testid=tester-steps] li").count() > 0
    assert page.evaluate(f"{TESTER}.hasMarker()")
    screenshot(page, "admin-routing-tester")

    # A new staff member gets a one-time link; another one is disabled.
    _open(page, "staff")
    page.get_by_test_id("staff-new").click()
    staff = page.get_by_test_id("staff-form")
    staff.get_by_test_id("staff-username").fill("sxd.moi")
    staff.get_by_test_id("staff-full_name").fill("Nguyễn Thị Mới")
    staff.get_by_test_id("staff-role").select_option("agency_officer")
    staff.get_by_test_id("staff-agency_code").fill("SXD")
    staff.get_by_test_id("form-save").click()
    link = page.get_by_test_id("password-link-value")
    link.wait_for()
    assert "token=" in link.input_value()
    page.get_by_test_id("staff-search").fill("tam.nghi")
    page.get_by_test_id("staff-disable-tam.nghi").click()
    page.get_by_test_id("staff-enable-tam.nghi").wait_for()
    disabled = live_server.staff("admin", "GET", "/api/admin/v1/staff?q=tam.nghi")["items"]
    assert [s["active"] for s in disabled] == [False]

    # A citizen's report in the new category goes where the new rule says.
    ref = live_server.submit_report(
        category=CATEGORY,
        lon=LON,
        lat=LAT,
        attributes={"blocking": "yes"},
        description="Cây đổ chắn ngang đường",
    )
    report = wait_until(
        lambda: live_server.staff("dieuhanh", "GET", f"/api/ops/v1/reports/{ref}"),
        timeout=5,
        what="the report",
    )
    assert report["status"] == "assigned"
    assert report["lead_agency"]["code"] == "SXD"

    # Every change above is in the audit log.
    _open(page, "audit")
    page.get_by_test_id("audit-ref").fill(CATEGORY)
    page.get_by_test_id("audit-apply").click()
    page.locator(f'[data-testid=audit-table] tr[data-target="{CATEGORY}"]').first.wait_for()
