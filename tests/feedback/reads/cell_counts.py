"""The map rollups' cell counts, as read and as counted from the reports themselves."""

from __future__ import annotations

from collections import Counter

from sqlalchemy import select
from sqlalchemy.orm import Session

from ioc.feedback.reads.rollups import ReportCellCount, rollup_key
from ioc.feedback.report_models import Report

CellCounts = Counter[tuple[int, int, int, str]]


def cells_read(session: Session) -> CellCounts:
    """The cell counts as a reader of the rollups sees them."""
    rows = session.scalars(select(ReportCellCount))
    return Counter(
        {(r.cell_x, r.cell_y, r.category_id, r.status): r.count for r in rows if r.count}
    )


def cells_of_reports(session: Session) -> CellCounts:
    """The cell counts the reports themselves make."""
    counts: CellCounts = Counter()
    for report in session.scalars(select(Report)):
        counts[rollup_key(report.cell_x, report.cell_y, report.category_id, report.status)] += 1
    return counts
