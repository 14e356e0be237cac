"""zalo channel: the OA's users tied to citizen accounts, the messages already handled, and
the report each Zalo user is putting together

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-14 12:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

from ioc.db import UtcDateTime

revision = "0020"
down_revision = "0019"
branch_labels = None
depends_on = None


def _json() -> sa.types.TypeEngine[object]:
    return sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")


def upgrade() -> None:
    op.create_table(
        "zalo_contact",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("zalo_user_id", sa.String(length=64), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("is_following", sa.Boolean(), nullable=False),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.Column("last_message_at", UtcDateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["user_account.id"],
            name=op.f("fk_zalo_contact_user_id_user_account"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_zalo_contact")),
        sa.UniqueConstraint("user_id", name=op.f("uq_zalo_contact_user_id")),
        sa.UniqueConstraint("zalo_user_id", name=op.f("uq_zalo_contact_zalo_user_id")),
    )
    op.create_table(
        "zalo_inbound",
        sa.Column("msg_id", sa.String(length=128), nullable=False),
        sa.Column("contact_id", sa.Integer(), nullable=False),
        sa.Column("received_at", UtcDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["contact_id"],
            ["zalo_contact.id"],
            name=op.f("fk_zalo_inbound_contact_id_zalo_contact"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("msg_id", name=op.f("pk_zalo_inbound")),
    )
    with op.batch_alter_table("zalo_inbound", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_zalo_inbound_contact_id"), ["contact_id"])
        batch_op.create_index(batch_op.f("ix_zalo_inbound_received_at"), ["received_at"])
    op.create_table(
        "zalo_draft",
        sa.Column("contact_id", sa.Integer(), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("photo_urls", _json(), nullable=False),
        sa.Column("lon", sa.Float(), nullable=True),
        sa.Column("lat", sa.Float(), nullable=True),
        sa.Column("category_code", sa.String(length=64), nullable=True),
        sa.Column("message_ids", _json(), nullable=False),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.Column("updated_at", UtcDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["contact_id"],
            ["zalo_contact.id"],
            name=op.f("fk_zalo_draft_contact_id_zalo_contact"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("contact_id", name=op.f("pk_zalo_draft")),
    )


def downgrade() -> None:
    op.drop_table("zalo_draft")
    with op.batch_alter_table("zalo_inbound", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_zalo_inbound_received_at"))
        batch_op.drop_index(batch_op.f("ix_zalo_inbound_contact_id"))
    op.drop_table("zalo_inbound")
    op.drop_table("zalo_contact")
