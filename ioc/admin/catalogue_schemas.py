"""Request and response bodies of the catalogue admin API (agencies, categories, rules, the
pack): declared once, they validate requests and describe the API in the OpenAPI document."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from ioc.feedback.states import AgencyKind, SlaTier
from ioc.province.pack import DATATYPES

CODE = Field(min_length=1, max_length=64, pattern=r"^\S+$")


class ListQuery(BaseModel):
    model_config = ConfigDict(extra="forbid")

    q: str | None = Field(default=None, max_length=200, description="Search codes and names")
    active: bool | None = None


class AgencyFields(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name_vi: str = Field(min_length=1, max_length=200)
    name_en: str | None = Field(default=None, max_length=200)
    parent_code: str | None = Field(default=None, max_length=64)
    area_code: str | None = Field(default=None, max_length=64)
    kind: AgencyKind = AgencyKind.DEPARTMENT
    email: str | None = Field(default=None, max_length=200)
    phone: str | None = Field(default=None, max_length=50)
    active: bool = True
    sign_off: bool = Field(
        default=False, description="Officers' answers wait for a manager's approval"
    )


class AgencyIn(AgencyFields):
    code: str = CODE


class AgencyOut(BaseModel):
    code: str
    name_vi: str
    name_en: str | None
    parent_code: str | None
    area_code: str | None
    kind: str
    email: str | None
    phone: str | None
    active: bool
    sign_off: bool
    closed_at: datetime | None
    warnings: list[dict[str, Any]] = []


class AgencyList(BaseModel):
    items: list[AgencyOut]


class ValueIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    key: str = Field(min_length=1, max_length=64)
    name_vi: str = Field(min_length=1, max_length=200)
    name_en: str | None = Field(default=None, max_length=200)


class AttributeIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    code: str = CODE
    datatype: str = Field(json_schema_extra={"enum": list(DATATYPES)})
    required: bool = False
    order: int = 0
    description_vi: str = Field(min_length=1, max_length=500)
    description_en: str | None = Field(default=None, max_length=500)
    values: list[ValueIn] = []


class CategoryFields(BaseModel):
    model_config = ConfigDict(extra="forbid")

    group_code: str = CODE
    group_name_vi: str | None = Field(default=None, max_length=200)
    group_name_en: str | None = Field(default=None, max_length=200)
    name_vi: str = Field(min_length=1, max_length=200)
    name_en: str | None = Field(default=None, max_length=200)
    description_vi: str | None = None
    description_en: str | None = None
    tier: SlaTier = SlaTier.NORMAL
    target_hours: int = Field(gt=0)
    auto_dispatch: bool = False
    photo_required: bool = True
    after_photo_required: bool = True
    private: bool = False
    duplicate_radius_m: int = Field(default=50, ge=0)
    attributes: list[AttributeIn] = []


class CategoryIn(CategoryFields):
    code: str = CODE


class CategoryOut(BaseModel):
    code: str
    group_code: str
    group_name_vi: str
    group_name_en: str | None
    name_vi: str
    name_en: str | None
    description_vi: str | None
    description_en: str | None
    tier: str
    target_hours: int
    auto_dispatch: bool
    photo_required: bool
    after_photo_required: bool
    private: bool
    duplicate_radius_m: int
    active: bool
    attributes: list[dict[str, Any]]
    warnings: list[dict[str, Any]] = []


class CategoryList(BaseModel):
    items: list[CategoryOut]


class RuleQuery(BaseModel):
    model_config = ConfigDict(extra="forbid")

    category: str | None = Field(default=None, max_length=64)
    area: str | None = Field(default=None, max_length=64)
    agency: str | None = Field(default=None, max_length=64)
    at: datetime | None = Field(default=None, description="Rules valid then; default current")


class RuleIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    category_code: str = CODE
    area_code: str = CODE
    lead_agency_code: str = CODE
    supporting_agency_codes: list[str] = []
    valid_from: date | None = None


class RuleCloseIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    category_code: str = CODE
    area_code: str = CODE
    valid_to: date | None = None


class RuleOut(BaseModel):
    category_code: str
    area_code: str
    lead_agency_code: str
    supporting_agency_codes: list[str]
    valid_from: date | None
    valid_to: date | None
    warnings: list[dict[str, Any]] = []


class RuleList(BaseModel):
    items: list[RuleOut]


class ProblemList(BaseModel):
    items: list[dict[str, Any]]


class PackQuery(BaseModel):
    model_config = ConfigDict(extra="forbid")

    dry_run: bool = True


class PackOut(BaseModel):
    applied: bool
    changes: dict[str, dict[str, list[str]]]
    summary_vi: list[str]
    summary_en: list[str]
    problems: list[dict[str, Any]]
    password_links: list[dict[str, Any]]
