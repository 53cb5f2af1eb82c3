"""State that several Rasa processes share: Rasa's ticket locks in the database when there is no
Redis (bot/servers/locks.py), and the claim of a channel token's refresh (bot/channels/tokens.py).

Revision ID: 0011
Revises: 0010
"""
from alembic import op
import sqlalchemy as sa

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "conversation_locks",
        sa.Column("conversation_id", sa.String(255), primary_key=True),
        sa.Column("data", sa.Text, nullable=False),
    )
    op.add_column("channel_tokens", sa.Column("refreshing_until", sa.DateTime(timezone=True)))


def downgrade() -> None:
    op.drop_column("channel_tokens", "refreshing_until")
    op.drop_table("conversation_locks")
