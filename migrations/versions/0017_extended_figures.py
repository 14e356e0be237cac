"""extended figures: how many extensions each report was granted, and the reports with at
least one (gia hạn) counted in every figure tier, from the approved extension requests

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-06 12:00:00
"""

from __future__ import annotations

from collections import Counter
from datetime import date
from typing import Any

import sqlalchemy as sa
from alembic import op

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None

_FIGURE_TABLES = ("report_figure", "report_figure_month", "report_figure_month_total")
_KEYS = ("agency_id", "category_id", "area_id", "channel")
_APPROVED = "extension_request.report_id = report.id AND extension_request.decision = 'approved'"


def upgrade() -> None:
    with op.batch_alter_table("report", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("extension_count", sa.Integer(), nullable=False, server_default="0")
        )
    for table in _FIGURE_TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(
                sa.Column("extended", sa.Integer(), nullable=False, server_default="0")
            )
    op.execute(
        "UPDATE report SET extension_count ="
        f" (SELECT COUNT(*) FROM extension_request WHERE {_APPROVED})"
        f" WHERE EXISTS (SELECT 1 FROM extension_request WHERE {_APPROVED})"
    )
    # The figure rows hold every counted report already (each adds "received" to its row):
    # the extended ones add to the rows of their keys, in each grain as the live upkeep does.
    connection = op.get_bind()
    days: Counter[tuple[Any, ...]] = Counter()
    for day, agency_id, category_id, area_id, channel, count in connection.execute(
        sa.text(
            "SELECT received_on, COALESCE(lead_agency_id, 0), category_id,"
            " COALESCE(area_id, 0), channel, COUNT(*) FROM report"
            " WHERE extension_count > 0 AND received_on IS NOT NULL"
            " GROUP BY received_on, COALESCE(lead_agency_id, 0), category_id,"
            " COALESCE(area_id, 0), channel"
        )
    ):
        days[(_date(day), agency_id, category_id, area_id, channel)] += count
    months: Counter[tuple[Any, ...]] = Counter()
    totals: Counter[tuple[Any, ...]] = Counter()
    for (day, *keys), count in days.items():
        month = day.replace(day=1)
        months[(month, *keys)] += count
        for dimension, value in zip(("agency", "category", "area", "channel"), keys, strict=True):
            totals[(month, dimension, str(value))] += count
    for table, columns, rows in (
        ("report_figure", ("day", *_KEYS), days),
        ("report_figure_month", ("month", *_KEYS), months),
        ("report_figure_month_total", ("month", "dimension", "group_key"), totals),
    ):
        if not rows:
            continue
        where = " AND ".join(f"{c} = :{c}" for c in columns)
        statement = sa.text(f"UPDATE {table} SET extended = :extended WHERE {where}")
        connection.execute(
            statement.bindparams(sa.bindparam(columns[0], type_=sa.Date())),
            [dict(zip(columns, key, strict=True)) | {"extended": n} for key, n in rows.items()],
        )


def _date(value: date | str) -> date:
    # SQLite gives dates back as text in a raw query.
    return date.fromisoformat(value) if isinstance(value, str) else value


def downgrade() -> None:
    for table in _FIGURE_TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column("extended")
    with op.batch_alter_table("report", schema=None) as batch_op:
        batch_op.drop_column("extension_count")
