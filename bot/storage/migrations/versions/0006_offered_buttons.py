"""The buttons offered in the assistant's latest messages to each conversation: a typed payload
counts only when it was offered (every channel), a tapped title or listed number becomes its payload
(Zalo). Replaces the per-process memory of the Zalo channel.

Revision ID: 0006
Revises: 0004
"""
from alembic import op
import sqlalchemy as sa

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "offered_buttons",
        sa.Column("conversation_id", sa.String(255), primary_key=True),
        sa.Column("choices", sa.Text, nullable=False),
        sa.Column("offered_at", sa.DateTime(timezone=True), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("offered_buttons")
