"""Figures for the home page."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ioc.db import utcnow
from ioc.feedback.models import Agency, Category
from ioc.feedback.report_models import Report
from ioc.feedback.states import ReportStatus
from ioc.geo.models import Area
from ioc.geo.queries import valid_at


def overview(session: Session) -> dict[str, Any]:
    by_status = dict(
        session.execute(select(Report.status, func.count()).group_by(Report.status)).all()
    )
    root = session.scalar(
        select(Area).where(valid_at(utcnow()), Area.parent_code.is_(None)).order_by(Area.code)
    )
    return {
        "province": root.name_vi if root else None,
        "areas": session.scalar(select(func.count()).select_from(Area).where(valid_at(utcnow()))),
        "agencies": session.scalar(select(func.count()).select_from(Agency)),
        "categories": session.scalar(select(func.count()).select_from(Category)),
        "reports": sum(by_status.values()),
        "by_status": [(status.label_vi, by_status.get(status.value, 0)) for status in ReportStatus],
        # Public-order tips are private: they never appear on a page anyone can open.
        "latest": session.scalars(
            select(Report)
            .join(Category)
            .where(Category.is_private.is_(False))
            .order_by(Report.id.desc())
            .limit(10)
        ).all(),
    }
