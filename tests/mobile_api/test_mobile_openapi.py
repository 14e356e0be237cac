"""The OpenAPI document describes every mobile endpoint, and its docs page needs no internet."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from flask.testing import FlaskClient

from ioc.app import create_app

MOBILE = "/api/mobile/v1"
ENDPOINTS = {
    ("get", "/categories"),
    ("post", "/reports"),
    ("get", "/reports/mine"),
    ("get", "/reports/nearby"),
    ("get", "/reports/{ref}"),
    ("post", "/reports/{ref}/comments"),
    ("post", "/reports/{ref}/rating"),
    ("post", "/reports/{ref}/support"),
    ("post", "/devices"),
    ("delete", "/devices/{token}"),
}
SIGNED_IN = ENDPOINTS - {("get", "/categories")}


@pytest.fixture
def docs_client(tmp_path: Path) -> FlaskClient:
    """No database: the document and the docs page are built from code alone."""
    app = create_app(
        {
            "env": "test",
            "database_url": f"sqlite:///{tmp_path / 'unused.sqlite3'}",
            "media_dir": tmp_path / "media",
        }
    )
    return app.test_client()


@pytest.fixture
def spec(docs_client: FlaskClient) -> dict[str, Any]:
    response = docs_client.get("/openapi.json")
    assert response.status_code == 200
    return response.get_json()


def _operation(spec: dict[str, Any], method: str, path: str) -> dict[str, Any]:
    return spec["paths"][MOBILE + path][method]


def _resolve(spec: dict[str, Any], ref: str) -> dict[str, Any]:
    assert ref.startswith("#/components/schemas/"), ref
    return spec["components"]["schemas"][ref.removeprefix("#/components/schemas/")]


def test_the_document_is_openapi_3(spec):
    assert spec["openapi"].startswith("3.")
    assert spec["info"]["title"]


def test_every_mobile_endpoint_is_described(spec):
    described = {
        (method, path.removeprefix(MOBILE))
        for path, operations in spec["paths"].items()
        if path.startswith(MOBILE)
        for method in operations
    }

    assert described == ENDPOINTS


def test_signed_in_endpoints_declare_the_firebase_bearer_scheme(spec):
    scheme = spec["components"]["securitySchemes"]["firebase"]
    assert (scheme["type"], scheme["scheme"]) == ("http", "bearer")
    for method, path in SIGNED_IN:
        assert _operation(spec, method, path)["security"] == [{"firebase": []}], (method, path)


def test_submitting_documents_a_json_and_a_multipart_body(spec):
    content = _operation(spec, "post", "/reports")["requestBody"]["content"]

    assert set(content) == {"application/json", "multipart/form-data"}
    report_in = _resolve(spec, content["application/json"]["schema"]["$ref"])
    assert {"category", "lon", "lat"} <= set(report_in["required"])
    form = _resolve(spec, content["multipart/form-data"]["schema"]["$ref"])
    assert set(form["properties"]) == {"report", "photos"}
    assert form["properties"]["photos"]["items"]["format"] == "binary"


def test_submitting_documents_the_201_answer(spec):
    responses = _operation(spec, "post", "/reports")["responses"]

    created = _resolve(spec, responses["201"]["content"]["application/json"]["schema"]["$ref"])
    assert {"ref", "status", "areas", "handled_by", "deadline", "reporter"} <= set(
        created["properties"]
    )
    assert {"422", "429", "401"} <= set(responses)


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("post", "/reports/{ref}/comments", "CommentIn"),
        ("post", "/reports/{ref}/rating", "RatingIn"),
        ("post", "/devices", "DeviceIn"),
    ],
)
def test_json_bodies_are_described_by_their_schemas(spec, method, path, body):
    content = _operation(spec, method, path)["requestBody"]["content"]

    assert content["application/json"]["schema"]["$ref"] == f"#/components/schemas/{body}"


@pytest.mark.parametrize(
    ("path", "parameters"),
    [("/reports/mine", {"cursor", "limit"}), ("/reports/nearby", {"lon", "lat", "category"})],
)
def test_query_parameters_are_described(spec, path, parameters):
    described = {p["name"] for p in _operation(spec, "get", path)["parameters"]}

    assert parameters <= described


@pytest.mark.parametrize(("method", "path"), sorted(ENDPOINTS))
def test_every_endpoint_describes_its_success_answer(spec, method, path):
    responses = _operation(spec, method, path)["responses"]

    assert {"200", "201", "204"} & set(responses)


def test_every_schema_reference_resolves(spec):
    text = str(spec)
    refs = set(re.findall(r"#/components/schemas/[^'\"]+", text))

    assert refs
    for ref in refs:
        assert _resolve(spec, ref)


def test_the_docs_page_loads_only_local_assets(docs_client):
    response = docs_client.get("/api/docs")

    assert response.status_code == 200
    html = response.get_data(as_text=True)
    sources = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert sources
    assert not [s for s in sources if s.startswith(("http:", "https:", "//"))]
    assert '"/openapi.json"' in html


def test_every_asset_of_the_docs_page_is_served(docs_client):
    html = docs_client.get("/api/docs").get_data(as_text=True)
    assets = re.findall(r'(?:src|href)="(/assets/[^"]+)"', html)

    assert any(a.endswith(".js") for a in assets)
    assert any(a.endswith(".css") for a in assets)
    for asset in assets:
        response = docs_client.get(asset)
        assert response.status_code == 200, asset
        assert response.data, asset
        response.close()


def test_submitting_documents_the_required_idempotency_key_header(spec):
    parameters = _operation(spec, "post", "/reports")["parameters"]
    header = next(p for p in parameters if p["in"] == "header")
    assert header["name"] == "Idempotency-Key"
    assert header["required"] is True
