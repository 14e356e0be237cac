"""The catalogue admin API: agencies, categories with their attributes, routing rules, the
configuration's warnings, and the whole configuration as a pack (download and upload).

Every write is one edit of the current pack loaded through the province loader
(:mod:`ioc.province.editing`), so the console obeys the same checks as a pack file.
"""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo

from flask import Blueprint, request
from flask import Response as FlaskResponse
from spectree import Response

from ioc.admin.catalogue_schemas import (
    AgencyFields,
    AgencyIn,
    AgencyList,
    AgencyOut,
    CategoryFields,
    CategoryIn,
    CategoryList,
    CategoryOut,
    ListQuery,
    PackOut,
    PackQuery,
    ProblemList,
    RuleCloseIn,
    RuleIn,
    RuleList,
    RuleOut,
    RuleQuery,
)
from ioc.db import utcnow
from ioc.errors import InvalidInput
from ioc.feedback.models import Category
from ioc.feedback.states import ADMINS
from ioc.province import editing
from ioc.province.current import attribute_rows, current_pack
from ioc.province.loading import LoadResult
from ioc.province.pack import AgencyRow, AttributeRow, CategoryRow, GroupRow, RuleRow, ValueItem
from ioc.province.writing import pack_zip
from ioc.web.openapi import api
from ioc.web.site import site_url
from ioc.web.staff_access import STAFF_ERRORS, ErrorOut, admit_only, staff_unit_of_work
from ioc.web.validated import validated_body, validated_query

bp = Blueprint("admin_catalogue_api", __name__, url_prefix="/api/admin/v1")
admit_only(bp, ADMINS)

TAGS = ["admin"]
SECURITY: dict[str, list[str]] = {"staff": []}
ERRORS = dict(STAFF_ERRORS)
WRITE_ERRORS = {**ERRORS, "HTTP_409": ErrorOut}


def _warnings(result: LoadResult) -> list[dict[str, object]]:
    return [p.to_dict() for p in result.problems if p.severity == "warning"]


# --- agencies --------------------------------------------------------------------------------


@bp.get("/agencies")
@api.validate(
    query=ListQuery, resp=Response(HTTP_200=AgencyList, **ERRORS), tags=TAGS, security=SECURITY
)
def agencies() -> dict[str, Any]:
    """Agencies (cơ quan), searched by code and name, active or not."""
    query = validated_query(ListQuery)
    with staff_unit_of_work(ADMINS) as (session, _):
        found = editing.list_agencies(session, q=query.q, active=query.active)
        return {"items": [editing.agency_item(a) for a in found]}


def _agency_row(code: str, body: AgencyFields) -> AgencyRow:
    return AgencyRow(code=code, **body.model_dump())


def _save_agency(code: str, body: AgencyFields, *, create: bool) -> dict[str, Any]:
    with staff_unit_of_work(ADMINS) as (session, actor):
        result = editing.save_agency(
            session, actor=actor, at=utcnow(), row=_agency_row(code, body), create=create
        )
        item = editing.agency_item(editing.get_agency(session, code))
        return {**item, "warnings": _warnings(result)}


@bp.post("/agencies")
@api.validate(
    json=AgencyIn,
    resp=Response(HTTP_201=AgencyOut, **WRITE_ERRORS),
    tags=TAGS,
    security=SECURITY,
)
def create_agency() -> tuple[dict[str, Any], int]:
    """Add an agency."""
    body = validated_body(AgencyIn)
    fields = AgencyFields(**body.model_dump(exclude={"code"}))
    return _save_agency(body.code, fields, create=True), 201


@bp.put("/agencies/<code>")
@api.validate(
    json=AgencyFields, resp=Response(HTTP_200=AgencyOut, **ERRORS), tags=TAGS, security=SECURITY
)
def update_agency(code: str) -> dict[str, Any]:
    """Change an agency."""
    return _save_agency(code, validated_body(AgencyFields), create=False)


@bp.post("/agencies/<code>/deactivate")
@api.validate(resp=Response(HTTP_200=AgencyOut, **ERRORS), tags=TAGS, security=SECURITY)
def deactivate_agency(code: str) -> dict[str, Any]:
    """Stop an agency taking reports (kept, never deleted)."""
    with staff_unit_of_work(ADMINS) as (session, actor):
        result = editing.deactivate_agency(session, actor=actor, at=utcnow(), code=code)
        item = editing.agency_item(editing.get_agency(session, code))
        return {**item, "warnings": _warnings(result)}


# --- categories ------------------------------------------------------------------------------


