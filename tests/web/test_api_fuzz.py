"""Every operation of the OpenAPI document, fed generated input by schemathesis with staff
(admin) and citizen credentials: no answer is a 5xx, and every answer is one the document
describes (status, content type and body shape).

Bounded (a few examples per operation) so it runs in the suite; the data is the staff APIs'
world, so ids and refs mostly miss and the 4xx paths are exercised the most.
"""

from __future__ import annotations

from typing import Any

import schemathesis
from flask import Flask
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from ioc.app import create_app
from tests.staff_api import conftest as staff
from tests.staff_api.conftest import World

#: The staff APIs' world: a province, three agencies, every staff role and a citizen signed in.
firebase_emulator = staff.firebase_emulator
world = staff.world

EXAMPLES = 8
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


def _document() -> dict[str, Any]:
    """The document as served: it depends on the routes, not on the database."""
    app = create_app({"env": "test", "database_url": "sqlite://"})
    document: dict[str, Any] = app.test_client().get("/openapi.json").get_json()
    return document


schema = schemathesis.openapi.from_dict(_document())


@schema.parametrize()
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    derandomize=True,
)
def test_every_operation_answers_as_documented_and_never_5xx(
    case: schemathesis.Case, app: Flask, world: World
) -> None:
    for caller in ("admin", "citizen"):
        case.call_and_validate(app=app, headers=world.headers[caller], checks=CHECKS)
