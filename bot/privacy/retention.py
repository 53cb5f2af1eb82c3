"""Retention: how long personal data is kept, and the daily run that applies it (closed leads
anonymised and their conversations erased, old messages of conversations without a lead redacted)."""
from __future__ import annotations

import logging
import os
import threading
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Mapping

from dateutil.relativedelta import relativedelta
from sqlalchemy import Column, Float, String, delete, func, or_, select, update
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, selectinload

from bot.leads.models import NOT_INTERESTED, REGISTERED, UNREACHABLE, Consent, Lead, StatusChange
from bot.leads.store import anonymise
from bot.privacy.erasure import EVENTS, RETENTION, WITHDRAWAL, Erasure, erase_conversation, has_events, redact_rows
from bot.storage import checkpoints
from bot.storage.orm import Base, UtcDateTime, now
from bot.training.review import ReviewItem

log = logging.getLogger(__name__)

CLOSED_STATUSES = (NOT_INTERESTED, UNREACHABLE, REGISTERED)
DAILY = "daily"
CHECK_EVERY_SECONDS = 3600  # how often the action server asks whether the daily run is due
BATCH = 500


class RetentionRun(Base):
    """The daily run's guard row (created by the migration)."""

    __tablename__ = "retention_runs"
    name = Column(String(20), primary_key=True)
    last_run_at = Column(UtcDateTime)
    events_checked_until = Column(Float)  # tracker events up to this moment (epoch) have been redacted


@dataclass(frozen=True)
class Retention:
    """How long personal data is kept (README, "Retention and erasure")."""

    conversation_days: int = 90  # messages of a conversation without a lead
    closed_lead_months: int = 12  # a lead after it was closed

    @classmethod
    def from_env(cls, env: Mapping[str, str] = os.environ) -> "Retention":
        return cls(_positive(env, "BOT_RETENTION_CONVERSATION_DAYS", cls.conversation_days),
                   _positive(env, "BOT_RETENTION_CLOSED_LEAD_MONTHS", cls.closed_lead_months))

    def figures(self) -> dict[str, str]:
        """For the responses that state the retention (the consent text, "thông tin của tôi")."""
        return {"conversation_days": str(self.conversation_days), "lead_retention_months": str(self.closed_lead_months)}


def _positive(env: Mapping[str, str], name: str, default: int) -> int:
    raw = env.get(name) or str(default)
    if not raw.isdigit() or int(raw) < 1:
        raise ValueError(f"{name} must be a whole number of at least 1, not {raw!r}")
    return int(raw)


@dataclass(frozen=True)
class PurgeCounts:
    leads: int = 0  # closed leads anonymised
    conversations: int = 0  # their conversations erased
    events: int = 0  # tracker events redacted
    review_items: int = 0  # review inbox messages deleted

    def __str__(self) -> str:
        return (f"{self.leads} closed lead(s) anonymised, {self.conversations} conversation(s) erased, "
                f"{self.events} event(s) redacted, {self.review_items} review message(s) deleted")


def _live_lead_conversation(conversation_id: Any) -> Any:
    """SQL: the conversation has a lead that is not anonymised (its messages stay with it)."""
    return or_(conversation_id.in_(select(Lead.conversation_id).where(Lead.anonymised_at.is_(None))),
               conversation_id.in_(select(Consent.conversation_id).join(Lead, Consent.lead_id == Lead.id)
                                   .where(Lead.anonymised_at.is_(None))))


def purge(engine: Engine, retention: Retention, at: datetime) -> PurgeCounts:
    """Apply the retention at `at`: anonymise the leads closed `closed_lead_months` ago or more and
    erase their conversations (and those of leads anonymised before, left unerased); redact the
    messages of conversations without a lead once they are `conversation_days` old, and delete
    their review inbox copies."""
    leads, conversations = _anonymise_closed_leads(engine, at - relativedelta(months=retention.closed_lead_months), at)
    erased = [erase_conversation(engine, c, RETENTION, at) for c in conversations]
    erased += [erase_conversation(engine, c, reason, when) for c, reason, when in _unerased_conversations(engine)]
    events, items = _redact_old_messages(engine, at - timedelta(days=retention.conversation_days))
    return PurgeCounts(leads, len(erased), sum(e for e, _ in erased) + events, sum(i for _, i in erased) + items)


def _anonymise_closed_leads(engine: Engine, closed_before: datetime, at: datetime) -> tuple[int, list[str]]:
    """Returns how many leads, and their conversations that no other lead still needs."""
    closed_at = (select(StatusChange.lead_id, func.max(StatusChange.changed_at).label("at"))
                 .group_by(StatusChange.lead_id).subquery())
    with Session(engine, future=True) as session, session.begin():
        leads = session.execute(
            select(Lead).join(closed_at, closed_at.c.lead_id == Lead.id)
            .where(Lead.status.in_(CLOSED_STATUSES), Lead.anonymised_at.is_(None), closed_at.c.at <= closed_before)
            .options(selectinload(Lead.consents))
        ).scalars().all()
        for lead in leads:
            anonymise(lead, at)
        session.flush()
        conversations = {c for lead in leads for c in _conversations_of(lead)}
        return len(leads), sorted(conversations - _needed(session, conversations))


