"""What the public portal publishes about results: one result in full, the photos and the
public steps of its history, the list's photo previews, and figures per province, commune,
category and agency with the period's trend.

Only published results (resolved, closed, rejected) of non-private categories are shown, and
nothing that names who reported: no reporter, no staff member, no rating comment, no private
attribute. The citizen's own words are published with phone numbers and e-mail addresses
masked, since people sometimes sign a report with them.

Figures are read from the figure rollups (:mod:`ioc.feedback.reads.statistics`), never by
scanning reports. The group of reports no agency leads yet (the IOC's queue) is not an
agency: it is answered apart, as ``unassigned``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from ioc.errors import NotFound
from ioc.feedback.models import Agency, Category
from ioc.feedback.reads.filters import ReportFilter
from ioc.feedback.reads.lists import list_public_results
from ioc.feedback.reads.media_access import STAFF_ONLY_PURPOSES
from ioc.feedback.reads.paging import MAX_PAGE_SIZE
from ioc.feedback.reads.statistics import IOC_GROUP, Figures, GroupBy, compute_figures
from ioc.feedback.report_models import Attachment, Report, ReportArea
from ioc.feedback.sla.policy import SlaPolicy
from ioc.feedback.states import PUBLISHED_STATES, ReportStatus
from ioc.geo.models import Area

#: Photos the public sees: the citizen's ("before") and the agency's result ("after").
PUBLIC_PHOTO_PURPOSES = ("before", "after")

_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
#: Nine or more digits, possibly split by spaces, dots or dashes, possibly after a "+".
_PHONE = re.compile(r"\+?\d(?:[\s.\-]?\d){8,}")
MASK = "***"


def mask_contacts(text: str | None) -> str | None:
    """``text`` with e-mail addresses and phone numbers replaced by ``***``."""
    if text is None:
        return None
    return _PHONE.sub(MASK, _EMAIL.sub(MASK, text))


def localized(vi: str, en: str | None, language: str) -> str:
    """The English name in English when the catalogue has one, else the Vietnamese."""
    return (en or vi) if language == "en" else vi


def is_published(report: Report) -> bool:
    return report.status in PUBLISHED_STATES and not report.category.is_private


def get_public_result(session: Session, *, ref: str) -> Report:
    """A published result by its reference, with its history and photos.

    Raises:
        NotFound: no such reference, a report still being handled, or one of a private
            category (the same answer, so nothing is told about reports not published).
    """
    report = session.scalar(
        select(Report)
        .where(Report.ref == ref.strip().upper())
        .options(
            selectinload(Report.history),
            selectinload(Report.attachments),
            selectinload(Report.category),
            selectinload(Report.lead_agency),
            selectinload(Report.areas).selectinload(ReportArea.area),
        )
    )
    if report is None or not is_published(report):
        raise NotFound("no published result has this reference", details={"ref": ref})
    return report


def public_photos(report: Report) -> dict[str, list[Attachment]]:
    """The photos of a published result the public may fetch, before and after."""
    photos: dict[str, list[Attachment]] = {purpose: [] for purpose in PUBLIC_PHOTO_PURPOSES}
    if report.category.is_private:
        return photos
    for attachment in report.attachments:
        if attachment.is_hidden or attachment.purpose in STAFF_ONLY_PURPOSES:
            continue
        if attachment.purpose in photos:
            photos[attachment.purpose].append(attachment)
    return photos


def preview_photos(session: Session, reports: Iterable[Report]) -> dict[int, Attachment]:
    """For each report of a list page, the photo it is shown with (the first result photo,
    else the first of the citizen's): one query for the page."""
    ids = [r.id for r in reports if not r.category.is_private]
    if not ids:
        return {}
    found: dict[int, Attachment] = {}
    rows = session.scalars(
        select(Attachment)
        .where(
            Attachment.report_id.in_(ids),
            Attachment.purpose.in_(PUBLIC_PHOTO_PURPOSES),
            Attachment.is_hidden.is_(False),
        )
        .order_by(Attachment.report_id, Attachment.id)
    )
    for attachment in rows:
        best = found.get(attachment.report_id)
        if best is None or (best.purpose == "before" and attachment.purpose == "after"):
            found[attachment.report_id] = attachment
    return found


def public_timeline(report: Report) -> list[dict[str, Any]]:
    """The public steps of the report's history: when, what, the status it reached and the
    public note of the staff (a rejection's reason, the answer); never who acted, and never
    the reporter's own words (a rating's comment may sign with a name)."""
    return [
        {
            "at": entry.occurred_at,
            "action": entry.action,
            "status": entry.to_status,
            "note": None
            if entry.actor_id is not None and entry.actor_id == report.reporter_id
            else mask_contacts(entry.note),
        }
        for entry in report.history
        if entry.is_public
    ]


def rejection_reason(report: Report) -> str | None:
    if report.status != ReportStatus.REJECTED:
        return None
    for entry in reversed(report.history):
        if entry.to_status == ReportStatus.REJECTED and entry.is_public and entry.note:
            return mask_contacts(entry.note)
    return None


def iter_public_results(session: Session, *, criteria: ReportFilter) -> Iterator[list[Report]]:
    """Every published result matching ``criteria``, newest first, a page at a time (keyset
    paging: a download of any size never offsets, never stops at a cap)."""
    cursor: str | None = None
    while True:
        page = list_public_results(session, criteria=criteria, cursor=cursor, limit=MAX_PAGE_SIZE)
        yield page.items
        if page.next_cursor is None:
            return
        cursor = page.next_cursor
        session.expunge_all()  # a long download holds one page in memory, not all of them


# ---- figures ----


class PublicGroup:
    PROVINCE = "province"
    AREA = GroupBy.AREA.value
    CATEGORY = GroupBy.CATEGORY.value
    AGENCY = GroupBy.AGENCY.value


@dataclass
class PublicFigures:
    """The figures of one group as the public reads them."""

    key: str
    name: str
    received: int = 0
    resolved: int = 0
    rejected: int = 0
    resolved_on_time: int = 0
    resolved_late: int = 0
    ratings: dict[str, int] = field(
        default_factory=lambda: {"satisfied": 0, "acceptable": 0, "unsatisfied": 0}
    )

    def add(self, figures: Figures) -> None:
        self.received += figures.received
        self.resolved += figures.resolved
        self.rejected += figures.rejected
        self.resolved_on_time += figures.resolved_on_time
        self.resolved_late += figures.resolved_late
        for level, count in figures.ratings.items():
            self.ratings[level] += count

    def to_dict(self) -> dict[str, Any]:
        rated = sum(self.ratings.values())
        happy = self.ratings["satisfied"] + self.ratings["acceptable"]
        return {
            "key": self.key,
            "name": self.name,
            "received": self.received,
            "resolved": self.resolved,
            "rejected": self.rejected,
            "on_time": self.resolved_on_time,
            "late": self.resolved_late,
            "on_time_percent": (
                round(100 * self.resolved_on_time / self.resolved, 1) if self.resolved else None
            ),
            "ratings": dict(self.ratings),
            "rated": rated,
            "satisfaction_percent": round(100 * happy / rated, 1) if rated else None,
        }


@dataclass(frozen=True)
class TrendPoint:
    start: date
    end: date  # exclusive
    figures: PublicFigures


@dataclass(frozen=True)
class PublicFigureSet:
    total: PublicFigures
    groups: list[PublicFigures]
    #: The IOC's queue: reports no agency leads (only when grouped by agency).
    unassigned: PublicFigures | None
    step: str
    trend: list[TrendPoint]


def public_figures(
    session: Session,
    policy: SlaPolicy,
    *,
    group_by: str,
    since: datetime,
    until: datetime,
    language: str,
) -> PublicFigureSet:
    """Figures of reports received in [since, until) (local midnights) for the province and
    per ``group_by`` (area, category or agency; ``province`` for the total alone), and the
    province's trend over the period (per day up to a month, per week up to half a year,
    else per month). Private categories are not listed per category."""
    total = _total(session, policy, since, until)
    groups: list[PublicFigures] = []
    unassigned = None
    if group_by != PublicGroup.PROVINCE:
        dimension = GroupBy(group_by)
        raw = compute_figures(session, policy, group_by=dimension, since=since, until=until)
        names = _english_names(session, dimension) if language == "en" else {}
        hidden = _private_category_codes(session) if dimension is GroupBy.CATEGORY else set()
        for figures in raw:
            if dimension is GroupBy.AGENCY and figures.key == IOC_GROUP[0]:
                unassigned = PublicFigures("unassigned", _unassigned_name(language))
                unassigned.add(figures)
                continue
            if figures.key in hidden:
                continue
            group = PublicFigures(figures.key, names.get(figures.key) or figures.name)
            group.add(figures)
            groups.append(group)
    first = policy.calendar.local_date(since)
    end = policy.calendar.local_date(until - timedelta(microseconds=1)) + timedelta(days=1)
    step = trend_step(first, end)
    trend = [
        TrendPoint(low, high, _total(session, policy, *_instants(policy, low, high)))
        for low, high in trend_ranges(first, end, step)
    ]
    return PublicFigureSet(total, groups, unassigned, step, trend)


def trend_step(first: date, end: date) -> str:
    days = (end - first).days
    if days <= 31:
        return "day"
    if days <= 183:
        return "week"
    return "month"


def trend_ranges(first: date, end: date, step: str) -> list[tuple[date, date]]:
    """[first, end) cut into days, ISO weeks (Monday first) or calendar months; the first
    and last ranges are cut to the period."""
    ranges: list[tuple[date, date]] = []
    low = first
    while low < end:
        if step == "day":
            high = low + timedelta(days=1)
        elif step == "week":
            high = low + timedelta(days=7 - low.weekday())
        else:
            high = (low.replace(day=28) + timedelta(days=4)).replace(day=1)
        high = min(high, end)
        ranges.append((low, high))
        low = high
    return ranges


def _instants(policy: SlaPolicy, low: date, high: date) -> tuple[datetime, datetime]:
    zone = policy.calendar.timezone

    def midnight(day: date) -> datetime:
        return datetime(day.year, day.month, day.day, tzinfo=zone).astimezone(UTC)

    return midnight(low), midnight(high)


def _total(session: Session, policy: SlaPolicy, since: datetime, until: datetime) -> PublicFigures:
    # Every report has a channel, and the channels are few: their month totals are the
    # cheapest complete grouping to add up.
    total = PublicFigures("province", "")
    for figures in compute_figures(
        session, policy, group_by=GroupBy.CHANNEL, since=since, until=until
    ):
        total.add(figures)
    return total


def _english_names(session: Session, group_by: GroupBy) -> dict[str, str]:
    model: Any = {GroupBy.AGENCY: Agency, GroupBy.AREA: Area, GroupBy.CATEGORY: Category}[group_by]
    return {
        code: name
        for code, name in session.execute(
            select(model.code, model.name_en).where(model.name_en.is_not(None))
        )
        if name
    }


def _private_category_codes(session: Session) -> set[str]:
    return set(session.scalars(select(Category.code).where(Category.is_private.is_(True))))


def _unassigned_name(language: str) -> str:
    return "Not yet assigned to an agency" if language == "en" else "Chưa giao cơ quan xử lý"
