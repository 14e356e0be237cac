"""Request models of the operations API (answers are ioc.web.staff_view's)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from ioc.feedback.states import Channel, ReportStatus
from ioc.web.paging import PagingQuery


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class QueueQuery(PagingQuery):
    """The IOC queue, oldest first, optionally narrowed."""

    status: Literal["pending_review", "returned"] | None = Field(
        default=None, description="One of the queue's states (default: both)"
    )
    category: str | None = Field(default=None, max_length=64, description="Category code")
    area: str | None = Field(
        default=None, max_length=64, description="Area code: reports filed under it, any depth"
    )
    channel: Channel | None = None


class ReportListQuery(PagingQuery):
    """Every report, newest first, optionally narrowed."""

    status: list[ReportStatus] = Field(
        default_factory=list, description="Repeat for several states (default: all)"
    )
    category: str | None = Field(default=None, max_length=64, description="Category code")
    agency: str | None = Field(default=None, max_length=64, description="Lead agency code")
    area: str | None = Field(
        default=None, max_length=64, description="Area code: reports filed under it, any depth"
    )
    channel: Channel | None = None
    since: date | None = Field(default=None, description="First local day of receipt")
    until: date | None = Field(default=None, description="Local day after the last")
    ref: str | None = Field(
        default=None, min_length=1, max_length=32, description="Start of the reference"
    )


class NoteIn(_Strict):
    note: str | None = Field(default=None, max_length=4000)


class ClassifyIn(_Strict):
    category: str | None = Field(default=None, max_length=64)
    tier: Literal["urgent", "normal", "complex"] | None = None


class AssignIn(_Strict):
    agency: str = Field(min_length=1, max_length=64, description="Code of the lead agency")
    supporting: list[str] = Field(default_factory=list, max_length=10)


class ReasonIn(_Strict):
    reason: str = Field(min_length=1, max_length=4000)


class DuplicateIn(_Strict):
    of: str = Field(min_length=1, max_length=32, description="Ref of the original report")


class ExtensionDecisionIn(_Strict):
    approve: bool
    note: str | None = Field(default=None, max_length=4000)


class AgencyOut(BaseModel):
    code: str
    name: str
    area_code: str | None


class AgencyList(BaseModel):
    items: list[AgencyOut]


class ModerateIn(_Strict):
    description: str | None = Field(default=None, max_length=2000, description="New public text")
    hide_photos: list[str] = Field(
        default_factory=list, max_length=10, description="Storage keys of photos to hide"
    )


class CallerIn(_Strict):
    name: str | None = Field(default=None, max_length=200)
    phone: str | None = Field(default=None, max_length=50)
    email: str | None = Field(default=None, max_length=200)


class OnBehalfIn(_Strict):
    """A report received by phone, Zalo or email, filed by an operator."""

    channel: Literal["phone", "zalo", "email"]
    caller: CallerIn = Field(default_factory=CallerIn)
    category: str = Field(min_length=1, max_length=64)
    lon: float = Field(ge=-180, le=180)
    lat: float = Field(ge=-90, le=90)
    address: str | None = Field(default=None, max_length=300)
    description: str | None = Field(default=None, max_length=2000)
    attributes: dict[str, Any] = Field(default_factory=dict)


class OnBehalfForm(BaseModel):
    """A report filed for a caller, with photos: multipart, the report as JSON text."""

    model_config = ConfigDict(extra="ignore")

    report: str | None = Field(default=None, description="An OnBehalfIn object as JSON text")
    photos: Any = Field(
        default=None,
        description="Up to 5 photos (JPEG, PNG or WebP; metadata is stripped)",
        json_schema_extra={"type": "array", "items": {"type": "string", "format": "binary"}},
    )


class IdempotencyHeaders(BaseModel):
    model_config = ConfigDict(extra="ignore")

    idempotency_key: str | None = Field(
        default=None,
        alias="Idempotency-Key",
        min_length=1,
        max_length=200,
        description="Optional: a fresh random value per report, reused on every retry; a "
        "retry with the same key and body answers as the first request and files nothing",
    )


class InboundQuery(PagingQuery):
    """Messages waiting for a place, oldest first."""


class InboundPhotoOut(BaseModel):
    """A photo of a waiting message (metadata already stripped), for IOC readers only."""

    url: str
    thumbnail_url: str
    width: int
    height: int


class InboundOut(BaseModel):
    """A message that arrived without a usable place (an e-mail without a geotagged photo)."""

    id: int
    channel: str
    subject: str | None
    description: str | None
    received_at: datetime
    sender_name: str | None = Field(
        description="Who sent it: shown to IOC staff, and to viewers only where the province "
        "grants it (`IOC_VIEWERS_SEE_REPORTERS`); null otherwise"
    )
    sender_email: str | None = Field(description="As `sender_name`")
    photos: list[InboundPhotoOut]


class InboundPhotoQuery(_Strict):
    size: Literal["full", "thumbnail"] = Field(
        default="full", description="The photo, or its small version for lists"
    )


class InboundList(BaseModel):
    items: list[InboundOut]
    next_cursor: str | None = None


class PlaceIn(_Strict):
    lon: float = Field(ge=-180, le=180)
    lat: float = Field(ge=-90, le=90)
    category: str = Field(min_length=1, max_length=64)
    attributes: dict[str, Any] = Field(
        default_factory=dict,
        description="The category's attributes (`/api/mobile/v1/categories`), required ones "
        "included, as in a citizen's report",
    )


class QuestionIn(_Strict):
    question: str = Field(min_length=1, max_length=4000, description="Shown to the citizen")


class SurgeQuery(_Strict):
    status: Literal["open", "grouped", "dismissed"] | None = None
    limit: int = Field(default=50, ge=1, le=200)


class SurgeOut(BaseModel):
    """Many reports of one category in one commune within the category's window."""

    id: int
    status: str
    category: str
    category_name: str
    area: str
    area_name: str
    count: int
    refs: list[str] = Field(description="The reports, earliest first")
    lon: float | None = Field(description="Centre of the reports, for the map")
    lat: float | None
    detected_at: datetime
    window_start: datetime
    window_end: datetime
    incident_ref: str | None = Field(description="The report kept as the incident once grouped")
    suggestion: str


