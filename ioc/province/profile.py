"""The province profile: who the province is, and its deadline policy and holidays kept in the
database (edited in the admin console; they override the files the settings name).

Each edit is checked with the same parsers the files go through, bumps the profile's
``revision`` (every process rebuilds its policy when it sees the new one, see
:mod:`ioc.feedback.sla.policy_source`) and is audited.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from ioc.feedback.models import ProvinceProfile, User
from ioc.feedback.people import audit
from ioc.feedback.sla.calendar import HolidayEntry, list_holidays
from ioc.feedback.sla.policy_source import PolicyFiles, build_policy
from ioc.province.pack import Origin, PackRefused, Problem, Severity

POLICY_FILE = "sla_policy.toml"
HOLIDAYS_FILE = "holidays.toml"
#: The profile a province gets before it loads a pack (code and names are the pack's to set).
DEFAULT_CODE = "province"
DEFAULT_NAME_VI = "Tỉnh"


@dataclass(frozen=True)
class ProfileText:
    toml: str
    source: str  # "database" or "file"


def find_profile(session: Session) -> ProvinceProfile | None:
    return session.get(ProvinceProfile, 1)


def policy_text(session: Session, *, files: PolicyFiles) -> ProfileText:
    """The policy in force as TOML, and where it comes from."""
    profile = find_profile(session)
    if profile is not None and profile.sla_policy_toml:
        return ProfileText(profile.sla_policy_toml, "database")
    return ProfileText(files.policy_text(), "file")


def holidays_text(session: Session, *, files: PolicyFiles) -> ProfileText:
    """The holidays in force as TOML, and where they come from."""
    profile = find_profile(session)
    if profile is not None and profile.holidays_toml:
        return ProfileText(profile.holidays_toml, "database")
    return ProfileText(files.holidays_text(), "file")


def holidays_of_year(session: Session, *, files: PolicyFiles, year: int) -> list[HolidayEntry]:
    text = holidays_text(session, files=files)
    return [h for h in list_holidays(text.toml, source=HOLIDAYS_FILE) if h.day.year == year]


def set_policy_text(
    session: Session, *, toml: str, actor: User | None, at: datetime, files: PolicyFiles
) -> ProvinceProfile:
    """Make ``toml`` the province's deadline policy.

    Raises:
        PackRefused: the policy (or the holidays with its office hours) does not check; each
            problem names the key in ``column``.
    """
    holidays = holidays_text(session, files=files).toml
    _check(files.timezone, policy=toml, holidays=holidays, file=POLICY_FILE)
    return _save(session, "sla_policy_toml", toml, actor=actor, at=at, files=files)


def set_holidays_text(
    session: Session, *, toml: str, actor: User | None, at: datetime, files: PolicyFiles
) -> ProvinceProfile:
    """Make ``toml`` the province's holidays and make-up working days.

    Raises:
        PackRefused: an entry does not check; the problem names it.
    """
    policy = policy_text(session, files=files).toml
    _check(files.timezone, policy=policy, holidays=toml, file=HOLIDAYS_FILE)
    return _save(session, "holidays_toml", toml, actor=actor, at=at, files=files)


def _check(timezone: ZoneInfo, *, policy: str, holidays: str, file: str) -> None:
    try:
        build_policy(timezone, policy_text=policy, holidays_text=holidays, source=file)
    except ValueError as exc:
        raise PackRefused(_problems(str(exc), file)) from exc


def _problems(message: str, file: str) -> list[Problem]:
    """One problem per wrong key: the parsers say ``source:\\n  key: reason`` per line."""
    head, *lines = [line.strip() for line in message.split("\n") if line.strip()]
    if not lines:
        reason = head.split(": ", 1)[-1] if head.startswith(file) else head
        return [_problem(file, None, reason)]
    return [
        _problem(file, *line.split(": ", 1)) if ": " in line else _problem(file, None, line)
        for line in lines
    ]


def _problem(file: str, key: str | None, reason: str) -> Problem:
    where_vi = f"khóa {key}: " if key else ""
    where_en = f"key {key}: " if key else ""
    return Problem(
        Severity.ERROR,
        message_vi=f"{where_vi}giá trị không hợp lệ ({reason})",
        message_en=f"{where_en}{reason}",
        origin=Origin(file, column=key),
    )


def _save(
    session: Session,
    column: str,
    toml: str,
    *,
    actor: User | None,
    at: datetime,
    files: PolicyFiles,
) -> ProvinceProfile:
    profile = find_profile(session)
    if profile is None:
        profile = ProvinceProfile(
            id=1,
            code=DEFAULT_CODE,
            name_vi=DEFAULT_NAME_VI,
            time_zone=files.timezone.key,
            revision=0,
            updated_at=at,
        )
        session.add(profile)
    before = getattr(profile, column)
    setattr(profile, column, toml)
    profile.revision = (profile.revision or 0) + 1
    profile.updated_at = at
    session.flush()
    audit.record(
        session,
        actor_id=actor.id if actor else None,
        action="update_sla_policy" if column == "sla_policy_toml" else "update_holidays",
        target_type="province",
        target_ref=profile.code,
        before={"toml": before, "revision": profile.revision - 1},
        after={"toml": toml, "revision": profile.revision},
    )
    return profile
