"""integrations and rollups

Deliveries owed to the outside (push, webhooks), Open311 clients, surges, and report counts
per map cell for the low zooms of the wall map.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-22 06:59:32.591111
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

from ioc.db import UtcDateTime

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "api_client",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("key_hash", sa.String(length=64), nullable=False),
        sa.Column("key_prefix", sa.String(length=12), nullable=False),
        sa.Column("is_active", sa.Boolean(), nullable=False),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.Column("last_used_at", UtcDateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_api_client")),
        sa.UniqueConstraint("key_hash", name=op.f("uq_api_client_key_hash")),
        sa.UniqueConstraint("name", name=op.f("uq_api_client_name")),
    )
    op.create_table(
        "webhook_subscription",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("url", sa.String(length=500), nullable=False),
        sa.Column("secret", sa.String(length=128), nullable=False),
        sa.Column(
            "event_types",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("is_active", sa.Boolean(), nullable=False),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_webhook_subscription")),
        sa.UniqueConstraint("name", name=op.f("uq_webhook_subscription_name")),
    )
    op.create_table(
        "report_cell_count",
        sa.Column("cell_x", sa.Integer(), nullable=False),
        sa.Column("cell_y", sa.Integer(), nullable=False),
        sa.Column("category_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["category_id"], ["category.id"], name=op.f("fk_report_cell_count_category_id_category")
        ),
        sa.PrimaryKeyConstraint(
            "cell_x", "cell_y", "category_id", "status", name=op.f("pk_report_cell_count")
        ),
    )
    op.create_table(
        "delivery",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column(
            "event_seq", sa.Integer().with_variant(sa.BigInteger(), "postgresql"), nullable=False
        ),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("device_id", sa.Integer(), nullable=True),
        sa.Column("subscription_id", sa.Integer(), nullable=True),
        sa.Column(
            "payload",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", UtcDateTime(), nullable=False),
        sa.Column("last_attempt_at", UtcDateTime(), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("response_status", sa.Integer(), nullable=True),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.Column("delivered_at", UtcDateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["device_id"],
            ["device.id"],
            name=op.f("fk_delivery_device_id_device"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["event_seq"],
            ["event.seq"],
            name=op.f("fk_delivery_event_seq_event"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["subscription_id"],
            ["webhook_subscription.id"],
            name=op.f("fk_delivery_subscription_id_webhook_subscription"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_delivery")),
    )
    with op.batch_alter_table("delivery", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_delivery_device_id"), ["device_id"], unique=False)
        batch_op.create_index("ix_delivery_due", ["status", "next_attempt_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_delivery_event_seq"), ["event_seq"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_delivery_subscription_id"), ["subscription_id"], unique=False
        )

    op.create_table(
        "surge",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("category_id", sa.Integer(), nullable=False),
        sa.Column("area_id", sa.Integer(), nullable=False),
        sa.Column("detected_at", UtcDateTime(), nullable=False),
        sa.Column("window_start", UtcDateTime(), nullable=False),
        sa.Column("window_end", UtcDateTime(), nullable=False),
        sa.Column(
            "report_ids",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("incident_report_id", sa.Integer(), nullable=True),
        sa.Column("decided_by_id", sa.Integer(), nullable=True),
        sa.Column("decided_at", UtcDateTime(), nullable=True),
        sa.ForeignKeyConstraint(["area_id"], ["area.id"], name=op.f("fk_surge_area_id_area")),
        sa.ForeignKeyConstraint(
            ["category_id"], ["category.id"], name=op.f("fk_surge_category_id_category")
        ),
        sa.ForeignKeyConstraint(
            ["decided_by_id"], ["user_account.id"], name=op.f("fk_surge_decided_by_id_user_account")
        ),
        sa.ForeignKeyConstraint(
            ["incident_report_id"], ["report.id"], name=op.f("fk_surge_incident_report_id_report")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_surge")),
    )
    with op.batch_alter_table("surge", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_surge_area_id"), ["area_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_surge_category_id"), ["category_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_surge_detected_at"), ["detected_at"], unique=False)

    with op.batch_alter_table("category", schema=None) as batch_op:
        batch_op.add_column(sa.Column("surge_threshold", sa.Integer(), nullable=True))
        batch_op.add_column(
            sa.Column("surge_window_minutes", sa.Integer(), nullable=False, server_default="60")
        )

    with op.batch_alter_table("event", schema=None) as batch_op:
        batch_op.add_column(sa.Column("dispatched_at", UtcDateTime(), nullable=True))
        batch_op.create_index("ix_event_undispatched", ["dispatched_at", "seq"], unique=False)

    with op.batch_alter_table("report", schema=None) as batch_op:
        batch_op.add_column(sa.Column("api_client_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_report_api_client_id_api_client"),
            "api_client",
            ["api_client_id"],
            ["id"],
        )

    # Events from before the worker existed are history, not news: never push them now.
    op.execute("UPDATE event SET dispatched_at = occurred_at")
    # Count the reports that already exist (rollup cells are zoom 14, report cells zoom 16,
    # hence the 4); from here on every flush keeps the counts.
    op.execute(
        "INSERT INTO report_cell_count (cell_x, cell_y, category_id, status, count) "
        "SELECT cell_x / 4, cell_y / 4, category_id, status, COUNT(*) FROM report "
        "GROUP BY cell_x / 4, cell_y / 4, category_id, status"
    )


def downgrade() -> None:
    with op.batch_alter_table("report", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_report_api_client_id_api_client"), type_="foreignkey"
        )
        batch_op.drop_column("api_client_id")

    with op.batch_alter_table("event", schema=None) as batch_op:
        batch_op.drop_index("ix_event_undispatched")
        batch_op.drop_column("dispatched_at")

    with op.batch_alter_table("category", schema=None) as batch_op:
        batch_op.drop_column("surge_window_minutes")
        batch_op.drop_column("surge_threshold")

    with op.batch_alter_table("surge", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_surge_detected_at"))
        batch_op.drop_index(batch_op.f("ix_surge_category_id"))
        batch_op.drop_index(batch_op.f("ix_surge_area_id"))

    op.drop_table("surge")
    with op.batch_alter_table("delivery", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_delivery_subscription_id"))
        batch_op.drop_index(batch_op.f("ix_delivery_event_seq"))
        batch_op.drop_index("ix_delivery_due")
        batch_op.drop_index(batch_op.f("ix_delivery_device_id"))

    op.drop_table("delivery")
    op.drop_table("report_cell_count")
    op.drop_table("webhook_subscription")
    op.drop_table("api_client")
