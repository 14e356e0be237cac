"""Routes of the analytics for leadership and supervisors (`/api/ops/v1/analytics/...`): trends
read from the figure rollups, and the monthly report as a file."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any, Literal

from flask import Blueprint
from pydantic import BaseModel, ConfigDict, Field
from spectree import Response

from ioc.errors import InvalidInput, NotFound
from ioc.extensions import services
from ioc.feedback.reads import analytics, monthly_report
from ioc.feedback.reads.hotspots import list_hotspots, weeks_between
from ioc.feedback.reads.statistics import GroupBy
from ioc.feedback.states import OPS_READERS
from ioc.web.openapi import api
from ioc.web.periods import FIRST_DAY, LAST_DAY, period
from ioc.web.staff_access import STAFF_ERRORS, STAFF_SECURITY, admit_only, staff_unit_of_work
from ioc.web.validated import validated_query

bp = Blueprint("ops_analytics", __name__, url_prefix="/api/ops/v1/analytics")
admit_only(bp, OPS_READERS)

TAGS = ["analytics"]
#: The longest series asked at once: ten years of weeks or months.
MAX_SERIES_DAYS = 3660


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class SeriesQuery(_Strict):
    grain: Literal["week", "month"] = "week"
    since: date | None = Field(
        default=None, ge=FIRST_DAY, le=LAST_DAY, description="First local day (default: a year ago)"
    )
    until: date | None = Field(
        default=None,
        ge=FIRST_DAY,
        le=LAST_DAY,
        description="Day after the last (default: tomorrow)",
    )


class SeriesOut(BaseModel):
    grain: str
    since: date
    until: date
    items: list[dict[str, Any]] = Field(
        description="One point per ISO week (Monday to Sunday) or month covering the days"
    )


class PeriodQuery(_Strict):
    since: date | None = Field(
        default=None,
        ge=FIRST_DAY,
        le=LAST_DAY,
        description="First local day (default: 30 days ago)",
    )
    until: date | None = Field(
        default=None,
        ge=FIRST_DAY,
        le=LAST_DAY,
        description="Day after the last (default: tomorrow)",
    )


class CompareQuery(_Strict):
    group_by: Literal["agency", "area", "category", "channel"] = "channel"
    a_since: date = Field(ge=FIRST_DAY, le=LAST_DAY)
    a_until: date = Field(ge=FIRST_DAY, le=LAST_DAY)
    b_since: date = Field(ge=FIRST_DAY, le=LAST_DAY)
    b_until: date = Field(ge=FIRST_DAY, le=LAST_DAY)


class CompareOut(BaseModel):
    group_by: str
    a: dict[str, Any]
    b: dict[str, Any]
    groups: list[dict[str, Any]]


class RankingOut(BaseModel):
    since: Any
    until: Any
    items: list[dict[str, Any]]


class HotspotQuery(PeriodQuery):
    min_weeks: int = Field(default=3, ge=2, le=53, description="Weeks with reports, at least")
    category: str | None = Field(default=None, max_length=64)
    limit: int = Field(default=200, ge=1, le=1000)


class HotspotOut(BaseModel):
    since: date
    until: date
    total: int = Field(description="Every hotspot of the period; `items` are the strongest")
    items: list[dict[str, Any]]


class DistributionQuery(PeriodQuery):
    group_by: Literal["agency", "area", "category", "channel"] | None = Field(
        default=None, description="Also give each group's distributions"
    )


class TimeRange(BaseModel):
    from_hours: float = Field(description="Working hours, inclusive")
    to_hours: float | None = Field(description="Working hours, exclusive; null: no upper end")
    count: int


class DistributionGroup(BaseModel):
    key: str
    name: str
    handling: list[TimeRange]
    median_handling_working_hours: float | None
    receipt_time: list[TimeRange]
    median_receipt_working_hours: float | None
    receipt_on_time: int
    receipt_late: int


class DistributionOut(BaseModel):
    since: Any
    until: Any
    handling: list[TimeRange] = Field(
        description="Resolved reports per handling-time range (assignment or reopening to "
        "resolution)"
    )
    median_handling_working_hours: float | None
    receipt_time: list[TimeRange] = Field(
        description="Reports per receipt-time range: the receipt clock's working hours from "
        "filing (or an agency's return) until the IOC sent, rejected or merged the report"
    )
    median_receipt_working_hours: float | None
    receipt_on_time: int
    receipt_late: int
    receipt: list[dict[str, Any]] = Field(description="Receipt on time and late per channel")
    group_by: str | None = None
    groups: list[DistributionGroup] | None = Field(
        default=None, description="With `group_by`: each group's distributions"
    )


class MonthlyReportQuery(_Strict):
    month: str = Field(pattern=r"^(20\d\d|21\d\d)-(0[1-9]|1[0-2])$", description="YYYY-MM")
    lang: Literal["vi", "en"] = "vi"


def _local_days(since: date | None, until: date | None, *, default_days: int) -> tuple[date, date]:
    """Local days [first, end), defaulting to ``default_days`` up to today.

    Raises:
        InvalidInput: ``until`` not after ``since``, or a span longer than ten years.
    """
    timezone = services().settings.tz
    end = until or datetime.now(timezone).date() + timedelta(days=1)
    first = since or end - timedelta(days=default_days)
    if end <= first:
        raise InvalidInput("until must be after since", details={"fields": {"until": str(end)}})
    if (end - first).days > MAX_SERIES_DAYS:
        raise InvalidInput("the period is too long", details={"fields": {"since": str(first)}})
    return first, end


def _instants(first: date, end: date) -> tuple[datetime, datetime]:
    zone = services().settings.tz
    return tuple(  # type: ignore[return-value]
        datetime(d.year, d.month, d.day, tzinfo=zone).astimezone(UTC) for d in (first, end)
    )


@bp.get("/series")
@api.validate(
    query=SeriesQuery,
    resp=Response(HTTP_200=SeriesOut, **STAFF_ERRORS),
    tags=TAGS,
    security=STAFF_SECURITY,
)
def series() -> dict[str, Any]:
    """Received, resolved, on time, late, satisfaction, returns and received per channel, per
    ISO week (Monday to Sunday, local days) or per month, for every week or month the days
    [since, until) touch; read from the weekly and monthly rollups, never from reports."""
    query = validated_query(SeriesQuery)
    first, end = _local_days(query.since, query.until, default_days=364)
    grain = analytics.Grain(query.grain)
    with staff_unit_of_work(OPS_READERS) as (session, _):
        points = analytics.compute_series(session, grain=grain, first=first, end=end)
    return {
        "grain": grain.value,
        "since": points[0].start if points else first,
        "until": points[-1].end if points else end,
        "items": [p.to_dict() for p in points],
    }


@bp.get("/compare")
@api.validate(
    query=CompareQuery,
    resp=Response(HTTP_200=CompareOut, **STAFF_ERRORS),
    tags=TAGS,
    security=STAFF_SECURITY,
)
def compare() -> dict[str, Any]:
    """Two periods side by side (`a` and `b`, each `[since, until)` in local days): their
    totals and each group's figures, as the statistics API gives them."""
    query = validated_query(CompareQuery)
    a = _instants(*_local_days(query.a_since, query.a_until, default_days=30))
    b = _instants(*_local_days(query.b_since, query.b_until, default_days=30))
    with staff_unit_of_work(OPS_READERS) as (session, _):
        result = analytics.compare_periods(
            session, services().policy, group_by=GroupBy(query.group_by), a=a, b=b
        )
        return result.to_dict()


