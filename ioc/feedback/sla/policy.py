"""The province's deadline policy (chính sách thời hạn), read from a TOML file at start-up.

Everything a province may decide about its legal clocks lives in one file: office hours,
receipt and resolution targets per tier, the due-soon threshold, extension caps and who
approves them, the reopen limit, the window to return a report, auto-closing, the pause
limit and the supporting agencies' share of the lead's time. IOC ships defaults
(``data/sla_policy.toml``); ``IOC_SLA_POLICY_FILE`` points to a province's own copy. Public
holidays stay in their own file (:mod:`ioc.feedback.sla.calendar`).
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from datetime import time
from pathlib import Path
from typing import Annotated, Any
from zoneinfo import ZoneInfo

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from ioc.feedback.sla.calendar import Shift, WorkingCalendar, load_calendar
from ioc.feedback.states import Role, SlaTier

#: The defaults shipped with IOC.
DEFAULT_POLICY_FILE = Path(__file__).resolve().parent / "data" / "sla_policy.toml"

WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_SHIFT = re.compile(r"^(\d{2}):(\d{2})-(\d{2}):(\d{2})$")

Hours = Annotated[float, Field(gt=0, le=10_000)]


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class OfficeHours(_Section):
    monday: list[str]
    tuesday: list[str]
    wednesday: list[str]
    thursday: list[str]
    friday: list[str]
    saturday: list[str]
    sunday: list[str]

    @field_validator(*WEEKDAYS)
    @classmethod
    def _shifts(cls, value: list[str]) -> list[str]:
        previous_end: time | None = None
        for text in value:
            opens, closes = _parse_shift(text)
            if previous_end is not None and opens < previous_end:
                raise ValueError(f"{text!r} overlaps or precedes the shift before it")
            previous_end = closes
        return value

    def week(self) -> dict[int, tuple[Shift, ...]]:
        return {
            number: tuple(_parse_shift(text) for text in getattr(self, name))
            for number, name in enumerate(WEEKDAYS)
        }

    @model_validator(mode="after")
    def _some_working_day(self) -> OfficeHours:
        if not any(getattr(self, name) for name in WEEKDAYS):
            raise ValueError("no weekday has office hours")
        return self


class Receipt(_Section):
    normal_working_hours: Hours
    complex_working_hours: Hours
    urgent_hours: Hours


class Resolution(_Section):
    normal_working_hours: Hours
    complex_working_hours: Hours
    urgent_hours: Hours

    @model_validator(mode="after")
    def _complex_is_longer(self) -> Resolution:
        if self.complex_working_hours < self.normal_working_hours:
            raise ValueError("complex_working_hours must not be shorter than normal_working_hours")
        return self


class Notices(_Section):
    due_soon_working_hours: Annotated[float, Field(ge=0, le=1_000)]
    urgent_due_soon_hours: Annotated[float, Field(ge=0, le=1_000)]


class Extensions(_Section):
    max_count: Annotated[int, Field(ge=0, le=100)]
    max_total_working_hours: Annotated[float, Field(ge=0, le=10_000)]
    approver_roles: list[Role]

    @field_validator("approver_roles")
    @classmethod
    def _ioc_roles(cls, value: list[Role]) -> list[Role]:
        allowed = {Role.IOC_SUPERVISOR, Role.IOC_OPERATOR, Role.ADMIN}
        wrong = [role.value for role in value if role not in allowed]
        if wrong:
            raise ValueError(f"only IOC roles approve extensions, not {wrong}")
        if not value:
            raise ValueError("name at least one role")
        return value


class Reopen(_Section):
    max_count: Annotated[int, Field(ge=0, le=100)]


class Returns(_Section):
    window_working_hours: Hours


class Closing(_Section):
    auto_close_working_days: Annotated[int, Field(gt=0, le=365)]


class Pauses(_Section):
    max_working_hours: Hours


class Supporting(_Section):
    share_of_resolution: Annotated[float, Field(gt=0, le=1)]


class PolicyFile(_Section):
    """The file's shape: every section and key is required, unknown ones are refused."""

    office_hours: OfficeHours
    receipt: Receipt
    resolution: Resolution
    notices: Notices
    extensions: Extensions
    reopen: Reopen
    returns: Returns
    closing: Closing
    pauses: Pauses
    supporting: Supporting


