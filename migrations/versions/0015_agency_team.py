"""agency team: the officer a report is assigned to inside its agency, the agencies that
require a manager's sign-off, and the drafts waiting for it

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-11 09:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from ioc.db import Json, UtcDateTime

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("agency") as batch:
        batch.add_column(
            sa.Column("requires_sign_off", sa.Boolean(), nullable=False, server_default=sa.false())
        )
    with op.batch_alter_table("report") as batch:
        batch.add_column(sa.Column("assignee_id", sa.Integer(), nullable=True))
        batch.create_foreign_key(
            "fk_report_assignee_id_user_account", "user_account", ["assignee_id"], ["id"]
        )
        batch.create_index("ix_report_assignee_id", ["assignee_id"])
        # The agency's figures per officer read one agency's period, grouped by officer.
        batch.create_index(
            "ix_report_lead_assignee_received", ["lead_agency_id", "assignee_id", "received_at"]
        )
    op.create_table(
        "report_draft",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("report_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("payload", Json, nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=False),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("reviewer_id", sa.Integer(), nullable=True),
        sa.Column("comment", sa.Text(), nullable=True),
        sa.Column("decided_at", UtcDateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["report_id"],
            ["report.id"],
            name=op.f("fk_report_draft_report_id_report"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["author_id"], ["user_account.id"], name=op.f("fk_report_draft_author_id_user_account")
        ),
        sa.ForeignKeyConstraint(
            ["reviewer_id"],
            ["user_account.id"],
            name=op.f("fk_report_draft_reviewer_id_user_account"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_report_draft")),
    )
    op.create_index("ix_report_draft_report_id", "report_draft", ["report_id"])
    with op.batch_alter_table("attachment") as batch:
        batch.add_column(sa.Column("draft_id", sa.Integer(), nullable=True))
        batch.create_foreign_key(
            "fk_attachment_draft_id_report_draft", "report_draft", ["draft_id"], ["id"]
        )
        batch.create_index("ix_attachment_draft_id", ["draft_id"])


def downgrade() -> None:
    with op.batch_alter_table("attachment") as batch:
        batch.drop_index("ix_attachment_draft_id")
        batch.drop_constraint("fk_attachment_draft_id_report_draft", type_="foreignkey")
        batch.drop_column("draft_id")
    op.drop_index("ix_report_draft_report_id", table_name="report_draft")
    op.drop_table("report_draft")
    with op.batch_alter_table("report") as batch:
        batch.drop_index("ix_report_lead_assignee_received")
        batch.drop_index("ix_report_assignee_id")
        batch.drop_constraint("fk_report_assignee_id_user_account", type_="foreignkey")
        batch.drop_column("assignee_id")
    with op.batch_alter_table("agency") as batch:
        batch.drop_column("requires_sign_off")
