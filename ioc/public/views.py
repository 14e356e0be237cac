"""The public portal's API: published results (a list, one result in full, CSV and GeoJSON
downloads), figures with their trend, and the agency scorecards. No personal data, ever."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from datetime import date, datetime
from typing import Any, Literal
from zoneinfo import ZoneInfo

from flask import Blueprint, request, url_for
from flask import Response as FlaskResponse
from pydantic import BaseModel, ConfigDict, Field
from spectree import Response

from ioc.events.log import latest_seq
from ioc.extensions import services
from ioc.feedback.announce import map_point
from ioc.feedback.reads.exports import inert
from ioc.feedback.reads.filters import ReportFilter
from ioc.feedback.reads.kpis import count_published
from ioc.feedback.reads.lists import list_public_results
from ioc.feedback.reads.public_results import (
    get_public_result,
    iter_public_results,
    localized,
    mask_contacts,
    preview_photos,
    public_figures,
    public_photos,
    public_timeline,
    rejection_reason,
)
from ioc.feedback.reads.statistics import GroupBy, compute_figures
from ioc.feedback.report_models import Attachment, Report
from ioc.i18n import DEFAULT_LANGUAGE, SUPPORTED_LANGUAGES
from ioc.web.caching import cached_json, figures_etag, not_modified
from ioc.web.errors import REQUEST_ERRORS, ErrorOut
from ioc.web.openapi import api
from ioc.web.paging import PagingQuery
from ioc.web.periods import day_bounds, period
from ioc.web.validated import validated_query

bp = Blueprint("public_api", __name__, url_prefix="/api/public/v1")


class PeriodQuery(BaseModel):
    model_config = ConfigDict(extra="forbid")

    since: date | None = None
    until: date | None = None


class Scorecard(BaseModel):
    since: Any
    until: Any
    agencies: list[dict[str, Any]]


@bp.get("/scorecard")
@api.validate(
    query=PeriodQuery,
    resp=Response(HTTP_200=Scorecard, HTTP_304=None, **REQUEST_ERRORS),
    tags=["public"],
)
def scorecard() -> FlaskResponse:
    """Per agency: received, resolved, on-time %, overdue now, median handling time in
    working hours, satisfaction, reopen rate and reports extended, for reports received in
    the period. Carries
    an ETag (`Cache-Control: public, max-age=60`): send it back in `If-None-Match` and an
    unchanged answer is a 304 without a body."""
    query = validated_query(PeriodQuery)
    since, until = period(query.since, query.until, services().settings.tz)
    with services().unit_of_work() as session:
        etag = figures_etag(session, scope="public", query=query)
        if unchanged := not_modified(etag, public=True):
            return unchanged
        figures = compute_figures(
            session,
            services().policy,
            group_by=GroupBy.AGENCY,
            since=since,
            until=until,
        )
        document = {"since": since, "until": until, "agencies": [f.to_dict() for f in figures]}
    return cached_json(document, etag, public=True)


Language = Literal["vi", "en"]


class ResultFilters(BaseModel):
    """What narrows the published results (the list and the downloads alike)."""

    model_config = ConfigDict(extra="forbid")

    category: str | None = Field(default=None, max_length=64, description="Category code")
    area: str | None = Field(
        default=None,
        max_length=64,
        description="Area code (a commune, or the province): results filed under it, any depth",
    )
    agency: str | None = Field(default=None, max_length=64, description="Lead agency code")
    since: date | None = Field(default=None, description="First local day of receipt")
    until: date | None = Field(default=None, description="Local day after the last")
    ref: str | None = Field(
        default=None, min_length=1, max_length=32, description="Start of the reference"
    )
    lang: Language | None = Field(
        default=None,
        description="Language of the names (category, agency, area); by default the "
        "request's Accept-Language, else Vietnamese",
    )

    def criteria(self) -> ReportFilter:
        since, until = day_bounds(self.since, self.until, services().settings.tz)
        return ReportFilter(
            category=self.category,
            area=self.area,
            agency=self.agency,
            since=since,
            until=until,
            ref=self.ref.strip() if self.ref else None,
        )


class ResultsQuery(PagingQuery, ResultFilters):
    """Published results, newest first, optionally narrowed."""


class PublicResultList(BaseModel):
    """One page of results (no personal data): where, what, who handled it, the answer."""

    items: list[dict[str, Any]]
    next_cursor: str | None = Field(
        description="Pass back as `cursor` for the next page; null on the last page"
    )


def _language(asked: str | None) -> str:
    if asked:
        return asked
    return request.accept_languages.best_match(SUPPORTED_LANGUAGES, default=DEFAULT_LANGUAGE)


@bp.get("/results")
@api.validate(
    query=ResultsQuery, resp=Response(HTTP_200=PublicResultList, **REQUEST_ERRORS), tags=["public"]
)
def results() -> dict[str, Any]:
    """Resolved, closed and rejected reports (never a private category, never who reported),
    newest first, with the agency's public answer, whether the deadline was met, the
    citizen's rating and a preview photo; one page at a time (follow `next_cursor`). `ref`
    finds a result by the start of its reference."""
    query = validated_query(ResultsQuery)
    language = _language(query.lang)
    with services().unit_of_work() as session:
        page = list_public_results(
            session, criteria=query.criteria(), cursor=query.cursor, limit=query.limit
        )
        previews = preview_photos(session, page.items)
        return {
            "items": [
                {
                    **map_point(r),
                    **{
                        f"{k}_name": v["name"] if v else None
                        for k, v in _names(r, language).items()
                    },
                    "result_text": mask_contacts(r.result_text),
                    "resolved_at": r.resolved_at,
                    "on_time": r.resolved_on_time,
                    "rating": r.rating,
                    "photo": _thumbnail_url(previews[r.id]) if r.id in previews else None,
                }
                for r in page.items
            ],
            "next_cursor": page.next_cursor,
        }


class ResultLanguage(BaseModel):
    model_config = ConfigDict(extra="forbid")

    lang: Language | None = Field(default=None, description="Language of the names")


class PhotoOut(BaseModel):
    url: str
    thumbnail_url: str | None
    width: int
    height: int


class TimelineStep(BaseModel):
    at: datetime
    action: str
    status: str | None
    note: str | None


class NamedOut(BaseModel):
    code: str
    name: str


class PublicResultOut(BaseModel):
    """One published result: the report's public text, the photos before and after, the
    agency's answer, the public steps of its history, the deadline and the rating. Never who
    reported (nor any contact written in the text: phone numbers and e-mails are masked)."""

    ref: str
    status: str
    category: NamedOut
    agency: NamedOut | None
    area: NamedOut | None
    lon: float
    lat: float
    address: str | None
    description: str | None
    received_at: datetime
    resolved_at: datetime | None
    closed_at: datetime | None
    result_text: str | None = Field(description="the lead agency's answer")
    rejection_reason: str | None
    deadline: datetime | None = Field(description="the resolution deadline, when one was set")
    on_time: bool | None = Field(
        description="whether the result came within the deadline (null: never resolved)"
    )
    rating: Literal["satisfied", "acceptable", "unsatisfied"] | None
    photos: dict[str, list[PhotoOut]] = Field(description="`before` and `after` photos")
    timeline: list[TimelineStep]


@bp.get("/results/<ref>")
@api.validate(
    query=ResultLanguage,
    resp=Response(HTTP_200=PublicResultOut, HTTP_404=ErrorOut, **REQUEST_ERRORS),
    tags=["public"],
)
def result(ref: str) -> dict[str, Any]:
    """One published result by its reference. A report still being handled, or one of a
    private category, is a 404 exactly like an unknown reference."""
    language = _language(validated_query(ResultLanguage).lang)
    with services().unit_of_work() as session:
        report = get_public_result(session, ref=ref)
        photos = public_photos(report)
        return {
            "ref": report.ref,
            "status": report.status,
            **_names(report, language),
            "lon": report.lon,
            "lat": report.lat,
            "address": mask_contacts(report.address),
            "description": mask_contacts(report.description),
            "received_at": report.received_at,
            "resolved_at": report.resolved_at,
            "closed_at": report.closed_at,
            "result_text": mask_contacts(report.result_text),
            "rejection_reason": rejection_reason(report),
            "deadline": report.due_at,
            "on_time": report.resolved_on_time,
            "rating": report.rating,
            "photos": {
                purpose: [_photo(a) for a in attachments] for purpose, attachments in photos.items()
            },
            "timeline": public_timeline(report),
        }


def _names(report: Report, language: str) -> dict[str, Any]:
    """The category, lead agency and filing commune, named in ``language``."""
    leaf = report.areas[0].area if report.areas else None
    agency = report.lead_agency
    category = report.category
    return {
        "category": {
            "code": category.code,
            "name": localized(category.name_vi, category.name_en, language),
        },
        "agency": (
            {"code": agency.code, "name": localized(agency.name_vi, agency.name_en, language)}
            if agency
            else None
        ),
        "area": (
            {"code": leaf.code, "name": localized(leaf.name_vi, leaf.name_en, language)}
            if leaf
            else None
        ),
    }


def _photo(attachment: Attachment, *, external: bool = False) -> dict[str, Any]:
    return {
        "url": url_for("media.file", key=attachment.storage_key, _external=external),
        "thumbnail_url": _thumbnail_url(attachment, external=external),
        "width": attachment.width,
        "height": attachment.height,
    }


def _thumbnail_url(attachment: Attachment, *, external: bool = False) -> str:
    key = attachment.thumbnail_key or attachment.storage_key
    return url_for("media.file", key=key, _external=external)


class PublicSnapshot(BaseModel):
    """The event `seq` to resume after and the published results per status; the map loads
    the results themselves by viewport (`/map/reports`, `/map/cells`)."""

    seq: int
    published: int
    by_status: dict[str, int]


@bp.get("/snapshot")
@api.validate(resp=Response(HTTP_200=PublicSnapshot, **REQUEST_ERRORS), tags=["public"])
def snapshot() -> dict[str, Any]:
    """Counts of published results (no personal data) and the event `seq` they correspond to."""
    with services().unit_of_work() as session:
        seq = latest_seq(session)
        by_status = count_published(session)
        return {"seq": seq, "published": sum(by_status.values()), "by_status": by_status}


# ---- figures ----


class FiguresQuery(BaseModel):
    model_config = ConfigDict(extra="forbid")

    by: Literal["province", "area", "category", "agency"] = Field(
        default="agency",
        description="one group per commune (area), category or agency, or the province alone",
    )
    since: date | None = Field(default=None, description="First local day of receipt")
    until: date | None = Field(
        default=None, description="Local day after the last (default: the last 30 days)"
    )
    lang: Language | None = Field(default=None, description="Language of the names")


class FigureRow(BaseModel):
    key: str
    name: str
    received: int
    resolved: int
    rejected: int
    on_time: int
    late: int
    on_time_percent: float | None
    ratings: dict[str, int] = Field(description="every rating: satisfied, acceptable, unsatisfied")
    rated: int
    satisfaction_percent: float | None = Field(description="satisfied or acceptable, of rated")


class TrendRow(BaseModel):
    since: date
    until: date = Field(description="the day after the last")
    figures: FigureRow


class PublicFiguresOut(BaseModel):
    """Reports received in the period: the province's figures, one row per group, and the
    province's trend (per day, week or month, by the period's length)."""

    since: date
    until: date
    by: str
    province: FigureRow
    groups: list[FigureRow]
    unassigned: FigureRow | None = Field(
        description="reports no agency leads yet (by agency only); not an agency"
    )
    step: Literal["day", "week", "month"]
    trend: list[TrendRow]


@bp.get("/figures")
@api.validate(
    query=FiguresQuery,
    resp=Response(HTTP_200=PublicFiguresOut, HTTP_304=None, **REQUEST_ERRORS),
    tags=["public"],
)
def figures() -> FlaskResponse:
    """Received, resolved, on time and every citizen rating for reports received in the
    period, for the province and per commune, category or agency, with the period's trend.
    Read from the figure rollups. Carries an ETag (`Cache-Control: public, max-age=60`)."""
    query = validated_query(FiguresQuery)
    language = _language(query.lang)
    timezone = services().settings.tz
    since, until = period(query.since, query.until, timezone)
    with services().unit_of_work() as session:
        etag = figures_etag(
            session,
            scope=f"public-figures-{language}",
            query=query.model_copy(update={"lang": language}),
        )
        if unchanged := not_modified(etag, public=True):
            return unchanged
        found = public_figures(
            session,
            services().policy,
            group_by=query.by,
            since=since,
            until=until,
            language=language,
        )
        province_name = _province_name(language)
        document = {
            "since": since.astimezone(timezone).date(),
            "until": until.astimezone(timezone).date(),
            "by": query.by,
            "province": {**found.total.to_dict(), "name": province_name},
            "groups": [g.to_dict() for g in found.groups],
            "unassigned": found.unassigned.to_dict() if found.unassigned else None,
            "step": found.step,
            "trend": [
                {"since": p.start, "until": p.end, "figures": p.figures.to_dict()}
                for p in found.trend
            ],
        }
    return cached_json(document, etag, public=True)


def _province_name(language: str) -> str:
    return "Whole province" if language == "en" else "Toàn tỉnh"


# ---- open data ----

CSV_COLUMNS = (
    "ref",
    "status",
    "category_code",
    "category_name",
    "agency_code",
    "agency_name",
    "area_code",
    "area_name",
    "received_at",
    "resolved_at",
    "closed_at",
    "on_time",
    "rating",
    "lon",
    "lat",
    "result_text",
    "url",
    "licence",
)


class DownloadQuery(ResultFilters):
    """The published results to download (all of them unless narrowed)."""


class OpenDataOut(BaseModel):
    """Where the open data is and under which licence."""

    licence: str
    licence_url: str
    downloads: dict[str, str] = Field(description="`csv` and `geojson`: every published result")
    open311: dict[str, str] = Field(
        description="the Open311 GeoReport v2 endpoints: `discovery`, `services`, `requests`"
    )
    documentation: str = Field(description="the OpenAPI document of this API")


@bp.get("/open-data")
@api.validate(resp=Response(HTTP_200=OpenDataOut, **REQUEST_ERRORS), tags=["public"])
def open_data() -> dict[str, Any]:
    """The open data catalogue: the downloads, their licence and the Open311 endpoints."""
    settings = services().settings
    return {
        "licence": settings.open_data_licence,
        "licence_url": settings.open_data_licence_url,
        "downloads": {
            "csv": url_for("public_api.results_csv", _external=True),
            "geojson": url_for("public_api.results_geojson", _external=True),
        },
        "open311": {
            "discovery": url_for("open311.discovery", fmt="json", _external=True),
            "services": url_for("open311.services_list", fmt="json", _external=True),
            "requests": url_for("open311.requests_list", fmt="json", _external=True),
        },
        "documentation": url_for("openapi.openapi_document", _external=True),
    }


#: What a download view returns: the body as a generator, the status and the headers.
Download = tuple[Iterator[str], int, dict[str, str]]


@bp.get("/results.csv")
@api.validate(query=DownloadQuery, resp=Response("HTTP_200", **REQUEST_ERRORS), tags=["public"])
def results_csv() -> Download:
    """Every published result matching the filters as CSV (UTF-8 with a byte-order mark),
    streamed, newest first; each row names the data's licence in its `licence` column.
    Cells that would be formulas begin with `'`."""
    rows = _download_rows(validated_query(DownloadQuery))

    def chunks() -> Iterator[str]:
        yield "\ufeff"
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow(CSV_COLUMNS)
        for page in rows():
            for row in page:
                writer.writerow([_csv_cell(row[c]) for c in CSV_COLUMNS])
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()

    return chunks(), 200, _download_headers("text/csv; charset=utf-8", "csv")


@bp.get("/results.geojson")
@api.validate(query=DownloadQuery, resp=Response("HTTP_200", **REQUEST_ERRORS), tags=["public"])
def results_geojson() -> Download:
    """Every published result matching the filters as a GeoJSON FeatureCollection (RFC 7946,
    WGS84, longitude first), streamed, newest first; the collection's `licence` and
    `licence_url` members name the data's licence."""
    rows = _download_rows(validated_query(DownloadQuery))
    settings = services().settings
    head = {
        "type": "FeatureCollection",
        "licence": settings.open_data_licence,
        "licence_url": settings.open_data_licence_url,
    }

    def chunks() -> Iterator[str]:
        yield json.dumps(head, ensure_ascii=False)[:-1] + ', "features": ['
        first = True
        for page in rows():
            parts = []
            for row in page:
                properties = {k: row[k] for k in CSV_COLUMNS if k not in ("lon", "lat", "licence")}
                feature = {
                    "type": "Feature",
                    "geometry": {"type": "Point", "coordinates": [row["lon"], row["lat"]]},
                    "properties": properties,
                }
                parts.append(("" if first else ",") + json.dumps(feature, ensure_ascii=False))
                first = False
            yield "".join(parts)
        yield "]}"

    return chunks(), 200, _download_headers("application/geo+json", "geojson")


