"""Query and answer models of figures and exports, shared by the consoles that offer them
(the operations centre sees every agency, an agency its own)."""

from __future__ import annotations

from datetime import date
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class StatisticsQuery(_Strict):
    group_by: Literal["agency", "area", "category", "channel"] = "agency"
    since: date | None = Field(default=None, description="First local day (default: 30 days ago)")
    until: date | None = Field(default=None, description="Day after the last (default: tomorrow)")


class StatisticsOut(BaseModel):
    group_by: str
    since: Any
    until: Any
    items: list[dict[str, Any]]


class ExportQuery(_Strict):
    since: date | None = None
    until: date | None = None
    status: str | None = Field(default=None, max_length=20)
    category: str | None = Field(default=None, max_length=64)
    agency: str | None = Field(default=None, max_length=64)
