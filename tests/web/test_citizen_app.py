"""What makes /report an installable app (manifest, service worker, icons), the demo citizen's
sign-in, which production and non-emulator processes refuse, and the sign-in boot settings."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from ioc.app import create_app
from ioc.config import Environment

DEVICE = "a1b2c3d4e5f6a7b8"
FIREBASE_WEB = {
    "apiKey": "key-1",
    "authDomain": "ioc-tinh.firebaseapp.com",
    "projectId": "ioc-tinh",
}


@pytest.fixture
def emulator(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FIREBASE_AUTH_EMULATOR_HOST", "127.0.0.1:9099")


@pytest.fixture
def dist(app, tmp_path: Path) -> Path:
    """A build with the citizen page: its script imports a shared chunk with styles."""
    folder = tmp_path / "dist"
    (folder / ".vite").mkdir(parents=True)
    manifest = {
        "_header-1.js": {"file": "app/header-1.js", "css": ["app/header-1.css"]},
        "src/pages/report/main.js": {
            "file": "app/report-9.js",
            "isEntry": True,
            "imports": ["_header-1.js", "_header-1.js"],
        },
    }
    (folder / ".vite" / "manifest.json").write_text(json.dumps(manifest))
    app.config["IOC_FRONTEND_DIST"] = folder
    return folder


def _boot(client) -> dict:
    html = client.get("/report").get_data(as_text=True)
    return json.loads(re.search(r'id="ioc-boot">(.*?)</script>', html).group(1))


def test_the_demo_citizen_gets_a_token_the_mobile_api_accepts(client, emulator):
    answer = client.post("/api/dev/v1/citizen-token", json={"device": DEVICE})

    assert answer.status_code == 200
    body = answer.get_json()
    assert body["uid"] == f"demo-citizen-{DEVICE}"
    mine = client.get(
        "/api/mobile/v1/reports/mine", headers={"Authorization": f"Bearer {body['token']}"}
    )
    assert mine.status_code == 200
    assert mine.get_json()["items"] == []


def test_the_demo_sign_in_does_not_exist_without_the_emulator(client, monkeypatch):
    monkeypatch.delenv("FIREBASE_AUTH_EMULATOR_HOST", raising=False)

    answer = client.post("/api/dev/v1/citizen-token", json={"device": DEVICE})

    assert answer.status_code == 404
    assert answer.get_json()["error"]["code"] == "not_found"


def test_the_demo_sign_in_does_not_exist_in_production(engine, tmp_path, emulator):
    # A production process refuses to start with the emulator variable, so the check is the
    # endpoint's own: build the app in test mode, then look at it as production would.
    app = create_app(
        {"env": "test", "database_url": engine.url.render_as_string(hide_password=False)}
    )
    object.__setattr__(app.extensions["ioc"].settings, "env", Environment.PRODUCTION)

    answer = app.test_client().post("/api/dev/v1/citizen-token", json={"device": "bad"})

    assert answer.status_code == 404


def test_a_device_id_that_is_not_a_plain_random_id_is_refused(client, emulator):
    answer = client.post("/api/dev/v1/citizen-token", json={"device": "../../admin"})

    assert answer.status_code == 422
    assert "device" in json.dumps(answer.get_json())


def test_the_citizen_page_links_its_manifest_and_says_how_to_sign_in(client, dist, emulator):
    html = client.get("/report").get_data(as_text=True)

    assert '<link rel="manifest" href="/report.webmanifest">' in html
    boot = _boot(client)
    assert boot["citizen_sign_in"] == {"firebase": None, "demo": True}


def test_with_a_firebase_web_config_the_page_gets_it(
    engine, session_factory, tmp_path, dist, monkeypatch
):
    monkeypatch.delenv("FIREBASE_AUTH_EMULATOR_HOST", raising=False)
    app = create_app(
        {
            "env": "test",
            "database_url": engine.url.render_as_string(hide_password=False),
            "firebase_web_config": json.dumps(FIREBASE_WEB),
        }
    )
    app.config["IOC_FRONTEND_DIST"] = dist
    # The page reads the province's contacts: inside the test's transaction, as the app
    # fixture's units of work do.
    app.extensions["ioc"].session_factory = session_factory

    boot = _boot(app.test_client())

    assert boot["citizen_sign_in"] == {"firebase": FIREBASE_WEB, "demo": False}


def test_the_manifest_makes_report_an_installable_app(client):
    answer = client.get("/report.webmanifest")

    assert answer.mimetype == "application/manifest+json"
    manifest = json.loads(answer.get_data(as_text=True))
    assert manifest["start_url"] == "/report"
    assert manifest["lang"] == "vi"
    assert {"192x192", "512x512"} <= {icon["sizes"] for icon in manifest["icons"]}
    for icon in manifest["icons"]:
        with client.get(icon["src"]) as picture:
            assert picture.status_code == 200
            assert picture.data.startswith(b"\x89PNG")


def test_the_service_worker_keeps_the_page_and_its_built_files(client, dist):
    answer = client.get("/report-sw.js")

    assert answer.mimetype == "text/javascript"
    assert answer.headers["Cache-Control"] == "no-cache"
    script = answer.get_data(as_text=True)
    shell = json.loads(re.search(r"const SHELL = (.*?);\n", script).group(1))
    assert {"/report", "/assets/app/report-9.js", "/assets/app/header-1.js"} <= set(shell)
    assert "/assets/app/header-1.css" in shell
    assert len(shell) == len(set(shell))  # Cache.addAll refuses duplicates


def test_a_malformed_firebase_web_config_stops_the_start():
    from ioc.config import ConfigurationError, load_settings

    with pytest.raises(ConfigurationError, match="FIREBASE_WEB_CONFIG"):
        load_settings({"firebase_web_config": '{"apiKey": "k"}'})
