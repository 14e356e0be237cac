"""wall map KPIs: "overdue now" counted from the deadline indexes alone

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-04 20:30:00
"""

from __future__ import annotations

from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("report", schema=None) as batch_op:
        batch_op.drop_index("ix_report_status_due")
        batch_op.drop_index("ix_report_status_receipt_due")
        batch_op.create_index("ix_report_status_due", ["status", "due_at", "paused_at"])
        batch_op.create_index(
            "ix_report_status_receipt_due", ["status", "receipt_due_at", "paused_at"]
        )


def downgrade() -> None:
    with op.batch_alter_table("report", schema=None) as batch_op:
        batch_op.drop_index("ix_report_status_receipt_due")
        batch_op.drop_index("ix_report_status_due")
        batch_op.create_index("ix_report_status_receipt_due", ["status", "receipt_due_at"])
        batch_op.create_index("ix_report_status_due", ["status", "due_at"])
