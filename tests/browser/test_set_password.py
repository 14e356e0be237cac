"""A new staff member follows the one-time link, chooses a password and signs in with it."""

from __future__ import annotations

from urllib.parse import urlparse

from tests.browser.conftest import LiveServer

NEW_PASSWORD = "mat-khau-moi-2026"


def test_a_new_staff_member_sets_a_password_from_the_link_and_signs_in(page, live_server):
    server: LiveServer = live_server
    created = server.staff(
        "admin",
        "POST",
        "/api/admin/v1/staff",
        {"username": "moi.canbo", "full_name": "Vũ Thị Mai", "role": "viewer"},
    )
    link = urlparse(created["password_link"]["url"])

    page.goto(f"{link.path}?{link.query}")
    page.get_by_label("Mật khẩu mới").fill(NEW_PASSWORD)
    page.get_by_label("Nhập lại mật khẩu").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Đặt mật khẩu", exact=True).click()
    page.wait_for_url("**/login")

    page.get_by_label("Tên đăng nhập").fill("moi.canbo")
    page.get_by_label("Mật khẩu").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Đăng nhập", exact=True).click()
    page.wait_for_url("**/ops")


def test_a_used_link_is_explained_on_the_form(page, live_server, console):
    console.allow("400")
    server: LiveServer = live_server
    created = server.staff(
        "admin",
        "POST",
        "/api/admin/v1/staff",
        {"username": "moi.canbo2", "full_name": "Vũ Văn Nam", "role": "viewer"},
    )
    link = urlparse(created["password_link"]["url"])
    token = link.query.split("=", 1)[1]
    server.request(
        "POST", "/api/auth/password-setup", body={"token": token, "password": NEW_PASSWORD}
    )

    page.goto(f"{link.path}?{link.query}")
    page.get_by_label("Mật khẩu mới").fill(NEW_PASSWORD)
    page.get_by_label("Nhập lại mật khẩu").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Đặt mật khẩu", exact=True).click()

    alert = page.get_by_role("alert")
    alert.wait_for()
    assert "không còn hiệu lực" in alert.inner_text()
