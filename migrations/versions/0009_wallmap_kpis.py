"""wall map KPIs: an index for the reports received today

Revision ID: 0009_wallmap_kpis
Revises: 0008
Create Date: 2026-12-04 20:30:00
"""

from __future__ import annotations

from alembic import op

revision = "0009_wallmap_kpis"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_report_received", "report", ["received_at"])


def downgrade() -> None:
    op.drop_index("ix_report_received", table_name="report")
