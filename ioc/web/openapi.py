"""The OpenAPI document, built from the request/response models declared on each route.

Routes declare their schemas once with ``@api.validate(...)``; the same models validate input
and describe it at ``/openapi.json``. ``/api/docs`` renders it with Swagger UI served from this
server (the npm-built assets), so it works with no internet.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import Blueprint, current_app, render_template, request, send_from_directory
from pydantic import ValidationError
from spectree import SecurityScheme, SecuritySchemeData, SpecTree
from spectree.models import SecureType
from werkzeug.exceptions import NotFound as HttpNotFound

from ioc import __version__
from ioc.errors import InvalidInput
from ioc.web.body_guard import refuse_other_formats
from ioc.web.errors import ErrorOut

FRONTEND_DIST = Path(__file__).resolve().parents[2] / "frontend" / "dist"


def _invalid_input(
    _request: Any, _response: Any, error: Exception | None, _instance: Any, _adapter: Any
) -> None:
    """Turn spectree's validation failure into the one error shape every endpoint uses; a body
    in a format the route does not read is refused first (it was validated as empty)."""
    view = current_app.view_functions.get(request.endpoint or "")
    metadata = api.get_function_metadata(view) if view else None
    if metadata is not None:
        refuse_other_formats(
            reads_json=getattr(metadata, "json", None) is not None,
            reads_form=getattr(metadata, "form", None) is not None,
        )
    if not isinstance(error, ValidationError):  # None: the request passed
        return
    fields: dict[str, str] = {}
    for problem in error.errors():
        name = ".".join(str(part) for part in problem["loc"]) or "body"
        fields.setdefault(name, _REASONS.get(problem["type"], problem["msg"]))
    raise InvalidInput("invalid request", details={"fields": fields})


#: pydantic's error types in words the translation catalogue knows.
_REASONS = {
    "missing": "is required",
    "extra_forbidden": "is not an allowed field",
    "string_type": "must be text",
    "string_too_short": "must not be empty",
    "string_too_long": "is too long",
    "float_parsing": "must be a number",
    "float_type": "must be a number",
    "int_parsing": "must be a whole number",
    "int_type": "must be a whole number",
    "greater_than_equal": "is out of range",
    "less_than_equal": "is out of range",
    "literal_error": "is not one of the allowed values",
    "dict_type": "must be an object",
    "model_type": "must be an object",
    "too_long": "has too many items",
    "json_invalid": "is not valid JSON",
}


_FIRST_OF_NAME: dict[str, type[Any]] = {}


def _component_name(model: type[Any]) -> str:
    """The model's class name, qualified by its package when another adapter already uses the
    name for a different model (two ``AgencyList``s would otherwise share one schema, and
    one of the two routes would be described with the other's fields)."""
    name: str = model.__name__
    first = _FIRST_OF_NAME.setdefault(name, model)
    if first is model:
        return name
    qualifier = "".join(
        part.title().replace("_", "") for part in model.__module__.split(".")[:-1] if part != "ioc"
    )
    return f"{qualifier}{name}"


api = SpecTree(
    "flask",
    title="IOC API",
    description="Smart-city operations centre: citizen reports, routing and tracking.",
    version=__version__,
    mode="strict",
    annotations=False,
    page_templates={},
    naming_strategy=lambda model: _component_name(model),
    validation_error_status=422,
    # A route that declares no 422 of its own still answers one in the error envelope.
    validation_error_model=ErrorOut,
    before=_invalid_input,
    security_schemes=[
        SecurityScheme(
            name="firebase",
            data=SecuritySchemeData(
                type=SecureType.HTTP,
                scheme="bearer",
                bearer_format="Firebase ID token",
                description="A Firebase Authentication ID token of the citizen.",
            ),
        ),
        SecurityScheme(
            name="staff",
            data=SecuritySchemeData(
                type=SecureType.HTTP,
                scheme="bearer",
                description="The token from POST /api/auth/login (or its session cookie).",
            ),
        ),
    ],
)

bp = Blueprint("openapi", __name__)


@bp.get("/openapi.json")
def openapi_document() -> Any:
    return current_app.json.response(with_unavailable(api.spec))


#: The answer every operation may give when the server cannot take a request now
#: (ioc.web.overload, ioc.web.errors): nothing was done, ask again after Retry-After.
UNAVAILABLE_RESPONSE = {
    "description": "Service Unavailable: the server is overloaded, the request waited past "
    "its deadline, or the database is unreachable, busy or cancelled a statement that ran too "
    "long. Nothing was stored; try again after Retry-After seconds "
    "(error codes: overloaded, deadline_exceeded, database_unavailable, database_busy, "
    "statement_timeout).",
    "headers": {
        "Retry-After": {
            "description": "Seconds to wait before trying again.",
            "schema": {"type": "integer", "minimum": 0},
        }
    },
    "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorOut"}}},
}


def with_unavailable(spec: dict[str, Any]) -> dict[str, Any]:
    """The document with the shared 503 answer on every operation (added once, in place)."""
    for item in spec.get("paths", {}).values():
        for operation in item.values():
            if isinstance(operation, dict) and "responses" in operation:
                operation["responses"].setdefault("503", UNAVAILABLE_RESPONSE)
    return spec


@bp.get("/api/docs")
def api_docs() -> str:
    return render_template("api_docs.html")


@bp.get("/assets/<path:filename>")
def built_asset(filename: str) -> Any:
    if not (FRONTEND_DIST / "BUILT").is_file():
        raise HttpNotFound(
            "front-end assets are not built: run `npm ci && npm run build` in frontend/"
        )
    return send_from_directory(FRONTEND_DIST, filename, max_age=3600)
