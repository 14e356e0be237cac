"""The ``clock`` every API sends with a report: computed once, by the clock engine, so the
pages show it instead of working deadlines out in JavaScript."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field

from ioc.db import utcnow
from ioc.extensions import services
from ioc.feedback.report_models import Report
from ioc.feedback.sla.clock import Clock, clock_of


class ClockOut(BaseModel):
    """Where the report's legal clock stands (see docs/workflow.md, "Deadlines")."""

    kind: Literal["receipt", "resolution", "paused", "none"] = Field(
        description="receipt: the IOC has it; resolution: an agency has it; paused: waiting "
        "for the citizen; none: finished"
    )
    paused: Literal["receipt", "resolution"] | None = Field(
        description="the clock that waits, while paused"
    )
    deadline: datetime | None = Field(description="null while paused or when no clock runs")
    started_at: datetime | None
    paused_since: datetime | None
    used_hours: float | None = Field(description="time used so far, paused time excluded")
    left_hours: float | None = Field(description="time left; negative once overdue")
    hours: Literal["working", "wall"] = Field(
        description="working hours of the calendar, or wall-clock hours (urgent reports)"
    )
    is_due_soon: bool
    is_overdue: bool
    as_of: datetime


def current_clock(report: Report, *, at: datetime | None = None) -> Clock:
    """The report's clock now, under the province's policy."""
    return clock_of(report, services().policy, at=at or utcnow())
