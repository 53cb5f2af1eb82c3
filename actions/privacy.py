"""The citizen's rights over what the assistant stored: see it, erase it (bot/dialogue/callback.py)."""
from __future__ import annotations

from typing import Any, Dict, List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActiveLoop, EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.common import desk, utter
from bot.dialogue import callback


class WithdrawConsent(Action):
    """Erase the conversation's leads and messages, and every slot, so that nothing Rasa saves
    after this turn holds what was erased; a form in progress ends."""

    def name(self) -> Text:
        return "action_withdraw_consent"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: Dict[Text, Any]) -> List[EventType]:
        utter(dispatcher, [callback.withdraw(tracker.sender_id, desk())])
        cleared = [SlotSet(name, None) for name, value in tracker.current_slot_values().items() if value is not None]
        return [ActiveLoop(None), *cleared]


class ShowMyData(Action):
    """What is stored about this conversation; a form in progress asks its question again after."""

    def name(self) -> Text:
        return "action_show_my_data"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: Dict[Text, Any]) -> List[EventType]:
        utter(dispatcher, callback.my_data(tracker.sender_id, desk()))
        return []
