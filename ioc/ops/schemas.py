"""Request models of the operations API (answers are ioc.web.staff_view's)."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class QueueQuery(_Strict):
    limit: int = Field(default=50, ge=1, le=200)


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
