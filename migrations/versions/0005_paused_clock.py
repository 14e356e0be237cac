"""paused clock

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-22 05:41:53.328924
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from ioc.db import UtcDateTime

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("report", schema=None) as batch_op:
        batch_op.add_column(sa.Column("paused_at", UtcDateTime(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("report", schema=None) as batch_op:
        batch_op.drop_column("paused_at")
