"""The page shells: Vite's manifest turned into tags, boot settings, sign-in redirects and the
clear message when the pages were never built."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from ioc.feedback.people.accounts import create_staff_user
from ioc.feedback.states import (
    DISMISSED_STATES,
    HANDLING_STATES,
    OPEN_STATES,
    PUBLISHED_STATES,
    TRIAGE_STATES,
    ReportStatus,
    SlaTier,
)
from tests.factories import make_agency

PASSWORD = "mat-khau-dai-1"


@pytest.fixture
def dist(app, tmp_path: Path) -> Path:
    """A built front end in miniature: one shared chunk with styles, and the page entries."""
    folder = tmp_path / "dist"
    (folder / ".vite").mkdir(parents=True)
    (folder / "app").mkdir()
    (folder / "app" / "ops-abc123.js").write_text("console.log('ops')")
    manifest = {
        "_header-1.js": {"file": "app/header-1.js", "css": ["app/header-1.css"]},
        "src/pages/ops/main.js": {
            "file": "app/ops-abc123.js",
            "isEntry": True,
            "imports": ["_header-1.js"],
            "css": ["app/ops-2.css"],
        },
        "src/pages/login/main.js": {"file": "app/login-3.js", "isEntry": True},
    }
    (folder / ".vite" / "manifest.json").write_text(json.dumps(manifest))
    app.config["IOC_FRONTEND_DIST"] = folder
    return folder


@pytest.fixture
def operator(session):
    return create_staff_user(
        session, username="dieuhanh", role="ioc_operator", password=PASSWORD, display_name="Hoa"
    )


def _sign_in(client, username: str) -> None:
    answer = client.post("/api/auth/login", json={"username": username, "password": PASSWORD})
    assert answer.status_code == 200


def _boot(html: str) -> dict:
    return json.loads(re.search(r'id="ioc-boot">(.*?)</script>', html).group(1))


def test_the_login_page_is_a_vietnamese_shell_loading_its_built_script(client, dist):
    response = client.get("/login")

    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert '<html lang="vi">' in html
    assert '<script type="module" src="/assets/app/login-3.js"></script>' in html
    boot = _boot(html)
    assert boot["user"] is None
    assert boot["timezone"] == "Asia/Ho_Chi_Minh"


def test_a_staff_page_sends_a_visitor_who_is_not_signed_in_to_login(client, dist):
    response = client.get("/ops?zoom=9")

    assert response.status_code == 302
    assert response.headers["Location"] == "/login?next=%2Fops%3Fzoom%3D9"


def test_a_signed_in_operator_gets_the_wall_map_with_shared_styles_first(client, dist, operator):
    _sign_in(client, "dieuhanh")

    html = client.get("/ops").get_data(as_text=True)

    styles = re.findall(r'rel="stylesheet" href="([^"]+)"', html)
    assert styles == ["/assets/app/header-1.css", "/assets/app/ops-2.css"]
    assert 'rel="modulepreload" href="/assets/app/header-1.js"' in html
    boot = _boot(html)
    assert boot["user"]["username"] == "dieuhanh"
    assert boot["user"]["home"] == "/ops"
    assert boot["user"]["is_ioc_staff"] is True


def test_a_viewer_boots_as_a_reader_who_takes_no_ioc_decisions(client, dist, session):
    create_staff_user(session, username="xem", role="viewer", password=PASSWORD)
    _sign_in(client, "xem")

    boot = _boot(client.get("/ops").get_data(as_text=True))

    assert boot["user"]["role"] == "viewer"
    assert boot["user"]["is_ioc_staff"] is False


def test_agency_staff_are_pointed_to_their_own_console(client, dist, session):
    make_agency(session, "SXD")
    create_staff_user(
        session, username="canbo", role="agency_officer", password=PASSWORD, agency_code="SXD"
    )
    _sign_in(client, "canbo")

    response = client.get("/ops")

    assert response.status_code == 403
    assert 'href="/agency"' in response.get_data(as_text=True)


def test_boot_settings_cannot_break_out_of_the_script_tag(client, dist, session):
    create_staff_user(
        session,
        username="xss",
        role="viewer",
        password=PASSWORD,
        display_name="</script><script>alert(1)</script>",
    )
    _sign_in(client, "xss")

    html = client.get("/ops").get_data(as_text=True)

    assert "<script>alert(1)" not in html


def test_every_page_boots_with_the_statuses_in_screen_order_and_their_vietnamese_names(
    client, dist
):
    vocabulary = _boot(client.get("/login").get_data(as_text=True))["vocabulary"]

    assert vocabulary["statuses"] == [
        {"code": status.value, "label_vi": status.label_vi} for status in ReportStatus
    ]
    assert {"code": "in_progress", "label_vi": "đang xử lý"} in vocabulary["statuses"]
    assert vocabulary["tiers"] == [tier.value for tier in SlaTier]


def test_the_boot_settings_carry_the_named_groups_the_domain_declares(client, dist, operator):
    _sign_in(client, "dieuhanh")

    groups = _boot(client.get("/ops").get_data(as_text=True))["vocabulary"]["groups"]

    declared = {
        "triage": TRIAGE_STATES,
        "handling": HANDLING_STATES,
        "open": OPEN_STATES,
        "published": PUBLISHED_STATES,
        "dismissed": DISMISSED_STATES,
    }
    assert {name: set(codes) for name, codes in groups.items()} == {
        name: {status.value for status in group} for name, group in declared.items()
    }
    assert sorted(groups["triage"]) == ["pending_review", "returned"]


def test_pages_say_how_to_build_them_when_the_build_is_missing(client, app, tmp_path):
    app.config["IOC_FRONTEND_DIST"] = tmp_path / "never-built"

    response = client.get("/public")

    assert response.status_code == 503
    assert "bash scripts/build_frontend.sh" in response.get_data(as_text=True)


def test_hashed_assets_are_cached_for_a_year(client, dist):
    with client.get("/assets/app/ops-abc123.js") as response:
        assert response.status_code == 200
        assert "immutable" in response.headers["Cache-Control"]
        assert "max-age=31536000" in response.headers["Cache-Control"]


def test_an_admin_gets_the_admin_console_and_lands_there_after_signing_in(client, dist, session):
    create_staff_user(session, username="quantri", role="admin", password=PASSWORD)

    answer = client.post("/api/auth/login", json={"username": "quantri", "password": PASSWORD})
    response = client.get("/admin")

    assert answer.get_json()["user"]["home"] == "/admin"
    # The miniature build has no admin entry: the shell is reached, the build is missing.
    assert response.status_code == 503
    boot_home = _boot(client.get("/ops").get_data(as_text=True))["user"]["home"]
    assert boot_home == "/admin"


def test_the_admin_console_is_for_admins_only(client, dist, operator):
    _sign_in(client, "dieuhanh")

    response = client.get("/admin")

    assert response.status_code == 403
    assert 'href="/ops"' in response.get_data(as_text=True)


def test_the_boot_settings_name_the_roles_agency_kinds_and_attribute_datatypes(client, dist):
    vocabulary = _boot(client.get("/login").get_data(as_text=True))["vocabulary"]

    assert "admin" in vocabulary["roles"]
    assert "citizen" not in vocabulary["roles"]
    assert "commune_committee" in vocabulary["agency_kinds"]
    assert "singlevaluelist" in vocabulary["attribute_datatypes"]
    assert vocabulary["list_datatypes"] == ["singlevaluelist", "multivaluelist"]
