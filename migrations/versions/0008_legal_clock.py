"""legal clock: clock start and paused time, on-time verdicts, returns, extension hours

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-04 17:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from ioc.db import UtcDateTime

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("report", schema=None) as batch_op:
        batch_op.add_column(sa.Column("clock_started_at", UtcDateTime(), nullable=True))
        batch_op.add_column(
            sa.Column("paused_hours", sa.Float(), nullable=False, server_default="0")
        )
        batch_op.add_column(sa.Column("resolved_on_time", sa.Boolean(), nullable=True))
        batch_op.create_index("ix_report_status_receipt_due", ["status", "receipt_due_at"])
        batch_op.create_index("ix_report_status_resolved", ["status", "resolved_at"])
    # Reports filed before this revision: the running clock started with the latest
    # assignment or reopening, or at receipt; their verdicts come from the stored deadline.
    op.execute(
        """
        UPDATE report SET clock_started_at = COALESCE(
            (SELECT MAX(h.occurred_at) FROM report_history h
             WHERE h.report_id = report.id AND h.action IN ('assign', 'reopen')
               AND report.status IN ('assigned', 'in_progress')),
            received_at)
        """
    )
    op.execute(
        """
        UPDATE report SET resolved_on_time = (due_at IS NULL OR resolved_at <= due_at)
        WHERE resolved_at IS NOT NULL
        """
    )
    with op.batch_alter_table("extension_request", schema=None) as batch_op:
        batch_op.add_column(sa.Column("hours", sa.Float(), nullable=True))
    op.create_table(
        "report_return",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("report_id", sa.Integer(), nullable=False),
        sa.Column("agency_id", sa.Integer(), nullable=False),
        sa.Column("returned_by_id", sa.Integer(), nullable=True),
        sa.Column("assigned_at", UtcDateTime(), nullable=False),
        sa.Column("returned_at", UtcDateTime(), nullable=False),
        sa.Column("hours_held", sa.Float(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["agency_id"], ["agency.id"], name=op.f("fk_report_return_agency_id_agency")
        ),
        sa.ForeignKeyConstraint(
            ["report_id"],
            ["report.id"],
            name=op.f("fk_report_return_report_id_report"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["returned_by_id"],
            ["user_account.id"],
            name=op.f("fk_report_return_returned_by_id_user_account"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_report_return")),
    )
    with op.batch_alter_table("report_return", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_report_return_agency_id"), ["agency_id"])
        batch_op.create_index(batch_op.f("ix_report_return_report_id"), ["report_id"])
        batch_op.create_index(batch_op.f("ix_report_return_returned_at"), ["returned_at"])


def downgrade() -> None:
    with op.batch_alter_table("report_return", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_report_return_returned_at"))
        batch_op.drop_index(batch_op.f("ix_report_return_report_id"))
        batch_op.drop_index(batch_op.f("ix_report_return_agency_id"))
    op.drop_table("report_return")
    with op.batch_alter_table("extension_request", schema=None) as batch_op:
        batch_op.drop_column("hours")
    with op.batch_alter_table("report", schema=None) as batch_op:
        batch_op.drop_index("ix_report_status_resolved")
        batch_op.drop_index("ix_report_status_receipt_due")
        batch_op.drop_column("resolved_on_time")
        batch_op.drop_column("paused_hours")
        batch_op.drop_column("clock_started_at")
