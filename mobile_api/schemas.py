"""Request and response models of the mobile API: they validate input and make the OpenAPI
document, so they are declared once, here."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from ioc.web.clocks import ClockOut
from ioc.web.ids import MAX_ID

Rating = Literal["satisfied", "acceptable", "unsatisfied"]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ReportIn(_Strict):
    """A new report. Sent as the JSON body, or as the ``report`` part of a multipart body."""

    category: str = Field(min_length=1, max_length=64, description="Category code")
    lon: float = Field(ge=-180, le=180, description="Longitude, WGS84")
    lat: float = Field(ge=-90, le=90, description="Latitude, WGS84")
    accuracy_m: float | None = Field(default=None, ge=0, le=100_000)
    address: str | None = Field(default=None, max_length=300)
    description: str | None = Field(default=None, max_length=2000)
    attributes: dict[str, Any] = Field(default_factory=dict)


class ReportForm(BaseModel):
    """Multipart form: the report as JSON text plus up to 5 photos (JPEG, PNG or WebP).

    Both fields are checked by the view (the report part with :class:`ReportIn`), so that a
    problem is reported in the same shape as for a JSON body.
    """

    report: str | None = Field(default=None, description="A ReportIn object as JSON text")
    photos: Any = Field(
        default=None,
        description="Up to 5 photos",
        json_schema_extra={"type": "array", "items": {"type": "string", "format": "binary"}},
    )


class SubmitHeaders(BaseModel):
    model_config = ConfigDict(extra="ignore")

    idempotency_key: str = Field(
        alias="Idempotency-Key",
        min_length=1,
        max_length=200,
        description="A fresh random value per report (e.g. a UUID), reused on every retry",
    )


class CommentIn(_Strict):
    text: str = Field(min_length=1, max_length=2000)


class RatingIn(_Strict):
    rating: Rating
    comment: str | None = Field(default=None, max_length=2000)


class DeviceIn(_Strict):
    token: str = Field(min_length=1, max_length=512, description="FCM registration token")
    platform: Literal["android", "ios", "web"] | None = None
    locale: Literal["vi", "en"] = "vi"


class NearbyQuery(_Strict):
    lon: float = Field(ge=-180, le=180)
    lat: float = Field(ge=-90, le=90)
    category: str = Field(min_length=1, max_length=64)


class PageQuery(_Strict):
    cursor: int | None = Field(default=None, ge=1, le=MAX_ID)
    limit: int = Field(default=20, ge=1, le=100)


class Named(BaseModel):
    code: str
    name: str


class AreaOut(Named):
    level: str


class AttributeValueOut(BaseModel):
    key: str
    name: str


class AttributeOut(BaseModel):
    code: str
    datatype: str
    required: bool
    description: str
    order: int
    values: list[AttributeValueOut]


class CategoryOut(Named):
    group: Named
    description: str | None
    photo_required: bool
    duplicate_radius_m: int
    attributes: list[AttributeOut]


class CategoryList(BaseModel):
    items: list[CategoryOut]


class HandledBy(BaseModel):
    kind: Literal["agency", "ioc_review"]
    code: str | None
    name: str


class PhotoOut(BaseModel):
    url: str
    thumbnail_url: str | None


class ReporterOut(BaseModel):
    name: str | None
    phone: str | None


class TimelineEntry(BaseModel):
    at: datetime
    action: str
    status: str | None
    status_label: str | None
    note: str | None


class ResultOut(BaseModel):
    text: str | None
    resolved_at: datetime | None
    photos: list[PhotoOut]


class RatingOut(BaseModel):
    rating: Rating
    comment: str | None
    rated_at: datetime


class ReportSummary(BaseModel):
    ref: str
    status: str
    status_label: str
    category: Named
    lon: float
    lat: float
    address: str | None
    received_at: datetime
    clock: ClockOut
    deadline: datetime | None = Field(
        description="the running clock's deadline (clock.deadline): null while paused or done"
    )
    support_count: int


class ReportOut(ReportSummary):
    description: str | None
    accuracy_m: float | None
    attributes: dict[str, Any]
    areas: list[AreaOut]
    handled_by: HandledBy
    supporting_agencies: list[Named]
    photos: list[PhotoOut]
    is_mine: bool
    reporter: ReporterOut | None = Field(
        description="Only in answers to the reporter; never shown to anyone else"
    )


class ReportDetail(ReportOut):
    timeline: list[TimelineEntry]
    result: ResultOut | None
    rating: RatingOut | None


class ReportPage(BaseModel):
    items: list[ReportSummary]
    next_cursor: int | None


class NearbyReport(ReportSummary):
    distance_m: float


class NearbyList(BaseModel):
    items: list[NearbyReport]
    radius_m: int


class DeviceOut(BaseModel):
    token: str
    platform: str | None
    locale: str


class ErrorBody(BaseModel):
    code: str
    message: str
    details: dict[str, Any] | None = None


class ErrorOut(BaseModel):
    error: ErrorBody
