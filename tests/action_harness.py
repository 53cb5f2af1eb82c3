"""Runs the project's Rasa SDK actions without servers (financial-demo's style): a Tracker built from
slots and the latest message, the action's events, and its messages rendered as the citizen reads
them by the project's NLG (bot/dialogue/nlg.py), with the figures of the day."""
from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from bot.dialogue.nlg import FiguresNLG

_NOT_VARIABLES = {"response", "template", "buttons", "text", "elements", "custom", "image", "attachment"}


def tracker(slots: dict[str, Any] | None = None, text: str = "", intent: str | None = None,
            entities: list[dict[str, Any]] | None = None, active_loop: str | None = None,
            events: list[dict[str, Any]] | None = None, sender: str = "test-sender",
            channel: str = "rest") -> Tracker:
    latest = {"text": text, "intent": {"name": intent, "confidence": 1.0} if intent else {},
              "entities": entities or []}
    history = [*(events or []), {"event": "user", "text": text, "parse_data": latest,
                                 "input_channel": channel}]
    return Tracker(sender, dict(slots or {}), latest, history, False, None,
                   {"name": active_loop} if active_loop else {}, "action_listen")


@dataclass
class Outcome:
    events: list[dict[str, Any]]
    messages: list[dict[str, Any]]
    texts: list[str]

    @property
    def responses(self) -> list[str]:
        return [m.get("response") for m in self.messages]

    def slots(self) -> dict[str, Any]:
        return {e["name"]: e["value"] for e in self.events if e.get("event") == "slot"}


def run(action: Action, state: Tracker, domain: dict[str, Any]) -> Outcome:
    dispatcher = CollectingDispatcher()
    events = asyncio.run(action.run(dispatcher, state, domain))
    nlg = FiguresNLG.of_responses(domain.get("responses") or {})
    texts = []
    for message in dispatcher.messages:
        name = message.get("response")
        variables = {k: v for k, v in message.items() if k not in _NOT_VARIABLES and v is not None}
        rendered = nlg.render(name, state.slots, "rest", **variables) if name else {"text": message.get("text")}
        texts.append((rendered or {}).get("text") or "")
    return Outcome(list(events or []), dispatcher.messages, texts)


def installed_desk(tmp_path, monkeypatch) -> "Desk":  # type: ignore[no-untyped-def]
    """The actions' desk on a fresh migrated SQLite database under tmp_path, on the tests' day."""
    import actions.common
    from bot.outbox import Desk
    from bot.storage import db

    url = f"sqlite:///{tmp_path / 'bot.db'}"
    db.upgrade(url)
    monkeypatch.setenv("BOT_TODAY", "2026-11-24")
    the_desk = Desk(url, tmp_path / "outbox")
    monkeypatch.setattr(actions.common, "_desk", the_desk)
    return the_desk
