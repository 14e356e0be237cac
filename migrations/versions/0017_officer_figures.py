"""officer figures: the officer who handles a report, and the index the agency's figures per
officer read (one agency, grouped by officer, within a period)

Revision ID: 0017
Revises: 0014
Create Date: 2026-12-10 09:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0017"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("report") as batch:
        batch.add_column(sa.Column("assignee_id", sa.Integer(), nullable=True))
        batch.create_foreign_key(
            "fk_report_assignee_id_user_account", "user_account", ["assignee_id"], ["id"]
        )
    op.create_index(
        "ix_report_lead_assignee_received",
        "report",
        ["lead_agency_id", "assignee_id", "received_at"],
    )


def downgrade() -> None:
    op.drop_index("ix_report_lead_assignee_received", table_name="report")
    with op.batch_alter_table("report") as batch:
        batch.drop_constraint("fk_report_assignee_id_user_account", type_="foreignkey")
        batch.drop_column("assignee_id")
