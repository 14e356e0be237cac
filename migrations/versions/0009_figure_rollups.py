"""figure rollups: the report columns the figures read, the day × agency × category × area ×
channel counters and the handling-time histogram, counted from the existing reports

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-04 20:30:00
"""

from __future__ import annotations

import os
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from alembic import op
from sqlalchemy.orm import Session

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

_KEYS = ("day", "agency_id", "category_id", "area_id", "channel")
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


def _key_columns() -> list[sa.Column[object]]:
    return [
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("agency_id", sa.Integer(), nullable=False),
        sa.Column("category_id", sa.Integer(), nullable=False),
        sa.Column("area_id", sa.Integer(), nullable=False),
        sa.Column("channel", sa.String(length=16), nullable=False),
    ]


def upgrade() -> None:
    with op.batch_alter_table("report", schema=None) as batch_op:
        batch_op.add_column(sa.Column("received_on", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("area_id", sa.Integer(), nullable=True))
        batch_op.add_column(
            sa.Column("is_verified", sa.Boolean(), nullable=False, server_default=sa.false())
        )
        batch_op.add_column(
            sa.Column("is_assigned", sa.Boolean(), nullable=False, server_default=sa.false())
        )
        batch_op.add_column(sa.Column("receipt_on_time", sa.Boolean(), nullable=True))
        batch_op.add_column(
            sa.Column("reopen_count", sa.Integer(), nullable=False, server_default="0")
        )
        batch_op.add_column(sa.Column("handling_hours", sa.Float(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_report_area_id_area"), "area", ["area_id"], ["id"]
        )
    with op.batch_alter_table("report_return", schema=None) as batch_op:
        batch_op.add_column(sa.Column("received_on", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("category_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("area_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("channel", sa.String(length=16), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_report_return_category_id_category"), "category", ["category_id"], ["id"]
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_report_return_area_id_area"), "area", ["area_id"], ["id"]
        )
    op.create_table(
        "report_figure",
        *_key_columns(),
        *(sa.Column(name, sa.Integer(), nullable=False) for name in _COUNTERS),
        sa.Column("returned_seconds", sa.BigInteger(), nullable=False),
        sa.Column("handling_seconds", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint(*_KEYS, name=op.f("pk_report_figure")),
    )
    op.create_table(
        "report_handling_bucket",
        *_key_columns(),
        sa.Column("bucket", sa.Integer(), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint(*_KEYS, "bucket", name=op.f("pk_report_handling_bucket")),
    )
    # Existing reports: their new columns are filled in from their areas and history, then
    # counted, by the same functions the live upkeep and `ioc rollups rebuild` use.
    connection = op.get_bind()
    if connection.execute(sa.text("SELECT 1 FROM report LIMIT 1")).first() is None:
        return
    from ioc.feedback.reads.figure_rollups import DAYS, rebuild_figure_rollups
    from ioc.feedback.sla.policy import load_policy

    timezone = ZoneInfo(os.environ.get("IOC_TIMEZONE") or "Asia/Ho_Chi_Minh")
    with Session(bind=connection) as session:
        # The daily rows only, with the counters they have here: migration 0012 adds the
        # months up from them, later ones add their own counters.
        rebuild_figure_rollups(
            session,
            load_policy(timezone),
            tiers=(DAYS,),
            counters=(*_COUNTERS, "returned_seconds", "handling_seconds"),
            histograms=("handling",),
        )
        session.flush()


def downgrade() -> None:
    op.drop_table("report_handling_bucket")
    op.drop_table("report_figure")
    with op.batch_alter_table("report_return", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_report_return_area_id_area"), type_="foreignkey")
        batch_op.drop_constraint(
            batch_op.f("fk_report_return_category_id_category"), type_="foreignkey"
        )
        batch_op.drop_column("channel")
        batch_op.drop_column("area_id")
        batch_op.drop_column("category_id")
        batch_op.drop_column("received_on")
    with op.batch_alter_table("report", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_report_area_id_area"), type_="foreignkey")
        batch_op.drop_column("handling_hours")
        batch_op.drop_column("reopen_count")
        batch_op.drop_column("receipt_on_time")
        batch_op.drop_column("is_assigned")
        batch_op.drop_column("is_verified")
        batch_op.drop_column("area_id")
        batch_op.drop_column("received_on")