def _category_item(category: Category) -> dict[str, Any]:
    return {
        "code": category.code,
        "group_code": category.group.code,
        "group_name_vi": category.group.name_vi,
        "group_name_en": category.group.name_en,
        "name_vi": category.name_vi,
        "name_en": category.name_en,
        "description_vi": category.description_vi,
        "description_en": category.description_en,
        "tier": category.sla_tier,
        "target_hours": category.sla_target_hours,
        "auto_dispatch": category.is_auto_dispatch,
        "photo_required": category.is_photo_required,
        "after_photo_required": category.is_after_photo_required,
        "private": category.is_private,
        "duplicate_radius_m": category.duplicate_radius_m,
        "active": category.is_active,
        "attributes": [
            {
                "code": a.code,
                "datatype": a.datatype,
                "required": a.required,
                "order": a.order,
                "description_vi": a.description_vi,
                "description_en": a.description_en,
                "values": [
                    {"key": v.key, "name_vi": v.name_vi, "name_en": v.name_en} for v in a.values
                ],
            }
            for a in attribute_rows(category)
        ],
    }


@bp.get("/categories")
@api.validate(
    query=ListQuery, resp=Response(HTTP_200=CategoryList, **ERRORS), tags=TAGS, security=SECURITY
)
def categories() -> dict[str, Any]:
    """Categories (lĩnh vực) with their attributes."""
    query = validated_query(ListQuery)
    with staff_unit_of_work(ADMINS) as (session, _):
        found = editing.list_categories(session, q=query.q, active=query.active)
        return {"items": [_category_item(c) for c in found]}


def _save_category(code: str, body: CategoryFields, *, create: bool) -> dict[str, Any]:
    fields = body.model_dump(exclude={"group_name_vi", "group_name_en", "attributes"})
    row = CategoryRow(code=code, **fields)
    group = GroupRow(
        code=body.group_code, name_vi=body.group_name_vi or "", name_en=body.group_name_en
    )
    attributes = [
        AttributeRow(
            category_code=code,
            code=a.code,
            datatype=a.datatype,
            required=a.required,
            order=a.order,
            description_vi=a.description_vi,
            description_en=a.description_en,
            values=tuple(ValueItem(v.key, v.name_vi, v.name_en) for v in a.values),
        )
        for a in body.attributes
    ]
    with staff_unit_of_work(ADMINS) as (session, actor):
        result = editing.save_category(
            session,
            actor=actor,
            at=utcnow(),
            row=row,
            group=group,
            attributes=attributes,
            create=create,
        )
        item = _category_item(editing.get_category(session, code))
        return {**item, "warnings": _warnings(result)}


@bp.post("/categories")
@api.validate(
    json=CategoryIn,
    resp=Response(HTTP_201=CategoryOut, **WRITE_ERRORS),
    tags=TAGS,
    security=SECURITY,
)
def create_category() -> tuple[dict[str, Any], int]:
    """Add a category with its attributes (and its group, when new)."""
    body = validated_body(CategoryIn)
    fields = CategoryFields(**body.model_dump(exclude={"code"}))
    return _save_category(body.code, fields, create=True), 201


@bp.put("/categories/<code>")
@api.validate(
    json=CategoryFields,
    resp=Response(HTTP_200=CategoryOut, **ERRORS),
    tags=TAGS,
    security=SECURITY,
)
def update_category(code: str) -> dict[str, Any]:
    """Change a category and its attributes."""
    return _save_category(code, validated_body(CategoryFields), create=False)


@bp.post("/categories/<code>/deactivate")
@api.validate(resp=Response(HTTP_200=CategoryOut, **ERRORS), tags=TAGS, security=SECURITY)
def deactivate_category(code: str) -> dict[str, Any]:
    """Stop offering a category; its rules end (kept, never deleted)."""
    with staff_unit_of_work(ADMINS) as (session, actor):
        result = editing.deactivate_category(session, actor=actor, at=utcnow(), code=code)
        item = _category_item(editing.get_category(session, code))
        return {**item, "warnings": _warnings(result)}


# --- rules -----------------------------------------------------------------------------------


def _zone(session: Any) -> ZoneInfo:
    return ZoneInfo(current_pack(session, at=utcnow()).province.time_zone)


def _rule_item(version: editing.RuleVersion) -> dict[str, Any]:
    row = version.row
    return {
        "category_code": row.category_code,
        "area_code": row.area_code,
        "lead_agency_code": row.lead_agency_code,
        "supporting_agency_codes": list(row.supporting_agency_codes),
        "valid_from": row.valid_from,
        "valid_to": version.valid_to,
    }


