"""The tracker store's checkpoints: a conversation's state before a given event, so that a message
reads a bounded number of events (bot/storage/checkpoints.py).

Revision ID: 0010
Revises: 0009
"""
from alembic import op
import sqlalchemy as sa

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "tracker_checkpoints",
        sa.Column("sender_id", sa.String(255), primary_key=True),
        sa.Column("first_event_id", sa.Integer, nullable=False),
        sa.Column("state", sa.Text, nullable=False),
        sa.Column("covers_until", sa.Float, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("tracker_checkpoints")