@dataclass(frozen=True)
class SlaPolicy:
    """The policy in force, with the working calendar it implies (office hours + holidays)."""

    calendar: WorkingCalendar
    rules: PolicyFile

    def receipt_target(self, tier: str) -> float:
        """Hours to receive and verify a report of ``tier`` (wall hours when urgent)."""
        receipt = self.rules.receipt
        return {
            SlaTier.URGENT: receipt.urgent_hours,
            SlaTier.COMPLEX: receipt.complex_working_hours,
        }.get(SlaTier(tier), receipt.normal_working_hours)

    def resolution_target(self, *, tier: str, category_tier: str, category_hours: float) -> float:
        """Hours to resolve a report of ``tier``: the category's own target for its own tier,
        the policy's target for any other tier (a report reclassified as complex gets the
        complex target, not its category's normal one)."""
        if tier == category_tier:
            return category_hours
        resolution = self.rules.resolution
        return {
            SlaTier.URGENT: resolution.urgent_hours,
            SlaTier.COMPLEX: resolution.complex_working_hours,
        }.get(SlaTier(tier), resolution.normal_working_hours)

    def due_soon_hours(self, *, wall: bool) -> float:
        """Time left at which a running clock is due soon (wall hours for urgent reports)."""
        notices = self.rules.notices
        return notices.urgent_due_soon_hours if wall else notices.due_soon_working_hours

    def support_target(self, resolution_hours: float) -> float:
        """Hours a supporting agency has for its part: the policy's share of the lead's."""
        return resolution_hours * self.rules.supporting.share_of_resolution

    @property
    def extension_approvers(self) -> frozenset[Role]:
        return frozenset(self.rules.extensions.approver_roles)


def runs_on_wall_clock(tier: str) -> bool:
    """Urgent reports count every hour, day and night; the others count working hours."""
    return tier == SlaTier.URGENT


def load_policy(
    timezone: ZoneInfo, path: Path | None = None, *, holidays_file: Path | None = None
) -> SlaPolicy:
    """The policy in ``path`` (the shipped defaults when None) with the holidays in
    ``holidays_file`` (the shipped ones when None).

    Raises:
        OSError: a file cannot be read.
        ValueError: a file is malformed; the message names the file and every wrong key.
    """
    rules = read_policy_file(path or DEFAULT_POLICY_FILE)
    return SlaPolicy(
        calendar=load_calendar(timezone, holidays_file, week=rules.office_hours.week()),
        rules=rules,
    )


def read_policy_file(path: Path) -> PolicyFile:
    """Read and check a policy file.

    Raises:
        OSError: the file cannot be read.
        ValueError: not TOML, or a section or key is missing, unknown or out of range; the
            message names the file and every wrong key.
    """
    data = path.read_bytes()
    try:
        text = data.decode()
    except UnicodeDecodeError as exc:
        raise ValueError(f"{path}: not valid TOML (UTF-8): {exc}") from exc
    return parse_policy_text(text, source=str(path))


def parse_policy_text(text: str, *, source: str) -> PolicyFile:
    """Check a policy's TOML ``text`` (``source`` names it in errors).

    Raises:
        ValueError: not TOML, or a section or key is missing, unknown or out of range; the
            message names ``source`` and every wrong key (``receipt.urgent_hours: …``).
    """
    try:
        document: dict[str, Any] = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ValueError(f"{source}: not valid TOML (UTF-8): {exc}") from exc
    try:
        return PolicyFile.model_validate(document)
    except ValidationError as exc:
        problems = [
            f"{'.'.join(str(part) for part in error['loc']) or '(file)'}: {error['msg']}"
            for error in exc.errors()
        ]
        raise ValueError(f"{source}:\n  " + "\n  ".join(problems)) from exc


def _parse_shift(text: str) -> Shift:
    match = _SHIFT.match(text)
    if match is None:
        raise ValueError(f"{text!r} is not a shift like '07:30-11:30'")
    hours_open, minutes_open, hours_close, minutes_close = (int(g) for g in match.groups())
    try:
        opens, closes = time(hours_open, minutes_open), time(hours_close, minutes_close)
    except ValueError as exc:
        raise ValueError(f"{text!r}: {exc}") from exc
    if closes <= opens:
        raise ValueError(f"{text!r} closes before it opens")
    return opens, closes
