"""province pack: agency kinds, closing instead of deleting, dated routing rules for categories
or whole groups, the result photo flag, the province profile and one-time password links

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-04 23:30:00
"""

from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

from ioc.db import UtcDateTime

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None

#: Rules that existed before versioning apply to every report, as they did.
_EPOCH = datetime(2000, 1, 1, tzinfo=UTC)


def upgrade() -> None:
    with op.batch_alter_table("agency") as batch:
        batch.add_column(
            sa.Column("kind", sa.String(length=32), nullable=False, server_default="department")
        )
        batch.add_column(sa.Column("closed_at", UtcDateTime(), nullable=True))
    with op.batch_alter_table("category_group") as batch:
        batch.add_column(
            sa.Column("is_active", sa.Boolean(), nullable=False, server_default=sa.true())
        )
        batch.add_column(sa.Column("closed_at", UtcDateTime(), nullable=True))
    with op.batch_alter_table("category") as batch:
        batch.add_column(
            sa.Column(
                "is_after_photo_required", sa.Boolean(), nullable=False, server_default=sa.true()
            )
        )
        batch.add_column(sa.Column("closed_at", UtcDateTime(), nullable=True))
    # Until now one flag asked for both photos.
    op.execute("UPDATE category SET is_after_photo_required = is_photo_required")
    with op.batch_alter_table("routing_rule") as batch:
        batch.drop_constraint("uq_routing_rule_category_id_area_code", type_="unique")
        batch.alter_column("category_id", existing_type=sa.Integer(), nullable=True)
        batch.add_column(sa.Column("group_id", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("valid_from", UtcDateTime(), nullable=True))
        batch.add_column(sa.Column("valid_to", UtcDateTime(), nullable=True))
        batch.create_foreign_key(
            "fk_routing_rule_group_id_category_group", "category_group", ["group_id"], ["id"]
        )
        batch.create_check_constraint(
            "category_or_group", "(category_id IS NULL) <> (group_id IS NULL)"
        )
        batch.create_index(
            "ix_routing_rule_key", ["category_id", "group_id", "area_code", "valid_from"]
        )
    rules = sa.table("routing_rule", sa.column("valid_from", UtcDateTime()))
    op.execute(rules.update().values(valid_from=_EPOCH))
    with op.batch_alter_table("routing_rule") as batch:
        batch.alter_column("valid_from", existing_type=UtcDateTime(), nullable=False)
    op.create_table(
        "password_setup",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.Column("expires_at", UtcDateTime(), nullable=False),
        sa.Column("used_at", UtcDateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["user_account.id"],
            name=op.f("fk_password_setup_user_id_user_account"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_password_setup")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_password_setup_token_hash")),
    )
    op.create_index(op.f("ix_password_setup_user_id"), "password_setup", ["user_id"])
    op.create_table(
        "province_profile",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=64), nullable=False),
        sa.Column("name_vi", sa.String(length=200), nullable=False),
        sa.Column("name_en", sa.String(length=200), nullable=True),
        sa.Column("time_zone", sa.String(length=64), nullable=False),
        sa.Column("sla_policy_toml", sa.Text(), nullable=True),
        sa.Column("holidays_toml", sa.Text(), nullable=True),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("updated_at", UtcDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_province_profile")),
    )


def downgrade() -> None:
    op.drop_table("province_profile")
    op.drop_index(op.f("ix_password_setup_user_id"), table_name="password_setup")
    op.drop_table("password_setup")
    op.execute("DELETE FROM routing_rule WHERE valid_to IS NOT NULL OR group_id IS NOT NULL")
    with op.batch_alter_table("routing_rule") as batch:
        batch.drop_index("ix_routing_rule_key")
        batch.drop_constraint("category_or_group", type_="check")
        batch.drop_constraint("fk_routing_rule_group_id_category_group", type_="foreignkey")
        batch.drop_column("valid_to")
        batch.drop_column("valid_from")
        batch.drop_column("group_id")
        batch.alter_column("category_id", existing_type=sa.Integer(), nullable=False)
        batch.create_unique_constraint(
            "uq_routing_rule_category_id_area_code", ["category_id", "area_code"]
        )
    with op.batch_alter_table("category") as batch:
        batch.drop_column("closed_at")
        batch.drop_column("is_after_photo_required")
    with op.batch_alter_table("category_group") as batch:
        batch.drop_column("closed_at")
        batch.drop_column("is_active")
    with op.batch_alter_table("agency") as batch:
        batch.drop_column("closed_at")
        batch.drop_column("kind")
