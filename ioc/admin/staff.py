"""Staff accounts for administrators: list, create (with a one-time set-password link),
edit, disable, enable and reset a password."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask import Blueprint
from pydantic import BaseModel, ConfigDict, Field
from spectree import Response

from ioc.db import utcnow
from ioc.feedback.models import User
from ioc.feedback.people import staff_admin
from ioc.feedback.reads.paging import Keyset
from ioc.feedback.states import ADMINS, Role
from ioc.web.openapi import api
from ioc.web.site import site_url
from ioc.web.staff_access import (
    STAFF_ERRORS,
    STAFF_SECURITY,
    admit_only,
    staff_unit_of_work,
)
from ioc.web.validated import validated_body, validated_query

bp = Blueprint("admin_staff", __name__, url_prefix="/api/admin/v1")
admit_only(bp, ADMINS)
TAGS = ["admin"]
_KEYSET = Keyset("staff", ("int",))
_StaffRole = Field(
    pattern="^(" + "|".join(r.value for r in Role if r is not Role.CITIZEN) + ")$",
    description="A staff role",
)


class StaffQuery(BaseModel):
    model_config = ConfigDict(extra="forbid")

    q: str | None = Field(default=None, max_length=100, description="Username, name or e-mail")
    role: str | None = Field(default=None, max_length=32)
    agency: str | None = Field(default=None, max_length=64, description="An agency code")
    active: bool | None = None
    cursor: str | None = Field(default=None, max_length=512)
    limit: int = Field(default=50, ge=1, le=200)


class StaffOut(BaseModel):
    username: str
    full_name: str | None
    role: str
    agency_code: str | None
    email: str | None
    active: bool
    last_sign_in_at: datetime | None
    created_at: datetime


class StaffPage(BaseModel):
    items: list[StaffOut]
    next_cursor: str | None


class PasswordLinkOut(BaseModel):
    url: str
    expires_at: datetime


class NewStaffOut(StaffOut):
    password_link: PasswordLinkOut


class PasswordLinkAnswer(BaseModel):
    password_link: PasswordLinkOut


class StaffIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    username: str = Field(min_length=2, max_length=64, pattern=r"^[a-z0-9][a-z0-9._-]*$")
    full_name: str = Field(min_length=1, max_length=200)
    role: str = _StaffRole
    agency_code: str | None = Field(default=None, max_length=64)
    email: str | None = Field(default=None, max_length=200, pattern=r"^[^@\s]+@[^@\s]+$")


class StaffPatch(BaseModel):
    model_config = ConfigDict(extra="forbid")

    full_name: str | None = Field(default=None, min_length=1, max_length=200)
    role: str | None = _StaffRole
    agency_code: str | None = Field(default=None, max_length=64)
    email: str | None = Field(default=None, max_length=200, pattern=r"^[^@\s]+@[^@\s]+$")


def _item(user: User, last_sign_in_at: datetime | None = None) -> dict[str, Any]:
    return {
        "username": user.username,
        "full_name": user.display_name,
        "role": user.role,
        "agency_code": user.agency.code if user.agency else None,
        "email": user.email,
        "active": user.is_active,
        "last_sign_in_at": last_sign_in_at,
        "created_at": user.created_at,
    }


def _link(path: str, expires_at: datetime) -> dict[str, Any]:
    return {"url": site_url() + path, "expires_at": expires_at}


@bp.get("/staff")
@api.validate(
    query=StaffQuery,
    resp=Response(HTTP_200=StaffPage, **STAFF_ERRORS),
    tags=TAGS,
    security=STAFF_SECURITY,
)
def list_staff() -> dict[str, Any]:
    """Staff accounts with their last sign-in, a page at a time (follow `next_cursor`)."""
    query = validated_query(StaffQuery)
    after_id = _KEYSET.decode(query.cursor)[0] if query.cursor else None
    with staff_unit_of_work(ADMINS) as (session, _):
        rows, more = staff_admin.list_staff(
            session,
            q=query.q,
            role=query.role,
            agency_code=query.agency,
            active=query.active,
            after_id=after_id,
            limit=query.limit,
        )
        items = [_item(row.user, row.last_sign_in_at) for row in rows]
        last_id = rows[-1].user.id if rows else None
    next_cursor = _KEYSET.encode([last_id]) if more and last_id is not None else None
    return {"items": items, "next_cursor": next_cursor}


@bp.post("/staff")
@api.validate(
    json=StaffIn,
    resp=Response(HTTP_201=NewStaffOut, **STAFF_ERRORS),
    tags=TAGS,
    security=STAFF_SECURITY,
)
def create_staff() -> tuple[dict[str, Any], int]:
    """A new staff account and its one-time set-password link (shown only in this answer)."""
    body = validated_body(StaffIn)
    with staff_unit_of_work(ADMINS) as (session, actor):
        created = staff_admin.create_staff(
            session,
            username=body.username,
            full_name=body.full_name,
            role=body.role,
            agency_code=body.agency_code,
            email=body.email,
            actor=actor,
            at=utcnow(),
        )
        answer = _item(created.user)
    answer["password_link"] = _link(created.link, created.link_expires_at)
    return answer, 201


@bp.patch("/staff/<username>")
@api.validate(
    json=StaffPatch,
    resp=Response(HTTP_200=StaffOut, **STAFF_ERRORS),
    tags=TAGS,
    security=STAFF_SECURITY,
)
def update_staff(username: str) -> dict[str, Any]:
    """Change a name, role, agency or e-mail (agency roles need an agency, IOC roles none)."""
    body = validated_body(StaffPatch)
    changes = {name: getattr(body, name) for name in body.model_fields_set}
    with staff_unit_of_work(ADMINS) as (session, actor):
        user = staff_admin.update_staff(session, username=username, actor=actor, **changes)
        return _item(user)


@bp.post("/staff/<username>/disable")
@api.validate(resp=Response(HTTP_200=StaffOut, **STAFF_ERRORS), tags=TAGS, security=STAFF_SECURITY)
def disable_staff(username: str) -> dict[str, Any]:
    """The account cannot sign in any more; its open sessions end now. The last active
    administrator cannot be disabled (409 `last_admin`)."""
    with staff_unit_of_work(ADMINS) as (session, actor):
        user = staff_admin.disable_staff(session, username=username, actor=actor, at=utcnow())
        return _item(user)


@bp.post("/staff/<username>/enable")
@api.validate(resp=Response(HTTP_200=StaffOut, **STAFF_ERRORS), tags=TAGS, security=STAFF_SECURITY)
def enable_staff(username: str) -> dict[str, Any]:
    """The account may sign in again."""
    with staff_unit_of_work(ADMINS) as (session, actor):
        user = staff_admin.enable_staff(session, username=username, actor=actor)
        return _item(user)


@bp.post("/staff/<username>/reset-password")
@api.validate(
    resp=Response(HTTP_200=PasswordLinkAnswer, **STAFF_ERRORS),
    tags=TAGS,
    security=STAFF_SECURITY,
)
def reset_password(username: str) -> dict[str, Any]:
    """The old password stops working, sessions end, and a new one-time link is issued."""
    with staff_unit_of_work(ADMINS) as (session, actor):
        path, expires_at = staff_admin.reset_password(
            session, username=username, actor=actor, at=utcnow()
        )
    return {"password_link": _link(path, expires_at)}
