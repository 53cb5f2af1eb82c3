"""Notifications: each lead's reference code (backfilled for the leads already stored), whether its
new-lead mail went out, the provinces' daily overdue reminders, and the lease of the sending job.
The leads stored before this revision are marked as never to be mailed (the overdue reminders
still list them).

Revision ID: 0008
Revises: 0007
"""
import secrets
from datetime import datetime, timezone

from alembic import op
import sqlalchemy as sa

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None
# bot/leads/reference.py as of this revision (a migration must not change when the code does).
ALPHABET, LENGTH = "ACDEFGHJKMNPQRTUVWXY34679", 6


def upgrade() -> None:
    with op.batch_alter_table("leads") as batch:
        batch.add_column(sa.Column("reference", sa.String(6)))
    leads = sa.table("leads", sa.column("id", sa.Integer), sa.column("reference", sa.String))
    connection = op.get_bind()
    ids = connection.execute(sa.select(leads.c.id)).scalars().all()
    codes: set[str] = set()
    while len(codes) < len(ids):
        codes.add("".join(secrets.choice(ALPHABET) for _ in range(LENGTH)))
    for lead_id, code in zip(ids, codes):
        connection.execute(leads.update().where(leads.c.id == lead_id).values(reference=code))
    with op.batch_alter_table("leads") as batch:
        batch.alter_column("reference", existing_type=sa.String(6), nullable=False)
        batch.create_index("ix_leads_reference", ["reference"], unique=True)
    notices = op.create_table(
        "lead_notices",
        sa.Column("lead_id", sa.Integer, sa.ForeignKey("leads.id"), primary_key=True),
        sa.Column("state", sa.String(20), nullable=False),
        sa.Column("recipients", sa.String(500)),
        sa.Column("attempts", sa.Integer, nullable=False),
        sa.Column("last_error", sa.String(200)),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    )
    at = datetime.now(timezone.utc)
    op.bulk_insert(notices, [{"lead_id": i, "state": "before", "attempts": 0, "updated_at": at} for i in ids])
    op.create_table(
        "overdue_reminders",
        sa.Column("province", sa.String(60), primary_key=True),
        sa.Column("day", sa.Date, primary_key=True),
        sa.Column("state", sa.String(20), nullable=False),
        sa.Column("recipients", sa.String(500)),
        sa.Column("attempts", sa.Integer, nullable=False),
        sa.Column("last_error", sa.String(200)),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    )
    leases = op.create_table(
        "job_leases",
        sa.Column("name", sa.String(40), primary_key=True),
        sa.Column("held_until", sa.DateTime(timezone=True)),
    )
    op.bulk_insert(leases, [{"name": "notify", "held_until": None}])


def downgrade() -> None:
    op.drop_table("job_leases")
    op.drop_table("overdue_reminders")
    op.drop_table("lead_notices")
    with op.batch_alter_table("leads") as batch:
        batch.drop_index("ix_leads_reference")
        batch.drop_column("reference")
