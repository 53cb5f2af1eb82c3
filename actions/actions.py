"""Rasa SDK actions: translate between Rasa and bot/ (no domain logic here)."""
from __future__ import annotations

from typing import Any, Dict, List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from bot import clock
from bot.answers import plan_answer


class ActionAnswer(Action):
    """Answers the latest user message with the domain's responses for its intent, filled with
    the policy figures in force today."""

    def name(self) -> Text:
        return "action_answer"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[Dict[Text, Any]]:
        message = tracker.latest_message or {}
        replies = plan_answer(
            intent=(message.get("intent") or {}).get("name"),
            text=message.get("text"),
            entities=message.get("entities") or [],
            responses=domain.get("responses", {}),
            day=clock.today(),
            target_group=tracker.get_slot("target_group"),
        )
        for reply in replies:
            dispatcher.utter_message(response=reply.response, buttons=reply.buttons or None, **reply.variables)
        return []
