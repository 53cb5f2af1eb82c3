"""A conversation as the citizen and the assistant wrote it, read from Rasa's SQL tracker store
(the `events` table, in the same database as the leads)."""
from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timezone

from sqlalchemy import column, inspect, select, table
from sqlalchemy.engine import Engine

from bot.staff.queries import local

_EVENTS = table("events", column("id"), column("sender_id"), column("type_name"), column("timestamp"),
                column("data"))
MAX_TURNS = 500


@dataclass(frozen=True)
class Turn:
    speaker: str  # "user" or "bot"
    text: str
    at: datetime  # Vietnam's time
    buttons: tuple[str, ...] = ()
    erased: bool = False  # redacted by an erasure (bot/privacy/erasure.py): what was said is gone
    officer: str | None = None  # a bot message an officer wrote (bot/handoff), by username
    intent: str | None = None  # what the assistant understood of a user message


def transcript(engine: Engine, conversation_id: str) -> list[Turn]:
    """What was said in the conversation (its last MAX_TURNS messages), oldest first; empty when
    nothing is stored."""
    if not inspect(engine).has_table("events"):
        return []
    with engine.connect() as connection:
        rows = connection.execute(
            select(_EVENTS.c.type_name, _EVENTS.c.timestamp, _EVENTS.c.data)
            .where(_EVENTS.c.sender_id == conversation_id, _EVENTS.c.type_name.in_(("user", "bot")))
            .order_by(_EVENTS.c.id.desc()).limit(MAX_TURNS)
        ).all()
    turns = []
    for type_name, timestamp, data in reversed(rows):
        event = json.loads(data or "{}")
        text = event.get("text") or ""
        buttons = tuple(b.get("title", "") for b in (event.get("data") or {}).get("buttons") or [])
        erased = event.get("text") is None and (type_name == "user" or not event.get("data"))
        if text or buttons or erased:
            at = local(datetime.fromtimestamp(timestamp or 0, timezone.utc))
            officer = (event.get("metadata") or {}).get("officer") if type_name == "bot" else None
            intent = ((event.get("parse_data") or {}).get("intent") or {}).get("name") if type_name == "user" else None
            turns.append(Turn(type_name, text, at, buttons, erased, officer, intent))
    return turns
