"""Reading Open311 answers as a client would: JSON, or XML parsed with ElementTree."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from typing import Any

BASE = "/open311/v2"

#: The spec's fields of a service request (GET requests and GET requests/{id}), in order.
REQUEST_FIELDS = [
    "service_request_id",
    "status",
    "status_notes",
    "service_name",
    "service_code",
    "description",
    "agency_responsible",
    "service_notice",
    "requested_datetime",
    "updated_datetime",
    "expected_datetime",
    "address",
    "address_id",
    "zipcode",
    "lat",
    "long",
    "media_url",
]
SERVICE_FIELDS = [
    "service_code",
    "service_name",
    "description",
    "metadata",
    "type",
    "keywords",
    "group",
]
ATTRIBUTE_FIELDS = [
    "variable",
    "code",
    "datatype",
    "required",
    "datatype_description",
    "order",
    "description",
    "values",
]


def xml_of(response: Any) -> ET.Element:
    assert response.headers["Content-Type"] == "text/xml; charset=utf-8"
    assert response.data.startswith(b'<?xml version="1.0" encoding="utf-8"?>')
    return ET.fromstring(response.data)


def json_of(response: Any) -> Any:
    assert response.headers["Content-Type"] == "application/json; charset=utf-8"
    return response.get_json()


def children(element: ET.Element) -> list[str]:
    return [child.tag for child in element]


def errors_of(response: Any, fmt: str) -> list[dict[str, Any]]:
    """The spec's error list, from either format."""
    if fmt == "json":
        return json_of(response)
    root = xml_of(response)
    assert root.tag == "errors"
    return [
        {"code": int(error.findtext("code")), "description": error.findtext("description")}
        for error in root.iter("error")
    ]
