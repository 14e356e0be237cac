"""Report exports (CSV and XLSX) that stream: rows are read in batches and written as they
come, so a province-wide export neither times out nor holds every report in memory.

Exports leave the system, so they carry no reporter identity.
"""

from __future__ import annotations

import csv
import io
import os
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import xlsxwriter
from sqlalchemy import Select, select
from sqlalchemy.orm import Session, selectinload

from ioc.feedback.models import Agency, Category
from ioc.feedback.report_models import Report, ReportArea
from ioc.feedback.states import ReportStatus

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
]
_BATCH = 500


@dataclass(frozen=True)
class ExportFilter:
    since: datetime | None = None
    until: datetime | None = None
    status: str | None = None
    category: str | None = None
    agency: str | None = None


def _query(criteria: ExportFilter) -> Select[Report]:
    query = select(Report).order_by(Report.id)
    if criteria.since:
        query = query.where(Report.received_at >= criteria.since)
    if criteria.until:
        query = query.where(Report.received_at < criteria.until)
    if criteria.status:
        query = query.where(Report.status == criteria.status)
    if criteria.category:
        query = query.join(Category).where(Category.code == criteria.category)
    if criteria.agency:
        query = query.join(Agency, Report.lead_agency_id == Agency.id).where(
            Agency.code == criteria.agency
        )
    return query.options(
        selectinload(Report.areas).selectinload(ReportArea.area),
        selectinload(Report.category),
        selectinload(Report.lead_agency),
    ).execution_options(yield_per=_BATCH)


def report_rows(
    session: Session, criteria: ExportFilter, timezone: ZoneInfo
) -> Iterator[list[str]]:
    """The header, then one row per matching report, fetched in batches."""
    yield HEADER

    def local(moment: datetime | None) -> str:
        return moment.astimezone(timezone).strftime("%Y-%m-%d %H:%M") if moment else ""

    for report in session.scalars(_query(criteria)):
        leaf = report.areas[0].area.name_vi if report.areas else ""
        yield [
            report.ref,
            local(report.received_at),
            report.category.name_vi,
            ReportStatus(report.status).label_vi,
            leaf,
            report.lead_agency.name_vi if report.lead_agency else "",
            local(report.due_at),
            local(report.resolved_at),
            report.rating or "",
            report.address or "",
            report.description or "",
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


def write_xlsx(rows: Iterator[list[str]]) -> Path:
    """An XLSX file on disk, written row by row (xlsxwriter's constant-memory mode).

    The caller streams it and deletes it.
    """
    descriptor, name = tempfile.mkstemp(prefix="ioc-export-", suffix=".xlsx")
    os.close(descriptor)
    workbook = xlsxwriter.Workbook(name, {"constant_memory": True})
    sheet = workbook.add_worksheet("Phản ánh")
    bold = workbook.add_format({"bold": True})
    for number, row in enumerate(rows):
        sheet.write_row(number, 0, row, bold if number == 0 else None)
    workbook.close()
    return Path(name)
