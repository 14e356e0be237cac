"""counter changes stored as they are: no compression for a row read once and deleted

A filing's counter change is about 2,000 characters of JSON, just over the size at which
PostgreSQL compresses a row's long values (about 2 kB): every filing compressed it and every
fold decompressed it again, for a row that lives a second. The table now compresses only
rows past 8,160 bytes (``toast_tuple_target``, its highest value), such as the changes of a
bulk import.

Revision ID: 0031
Revises: 0030
Create Date: 2026-12-07 06:30:00
"""

from __future__ import annotations

from alembic import op

revision = "0031"
down_revision = "0030"
branch_labels = None
depends_on = None


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("ALTER TABLE counter_change SET (toast_tuple_target = 8160)")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("ALTER TABLE counter_change RESET (toast_tuple_target)")
