"""GeoReport v2 answers in either format: one dict or list renders as JSON or as the spec's
schemaless XML (the "Spark convention"), and every failure as the spec's error list."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from typing import Any

import orjson
from flask import Response

#: The element each item of a list is wrapped in, by the list's own element name.
_ITEM_NAMES = {
    "services": "service",
    "service_requests": "request",
    "attributes": "attribute",
    "values": "value",
    "endpoints": "endpoint",
    "formats": "format",
    "errors": "error",
}
FORMATS = ("json", "xml")
_NOT_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def render(body: Any, fmt: str, *, root: str, status: int = 200) -> Response:
    """``body`` as ``fmt``; ``root`` names the XML root element (a list's container)."""
    if fmt == "xml":
        element = _element(root, body)
        text = ET.tostring(element, encoding="unicode")
        document = f'<?xml version="1.0" encoding="utf-8"?>\n{text}'
        return Response(document.encode(), status=status, content_type="text/xml; charset=utf-8")
    # UTF-8 as it is (as json.dumps with ensure_ascii=False), with no space after a separator.
    encoded = orjson.dumps(body, option=orjson.OPT_NON_STR_KEYS)
    return Response(encoded, status=status, content_type="application/json; charset=utf-8")


def render_errors(errors: list[tuple[int, str]], fmt: str, status: int) -> Response:
    """The spec's error answer: a list of ``{code, description}``."""
    body = [{"code": code, "description": description} for code, description in errors]
    return render(body, fmt if fmt in FORMATS else "json", root="errors", status=status)


def without_control_characters(text: str) -> str:
    """``text`` without what XML 1.0 cannot carry (PostgreSQL refuses NUL as well)."""
    return _NOT_XML.sub("", text)


def _element(name: str, value: Any) -> ET.Element:
    element = ET.Element(name)
    if isinstance(value, dict):
        for key, child in value.items():
            element.append(_element(key, child))
    elif isinstance(value, list):
        item_name = _ITEM_NAMES.get(name, "item")
        for child in value:
            element.append(_element(item_name, child))
    elif isinstance(value, bool):
        element.text = "true" if value else "false"
    elif value is not None:
        # XML 1.0 cannot carry most control characters, even escaped.
        element.text = without_control_characters(str(value))
    return element
