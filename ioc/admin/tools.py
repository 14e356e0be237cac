"""Administrators' tools: the routing tester, Open311 keys and webhook subscriptions.

Keys and webhooks are named by their row ids in paths; a key or a secret is shown once, in
the answer that creates it. The existing modules have no revocation date, so items say
``active`` instead.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask import Blueprint
from pydantic import BaseModel, ConfigDict, Field
from spectree import Response

from ioc.db import utcnow
from ioc.extensions import services
from ioc.feedback.intake.route_explain import explain_route
from ioc.feedback.models import Agency
from ioc.feedback.states import ADMINS
from ioc.integrations import administration, api_clients, subscriptions
from ioc.integrations.models import ApiClient, WebhookSubscription
from ioc.web.openapi import api
from ioc.web.staff_access import STAFF_ERRORS, STAFF_SECURITY, admit_only, staff_unit_of_work
from ioc.web.validated import validated_body

bp = Blueprint("admin_tools", __name__, url_prefix="/api/admin/v1")
admit_only(bp, ADMINS)
TAGS = ["admin"]


class RoutingTestIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    lon: float = Field(ge=-180, le=180)
    lat: float = Field(ge=-90, le=90)
    category_code: str = Field(min_length=1, max_length=64)
    at: datetime | None = Field(default=None, description="When the report would be filed")


class AreaOut(BaseModel):
    code: str
    level: str
    name_vi: str
    name_en: str | None


class AgencyOut(BaseModel):
    code: str
    name_vi: str
    name_en: str | None


class RuleOut(BaseModel):
    category_code: str
    area_code: str
    lead_agency_code: str
    supporting_agency_codes: list[str]
    valid_from: datetime | None


class TargetsOut(BaseModel):
    tier: str
    receipt_hours: float
    resolution_hours: float
    unit: str


class StepOut(BaseModel):
    vi: str
    en: str


class RoutingTestOut(BaseModel):
    areas: list[AreaOut]
    rule: RuleOut | None
    lead: AgencyOut | None
    supporting: list[AgencyOut]
    ioc_queue: bool
    targets: TargetsOut
    steps: list[StepOut]


@bp.post("/routing/test")
@api.validate(
    json=RoutingTestIn,
    resp=Response(HTTP_200=RoutingTestOut, **STAFF_ERRORS),
    tags=TAGS,
    security=STAFF_SECURITY,
)
def routing_test() -> dict[str, Any]:
    """Where a report of a category filed at a point would go, and why at each step."""
    body = validated_body(RoutingTestIn)
    app = services()
    with staff_unit_of_work(ADMINS) as (session, _):
        found = explain_route(
            session,
            locator=app.locator,
            policy=app.policy,
            category_code=body.category_code,
            lon=body.lon,
            lat=body.lat,
            at=body.at or utcnow(),
        )
        rule = found.route.rule
        return {
            "areas": [
                {"code": a.code, "level": a.level, "name_vi": a.name_vi, "name_en": a.name_en}
                for a in found.areas
            ],
            "rule": None
            if rule is None
            else {
                "category_code": rule.category.code
                if rule.category
                else (rule.group.code if rule.group else ""),
                "area_code": rule.area_code,
                "lead_agency_code": rule.lead_agency.code,
                "supporting_agency_codes": [a.code for a in rule.supporting_agencies],
                "valid_from": rule.valid_from,
            },
            "lead": _agency(found.route.lead) if found.route.lead else None,
            "supporting": [_agency(a) for a in found.route.supporting],
            "ioc_queue": found.ioc_queue,
            "targets": vars(found.targets),
            "steps": [{"vi": s.vi, "en": s.en} for s in found.steps],
        }


def _agency(agency: Agency) -> dict[str, Any]:
    return {"code": agency.code, "name_vi": agency.name_vi, "name_en": agency.name_en}


class KeyOut(BaseModel):
    id: int
    name: str
    key_prefix: str
    active: bool
    created_at: datetime
    last_used_at: datetime | None


class NewKeyOut(KeyOut):
    key: str


class KeyList(BaseModel):
    items: list[KeyOut]


class KeyIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=100)


class WebhookOut(BaseModel):
    id: int
    name: str
    url: str
    events: list[str]
    active: bool
    created_at: datetime


class NewWebhookOut(WebhookOut):
    secret: str


class WebhookList(BaseModel):
    items: list[WebhookOut]


class WebhookIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    url: str = Field(min_length=1, max_length=500)
    events: list[str] = Field(default_factory=list, max_length=50)
    name: str | None = Field(default=None, max_length=100, description="Default: the URL")


def _key(client: ApiClient) -> dict[str, Any]:
    return {
        "id": client.id,
        "name": client.name,
        "key_prefix": client.key_prefix,
        "active": client.is_active,
        "created_at": client.created_at,
        "last_used_at": client.last_used_at,
    }


def _hook(subscription: WebhookSubscription) -> dict[str, Any]:
    return {
        "id": subscription.id,
        "name": subscription.name,
        "url": subscription.url,
        "events": list(subscription.event_types),
        "active": subscription.is_active,
        "created_at": subscription.created_at,
    }


@bp.get("/open311-keys")
@api.validate(resp=Response(HTTP_200=KeyList, **STAFF_ERRORS), tags=TAGS, security=STAFF_SECURITY)
def list_keys() -> dict[str, Any]:
    """The systems that may file through Open311 (their keys are never shown again)."""
    with staff_unit_of_work(ADMINS) as (session, _):
        return {"items": [_key(c) for c in api_clients.list_api_clients(session)]}


@bp.post("/open311-keys")
@api.validate(
    json=KeyIn,
    resp=Response(HTTP_201=NewKeyOut, **STAFF_ERRORS),
    tags=TAGS,
    security=STAFF_SECURITY,
)
def create_key() -> tuple[dict[str, Any], int]:
    """A new Open311 key: `key` is shown in this answer only."""
    body = validated_body(KeyIn)
    with staff_unit_of_work(ADMINS) as (session, actor):
        new = administration.create_key(session, name=body.name, actor=actor)
        return {**_key(new.client), "key": new.key}, 201


@bp.post("/open311-keys/<int:key_id>/revoke")
@api.validate(resp=Response(HTTP_200=KeyOut, **STAFF_ERRORS), tags=TAGS, security=STAFF_SECURITY)
def revoke_key(key_id: int) -> dict[str, Any]:
    """Stop accepting a key (the reports it filed stay)."""
    with staff_unit_of_work(ADMINS) as (session, actor):
        return _key(administration.revoke_key(session, key_id=key_id, actor=actor))


@bp.get("/webhooks")
@api.validate(
    resp=Response(HTTP_200=WebhookList, **STAFF_ERRORS), tags=TAGS, security=STAFF_SECURITY
)
def list_webhooks() -> dict[str, Any]:
    """The webhook subscriptions (their secrets are never shown again)."""
    with staff_unit_of_work(ADMINS) as (session, _):
        return {"items": [_hook(s) for s in subscriptions.list_subscriptions(session)]}


@bp.post("/webhooks")
@api.validate(
    json=WebhookIn,
    resp=Response(HTTP_201=NewWebhookOut, **STAFF_ERRORS),
    tags=TAGS,
    security=STAFF_SECURITY,
)
def create_webhook() -> tuple[dict[str, Any], int]:
    """Subscribe a URL to events (none: every event); `secret` is shown in this answer only."""
    body = validated_body(WebhookIn)
    with staff_unit_of_work(ADMINS) as (session, actor):
        subscription, secret = administration.add_webhook(
            session, name=body.name or body.url, url=body.url, events=body.events, actor=actor
        )
        return {**_hook(subscription), "secret": secret}, 201


@bp.post("/webhooks/<int:webhook_id>/revoke")
@api.validate(
    resp=Response(HTTP_200=WebhookOut, **STAFF_ERRORS), tags=TAGS, security=STAFF_SECURITY
)
def revoke_webhook(webhook_id: int) -> dict[str, Any]:
    """Stop sending to a subscription."""
    with staff_unit_of_work(ADMINS) as (session, actor):
        return _hook(administration.revoke_webhook(session, webhook_id=webhook_id, actor=actor))
