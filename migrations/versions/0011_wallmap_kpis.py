"""wall map KPIs and statistics: "overdue now" counted from small indexes over open reports

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-04 20:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

_TRIAGE = "status IN ('pending_review', 'returned')"
_HANDLING = "status IN ('assigned', 'in_progress')"
# Carried in the index on PostgreSQL, so the counts never read the table.
_COUNTED = ["paused_at", "received_on", "lead_agency_id", "category_id", "area_id", "channel"]


def upgrade() -> None:
    for name, column, where in (
        ("ix_report_receipt_clock", "receipt_due_at", _TRIAGE),
        ("ix_report_resolution_clock", "due_at", _HANDLING),
    ):
        op.create_index(
            name,
            "report",
            [column],
            postgresql_where=sa.text(where),
            sqlite_where=sa.text(where),
            postgresql_include=_COUNTED,
        )


def downgrade() -> None:
    op.drop_index("ix_report_resolution_clock", table_name="report")
    op.drop_index("ix_report_receipt_clock", table_name="report")
