"""Boundaries for administrators: upload a GeoJSON file with its property mapping, preview
what it would change on the map, then apply it as new area versions from a date.

Both routes take multipart: ``file`` plus the mapping as form fields.
"""

from __future__ import annotations

from datetime import date
from typing import Any, Literal, TypeVar

from flask import Blueprint
from pydantic import BaseModel, ConfigDict, Field, field_validator
from spectree import Response
from werkzeug.datastructures import FileStorage
from werkzeug.exceptions import RequestEntityTooLarge

from ioc.db import utcnow
from ioc.errors import InvalidInput, MalformedRequest
from ioc.feedback.states import ADMINS
from ioc.geo.boundaries import MAX_CODE_LENGTH, MAX_LEVEL_LENGTH, PropertyMapping
from ioc.geo.importer import ImportSummary
from ioc.province import boundaries
from ioc.web.openapi import api
from ioc.web.staff_access import (
    STAFF_ERRORS,
    STAFF_SECURITY,
    ErrorOut,
    admit_only,
    staff_unit_of_work,
)
from ioc.web.validated import validated_form

bp = Blueprint("admin_boundaries", __name__, url_prefix="/api/admin/v1")
admit_only(bp, ADMINS)
TAGS = ["admin"]
ERRORS = {**STAFF_ERRORS, "HTTP_400": ErrorOut, "HTTP_413": ErrorOut}
#: A whole province's communes are a few megabytes; anything past this is not a boundary file.
MAX_FILE_BYTES = 50 * 1024 * 1024
MAX_PROPERTY_NAME = 200


class BoundaryForm(BaseModel):
    """The file and which of its feature properties hold what."""

    model_config = ConfigDict(extra="forbid", arbitrary_types_allowed=True)

    file: Any = Field(
        description="A GeoJSON FeatureCollection in WGS84 (EPSG:4326)",
        json_schema_extra={"type": "string", "format": "binary"},
    )
    level: str = Field(min_length=1, max_length=MAX_LEVEL_LENGTH, examples=["commune"])
    code_prop: str = Field(min_length=1, max_length=MAX_PROPERTY_NAME)
    name_prop: str = Field(min_length=1, max_length=MAX_PROPERTY_NAME)
    name_en_prop: str | None = Field(default=None, max_length=MAX_PROPERTY_NAME)
    parent_code_prop: str | None = Field(default=None, max_length=MAX_PROPERTY_NAME)
    parent_code: str | None = Field(
        default=None, max_length=MAX_CODE_LENGTH, description="The parent of every feature"
    )

    @field_validator("name_en_prop", "parent_code_prop", "parent_code", mode="before")
    @classmethod
    def _blank_is_none(cls, value: Any) -> Any:
        return None if isinstance(value, str) and not value.strip() else value

    def mapping(self) -> PropertyMapping:
        return PropertyMapping(
            level=self.level.strip(),
            code_prop=self.code_prop,
            name_prop=self.name_prop,
            name_en_prop=self.name_en_prop,
            parent_code_prop=self.parent_code_prop,
            parent_code=self.parent_code.strip() if self.parent_code else None,
        )


class PreviewForm(BoundaryForm):
    valid_from: date | None = Field(
        default=None, description="The day the new versions would start (default: today)"
    )


class ApplyForm(BoundaryForm):
    valid_from: date = Field(description="The day the new versions start (local midnight)")
    close_missing: bool = Field(
        default=False,
        description="Close the current areas of this level and tree that the file omits",
    )


F = TypeVar("F", bound=BoundaryForm)


class SummaryOut(BaseModel):
    created: int
    replaced: int
    unchanged: int
    closed: int = Field(description="Preview: how many areas `close_missing` would close")


class ProblemOut(BaseModel):
    severity: Literal["error", "warning"]
    file: str | None
    row: int | None
    column: str | None
    feature: int | None
    message_vi: str
    message_en: str


class PreviewOut(BaseModel):
    properties: list[str] = Field(description="The property names the features use")
    features: dict[str, Any] = Field(
        description="A FeatureCollection simplified for the map: the areas that would close "
        "(status `closed`), then the file's (status added|changed|unchanged)"
    )
    summary: SummaryOut
    problems: list[ProblemOut] = Field(description="Warnings (errors are a 400)")
    tolerance: float = Field(description="How much the shapes were simplified, in degrees")


class ApplyOut(BaseModel):
    summary: SummaryOut
    created: list[str]
    replaced: list[str]
    closed: list[str]
    repaired: list[str]


@bp.post("/boundaries/preview")
@api.validate(
    form=PreviewForm,
    resp=Response(HTTP_200=PreviewOut, **ERRORS),
    tags=TAGS,
    security=STAFF_SECURITY,
)
def preview() -> dict[str, Any]:
    """What a boundary file would add, change and close; nothing is written."""
    sent = validated_form(PreviewForm)
    with staff_unit_of_work(ADMINS) as (session, _):
        form = _required(sent)
        name, data = _upload(form)
        found = boundaries.preview_boundaries(
            session,
            data=data,
            mapping=form.mapping(),
            at=utcnow(),
            valid_from=form.valid_from,
            source=name,
        )
        return {
            "properties": found.properties,
            "features": found.features,
            "summary": _counts(found.summary),
            "problems": [p.to_dict() for p in found.problems],
            "tolerance": found.tolerance,
        }


@bp.post("/boundaries")
@api.validate(
    form=ApplyForm,
    resp=Response(HTTP_200=ApplyOut, **ERRORS),
    tags=TAGS,
    security=STAFF_SECURITY,
)
def apply() -> dict[str, Any]:
    """Apply a boundary file as new area versions from `valid_from`; audited."""
    sent = validated_form(ApplyForm)
    with staff_unit_of_work(ADMINS) as (session, actor):
        form = _required(sent)
        name, data = _upload(form)
        summary = boundaries.apply_boundaries(
            session,
            data=data,
            mapping=form.mapping(),
            valid_from=form.valid_from,
            close_missing=form.close_missing,
            actor=actor,
            at=utcnow(),
            source=name,
        )
        return {
            "summary": _counts(summary),
            "created": summary.created,
            "replaced": summary.replaced,
            "closed": summary.closed,
            "repaired": summary.repaired,
        }


def _required(form: F | None) -> F:
    """The form, checked after the caller's role so a stranger learns nothing of the route.

    Raises:
        MalformedRequest: the request is not multipart.
    """
    if form is None:
        raise MalformedRequest(
            "send the boundary file as multipart/form-data",
            details={"fields": {"file": "missing"}},
        )
    return form


def _upload(form: BoundaryForm) -> tuple[str, bytes]:
    """The uploaded file's name and bytes.

    Raises:
        InvalidInput: ``file`` is not a file.
        RequestEntityTooLarge: the file is larger than :data:`MAX_FILE_BYTES`.
    """
    if not isinstance(form.file, FileStorage):
        raise InvalidInput(
            "send the boundary file in 'file'", details={"fields": {"file": "not a file"}}
        )
    try:
        data = form.file.read(MAX_FILE_BYTES + 1)
    finally:
        form.file.close()  # a large upload is spooled to a temporary file
    if len(data) > MAX_FILE_BYTES:
        raise RequestEntityTooLarge(f"the boundary file is larger than {MAX_FILE_BYTES} bytes")
    return form.file.filename or boundaries.DEFAULT_SOURCE, data


def _counts(summary: ImportSummary) -> dict[str, int]:
    return {
        "created": len(summary.created),
        "replaced": len(summary.replaced),
        "unchanged": len(summary.unchanged),
        "closed": len(summary.closed),
    }
