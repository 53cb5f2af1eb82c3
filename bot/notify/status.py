"""What the administrator's overview shows of the mails: the new leads whose mail has not gone out,
per province and reason (no address for the province, or a failure the next run retries)."""
from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from bot.leads.models import NEW, Lead
from bot.notify.models import FAILED, NO_ADDRESS, LeadNotice


def undelivered(engine: Engine) -> list[tuple[str, str, int]]:
    """(province, NO_ADDRESS or FAILED, leads) for the leads still new, by province."""
    with Session(engine, future=True) as session:
        rows = session.execute(
            select(Lead.province, LeadNotice.state, func.count(Lead.id))
            .join(LeadNotice, LeadNotice.lead_id == Lead.id)
            .where(LeadNotice.state.in_((NO_ADDRESS, FAILED)), Lead.status == NEW, Lead.anonymised_at.is_(None))
            .group_by(Lead.province, LeadNotice.state)
        ).all()
    return sorted((province, state, n) for province, state, n in rows)
