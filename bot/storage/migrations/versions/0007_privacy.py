"""Personal data: the erasures made (on a citizen's request or at the end of the retention period)
and the daily retention run's guard row.

Revision ID: 0007
Revises: 0006
"""
from alembic import op
import sqlalchemy as sa

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "erasures",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("conversation_id", sa.String(255), nullable=False, index=True),
        sa.Column("reason", sa.String(20), nullable=False),
        sa.Column("erased_at", sa.DateTime(timezone=True), nullable=False),
    )
    runs = op.create_table(
        "retention_runs",
        sa.Column("name", sa.String(20), primary_key=True),
        sa.Column("last_run_at", sa.DateTime(timezone=True)),
        sa.Column("events_checked_until", sa.Float),
    )
    op.bulk_insert(runs, [{"name": "daily", "last_run_at": None, "events_checked_until": None}])


def downgrade() -> None:
    op.drop_table("retention_runs")
    op.drop_table("erasures")
