"""weekly analytics: the figures per ISO week and channel, their handling histogram, and
reports per week × map cell × category (recurring hotspots), counted from what is there

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-05 03:00:00
"""

from __future__ import annotations

from collections import Counter
from datetime import date, timedelta
from typing import Any

import sqlalchemy as sa
from alembic import op

revision = "0019"
down_revision = "0018"
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
    "extended",
)
_WIDE_COUNTERS = ("returned_seconds", "handling_seconds")


def upgrade() -> None:
    op.create_table(
        "report_figure_week",
        sa.Column("week", sa.Date(), nullable=False),
        sa.Column("channel", sa.String(length=16), nullable=False),
        *(sa.Column(name, sa.Integer(), nullable=False) for name in _COUNTERS),
        *(sa.Column(name, sa.BigInteger(), nullable=False) for name in _WIDE_COUNTERS),
        sa.PrimaryKeyConstraint("week", "channel", name=op.f("pk_report_figure_week")),
    )
    op.create_table(
        "report_handling_bucket_week",
        sa.Column("week", sa.Date(), nullable=False),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("bucket", sa.Integer(), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint(
            "week", "channel", "bucket", name=op.f("pk_report_handling_bucket_week")
        ),
    )
    op.create_table(
        "report_cell_week",
        sa.Column("week", sa.Date(), nullable=False),
        sa.Column("cell_x", sa.Integer(), nullable=False),
        sa.Column("cell_y", sa.Integer(), nullable=False),
        sa.Column("category_id", sa.Integer(), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint(
            "week", "cell_x", "cell_y", "category_id", name=op.f("pk_report_cell_week")
        ),
    )
    # The daily rows hold every counted report: the weeks add them up per channel, and the
    # reports' own cells and days give the hotspot rows, as the live upkeep counts them.
    connection = op.get_bind()
    counters = (*_COUNTERS, *_WIDE_COUNTERS)
    sums = ", ".join(f"SUM({name})" for name in counters)
    weeks: dict[tuple[date, str], Counter[str]] = {}
    for day, channel, *values in connection.execute(
        sa.text(f"SELECT day, channel, {sums} FROM report_figure GROUP BY day, channel")
    ):
        row = weeks.setdefault((_monday(day), channel), Counter())
        row.update({n: int(v or 0) for n, v in zip(counters, values, strict=True)})
    buckets: Counter[tuple[date, str, int]] = Counter()
    for day, channel, bucket, count in connection.execute(
        sa.text(
            "SELECT day, channel, bucket, SUM(count) FROM report_handling_bucket"
            " GROUP BY day, channel, bucket"
        )
    ):
        buckets[(_monday(day), channel, bucket)] += int(count)
    cells: Counter[tuple[date, int, int, int]] = Counter()
    for day, cell_x, cell_y, category_id, count in connection.execute(
        sa.text(
            "SELECT received_on, cell_x, cell_y, category_id, COUNT(*) FROM report"
            " WHERE received_on IS NOT NULL GROUP BY received_on, cell_x, cell_y, category_id"
        )
    ):
        cells[(_monday(day), cell_x, cell_y, category_id)] += int(count)
    _insert(
        "report_figure_week",
        [
            {"week": w, "channel": c, **{n: row[n] for n in counters}}
            for (w, c), row in sorted(weeks.items())
        ],
    )
    _insert(
        "report_handling_bucket_week",
        [
            {"week": w, "channel": c, "bucket": b, "count": n}
            for (w, c, b), n in sorted(buckets.items())
        ],
    )
    _insert(
        "report_cell_week",
        [
            {"week": w, "cell_x": x, "cell_y": y, "category_id": k, "count": n}
            for (w, x, y, k), n in sorted(cells.items())
        ],
    )


def _insert(table: str, rows: list[dict[str, Any]]) -> None:
    if not rows:
        return
    columns = list(rows[0])
    statement = sa.text(
        f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join(':' + c for c in columns)})"
    ).bindparams(sa.bindparam("week", type_=sa.Date()))
    for start in range(0, len(rows), 5_000):
        op.get_bind().execute(statement, rows[start : start + 5_000])


def _monday(value: date | str) -> date:
    # SQLite gives dates back as text in a raw query.
    day = date.fromisoformat(value) if isinstance(value, str) else value
    return day - timedelta(days=day.weekday())


def downgrade() -> None:
    op.drop_table("report_cell_week")
    op.drop_table("report_handling_bucket_week")
    op.drop_table("report_figure_week")
