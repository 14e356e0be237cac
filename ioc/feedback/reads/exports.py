"""Report exports (CSV and XLSX) that stream: rows come from a server-side cursor in batches
and leave as they come, so a province-wide export starts at once, never times out and holds
no more than one batch in memory.

Exports leave the system, so they carry no reporter identity. A spreadsheet program runs
a cell that begins like a formula; citizens write the descriptions, so every such cell is
neutralised (OWASP CSV injection guidance) before it is written in either format.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Select, and_, select
from sqlalchemy.orm import Session, aliased

from ioc.feedback.models import Agency, Category
from ioc.feedback.people import audit
from ioc.feedback.reads.spreadsheet import xlsx_chunks
from ioc.feedback.report_models import Report, ReportArea
from ioc.feedback.states import CHANNEL_NAMES, ReportStatus
from ioc.geo.models import Area

HEADER = [
    "Mã phản ánh",
    "Thời điểm tiếp nhận",
    "Lĩnh vực",
    "Trạng thái",
    "Địa bàn",
    "Đơn vị chủ trì",
    "Hạn xử lý",
    "Thời điểm xử lý xong",
    "Đánh giá",
    "Địa chỉ",
    "Nội dung",
    "Kênh tiếp nhận",
]
SHEET_NAME = "Phản ánh"
_BATCH = 1000
#: What makes a spreadsheet cell a formula or a command (OWASP CSV injection guidance).
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class ExportFilter:
    since: datetime | None = None
    until: datetime | None = None
    status: str | None = None
    category: str | None = None
    agency: str | None = None
    channel: str | None = None
    #: Only reports this agency leads (an agency exporting its own reports).
    lead_agency_id: int | None = None

    def described(self) -> dict[str, Any]:
        """The filters as the audit log keeps them."""
        return {
            key: value.isoformat() if isinstance(value, datetime) else value
            for key, value in asdict(self).items()
            if value is not None
        }


def inert(text: str) -> str:
    """``text`` as a spreadsheet shows it but never runs it: a leading quote before a formula."""
    return "'" + text if text.startswith(_FORMULA_STARTS) else text


def record_export(session: Session, *, actor_id: int, fmt: str, criteria: ExportFilter) -> None:
    """Note in the audit log who exported which reports, in which format (never commits)."""
    audit.record(
        session,
        actor_id=actor_id,
        action="export_reports",
        target_type="report",
        target_ref=None,
        after={"format": fmt, "filters": criteria.described()},
    )


def _query(criteria: ExportFilter) -> Select[*tuple[Any, ...]]:
    leaf = aliased(Area)
    query = (
        select(
            Report.ref,
            Report.received_at,
            Category.name_vi,
            Report.status,
            leaf.name_vi,
            Agency.name_vi,
            Report.due_at,
            Report.resolved_at,
            Report.rating,
            Report.address,
            Report.description,
            Report.channel,
        )
        .join(Category, Category.id == Report.category_id)
        .outerjoin(ReportArea, and_(ReportArea.report_id == Report.id, ReportArea.depth == 0))
        .outerjoin(leaf, leaf.id == ReportArea.area_id)
        .outerjoin(Agency, Agency.id == Report.lead_agency_id)
        .order_by(Report.id)
    )
    if criteria.since:
        query = query.where(Report.received_at >= criteria.since)
    if criteria.until:
        query = query.where(Report.received_at < criteria.until)
    if criteria.status:
        query = query.where(Report.status == criteria.status)
    if criteria.category:
        query = query.where(Category.code == criteria.category)
    if criteria.agency:
        query = query.where(Agency.code == criteria.agency)
    if criteria.channel:
        query = query.where(Report.channel == criteria.channel)
    if criteria.lead_agency_id is not None:
        query = query.where(Report.lead_agency_id == criteria.lead_agency_id)
    # yield_per streams: a server-side cursor on PostgreSQL, batches of rows on SQLite.
    return query.execution_options(yield_per=_BATCH)


def report_rows(
    session: Session, criteria: ExportFilter, timezone: ZoneInfo
) -> Iterator[list[str]]:
    """The header, then one row per matching report, every cell inert."""
    yield HEADER

    def local(moment: datetime | None) -> str:
        return moment.astimezone(timezone).strftime("%Y-%m-%d %H:%M") if moment else ""

    for row in session.execute(_query(criteria)):
        (ref, received, category, status, area, agency, due, resolved) = row[:8]
        rating, address, description, channel = row[8:]
        yield [
            inert(ref),
            local(received),
            inert(category),
            ReportStatus(status).label_vi,
            inert(area or ""),
            inert(agency or ""),
            local(due),
            local(resolved),
            rating or "",
            inert(address or ""),
            inert(description or ""),
            CHANNEL_NAMES.get(channel, channel),
        ]


def csv_chunks(rows: Iterator[list[str]]) -> Iterator[str]:
    """CSV text in chunks, with a byte-order mark so spreadsheet programs read UTF-8."""
    yield "\ufeff"
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    for count, row in enumerate(rows, start=1):
        writer.writerow(row)
        if count % _BATCH == 0:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


def xlsx_bytes(rows: Iterator[list[str]]) -> Iterator[bytes]:
    """An XLSX workbook in chunks, every cell a string, the header in bold."""
    return xlsx_chunks(rows, sheet_name=SHEET_NAME)