class SurgeList(BaseModel):
    items: list[SurgeOut]


class GroupSurgeIn(_Strict):
    primary_ref: str | None = Field(
        default=None, max_length=32, description="Report kept as the incident (default: earliest)"
    )


class GroupedSurgeOut(SurgeOut):
    merged: list[str] = Field(description="Refs marked as duplicates of the incident")
    left: list[str] = Field(description="Refs already handled elsewhere, left as they are")


class OverdueOut(BaseModel):
    receipt: int = Field(description="Waiting for the IOC past the receipt deadline")
    resolution: int = Field(description="With an agency past the resolution deadline")
    total: int


class KpisOut(BaseModel):
    """Exact counters for the wall map's tiles (never derived from the points drawn)."""

    at: datetime = Field(description="The instant the counts hold for")
    open: int = Field(description="Open reports (waiting for the IOC or with an agency)")
    by_status: dict[str, int] = Field(description="Open reports per status")
    in_progress: int
    overdue: OverdueOut = Field(description="Overdue now; a paused report is never overdue")
    received_today: int = Field(description="Received since local midnight")


class OpsSnapshot(BaseModel):
    """A live screen's starting point: the event `seq` to resume after and the exact KPIs.
    Reports are loaded by viewport (`/map/reports`, `/map/cells`), never as one list."""

    seq: int
    kpis: KpisOut


class CandidateOut(BaseModel):
    ref: str
    lon: float
    lat: float
    category: str
    status: str
    area: str | None
    agency: str | None
    clock: str
    deadline: str | None
    received_at: str
    support_count: int
    distance_m: float = Field(description="Distance from the report, in metres")


class CandidateList(BaseModel):
    radius_m: int = Field(description="The category's duplicate radius")
    items: list[CandidateOut] = Field(description="Nearest first; every one within the radius")
