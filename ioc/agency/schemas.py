"""Request models of the agency API (answers are ioc.web.staff_view's)."""

from __future__ import annotations

from datetime import date
from typing import Any, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from ioc.feedback.states import Channel
from ioc.web.paging import PagingQuery


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class InboxQuery(PagingQuery):
    """My agency's inbox by deadline, optionally narrowed."""

    status: Literal["assigned", "in_progress"] | None = None
    category: str | None = Field(default=None, max_length=64, description="Category code")
    channel: Channel | None = Field(default=None, description="How the reports arrived")
    role: Literal["lead", "support"] | None = Field(
        default=None, description="Reports my agency leads, or supports (default: both)"
    )
    view: Literal["all", "mine", "unassigned", "team"] = Field(
        default="all",
        description="Everything of my agency; the lead reports assigned to me (nearest "
        "deadline first), to nobody, or (managers) to the officer named by `assignee`",
    )
    assignee: str | None = Field(
        default=None, max_length=64, description="Managers: one officer's reports (username)"
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


class AssigneeIn(_Strict):
    """Who handles the report inside my agency; `null` unassigns it (managers only)."""

    username: str | None = Field(max_length=64)


class ApproveIn(_Strict):
    """Publish the pending draft; `answer` replaces a drafted resolution's answer."""

    answer: str | None = Field(default=None, min_length=1, max_length=4000)


class SendBackIn(_Strict):
    comment: str = Field(min_length=1, max_length=4000, description="Seen by the officer")


class TeamMemberOut(BaseModel):
    username: str
    full_name: str
    role: Literal["agency_manager", "agency_officer"]


class TeamOut(BaseModel):
    """My agency's active officers and managers, managers first, then by name."""

    items: list[TeamMemberOut]


class OfficerFiguresQuery(_Strict):
    since: date | None = Field(default=None, description="First local day (default: 30 days ago)")
    until: date | None = Field(default=None, description="Day after the last (default: tomorrow)")


class OfficerFiguresItem(BaseModel):
    username: str
    full_name: str
    assigned: int
    resolved: int
    on_time: int
    late: int
    open_overdue: int


class OfficerFiguresOut(BaseModel):
    """Per officer, my agency's reports received in the period that they handle."""

    items: list[OfficerFiguresItem]
