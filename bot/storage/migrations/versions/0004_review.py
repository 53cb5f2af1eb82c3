"""The trainers' review inbox: uncertain messages read from the tracker store, and how far it was read.

Revision ID: 0004
Revises: 0003
"""
from alembic import op
import sqlalchemy as sa

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "review_items",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("event_id", sa.Integer, nullable=False, unique=True),
        sa.Column("conversation_id", sa.String(255), nullable=False, index=True),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("group_key", sa.String(500), nullable=False, index=True),
        sa.Column("predicted", sa.String(80)),
        sa.Column("confidence", sa.Float),
        sa.Column("said_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("label", sa.String(80)),
        sa.Column("reviewed_by", sa.String(40)),
        sa.Column("reviewed_at", sa.DateTime(timezone=True)),
    )
    op.create_table(
        "review_scan",
        sa.Column("name", sa.String(20), primary_key=True),
        sa.Column("last_event_id", sa.Integer, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("review_scan")
    op.drop_table("review_items")
