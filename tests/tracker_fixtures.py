"""Rows as Rasa's SQL tracker store writes them (its `events` table), for tests without a Rasa server."""
from __future__ import annotations

import json
from itertools import count

from sqlalchemy import text
from sqlalchemy.engine import Engine

_ids = count(1)
_SCHEMA = ("CREATE TABLE IF NOT EXISTS events (id INTEGER PRIMARY KEY, sender_id VARCHAR(255) NOT NULL, "
           "type_name VARCHAR(255) NOT NULL, timestamp FLOAT, intent_name VARCHAR(255), "
           "action_name VARCHAR(255), data TEXT)")


def store_events(engine: Engine, sender_id: str, events: list[dict]) -> None:
    with engine.begin() as connection:
        connection.execute(text(_SCHEMA))
        start = connection.execute(text("SELECT COALESCE(MAX(id), 0) FROM events")).scalar_one()
        for i, event in enumerate(events, start=start + 1):
            connection.execute(
                text("INSERT INTO events (id, sender_id, type_name, timestamp, intent_name, action_name, data) "
                     "VALUES (:id, :s, :t, :ts, :intent, :action, :d)"),
                {"id": i, "s": sender_id, "t": event["event"], "ts": event.get("timestamp", 1_795_000_000.0 + i),
                 "intent": (event.get("parse_data") or {}).get("intent", {}).get("name"), "action": event.get("name"),
                 "d": json.dumps(event, ensure_ascii=False)})


def user(said: str, intent: str, confidence: float, ranking: list[tuple[str, float]] | None = None,
         entities: list[dict] | None = None) -> dict:
    ranking = ranking or [(intent, confidence)]
    return {"event": "user", "text": said, "parse_data": {
        "intent": {"name": intent, "confidence": confidence}, "entities": entities or [], "text": said,
        "intent_ranking": [{"name": n, "confidence": c} for n, c in ranking]}}


def bot(said: str) -> dict:
    return {"event": "bot", "text": said, "data": {}}


def action(name: str = "action_answer") -> dict:
    return {"event": "action", "name": name}


def slot(name: str, value) -> dict:  # type: ignore[no-untyped-def]
    return {"event": "slot", "name": name, "value": value}
