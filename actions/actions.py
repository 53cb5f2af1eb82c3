"""Rasa SDK actions: translate between Rasa and bot/ (no domain logic here)."""
from __future__ import annotations

from typing import Any, Dict, List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.common import desk
from bot.dialogue import scenarios
from bot.dialogue.answers import plan_answer
from bot.dialogue.calculations import FACTS, FLOW_STATE, OWN
from bot.policy import clock

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
                   for name in (*FACTS, "province", *scenarios.SLOTS, *FLOW_STATE)},
            before=slots_before_latest_message(tracker.events, OWN),
        )
        for reply in step.replies:
            dispatcher.utter_message(response=reply.response, buttons=reply.buttons or None, **reply.variables)
        return [SlotSet(name, value) for name, value in step.slots.items()]


def slots_before_latest_message(events: List[Dict[Text, Any]], names: Any) -> Dict[Text, Any]:
    """The values of these slots before the latest user message: Rasa sets slots from its entities
    (action_extract_slots) after the message event, before the action runs."""
    last_user = max((i for i, e in enumerate(events) if e.get("event") == "user"), default=len(events))
    values: Dict[Text, Any] = {name: None for name in names}
    for event in events[:last_user]:
        if event.get("event") == "slot" and event.get("name") in values:
            values[event["name"]] = event.get("value")
        elif event.get("event") in ("restart", "reset_slots"):
            values = {name: None for name in names}
    return values

