"""province channels: the hotline, public e-mail address and Zalo OA the province pack names
in ``[channels]``, kept with the province profile

Revision ID: 0025
Revises: 0021
Create Date: 2026-12-19 12:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0025"
down_revision = "0021"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("province_profile") as batch:
        batch.add_column(
            sa.Column(
                "channels",
                sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
                nullable=True,
            )
        )


def downgrade() -> None:
    with op.batch_alter_table("province_profile") as batch:
        batch.drop_column("channels")
