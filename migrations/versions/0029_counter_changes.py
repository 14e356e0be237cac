"""counter changes: a committed transaction's rollup changes, folded into the counter tables
afterwards

On PostgreSQL a transaction no longer upserts the counter rows every filing of the day
shares; it inserts its changes as one ``counter_change`` row with its COMMIT, and
``ioc.feedback.reads.counter_rows.fold_counter_changes`` adds them up (the worker every
second, and any reader of the counters first).

Revision ID: 0029
Revises: 0028
Create Date: 2026-12-06 06:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from ioc.db import Json

revision = "0029"
down_revision = "0028"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "counter_change",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("changes", Json, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_counter_change")),
    )


def downgrade() -> None:
    # Changes not folded yet would be lost with the table: fold them first.
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        import ioc.models  # noqa: F401  (every counter table declared)
        from ioc.feedback.reads.counter_rows import fold_counter_changes

        fold_counter_changes(bind)
    op.drop_table("counter_change")
