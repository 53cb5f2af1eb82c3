"""What is stored about a conversation, for "thông tin của tôi"."""
from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import or_, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, selectinload

from bot.leads.models import Consent, Lead


@dataclass(frozen=True)
class StoredLead:
    """What a citizen's lead holds, for "thông tin của tôi"."""

    full_name: str | None
    phone: str | None
    province: str
    commune: str | None
    preferred_time: str | None
    income: int | None
    target_group: str | None
    interests: list[str]
    status: str
    consent_given_at: datetime | None
    consent_version: str | None


def stored_about(engine: Engine, conversation_id: str) -> list[StoredLead]:
    """The leads this conversation gave (not anonymised), oldest first."""
    with Session(engine, future=True) as session:
        leads = session.execute(
            select(Lead).where(Lead.anonymised_at.is_(None), or_(
                Lead.conversation_id == conversation_id,
                Lead.id.in_(select(Consent.lead_id).where(Consent.conversation_id == conversation_id))))
            .order_by(Lead.id).options(selectinload(Lead.consents))
        ).scalars().all()
        stored = []
        for lead in leads:
            consent = max((c for c in lead.consents if c.conversation_id == conversation_id),
                          key=lambda c: c.given_at, default=None)
            stored.append(StoredLead(
                lead.full_name, lead.phone, lead.province, lead.commune, lead.preferred_time, lead.income,
                lead.target_group, json.loads(lead.interests), lead.status,
                consent.given_at if consent else None, consent.text_version if consent else None))
        return stored
