"""event audiences

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-22 06:00:21.841211
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "event_audience",
        sa.Column("audience", sa.String(length=80), nullable=False),
        sa.Column("seq", sa.Integer().with_variant(sa.BigInteger(), "postgresql"), nullable=False),
        sa.ForeignKeyConstraint(
            ["seq"], ["event.seq"], name=op.f("fk_event_audience_seq_event"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("audience", "seq", name=op.f("pk_event_audience")),
    )
    # Events recorded before this table existed keep their audiences as a JSON list.
    bind = op.get_bind()
    events = sa.table("event", sa.column("seq"), sa.column("audiences", sa.JSON()))
    audiences = sa.table("event_audience", sa.column("audience"), sa.column("seq"))
    rows = [
        {"audience": audience, "seq": seq}
        for seq, listed in bind.execute(sa.select(events.c.seq, events.c.audiences))
        for audience in dict.fromkeys(listed or [])
    ]
    if rows:
        op.bulk_insert(audiences, rows)


def downgrade() -> None:
    op.drop_table("event_audience")
