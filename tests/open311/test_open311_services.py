"""Discovery, the service list and service definitions, in JSON and XML."""

from __future__ import annotations

import pytest

from tests.open311.helpers import (
    ATTRIBUTE_FIELDS,
    BASE,
    SERVICE_FIELDS,
    children,
    errors_of,
    json_of,
    xml_of,
)


def test_discovery_points_to_this_endpoint_in_both_formats(client, world):
    body = json_of(client.get(f"{BASE}/discovery.json"))
    root = xml_of(client.get(f"{BASE}/discovery.xml"))

    [endpoint] = body["endpoints"]
    assert endpoint["specification"] == "http://wiki.open311.org/GeoReport_v2"
    assert endpoint["url"] == "http://localhost/open311/v2"
    assert endpoint["type"] == "production"
    assert endpoint["formats"] == ["text/xml", "application/json"]
    assert body["changeset"].endswith("+07:00")
    assert root.tag == "discovery"
    assert children(root) == ["changeset", "contact", "key_service", "endpoints"]
    xml_endpoint = root.find("endpoints/endpoint")
    assert xml_endpoint.findtext("url") == "http://localhost/open311/v2"
    assert [f.text for f in xml_endpoint.iter("format")] == ["text/xml", "application/json"]


def test_services_list_public_categories_in_vietnamese(client, world):
    services = json_of(client.get(f"{BASE}/services.json"))

    assert [s["service_code"] for s in services] == ["o_ga", "den_duong"]
    pothole = services[0]
    assert list(pothole) == SERVICE_FIELDS
    assert pothole["service_name"] == "Ổ gà"
    assert pothole["description"] == "Mặt đường hư hỏng, ổ gà"
    assert pothole["metadata"] is True
    assert pothole["type"] == "realtime"
    assert pothole["group"] == "Nhóm thử"
    assert "Ổ gà" in pothole["keywords"]
    assert services[1]["metadata"] is False


@pytest.mark.parametrize("how", [{"headers": {"Accept-Language": "en"}}, {"query": "?locale=en"}])
def test_services_speak_english_when_asked(client, world, how):
    url = f"{BASE}/services.json" + how.get("query", "")

    services = json_of(client.get(url, headers=how.get("headers", {})))

    assert services[0]["service_name"] == "Pothole"
    assert services[0]["description"] == "Damaged road surface"


def test_services_xml_has_the_spec_elements(client, world):
    root = xml_of(client.get(f"{BASE}/services.xml"))

    assert root.tag == "services"
    [first, second] = root.findall("service")
    assert children(first) == SERVICE_FIELDS
    assert first.findtext("service_code") == "o_ga"
    assert first.findtext("service_name") == "Ổ gà"
    assert first.findtext("metadata") == "true"
    assert second.findtext("metadata") == "false"
    assert first.findtext("type") == "realtime"


def test_service_definition_maps_every_attribute_datatype(client, world):
    definition = json_of(client.get(f"{BASE}/services/o_ga.json"))

    assert definition["service_code"] == "o_ga"
    attributes = definition["attributes"]
    assert [a["code"] for a in attributes] == [
        "pothole_size",
        "depth_cm",
        "hazards",
        "seen_at",
        "landmark",
        "details",
    ]
    assert [a["datatype"] for a in attributes] == [
        "singlevaluelist",
        "number",
        "multivaluelist",
        "datetime",
        "string",
        "text",
    ]
    assert [a["order"] for a in attributes] == [1, 2, 3, 4, 5, 6]
    size = attributes[0]
    assert list(size) == ATTRIBUTE_FIELDS
    assert size["variable"] is True
    assert size["required"] is True
    assert size["description"] == "Kích thước ổ gà"
    assert size["values"] == [{"key": "small", "name": "Nhỏ"}, {"key": "large", "name": "Lớn"}]
    assert attributes[1]["required"] is False
    assert attributes[1]["values"] == []


def test_service_definition_xml_nests_attributes_and_values(client, world):
    root = xml_of(client.get(f"{BASE}/services/o_ga.xml", headers={"Accept-Language": "en"}))

    assert root.tag == "service_definition"
    assert children(root) == ["service_code", "attributes"]
    first = root.find("attributes/attribute")
    assert children(first) == ATTRIBUTE_FIELDS
    assert first.findtext("datatype") == "singlevaluelist"
    assert first.findtext("required") == "true"
    assert first.findtext("description") == "Size of the pothole"
    values = [(v.findtext("key"), v.findtext("name")) for v in first.iter("value")]
    assert values == [("small", "Small"), ("large", "Large")]


@pytest.mark.parametrize("fmt", ["json", "xml"])
@pytest.mark.parametrize("code", ["khong_co", "an_ninh"])
def test_unknown_or_private_service_is_404_in_the_spec_error_format(client, world, fmt, code):
    response = client.get(f"{BASE}/services/{code}.{fmt}")

    assert response.status_code == 404
    [error] = errors_of(response, fmt)
    assert error["code"] == 404
    assert "service_code" in error["description"]


def test_private_categories_are_not_services(client, world):
    codes = [s["service_code"] for s in json_of(client.get(f"{BASE}/services.json"))]

    assert "an_ninh" not in codes


def test_an_unknown_format_is_a_404_error_list(client, world):
    response = client.get(f"{BASE}/services.csv")

    assert response.status_code == 404
    assert errors_of(response, "json")[0]["code"] == 404
