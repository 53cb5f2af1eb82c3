"""Erasure: a conversation's tracker events redacted in place and its review inbox copies deleted,
with the record of the erasure; the withdrawal of consent (the leads anonymised, the conversation
erased)."""
from __future__ import annotations

import json
import logging
from datetime import datetime
from typing import Any

from sqlalchemy import Column, Integer, String, bindparam, column, delete, func, insert, select, table, update
from sqlalchemy.engine import Connection, Engine

from bot.leads.store import LeadStore
from bot.storage import checkpoints
from bot.storage.orm import Base, UtcDateTime, now
from bot.training.review import ReviewItem

log = logging.getLogger(__name__)

WITHDRAWAL, RETENTION = "withdrawal", "retention"  # why a conversation was erased
EVENTS = table("events", column("id"), column("sender_id"), column("timestamp"), column("data"))
# What an event may keep once redacted: the statistics need the intent and which response was sent.
_KEPT_METADATA = ("utter_action",)
_KEPT_ENTITY_KEYS = ("entity", "role", "group", "extractor")


class Erasure(Base):
    """A conversation erased, and why: the record the law asks us to keep of what we did."""

    __tablename__ = "erasures"
    id = Column(Integer, primary_key=True)
    conversation_id = Column(String(255), nullable=False, index=True)
    reason = Column(String(20), nullable=False)
    erased_at = Column(UtcDateTime, nullable=False)


def redact_event(event: dict[str, Any]) -> dict[str, Any]:
    """The event without anything the citizen or the assistant wrote: texts, slot values, entity
    values, channel metadata. Its kind, intent, action name and timestamp stay."""
    redacted = {k: v for k, v in event.items() if k not in ("text", "data", "value", "metadata", "entities")}
    if "metadata" in event:
        redacted["metadata"] = {k: v for k, v in (event["metadata"] or {}).items() if k in _KEPT_METADATA}
    if "text" in event:
        redacted["text"] = None
    if "action_text" in event:
        redacted["action_text"] = None
    if "data" in event:
        redacted["data"] = {}
    if "value" in event:
        redacted["value"] = None
    if "entities" in event:
        redacted["entities"] = _entity_names(event["entities"])
    if "parse_data" in event:
        parse = event["parse_data"] or {}
        redacted["parse_data"] = {"intent": parse.get("intent") or {}, "intent_ranking": parse.get("intent_ranking") or [],
                                  "entities": _entity_names(parse.get("entities")), "text": None}
    return redacted


def _entity_names(entities: Any) -> list[dict[str, Any]]:
    return [{k: e[k] for k in _KEPT_ENTITY_KEYS if k in e} for e in entities or [] if isinstance(e, dict)]


def has_events(connection: Connection) -> bool:
    return connection.dialect.has_table(connection, "events")


def redact_rows(connection: Connection, rows: list[Any]) -> int:
    """Rewrite the rows whose redaction changes something, in one batch; returns how many."""
    changed = []
    for event_id, data in rows:
        event = json.loads(data or "{}")
        redacted = redact_event(event)
        if redacted != event:
            changed.append({"event_id": event_id, "redacted": json.dumps(redacted)})
    if changed:
        connection.execute(update(EVENTS).where(EVENTS.c.id == bindparam("event_id"))
                           .values(data=bindparam("redacted")), changed)
    return len(changed)


def erase_conversation(engine: Engine, conversation_id: str, reason: str, at: datetime) -> tuple[int, int]:
    """Redact the conversation's tracker events up to `at` and delete its review inbox messages
    (so its YAML export and stories lose them too); record the erasure. Returns (events, messages)."""
    with engine.begin() as connection:
        events = 0
        if has_events(connection):
            rows = connection.execute(
                select(EVENTS.c.id, EVENTS.c.data)
                .where(EVENTS.c.sender_id == conversation_id, EVENTS.c.timestamp <= at.timestamp())
            ).all()
            events = redact_rows(connection, rows)
        checkpoints.forget(connection, conversation_id)  # it may hold the slots' values
        items = connection.execute(delete(ReviewItem.__table__).where(ReviewItem.conversation_id == conversation_id))
        connection.execute(insert(Erasure.__table__).values(conversation_id=conversation_id, reason=reason, erased_at=at))
    log.info("conversation erased (%s): %d event(s) redacted, %d review message(s) deleted", reason, events, items.rowcount)
    return events, items.rowcount


def withdraw(store: LeadStore, conversation_id: str, at: datetime | None = None) -> int:
    """The citizen withdrew consent ("xóa thông tin của tôi") at `at` (default: now): anonymise the
    conversation's leads and erase the conversation. Returns how many leads were anonymised."""
    leads = store.withdraw(conversation_id)
    erase_conversation(store.engine, conversation_id, WITHDRAWAL, at or now())
    return leads


def last_erasure(connection: Connection, conversation_id: str) -> datetime | None:
    return connection.execute(
        select(func.max(Erasure.erased_at)).where(Erasure.conversation_id == conversation_id)
    ).scalar()
