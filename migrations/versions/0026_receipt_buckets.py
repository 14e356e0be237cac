"""receipt buckets: each report's receipt time (the receipt clock's working hours when it last
stopped) and its histogram in every figure grain, counted from what is there

Revision ID: 0026
Revises: 0025
Create Date: 2026-12-08 09:00:00
"""

from __future__ import annotations

import os
from collections import Counter
from datetime import date, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from alembic import op
from sqlalchemy.orm import Session

revision = "0026"
down_revision = "0025"
branch_labels = None
depends_on = None

_DAY_KEYS = ("agency_id", "category_id", "area_id", "channel")
_DIMENSIONS = ("agency", "category", "area", "channel")


def _bucket_columns() -> tuple[sa.Column[Any], ...]:
    return (
        sa.Column("bucket", sa.Integer(), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
    )


def _keys() -> tuple[sa.Column[Any], ...]:
    return (
        sa.Column("agency_id", sa.Integer(), nullable=False),
        sa.Column("category_id", sa.Integer(), nullable=False),
        sa.Column("area_id", sa.Integer(), nullable=False),
        sa.Column("channel", sa.String(length=16), nullable=False),
    )


def upgrade() -> None:
    with op.batch_alter_table("report", schema=None) as batch_op:
        batch_op.add_column(sa.Column("receipt_hours", sa.Float(), nullable=True))
    op.create_table(
        "report_receipt_bucket",
        sa.Column("day", sa.Date(), nullable=False),
        *_keys(),
        *_bucket_columns(),
        sa.PrimaryKeyConstraint("day", *_DAY_KEYS, "bucket", name=op.f("pk_report_receipt_bucket")),
    )
    op.create_table(
        "report_receipt_bucket_month",
        sa.Column("month", sa.Date(), nullable=False),
        *_keys(),
        *_bucket_columns(),
        sa.PrimaryKeyConstraint(
            "month", *_DAY_KEYS, "bucket", name=op.f("pk_report_receipt_bucket_month")
        ),
    )
    with op.batch_alter_table("report_receipt_bucket_month", schema=None) as batch_op:
        batch_op.create_index(
            "ix_report_receipt_bucket_month_agency_month", ["agency_id", "month"], unique=False
        )
    op.create_table(
        "report_receipt_bucket_month_total",
        sa.Column("month", sa.Date(), nullable=False),
        sa.Column("dimension", sa.String(length=16), nullable=False),
        sa.Column("group_key", sa.String(length=32), nullable=False),
        *_bucket_columns(),
        sa.PrimaryKeyConstraint(
            "dimension",
            "month",
            "group_key",
            "bucket",
            name=op.f("pk_report_receipt_bucket_month_total"),
        ),
    )
    op.create_table(
        "report_receipt_bucket_week",
        sa.Column("week", sa.Date(), nullable=False),
        sa.Column("channel", sa.String(length=16), nullable=False),
        *_bucket_columns(),
        sa.PrimaryKeyConstraint(
            "week", "channel", "bucket", name=op.f("pk_report_receipt_bucket_week")
        ),
    )
    connection = op.get_bind()
    if connection.execute(sa.text("SELECT 1 FROM report LIMIT 1")).first() is None:
        return
    # Existing reports with a receipt verdict get their receipt time from the history, by the
    # function `ioc rollups rebuild` uses; then each adds one to its bucket in every grain, as
    # the live upkeep counts it.
    from ioc.feedback.reads.figure_backfill import fill_receipt_hours
    from ioc.feedback.reads.figure_rollups import bucket_of
    from ioc.feedback.sla.policy import load_policy

    timezone = ZoneInfo(os.environ.get("IOC_TIMEZONE") or "Asia/Ho_Chi_Minh")
    with Session(bind=connection) as session:
        fill_receipt_hours(session, load_policy(timezone))
        session.flush()
    days: Counter[tuple[Any, ...]] = Counter()
    for day, agency_id, category_id, area_id, channel, hours in connection.execute(
        sa.text(
            "SELECT received_on, COALESCE(lead_agency_id, 0), category_id,"
            " COALESCE(area_id, 0), channel, receipt_hours FROM report"
            " WHERE receipt_on_time IS NOT NULL AND receipt_hours IS NOT NULL"
            " AND received_on IS NOT NULL AND category_id IS NOT NULL AND channel IS NOT NULL"
        )
    ):
        days[(_date(day), agency_id, category_id, area_id, channel, bucket_of(hours))] += 1
    months: Counter[tuple[Any, ...]] = Counter()
    totals: Counter[tuple[Any, ...]] = Counter()
    weeks: Counter[tuple[Any, ...]] = Counter()
    for (day, *keys, bucket), count in days.items():
        month = day.replace(day=1)
        months[(month, *keys, bucket)] += count
        for dimension, value in zip(_DIMENSIONS, keys, strict=True):
            totals[(month, dimension, str(value), bucket)] += count
        weeks[(day - timedelta(days=day.weekday()), keys[3], bucket)] += count
    day_columns = ("day", *_DAY_KEYS, "bucket")
    month_columns = ("month", *_DAY_KEYS, "bucket")
    _insert("report_receipt_bucket", day_columns, days, "day")
    _insert("report_receipt_bucket_month", month_columns, months, "month")
    _insert(
        "report_receipt_bucket_month_total",
        ("month", "dimension", "group_key", "bucket"),
        totals,
        "month",
    )
    _insert("report_receipt_bucket_week", ("week", "channel", "bucket"), weeks, "week")


def _insert(table: str, columns: tuple[str, ...], counts: Counter[Any], when: str) -> None:
    rows = [
        {**dict(zip(columns, key, strict=True)), "count": count}
        for key, count in sorted(counts.items())
    ]
    if not rows:
        return
    names = (*columns, "count")
    statement = sa.text(
        f"INSERT INTO {table} ({', '.join(names)}) VALUES ({', '.join(':' + c for c in names)})"
    ).bindparams(sa.bindparam(when, type_=sa.Date()))
    for start in range(0, len(rows), 5_000):
        op.get_bind().execute(statement, rows[start : start + 5_000])


def _date(value: date | str) -> date:
    # SQLite gives dates back as text in a raw query.
    return date.fromisoformat(value) if isinstance(value, str) else value


def downgrade() -> None:
    op.drop_table("report_receipt_bucket_week")
    op.drop_table("report_receipt_bucket_month_total")
    with op.batch_alter_table("report_receipt_bucket_month", schema=None) as batch_op:
        batch_op.drop_index("ix_report_receipt_bucket_month_agency_month")
    op.drop_table("report_receipt_bucket_month")
    op.drop_table("report_receipt_bucket")
    with op.batch_alter_table("report", schema=None) as batch_op:
        batch_op.drop_column("receipt_hours")