@bp.get("/rules")
@api.validate(
    query=RuleQuery, resp=Response(HTTP_200=RuleList, **ERRORS), tags=TAGS, security=SECURITY
)
def rules() -> dict[str, Any]:
    """Routing rules (quy tắc phân công): current ones, or those valid at ``at``."""
    query = validated_query(RuleQuery)
    with staff_unit_of_work(ADMINS) as (session, _):
        found = editing.list_rules(
            session,
            category=query.category,
            area=query.area,
            agency=query.agency,
            at=query.at,
            zone=_zone(session),
        )
        return {"items": [_rule_item(v) for v in found]}


@bp.post("/rules")
@api.validate(json=RuleIn, resp=Response(HTTP_201=RuleOut, **ERRORS), tags=TAGS, security=SECURITY)
def create_rule() -> tuple[dict[str, Any], int]:
    """A new rule, or a new version of the rule of its (category, area) key."""
    body = validated_body(RuleIn)
    row = RuleRow(
        category_code=body.category_code,
        area_code=body.area_code,
        lead_agency_code=body.lead_agency_code,
        supporting_agency_codes=tuple(sorted(body.supporting_agency_codes)),
        valid_from=body.valid_from,
    )
    with staff_unit_of_work(ADMINS) as (session, actor):
        result = editing.save_rule(session, actor=actor, at=utcnow(), row=row)
        [version] = editing.list_rules(
            session,
            category=row.category_code,
            area=row.area_code,
            agency=None,
            at=None,
            zone=_zone(session),
        )
        return {**_rule_item(version), "warnings": _warnings(result)}, 201


@bp.post("/rules/close")
@api.validate(
    json=RuleCloseIn, resp=Response(HTTP_200=ProblemList, **ERRORS), tags=TAGS, security=SECURITY
)
def close_rule() -> dict[str, Any]:
    """End the rule of a key (from ``valid_to``, else now); reports filed before keep it."""
    body = validated_body(RuleCloseIn)
    with staff_unit_of_work(ADMINS) as (session, actor):
        result = editing.close_rule(
            session,
            actor=actor,
            at=utcnow(),
            category_code=body.category_code,
            area_code=body.area_code,
            valid_to=body.valid_to,
        )
        return {"items": _warnings(result)}


# --- the configuration as a whole ------------------------------------------------------------


@bp.get("/warnings")
@api.validate(resp=Response(HTTP_200=ProblemList, **ERRORS), tags=TAGS, security=SECURITY)
def warnings() -> dict[str, Any]:
    """What will not work as the province expects (rules to closed areas, categories without
    rules, communes without a People's Committee, agencies without staff)."""
    with staff_unit_of_work(ADMINS) as (session, _):
        return {
            "items": [p.to_dict() for p in editing.configuration_warnings(session, at=utcnow())]
        }


@bp.get("/pack.zip")
@api.validate(resp=Response("HTTP_200", **ERRORS), tags=TAGS, security=SECURITY)
def download_pack() -> FlaskResponse:
    """The current configuration as a province pack (zip)."""
    with staff_unit_of_work(ADMINS) as (session, _):
        content = pack_zip(current_pack(session, at=utcnow(), with_geometry=True))
    return FlaskResponse(
        content,
        mimetype="application/zip",
        headers={"Content-Disposition": 'attachment; filename="province-pack.zip"'},
    )


@bp.post("/pack")
@api.validate(
    query=PackQuery, resp=Response(HTTP_200=PackOut, **ERRORS), tags=TAGS, security=SECURITY
)
def upload_pack() -> dict[str, Any]:
    """Load a pack sent as a zip (multipart ``file``); ``dry_run`` (default) shows the
    difference and writes nothing."""
    query = validated_query(PackQuery)
    upload = request.files.get("file")
    if upload is None:
        raise InvalidInput(
            "send the pack as a zip in 'file'", details={"fields": {"file": "missing"}}
        )
    base = site_url()
    with staff_unit_of_work(ADMINS) as (session, actor):
        result, applied = editing.load_uploaded_pack(
            session, actor=actor, at=utcnow(), archive=upload.read(), dry_run=query.dry_run
        )
    return {
        "applied": applied,
        "changes": result.changes.to_dict(),
        "summary_vi": result.changes.summary("vi"),
        "summary_en": result.changes.summary("en"),
        "problems": [p.to_dict() for p in result.problems],
        "password_links": [
            {"username": link.username, "url": link.url(base), "expires_at": link.expires_at}
            for link in (result.password_links if applied else [])
        ],
    }
