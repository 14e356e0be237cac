"""catalogue revision: a single-row stamp every change to agencies, categories or routing
rules moves, so each process knows when its in-process copy of them is stale

Revision ID: 0027
Revises: 0026
Create Date: 2026-12-05 09:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0027"
down_revision = "0026"
branch_labels = None
depends_on = None


def upgrade() -> None:
    stamp = op.create_table(
        "catalogue_revision",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("revision", sa.Integer(), nullable=False),
    )
    op.bulk_insert(stamp, [{"id": 1, "revision": 0}])


def downgrade() -> None:
    op.drop_table("catalogue_revision")
