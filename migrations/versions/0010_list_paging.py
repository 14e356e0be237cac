"""list paging: indexes that make the first page of every report list an index range

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-04 20:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

_TRIAGE = "status IN ('pending_review', 'returned')"
_HANDLING = "status IN ('assigned', 'in_progress')"

_INDEXES: list[tuple[str, list[str], str | None]] = [
    ("ix_report_received", ["received_at", "id"], None),
    ("ix_report_status_received", ["status", "received_at", "id"], None),
    ("ix_report_category_received", ["category_id", "received_at", "id"], None),
    ("ix_report_agency_received", ["lead_agency_id", "received_at", "id"], None),
    ("ix_report_triage_queue", ["received_at", "id"], _TRIAGE),
    ("ix_report_agency_inbox", ["lead_agency_id", "due_at", "id"], _HANDLING),
]


def upgrade() -> None:
    for name, columns, where in _INDEXES:
        condition = sa.text(where) if where else None
        op.create_index(name, "report", columns, postgresql_where=condition, sqlite_where=condition)
    op.create_index(
        "ix_report_supporting_agency_agency",
        "report_supporting_agency",
        ["agency_id", "report_id"],
    )


def downgrade() -> None:
    op.drop_index("ix_report_supporting_agency_agency", table_name="report_supporting_agency")
    for name, _columns, _where in reversed(_INDEXES):
        op.drop_index(name, table_name="report")
