"""Request models of the agency API (answers are ioc.web.staff_view's)."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from ioc.web.paging import PagingQuery


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class InboxQuery(PagingQuery):
    """My agency's inbox by deadline, optionally narrowed."""

    status: Literal["assigned", "in_progress"] | None = None
    category: str | None = Field(default=None, max_length=64, description="Category code")
    role: Literal["lead", "support"] | None = Field(
        default=None, description="Reports my agency leads, or supports (default: both)"
    )


class NoteIn(_Strict):
    text: str = Field(min_length=1, max_length=4000)
    public: bool = Field(default=False, description="Shown to the citizen and the public")


class ReasonIn(_Strict):
    reason: str = Field(min_length=1, max_length=4000)


class ExtensionIn(_Strict):
    until: AwareDatetime = Field(description="The new deadline, ISO 8601 with offset")
    reason: str = Field(min_length=1, max_length=4000)


class ResolveIn(_Strict):
    answer: str = Field(min_length=1, max_length=4000, description="The public result")


class ResolveForm(BaseModel):
    """Multipart: the answer plus up to 5 "after" photos."""

    answer: str | None = None
    photos: Any = Field(
        default=None,
        json_schema_extra={"type": "array", "items": {"type": "string", "format": "binary"}},
    )


class ContributionForm(BaseModel):
    """Multipart: the supporting agency's part (as `text`) plus up to 5 photos of its work,
    shown to the lead agency and the IOC, never to the public."""

    text: str | None = Field(default=None, max_length=4000)
    photos: Any = Field(
        default=None,
        json_schema_extra={"type": "array", "items": {"type": "string", "format": "binary"}},
    )


class QuestionIn(_Strict):
    question: str = Field(min_length=1, max_length=4000, description="Shown to the citizen")
