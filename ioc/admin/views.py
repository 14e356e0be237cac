"""The audit log for administrators: every staff action, who, when, before and after."""

from __future__ import annotations

from typing import Any

from flask import Blueprint
from pydantic import BaseModel, ConfigDict, Field
from spectree import Response

from ioc.feedback.people import audit
from ioc.feedback.states import ADMINS
from ioc.web.ids import MAX_ID
from ioc.web.openapi import api
from ioc.web.staff_access import STAFF_ERRORS, admit_only, staff_unit_of_work
from ioc.web.validated import validated_query

bp = Blueprint("admin_api", __name__, url_prefix="/api/admin/v1")
admit_only(bp, ADMINS)


class AuditQuery(BaseModel):
    model_config = ConfigDict(extra="forbid")

    ref: str | None = Field(default=None, max_length=64, description="A report ref")
    user: str | None = Field(default=None, max_length=64, description="A staff username")
    before: int | None = Field(default=None, ge=1, le=MAX_ID, description="next_before of a page")
    limit: int = Field(default=50, ge=1, le=200)


class AuditEntryOut(BaseModel):
    id: int
    at: Any
    user: str | None
    action: str
    target_type: str
    target_ref: str | None
    before: dict[str, Any] | None
    after: dict[str, Any] | None


class AuditPage(BaseModel):
    items: list[AuditEntryOut]
    next_before: int | None


@bp.get("/audit")
@api.validate(
    query=AuditQuery,
    resp=Response(HTTP_200=AuditPage, **STAFF_ERRORS),
    tags=["admin"],
    security={"staff": []},
)
def audit_log() -> dict[str, Any]:
    """Staff actions, newest first, filtered by report ref or username."""
    query = validated_query(AuditQuery)
    with staff_unit_of_work(ADMINS) as (session, _):
        rows = audit.list_entries(
            session,
            ref=query.ref,
            username=query.user,
            before_id=query.before,
            limit=query.limit,
        )
        items = [
            {
                "id": entry.id,
                "at": entry.occurred_at,
                "user": username,
                "action": entry.action,
                "target_type": entry.target_type,
                "target_ref": entry.target_ref,
                "before": entry.before,
                "after": entry.after,
            }
            for entry, username in rows
        ]
    return {
        "items": items,
        "next_before": items[-1]["id"] if len(items) == query.limit else None,
    }
