"""figure months: the figure counters and the handling-time histogram per local month, added
up from the daily rows

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-04 21:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

_KEYS = ("agency_id", "category_id", "area_id", "channel")
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


def _key_columns() -> list[sa.Column[object]]:
    return [
        sa.Column("month", sa.Date(), nullable=False),
        sa.Column("agency_id", sa.Integer(), nullable=False),
        sa.Column("category_id", sa.Integer(), nullable=False),
        sa.Column("area_id", sa.Integer(), nullable=False),
        sa.Column("channel", sa.String(length=16), nullable=False),
    ]


def upgrade() -> None:
    op.create_table(
        "report_figure_month",
        *_key_columns(),
        *(sa.Column(name, sa.Integer(), nullable=False) for name in _COUNTERS),
        *(sa.Column(name, sa.BigInteger(), nullable=False) for name in _WIDE_COUNTERS),
        sa.PrimaryKeyConstraint("month", *_KEYS, name=op.f("pk_report_figure_month")),
    )
    op.create_table(
        "report_handling_bucket_month",
        *_key_columns(),
        sa.Column("bucket", sa.Integer(), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint(
            "month", *_KEYS, "bucket", name=op.f("pk_report_handling_bucket_month")
        ),
    )
    # The months of the existing daily rows. Days are local days already, so the month is
    # plain date arithmetic on them.
    if op.get_bind().dialect.name == "postgresql":
        month = "CAST(date_trunc('month', day) AS date)"
    else:
        month = "date(day, 'start of month')"
    keys = ", ".join(_KEYS)
    counters = ", ".join((*_COUNTERS, *_WIDE_COUNTERS))
    sums = ", ".join(f"SUM({name})" for name in (*_COUNTERS, *_WIDE_COUNTERS))
    op.execute(
        f"INSERT INTO report_figure_month (month, {keys}, {counters})"
        f" SELECT {month}, {keys}, {sums} FROM report_figure GROUP BY {month}, {keys}"
    )
    op.execute(
        f"INSERT INTO report_handling_bucket_month (month, {keys}, bucket, count)"
        f" SELECT {month}, {keys}, bucket, SUM(count) FROM report_handling_bucket"
        f" GROUP BY {month}, {keys}, bucket"
    )


def downgrade() -> None:
    op.drop_table("report_handling_bucket_month")
    op.drop_table("report_figure_month")
