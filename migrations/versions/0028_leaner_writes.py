"""leaner writes: callers found by phone through an index, the outbox's waiting events in
partial indexes, and two report indexes dropped that others already lead with

- ``user_account.phone``: a report filed for a caller (hotline, Open311) looks the caller up
  by number; without an index that read every account.
- ``ix_event_unpublished`` / ``ix_event_undispatched`` held every event with its marker;
  the publisher and the fan-out only ask for events still waiting. Indexing just those keeps
  both indexes as small as the backlog, and marking an event done no longer moves its entry.
- ``ix_report_lead_agency_id`` and ``ix_report_category_id`` repeat the first column of
  ``ix_report_agency_received`` and ``ix_report_category_received``: every filing paid for
  two indexes no query needs.

Revision ID: 0028
Revises: 0027
Create Date: 2026-12-05 16:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0028"
down_revision = "0027"
branch_labels = None
depends_on = None

_WAITING = {
    "ix_event_unpublished": ("published_at", "published_at IS NULL"),
    "ix_event_undispatched": ("dispatched_at", "dispatched_at IS NULL"),
}


def upgrade() -> None:
    op.create_index("ix_user_account_phone", "user_account", ["phone"])
    for name, (_, waiting) in _WAITING.items():
        op.drop_index(name, table_name="event")
        op.create_index(
            name,
            "event",
            ["seq"],
            postgresql_where=sa.text(waiting),
            sqlite_where=sa.text(waiting),
        )
    op.drop_index("ix_report_lead_agency_id", table_name="report")
    op.drop_index("ix_report_category_id", table_name="report")


def downgrade() -> None:
    op.create_index("ix_report_category_id", "report", ["category_id"])
    op.create_index("ix_report_lead_agency_id", "report", ["lead_agency_id"])
    for name, (marker, _) in _WAITING.items():
        op.drop_index(name, table_name="event")
        op.create_index(name, "event", [marker, "seq"])
    op.drop_index("ix_user_account_phone", table_name="user_account")
