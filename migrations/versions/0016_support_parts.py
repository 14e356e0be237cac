"""support parts: each supporting agency's part of a report has its own deadline, its
contribution and the moment its overdue notice went out

Revision ID: 0016
Revises: 0014
Create Date: 2026-12-06 10:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from ioc.db import UtcDateTime

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None

_OPEN_PART = "done_at IS NULL AND overdue_announced_at IS NULL"

#: A province's stored policy predates the supporting agencies' share: it gets the default,
#: which every policy must now state.
_SUPPORTING_SECTION = "\n\n[supporting]\nshare_of_resolution = 0.5\n"


def upgrade() -> None:
    with op.batch_alter_table("report_supporting_agency") as batch:
        batch.add_column(sa.Column("started_at", UtcDateTime(), nullable=True))
        batch.add_column(sa.Column("due_at", UtcDateTime(), nullable=True))
        batch.add_column(sa.Column("done_at", UtcDateTime(), nullable=True))
        batch.add_column(sa.Column("text", sa.Text(), nullable=True))
        batch.add_column(sa.Column("overdue_announced_at", UtcDateTime(), nullable=True))
    op.create_index(
        "ix_report_supporting_agency_due",
        "report_supporting_agency",
        ["due_at"],
        postgresql_where=sa.text(_OPEN_PART),
        sqlite_where=sa.text(_OPEN_PART),
    )
    profile = sa.table(
        "province_profile",
        sa.column("id", sa.Integer()),
        sa.column("sla_policy_toml", sa.Text()),
        sa.column("revision", sa.Integer()),
    )
    connection = op.get_bind()
    for row in connection.execute(sa.select(profile.c.id, profile.c.sla_policy_toml)).all():
        text = row.sla_policy_toml
        if text is None or "[supporting]" in text:
            continue
        connection.execute(
            profile.update()
            .where(profile.c.id == row.id)
            .values(
                sla_policy_toml=text.rstrip("\n") + _SUPPORTING_SECTION,
                revision=profile.c.revision + 1,
            )
        )


def downgrade() -> None:
    op.drop_index("ix_report_supporting_agency_due", table_name="report_supporting_agency")
    with op.batch_alter_table("report_supporting_agency") as batch:
        batch.drop_column("overdue_announced_at")
        batch.drop_column("text")
        batch.drop_column("done_at")
        batch.drop_column("due_at")
        batch.drop_column("started_at")
