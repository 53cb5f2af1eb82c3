"""Actions of the answers that depend on what the user said: their facts said back, the scenario of
their target group, the question which group they belong to. Thin: bot/dialogue/ decides."""
from __future__ import annotations

from typing import Any, Dict, List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.common import utter
from bot.dialogue import scenarios
from bot.dialogue.advice import has_own_facts
from bot.dialogue.calculations import facts_of
from bot.dialogue.inform import inform_replies
from bot.policy import clock
from bot.policy.figures import figures_on


class ActionNoteFacts(Action):
    """Says back what the user told about themselves ("tôi 45 tuổi, ở Hà Nội")."""

    def name(self) -> Text:
        return "action_note_facts"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
                  ) -> List[Dict[Text, Any]]:
        entities = (tracker.latest_message or {}).get("entities") or []
        named = {e.get("entity") for e in entities}
        if named == {"target_group"} and tracker.get_slot(scenarios.SHOWN_SLOT) != tracker.get_slot("target_group"):
            return []  # the group's scenario follows (data/rules/answers.yml)
        day = clock.today()
        facts = facts_of({name: tracker.get_slot(name) for name in domain.get("slots", {})})
        utter(dispatcher, inform_replies(entities, figures_on(day).values, has_own_facts(facts, day)))
        return []


class ActionTellScenario(Action):
    """The scenario of the user's target group, once per group."""

    def name(self) -> Text:
        return "action_tell_scenario"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
                  ) -> List[Dict[Text, Any]]:
        group = tracker.get_slot("target_group")
        if group not in scenarios.scenarios() or tracker.get_slot(scenarios.SHOWN_SLOT) == group:
            return []
        utter(dispatcher, scenarios.scenario_replies(group, clock.today()))
        return [SlotSet(scenarios.SHOWN_SLOT, group)]


class ActionOfferGroups(Action):
    """After an answer that depends on the group: which group, with buttons, once, when unknown."""

    def name(self) -> Text:
        return "action_offer_groups"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
                  ) -> List[Dict[Text, Any]]:
        if tracker.get_slot("target_group") or tracker.get_slot(scenarios.ASKED_SLOT):
            return []
        utter(dispatcher, scenarios.group_question())
        return [SlotSet(scenarios.ASKED_SLOT, True)]
