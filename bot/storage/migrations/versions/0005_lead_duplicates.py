"""A lead belongs to its conversation: a lead of the same phone from another conversation is a new
lead flagged as a possible duplicate of the earlier one; a withdrawal finds the leads by the
conversation of their consent (indexed).

Revision ID: 0005
Revises: 0004
"""
from alembic import op
import sqlalchemy as sa

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Batch mode: SQLite cannot add a foreign key in place, so the table is copied (PostgreSQL: ALTER).
    with op.batch_alter_table("leads") as batch:
        batch.add_column(sa.Column("duplicate_of", sa.Integer))
        batch.create_foreign_key("fk_leads_duplicate_of", "leads", ["duplicate_of"], ["id"])
        batch.create_index("ix_leads_duplicate_of", ["duplicate_of"])
    op.create_index("ix_consents_conversation_id", "consents", ["conversation_id"])


def downgrade() -> None:
    op.drop_index("ix_consents_conversation_id", "consents")
    with op.batch_alter_table("leads") as batch:
        batch.drop_index("ix_leads_duplicate_of")
        batch.drop_constraint("fk_leads_duplicate_of", type_="foreignkey")
        batch.drop_column("duplicate_of")