def _unerased_conversations(engine: Engine) -> list[tuple[str, str, datetime]]:
    """(conversation, reason, when) of the leads anonymised without their conversation erased: those
    withdrawn before erasures existed."""
    with Session(engine, future=True) as session:
        leads = session.execute(
            select(Lead).where(Lead.anonymised_at.is_not(None),
                               Lead.conversation_id.not_in(select(Erasure.conversation_id)))
            .options(selectinload(Lead.consents))
        ).scalars().all()
        erasures = {c: (WITHDRAWAL if any(k.withdrawn_at for k in lead.consents) else RETENTION, lead.anonymised_at)
                    for lead in leads for c in _conversations_of(lead)}
        needed = _needed(session, set(erasures))
        return [(c, reason, when) for c, (reason, when) in erasures.items() if c not in needed]


def _conversations_of(lead: Lead) -> list[str]:
    return [lead.conversation_id, *(consent.conversation_id for consent in lead.consents)]


def _needed(session: Session, conversations: set[str]) -> set[str]:
    """Those of the conversations that a lead not anonymised still needs."""
    if not conversations:
        return set()
    return set(session.execute(
        select(Lead.conversation_id).where(Lead.conversation_id.in_(conversations), Lead.anonymised_at.is_(None))
        .union(select(Consent.conversation_id).join(Lead, Consent.lead_id == Lead.id)
               .where(Consent.conversation_id.in_(conversations), Lead.anonymised_at.is_(None)))
    ).scalars())


def _redact_old_messages(engine: Engine, written_before: datetime) -> tuple[int, int]:
    """Redact the events written before `written_before` of conversations without a live lead, from
    where the last run stopped, in batches (short transactions: Rasa keeps writing meanwhile)."""
    cutoff = written_before.timestamp()
    with engine.begin() as connection:
        if not has_events(connection):
            return 0, 0
        since = connection.execute(select(RetentionRun.events_checked_until).where(RetentionRun.name == DAILY)).scalar()
    redacted, last_id = 0, 0
    while True:
        with engine.begin() as connection:
            query = (select(EVENTS.c.id, EVENTS.c.data)
                     .where(EVENTS.c.id > last_id, EVENTS.c.timestamp <= cutoff,
                            ~_live_lead_conversation(EVENTS.c.sender_id))
                     .order_by(EVENTS.c.id).limit(BATCH))
            if since is not None:
                query = query.where(EVENTS.c.timestamp > since)
            rows = connection.execute(query).all()
            redacted += redact_rows(connection, rows)
        if len(rows) < BATCH:
            break
        last_id = rows[-1][0]
    with engine.begin() as connection:
        checkpoints.forget(connection, covering_until=cutoff)  # the slots' values of redacted events
        items = connection.execute(delete(ReviewItem.__table__).where(
            ReviewItem.said_at <= written_before, ~_live_lead_conversation(ReviewItem.conversation_id)))
        connection.execute(update(RetentionRun.__table__).where(RetentionRun.name == DAILY)
                           .values(events_checked_until=max(cutoff, since or cutoff)))
    return redacted, items.rowcount


def purge_if_due(engine: Engine, retention: Retention, at: datetime) -> PurgeCounts | None:
    """The daily run, at most once a day whatever the number of action-server processes: the one
    whose update of the guard row succeeds runs it (a single UPDATE: atomic on SQLite and PostgreSQL,
    where a second process waits for the first to commit and then finds the row already taken)."""
    with engine.begin() as connection:
        claimed = connection.execute(
            update(RetentionRun.__table__)
            .where(RetentionRun.name == DAILY,
                   or_(RetentionRun.last_run_at.is_(None), RetentionRun.last_run_at <= at - timedelta(days=1)))
            .values(last_run_at=at)
        ).rowcount
    return purge(engine, retention, at) if claimed else None


def purge_daily(engine: Engine, retention: Retention, check_every: float = CHECK_EVERY_SECONDS) -> threading.Event:
    """Run the retention in the background once a day (checked every `check_every` seconds, first
    at once). Set the event to stop."""
    stop = threading.Event()

    def loop() -> None:
        while True:
            try:
                counts = purge_if_due(engine, retention, now())
                if counts is not None:
                    log.info("retention: %s", counts)
            except Exception:  # never let the background loop die; the next check retries
                log.exception("retention run failed")
            if stop.wait(check_every):
                return

    threading.Thread(target=loop, name="retention", daemon=True).start()
    return stop
