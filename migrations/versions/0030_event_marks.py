"""event marks: how far the publishers and the fan-out have come is a mark each, not two
columns of every event

Both pass events on in ``seq`` order below a settled horizon, so "every event up to ``seq``"
is all they need to remember. Marking a round's events used to rewrite each of their rows
(and its index entries) twice; now an event row is written once and a round moves one small
row (``event_mark``).

The marks start just before the oldest event not yet passed on: an event passed on out of
order before the upgrade (the fan-out of two workers at once) is passed on again rather than
skipped. Screens drop an event they already have by its ``seq``.

Revision ID: 0030
Revises: 0029
Create Date: 2026-12-06 09:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from ioc.db import UtcDateTime

revision = "0030"
down_revision = "0029"
branch_labels = None
depends_on = None

_SEQ = sa.Integer().with_variant(sa.BigInteger(), "postgresql")
#: mark name ► (the column it replaces, that column's partial index)
_MARKERS = {
    "published": ("published_at", "ix_event_unpublished"),
    "dispatched": ("dispatched_at", "ix_event_undispatched"),
}


def upgrade() -> None:
    op.create_table(
        "event_mark",
        sa.Column("name", sa.String(32), nullable=False),
        sa.Column("seq", _SEQ, nullable=False),
        sa.Column("moved_at", UtcDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_event_mark")),
    )
    for name, (column, _index) in _MARKERS.items():
        op.execute(
            "INSERT INTO event_mark (name, seq, moved_at) SELECT "
            f"'{name}', COALESCE((SELECT min(seq) - 1 FROM event WHERE {column} IS NULL), "
            "(SELECT max(seq) FROM event), 0), CURRENT_TIMESTAMP"
        )
    with op.batch_alter_table("event", schema=None) as batch_op:
        for column, index in _MARKERS.values():
            batch_op.drop_index(index)
            batch_op.drop_column(column)


def downgrade() -> None:
    with op.batch_alter_table("event", schema=None) as batch_op:
        for column, _index in _MARKERS.values():
            batch_op.add_column(sa.Column(column, UtcDateTime(), nullable=True))
    for name, (column, index) in _MARKERS.items():
        op.execute(
            f"UPDATE event SET {column} = occurred_at WHERE seq <= "
            f"(SELECT seq FROM event_mark WHERE name = '{name}')"
        )
        op.create_index(
            index,
            "event",
            ["seq"],
            postgresql_where=sa.text(f"{column} IS NULL"),
            sqlite_where=sa.text(f"{column} IS NULL"),
        )
    op.drop_table("event_mark")
