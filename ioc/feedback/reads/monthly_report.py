"""The province's monthly summary: the tables a People's Committee asks for, as a workbook
(one sheet per table) or an HTML page, Vietnamese first (English on request).

Every figure is one the statistics API gives for the same month
(:func:`ioc.feedback.reads.statistics.compute_figures`, from the rollups); hotspots come
from :mod:`ioc.feedback.reads.hotspots` over the weeks the month touches.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from html import escape

from sqlalchemy.orm import Session

from ioc.feedback.reads.analytics import next_month, total_of
from ioc.feedback.reads.hotspots import list_hotspots, weeks_between
from ioc.feedback.reads.spreadsheet import MIMETYPE as XLSX_MIMETYPE
from ioc.feedback.reads.statistics import Figures, GroupBy, compute_figures
from ioc.feedback.sla.policy import SlaPolicy

__all__ = ["XLSX_MIMETYPE", "MonthlyReport", "build_monthly_report", "to_html", "to_xlsx"]

LANGUAGES = ("vi", "en")
FORMATS = ("xlsx", "html")
#: Hotspots in the report: cells of one category reported in this many weeks of the month.
HOTSPOT_MIN_WEEKS = 2
HOTSPOT_ROWS = 50

_TEXT = {
    "title": (
        "Báo cáo tháng {month}: tiếp nhận và xử lý phản ánh",
        "Monthly report {month}: citizen reports received and handled",
    ),
    "summary": ("Tổng hợp", "Summary"),
    "channel": ("Theo kênh", "By channel"),
    "category": ("Theo lĩnh vực", "By category"),
    "agency": ("Kết quả theo cơ quan", "Results by agency"),
    "overdue": ("Quá hạn và gia hạn", "Overdue and extended"),
    "hotspots": ("Điểm nóng", "Hotspots"),
    "item": ("Chỉ tiêu", "Item"),
    "value": ("Giá trị", "Value"),
    "name": ("Tên", "Name"),
    "received": ("Tiếp nhận", "Received"),
    "resolved": ("Đã xử lý", "Resolved"),
    "rejected": ("Từ chối", "Rejected"),
    "on_time": ("Đúng hạn", "On time"),
    "late": ("Trễ hạn", "Late"),
    "on_time_percent": ("Tỷ lệ đúng hạn (%)", "On time (%)"),
    "satisfied": ("Hài lòng", "Satisfied"),
    "acceptable": ("Chấp nhận", "Acceptable"),
    "unsatisfied": ("Không hài lòng", "Unsatisfied"),
    "satisfaction_percent": ("Tỷ lệ hài lòng (%)", "Satisfaction (%)"),
    "overdue_now": ("Đang quá hạn", "Overdue now"),
    "median_receipt": (
        "Trung vị thời gian tiếp nhận (giờ làm việc)",
        "Median receipt time (working hours)",
    ),
    "extended": ("Được gia hạn", "Extended"),
    "returned": ("Chuyển trả", "Returned"),
    "category_col": ("Lĩnh vực", "Category"),
    "lon": ("Kinh độ", "Longitude"),
    "lat": ("Vĩ độ", "Latitude"),
    "weeks": ("Số tuần có phản ánh", "Weeks with reports"),
    "reports": ("Số phản ánh", "Reports"),
    "more": ("… và {n} điểm nóng khác", "… and {n} more hotspots"),
    "total": ("Tổng", "Total"),
}


def _t(key: str, lang: str, **values: object) -> str:
    text = _TEXT[key][LANGUAGES.index(lang)]
    return text.format(**values) if values else text


Cell = str | int | float | None


@dataclass(frozen=True)
class Table:
    key: str  # stable: a sheet's position and the HTML section's id
    title: str
    header: list[str]
    rows: list[list[Cell]]


@dataclass(frozen=True)
class MonthlyReport:
    month: date
    lang: str
    title: str
    tables: list[Table]


def _rates(f: Figures, lang: str) -> list[Cell]:
    return [
        f.received,
        f.resolved,
        f.resolved_on_time,
        f.resolved_late,
        f.on_time_percent,
        f.satisfaction_percent,
    ]


def build_monthly_report(
    session: Session,
    policy: SlaPolicy,
    *,
    month: date,
    lang: str = "vi",
    now: datetime | None = None,
) -> MonthlyReport:
    """The summary of the reports received in the local month starting on ``month``."""
    first, end = month.replace(day=1), next_month(month)
    zone = policy.calendar.timezone
    since, until = (datetime(d.year, d.month, d.day, tzinfo=zone) for d in (first, end))

    def grouped(group_by: GroupBy) -> list[Figures]:
        return compute_figures(
            session, policy, group_by=group_by, since=since, until=until, now=now
        )

    channels, categories, agencies = (
        grouped(GroupBy.CHANNEL),
        grouped(GroupBy.CATEGORY),
        grouped(GroupBy.AGENCY),
    )
    total = total_of(channels, "total", _t("total", lang))
    rate_header = [
        _t(k, lang)
        for k in (
            "received",
            "resolved",
            "on_time",
            "late",
            "on_time_percent",
            "satisfaction_percent",
        )
    ]
    tables = [
        Table(
            "summary",
            _t("summary", lang),
            [_t("item", lang), _t("value", lang)],
            [
                [_t(k, lang), v]
                for k, v in (
                    ("received", total.received),
                    ("resolved", total.resolved),
                    ("rejected", total.rejected),
                    ("on_time", total.resolved_on_time),
                    ("late", total.resolved_late),
                    ("on_time_percent", total.on_time_percent),
                    ("satisfied", total.ratings["satisfied"]),
                    ("acceptable", total.ratings["acceptable"]),
                    ("unsatisfied", total.ratings["unsatisfied"]),
                    ("satisfaction_percent", total.satisfaction_percent),
                    ("overdue_now", total.overdue_now),
                    ("extended", total.extended),
                    ("returned", total.returned),
                )
            ],
        ),
        Table(
            "channel",
            _t("channel", lang),
            [_t("name", lang), *rate_header],
            [[g.name, *_rates(g, lang)] for g in channels]
            + [[_t("total", lang), *_rates(total, lang)]],
        ),
        Table(
            "category",
            _t("category", lang),
            [_t("name", lang), *rate_header],
            [[g.name, *_rates(g, lang)] for g in categories]
            + [[_t("total", lang), *_rates(total, lang)]],
        ),
        Table(
            "agency",
            _t("agency", lang),
            [
                _t("name", lang),
                *rate_header,
                _t("satisfied", lang),
                _t("acceptable", lang),
                _t("unsatisfied", lang),
                _t("median_receipt", lang),
            ],
            [
                [
                    g.name,
                    *_rates(g, lang),
                    *(g.ratings[k] for k in ("satisfied", "acceptable", "unsatisfied")),
                    g.median_receipt_hours,
                ]
                for g in agencies
            ],
        ),
        Table(
            "overdue",
            _t("overdue", lang),
            [
                _t("name", lang),
                _t("late", lang),
                _t("overdue_now", lang),
                _t("extended", lang),
                _t("returned", lang),
            ],
            [
                [g.name, g.resolved_late, g.overdue_now, g.extended, g.returned]
                for g in agencies
                if g.resolved_late or g.overdue_now or g.extended or g.returned
            ],
        ),
    ]
    first_week, end_week = weeks_between(first, end)
    hotspots = list_hotspots(
        session,
        first_week=first_week,
        end_week=end_week,
        min_weeks=HOTSPOT_MIN_WEEKS,
        limit=HOTSPOT_ROWS,
    )
    rows: list[list[Cell]] = [
        [h.category_name, h.lat, h.lon, h.weeks, h.reports] for h in hotspots.items
    ]
    if hotspots.total > len(hotspots.items):
        rows.append(
            [_t("more", lang, n=hotspots.total - len(hotspots.items)), None, None, None, None]
        )
    tables.append(
        Table(
            "hotspots",
            _t("hotspots", lang),
            [
                _t("category_col", lang),
                _t("lat", lang),
                _t("lon", lang),
                _t("weeks", lang),
                _t("reports", lang),
            ],
            rows,
        )
    )
    return MonthlyReport(
        month=first, lang=lang, title=_t("title", lang, month=f"{first:%m/%Y}"), tables=tables
    )


def to_xlsx(report: MonthlyReport) -> bytes:
    """A workbook: one sheet per table, the title above the header."""
    import openpyxl
    from openpyxl.styles import Font

    workbook = openpyxl.Workbook()
    workbook.remove(workbook.active)  # type: ignore[arg-type]
    for table in report.tables:
        sheet = workbook.create_sheet(table.title[:31])
        sheet.append([report.title])
        sheet.append([table.title])
        sheet.append(table.header)
        for cell in sheet[3]:
            cell.font = Font(bold=True)
        sheet["A1"].font = Font(bold=True, size=13)
        for row in table.rows:
            # Names are data: a leading "=" must not become a formula.
            sheet.append([f"'{v}" if isinstance(v, str) and v[:1] in "=+-@" else v for v in row])
        sheet.column_dimensions["A"].width = 42
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def to_html(report: MonthlyReport) -> str:
    """A page that prints on A4: the title and every table."""
    parts = [
        f'<!doctype html><html lang="{report.lang}"><head><meta charset="utf-8">',
        f"<title>{escape(report.title)}</title>",
        "<style>body{font-family:sans-serif;margin:2em}table{border-collapse:collapse;"
        "margin-bottom:2em}td,th{border:1px solid #999;padding:.3em .6em}"
        "td.n{text-align:right}</style></head><body>",
        f"<h1>{escape(report.title)}</h1>",
    ]
    for table in report.tables:
        parts.append(f'<section id="{table.key}"><h2>{escape(table.title)}</h2><table><thead><tr>')
        parts.extend(f"<th>{escape(h)}</th>" for h in table.header)
        parts.append("</tr></thead><tbody>")
        for row in table.rows:
            parts.append("<tr>")
            for value in row:
                css = ' class="n"' if isinstance(value, int | float) else ""
                parts.append(f"<td{css}>{'' if value is None else escape(str(value))}</td>")
            parts.append("</tr>")
        parts.append("</tbody></table></section>")
    parts.append("</body></html>")
    return "".join(parts)


def file_name(month: date, fmt: str) -> str:
    return f"bao-cao-thang-{month:%Y-%m}.{fmt}"


def previous_month(today: date) -> date:
    return (today.replace(day=1) - timedelta(days=1)).replace(day=1)
