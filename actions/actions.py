"""Rasa SDK actions: translate between Rasa and bot/ (no domain logic here)."""
from __future__ import annotations

from typing import Any, Dict, List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from bot.dialogue import callback, scenarios
from bot.dialogue.answers import plan_answer
from bot.dialogue.calculations import FACTS, FLOW_STATE
from bot.outbox import Desk
from bot.policy import clock
from bot.privacy.retention import Retention, purge_daily

_desk: Desk | None = None
OUTBOX_REPLAY_SECONDS = 60


def desk() -> Desk:
    """One store per action server (BOT_DATABASE_URL), with its background jobs: the outbox replay
    and the daily retention run (bot/privacy/retention.py)."""
    global _desk
    if _desk is None:
        _desk = Desk()
        _desk.replay_every(OUTBOX_REPLAY_SECONDS)
        purge_daily(_desk.store.engine, Retention.from_env())  # a wrong setting stops the start
    return _desk


desk()  # started with the action server, not at its first message: the retention runs without traffic too


class ActionAnswer(Action):
    """Answers the latest user message with the domain's responses, filled with the policy
    figures in force today, and remembers what the user said and the calculation in progress."""

    def name(self) -> Text:
        return "action_answer"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[Dict[Text, Any]]:
        message = tracker.latest_message or {}
        step = plan_answer(
            intent=(message.get("intent") or {}).get("name"),
            text=message.get("text"),
            entities=message.get("entities") or [],
            responses=domain.get("responses", {}),
            day=clock.today(),
            known={name: tracker.get_slot(name)
                   for name in (*FACTS, *callback.SLOTS, *scenarios.SLOTS, *FLOW_STATE)},
            conversation=callback.Conversation(
                id=tracker.sender_id,
                channel=tracker.get_latest_input_channel() or "rest",
                intents=[e["parse_data"]["intent"].get("name") for e in tracker.events
                         if e.get("event") == "user" and e.get("parse_data", {}).get("intent")],
            ),
            desk=desk(),
        )
        for reply in step.replies:
            dispatcher.utter_message(response=reply.response, buttons=reply.buttons or None, **reply.variables)
        return [SlotSet(name, value) for name, value in step.slots.items()]