def _download_rows(query: DownloadQuery) -> Any:
    """A generator factory of the matching results, a page of rows at a time, read from the
    stream's own session (everything it needs is taken from the request first)."""
    criteria = query.criteria()
    language = _language(query.lang)
    settings = services().settings
    timezone = settings.tz
    licence = settings.open_data_licence
    factory = services().session_factory
    page_root = f"{request.host_url}public"

    def rows() -> Iterator[list[dict[str, Any]]]:
        with factory() as session:
            for page in iter_public_results(session, criteria=criteria):
                yield [_row(r, language, timezone, licence, page_root) for r in page]

    return rows


def _row(
    report: Report, language: str, timezone: ZoneInfo, licence: str, page_root: str
) -> dict[str, Any]:
    names = _names(report, language)

    def local(moment: datetime | None) -> str | None:
        return moment.astimezone(timezone).isoformat() if moment else None

    return {
        "ref": report.ref,
        "status": report.status,
        "category_code": names["category"]["code"],
        "category_name": names["category"]["name"],
        "agency_code": names["agency"]["code"] if names["agency"] else None,
        "agency_name": names["agency"]["name"] if names["agency"] else None,
        "area_code": names["area"]["code"] if names["area"] else None,
        "area_name": names["area"]["name"] if names["area"] else None,
        "received_at": local(report.received_at),
        "resolved_at": local(report.resolved_at),
        "closed_at": local(report.closed_at),
        "on_time": report.resolved_on_time,
        "rating": report.rating,
        "lon": report.lon,
        "lat": report.lat,
        "result_text": mask_contacts(report.result_text),
        "url": f"{page_root}?ref={report.ref}",
        "licence": licence,
    }


def _csv_cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return repr(value)
    return inert(str(value))


def _download_headers(content_type: str, extension: str) -> dict[str, str]:
    settings = services().settings
    return {
        "Content-Type": content_type,
        "Content-Disposition": f'attachment; filename="ket-qua-phan-anh.{extension}"',
        "Link": f'<{settings.open_data_licence_url}>; rel="license"',
    }
