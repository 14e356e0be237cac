"""inbound messages: each e-mail received once per Message-ID, and those waiting in the IOC
queue for an operator to place them; idempotency keys of other systems (Open311 clients)

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-12 12:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

from ioc.db import UtcDateTime

revision = "0021"
down_revision = "0020"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "inbound_message",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("external_id", sa.String(length=300), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("sender_id", sa.Integer(), nullable=True),
        sa.Column("subject", sa.String(length=300), nullable=True),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column(
            "photos",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("received_at", UtcDateTime(), nullable=False),
        sa.Column("report_id", sa.Integer(), nullable=True),
        sa.Column("placed_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["sender_id"],
            ["user_account.id"],
            name=op.f("fk_inbound_message_sender_id_user_account"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["report_id"],
            ["report.id"],
            name=op.f("fk_inbound_message_report_id_report"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["placed_by_id"],
            ["user_account.id"],
            name=op.f("fk_inbound_message_placed_by_id_user_account"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_inbound_message")),
        sa.UniqueConstraint(
            "channel", "external_id", name=op.f("uq_inbound_message_channel_external_id")
        ),
    )
    with op.batch_alter_table("inbound_message", schema=None) as batch_op:
        batch_op.create_index(
            "ix_inbound_message_status_received", ["status", "received_at", "id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_inbound_message_report_id"), ["report_id"], unique=False
        )
    with op.batch_alter_table("idempotency_record", schema=None) as batch_op:
        batch_op.alter_column("user_id", existing_type=sa.Integer(), nullable=True)
        batch_op.add_column(sa.Column("api_client_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_idempotency_record_api_client_id_api_client"),
            "api_client",
            ["api_client_id"],
            ["id"],
            ondelete="CASCADE",
        )
        batch_op.create_unique_constraint(
            batch_op.f("uq_idempotency_record_api_client_id_key"), ["api_client_id", "key"]
        )
    # E-mailed reports find their sender's citizen account by address.
    with op.batch_alter_table("user_account", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_user_account_email"), ["email"], unique=False)


def downgrade() -> None:
    op.execute("DELETE FROM idempotency_record WHERE user_id IS NULL")
    with op.batch_alter_table("idempotency_record", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("uq_idempotency_record_api_client_id_key"), type_="unique"
        )
        batch_op.drop_constraint(
            batch_op.f("fk_idempotency_record_api_client_id_api_client"), type_="foreignkey"
        )
        batch_op.drop_column("api_client_id")
        batch_op.alter_column("user_id", existing_type=sa.Integer(), nullable=False)
    with op.batch_alter_table("user_account", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_user_account_email"))
    op.drop_table("inbound_message")
