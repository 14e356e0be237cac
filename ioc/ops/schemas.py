"""Request models of the operations API (answers are ioc.web.staff_view's)."""

from __future__ import annotations

from typing import Literal

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
