"""The province, its deadline policy and its holidays for administrators. An edit takes effect
in every process within seconds (see :mod:`ioc.feedback.sla.policy_source`)."""

from __future__ import annotations

from datetime import date
from typing import Any, Literal

from flask import Blueprint
from pydantic import BaseModel, ConfigDict, Field
from spectree import Response

from ioc.db import utcnow
from ioc.extensions import services
from ioc.feedback.states import ADMINS
from ioc.province import profile
from ioc.web.openapi import api
from ioc.web.staff_access import (
    STAFF_ERRORS,
    STAFF_SECURITY,
    ErrorOut,
    admit_only,
    staff_unit_of_work,
)
from ioc.web.validated import validated_body, validated_query

bp = Blueprint("admin_province", __name__, url_prefix="/api/admin/v1")
admit_only(bp, ADMINS)
TAGS = ["admin"]
ERRORS = {**STAFF_ERRORS, "HTTP_400": ErrorOut}
MAX_TOML_CHARS = 200_000


class ProvinceOut(BaseModel):
    code: str
    name_vi: str
    name_en: str | None
    time_zone: str


class TomlOut(BaseModel):
    toml: str
    source: Literal["database", "file"]


class TomlIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    toml: str = Field(min_length=1, max_length=MAX_TOML_CHARS)


class YearQuery(BaseModel):
    model_config = ConfigDict(extra="forbid")

    year: int = Field(ge=2000, le=2100)


class HolidayOut(BaseModel):
    date: date
    name_vi: str
    name_en: str | None


class HolidayList(BaseModel):
    items: list[HolidayOut]


@bp.get("/province")
@api.validate(resp=Response(HTTP_200=ProvinceOut, **ERRORS), tags=TAGS, security=STAFF_SECURITY)
def province() -> dict[str, Any]:
    """Who the province is (set by its pack)."""
    with staff_unit_of_work(ADMINS) as (session, _):
        found = profile.find_profile(session)
        if found is None:
            return {
                "code": profile.DEFAULT_CODE,
                "name_vi": profile.DEFAULT_NAME_VI,
                "name_en": None,
                "time_zone": services().settings.timezone,
            }
        return {
            "code": found.code,
            "name_vi": found.name_vi,
            "name_en": found.name_en,
            "time_zone": found.time_zone,
        }


@bp.get("/policy")
@api.validate(resp=Response(HTTP_200=TomlOut, **ERRORS), tags=TAGS, security=STAFF_SECURITY)
def get_policy() -> dict[str, Any]:
    """The deadline policy in force as TOML: the province's own (`database`) or the file's."""
    with staff_unit_of_work(ADMINS) as (session, _):
        text = profile.policy_text(session, files=services().policies.files)
    return {"toml": text.toml, "source": text.source}


@bp.put("/policy")
@api.validate(
    json=TomlIn, resp=Response(HTTP_200=TomlOut, **ERRORS), tags=TAGS, security=STAFF_SECURITY
)
def put_policy() -> dict[str, Any]:
    """Replace the deadline policy; a wrong key is a 400 `pack_refused` naming it."""
    body = validated_body(TomlIn)
    with staff_unit_of_work(ADMINS) as (session, actor):
        profile.set_policy_text(
            session, toml=body.toml, actor=actor, at=utcnow(), files=services().policies.files
        )
    return {"toml": body.toml, "source": "database"}


@bp.get("/holidays")
@api.validate(resp=Response(HTTP_200=TomlOut, **ERRORS), tags=TAGS, security=STAFF_SECURITY)
def get_holidays() -> dict[str, Any]:
    """The holidays and make-up working days in force as TOML."""
    with staff_unit_of_work(ADMINS) as (session, _):
        text = profile.holidays_text(session, files=services().policies.files)
    return {"toml": text.toml, "source": text.source}


@bp.put("/holidays")
@api.validate(
    json=TomlIn, resp=Response(HTTP_200=TomlOut, **ERRORS), tags=TAGS, security=STAFF_SECURITY
)
def put_holidays() -> dict[str, Any]:
    """Replace the holidays; a wrong entry is a 400 `pack_refused` naming it."""
    body = validated_body(TomlIn)
    with staff_unit_of_work(ADMINS) as (session, actor):
        profile.set_holidays_text(
            session, toml=body.toml, actor=actor, at=utcnow(), files=services().policies.files
        )
    return {"toml": body.toml, "source": "database"}


@bp.get("/holidays/days")
@api.validate(
    query=YearQuery,
    resp=Response(HTTP_200=HolidayList, **ERRORS),
    tags=TAGS,
    security=STAFF_SECURITY,
)
def holiday_days() -> dict[str, Any]:
    """The public holidays of one year."""
    query = validated_query(YearQuery)
    with staff_unit_of_work(ADMINS) as (session, _):
        days = profile.holidays_of_year(session, files=services().policies.files, year=query.year)
    return {"items": [{"date": d.day, "name_vi": d.name, "name_en": d.name_en} for d in days]}
