"""figure month totals: the monthly figures added up per one dimension (agency, category,
area or channel), and an (agency, month) index on the full monthly rows

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-04 21:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None

_COUNTERS = (
    "received",
    "verified",
    "assigned",
    "rejected",
    "resolved",
    "resolved_on_time",
    "resolved_late",
    "reopened",
    "rated_satisfied",
    "rated_acceptable",
    "rated_unsatisfied",
    "receipt_on_time",
    "receipt_late",
    "returned",
)
_WIDE_COUNTERS = ("returned_seconds", "handling_seconds")
#: Each dimension and the monthly column that holds its value.
_DIMENSIONS = (
    ("agency", "agency_id"),
    ("category", "category_id"),
    ("area", "area_id"),
    ("channel", "channel"),
)


def _key_columns() -> list[sa.Column[object]]:
    return [
        sa.Column("month", sa.Date(), nullable=False),
        sa.Column("dimension", sa.String(length=16), nullable=False),
        sa.Column("group_key", sa.String(length=32), nullable=False),
    ]


def upgrade() -> None:
    op.create_table(
        "report_figure_month_total",
        *_key_columns(),
        *(sa.Column(name, sa.Integer(), nullable=False) for name in _COUNTERS),
        *(sa.Column(name, sa.BigInteger(), nullable=False) for name in _WIDE_COUNTERS),
        sa.PrimaryKeyConstraint(
            "dimension", "month", "group_key", name=op.f("pk_report_figure_month_total")
        ),
    )
    op.create_table(
        "report_handling_bucket_month_total",
        *_key_columns(),
        sa.Column("bucket", sa.Integer(), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint(
            "dimension",
            "month",
            "group_key",
            "bucket",
            name=op.f("pk_report_handling_bucket_month_total"),
        ),
    )
    op.create_index(
        "ix_report_figure_month_agency_month", "report_figure_month", ["agency_id", "month"]
    )
    op.create_index(
        "ix_report_handling_bucket_month_agency_month",
        "report_handling_bucket_month",
        ["agency_id", "month"],
    )
    counters = ", ".join((*_COUNTERS, *_WIDE_COUNTERS))
    sums = ", ".join(f"SUM({name})" for name in (*_COUNTERS, *_WIDE_COUNTERS))
    for dimension, column in _DIMENSIONS:
        group_key = f"CAST({column} AS VARCHAR(32))"
        op.execute(
            f"INSERT INTO report_figure_month_total (month, dimension, group_key, {counters})"
            f" SELECT month, '{dimension}', {group_key}, {sums} FROM report_figure_month"
            f" GROUP BY month, {column}"
        )
        op.execute(
            "INSERT INTO report_handling_bucket_month_total"
            " (month, dimension, group_key, bucket, count)"
            f" SELECT month, '{dimension}', {group_key}, bucket, SUM(count)"
            f" FROM report_handling_bucket_month GROUP BY month, {column}, bucket"
        )


def downgrade() -> None:
    op.drop_index("ix_report_handling_bucket_month_agency_month", "report_handling_bucket_month")
    op.drop_index("ix_report_figure_month_agency_month", "report_figure_month")
    op.drop_table("report_handling_bucket_month_total")
    op.drop_table("report_figure_month_total")
