"""Staff accounts and their sessions; assignment history of leads; the name without diacritics
for the officers' search.

Revision ID: 0002
Revises: 0001
"""
from alembic import op
import sqlalchemy as sa

from bot.language.text import fold

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "staff_users",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("username", sa.String(40), nullable=False, unique=True),
        sa.Column("password_hash", sa.String(255), nullable=False),
        sa.Column("role", sa.String(20), nullable=False),
        sa.Column("province", sa.String(60)),
        sa.Column("active", sa.Boolean, nullable=False),
        sa.Column("must_change_password", sa.Boolean, nullable=False),
        sa.Column("failed_logins", sa.Integer, nullable=False),
        sa.Column("locked_until", sa.DateTime(timezone=True)),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_login_at", sa.DateTime(timezone=True)),
    )
    op.create_table(
        "staff_sessions",
        sa.Column("token_sha256", sa.String(64), primary_key=True),
        sa.Column("user_id", sa.Integer, sa.ForeignKey("staff_users.id"), nullable=False, index=True),
        sa.Column("csrf_token", sa.String(64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_seen_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "lead_assignments",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("lead_id", sa.Integer, sa.ForeignKey("leads.id"), nullable=False, index=True),
        sa.Column("assigned_to", sa.String(40)),
        sa.Column("changed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("changed_by", sa.String(80), nullable=False),
    )
    op.create_index("ix_leads_created_at", "leads", ["created_at"])
    with op.batch_alter_table("leads") as leads:
        leads.add_column(sa.Column("name_folded", sa.String(120)))
    bind = op.get_bind()
    for lead_id, name in bind.execute(sa.text("SELECT id, full_name FROM leads WHERE full_name IS NOT NULL")).all():
        bind.execute(sa.text("UPDATE leads SET name_folded = :f WHERE id = :id"), {"f": fold(name), "id": lead_id})


def downgrade() -> None:
    with op.batch_alter_table("leads") as leads:
        leads.drop_column("name_folded")
    op.drop_index("ix_leads_created_at", "leads")
    for table in ("lead_assignments", "staff_sessions", "staff_users"):
        op.drop_table(table)