@bp.get("/agencies")
@api.validate(
    query=PeriodQuery,
    resp=Response(HTTP_200=RankingOut, **STAFF_ERRORS),
    tags=TAGS,
    security=STAFF_SECURITY,
)
def ranking() -> dict[str, Any]:
    """Agencies ranked by on-time rate, then satisfaction, then reports resolved, each with
    its month-by-month trend over the months the period touches."""
    query = validated_query(PeriodQuery)
    since, until = period(query.since, query.until, services().settings.tz)
    with staff_unit_of_work(OPS_READERS) as (session, _):
        ranked = analytics.rank_agencies(session, services().policy, since=since, until=until)
        return {"since": since, "until": until, "items": [r.to_dict() for r in ranked]}


@bp.get("/hotspots")
@api.validate(
    query=HotspotQuery,
    resp=Response(HTTP_200=HotspotOut, **STAFF_ERRORS),
    tags=TAGS,
    security=STAFF_SECURITY,
)
def hotspots() -> dict[str, Any]:
    """Places (~600 m map cells) where one category was reported in at least `min_weeks`
    distinct ISO weeks of the period (whole weeks covering it), most recurring first; `total`
    counts them all."""
    query = validated_query(HotspotQuery)
    first, end = _local_days(query.since, query.until, default_days=84)
    first_week, end_week = weeks_between(first, end)
    with staff_unit_of_work(OPS_READERS) as (session, _):
        page = list_hotspots(
            session,
            first_week=first_week,
            end_week=end_week,
            min_weeks=query.min_weeks,
            category_code=query.category,
            limit=query.limit,
        )
    return {
        "since": first_week,
        "until": end_week,
        "total": page.total,
        "items": [h.to_dict() for h in page.items],
    }


@bp.get("/distributions")
@api.validate(
    query=DistributionQuery,
    resp=Response(HTTP_200=DistributionOut, **STAFF_ERRORS),
    tags=TAGS,
    security=STAFF_SECURITY,
)
def distributions() -> dict[str, Any]:
    """Receipt time and handling time of the period's reports (working hours, in ranges,
    with medians, from the rollups' histograms), receipt on time or late per channel, and
    with `group_by` each group's distributions."""
    query = validated_query(DistributionQuery)
    since, until = period(query.since, query.until, services().settings.tz)
    group_by = GroupBy(query.group_by) if query.group_by else None
    with staff_unit_of_work(OPS_READERS) as (session, _):
        answer = analytics.distributions(
            session, services().policy, since=since, until=until, group_by=group_by
        )
    return {"since": since, "until": until, **answer}


@bp.get("/monthly-report.<fmt>")
@api.validate(
    query=MonthlyReportQuery,
    resp=Response("HTTP_200", **STAFF_ERRORS),
    tags=TAGS,
    security=STAFF_SECURITY,
)
def monthly(fmt: str) -> tuple[bytes | str, int, dict[str, str]]:
    """The province's monthly summary (received by channel and category, results by agency
    with on-time and satisfaction rates, overdue and extended cases, hotspots) as an XLSX
    workbook or an HTML page; Vietnamese unless `lang=en`."""
    if fmt not in monthly_report.FORMATS:
        raise NotFound("unknown export format")
    query = validated_query(MonthlyReportQuery)
    month = date.fromisoformat(f"{query.month}-01")
    with staff_unit_of_work(OPS_READERS) as (session, _):
        report = monthly_report.build_monthly_report(
            session, services().policy, month=month, lang=query.lang
        )
    disposition = f'attachment; filename="{monthly_report.file_name(month, fmt)}"'
    if fmt == "html":
        return (
            monthly_report.to_html(report),
            200,
            {"Content-Type": "text/html; charset=utf-8", "Content-Disposition": disposition},
        )
    return (
        monthly_report.to_xlsx(report),
        200,
        {"Content-Type": monthly_report.XLSX_MIMETYPE, "Content-Disposition": disposition},
    )
