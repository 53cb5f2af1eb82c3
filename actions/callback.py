"""The callback request as the Rasa form `callback_form`: its validation, its three dynamic
questions and its submission. bot/dialogue/callback.py decides; these translate."""
from __future__ import annotations

from typing import Any, Dict, List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActionExecutionRejected, EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.common import desk, replying_to_user, utter
from bot.dialogue import callback, follow_up
from bot.language.text import clean_message
from bot.policy import clock
from bot.policy.figures import figures_on


def message(tracker: Tracker) -> callback.Message:
    latest = tracker.latest_message or {}
    return callback.Message((latest.get("intent") or {}).get("name"), clean_message(latest.get("text")),
                            latest.get("entities") or [])


def conversation(tracker: Tracker) -> callback.Conversation:
    return callback.Conversation(
        id=tracker.sender_id, channel=tracker.get_latest_input_channel() or "rest",
        intents=[e["parse_data"]["intent"].get("name") for e in tracker.events
                 if e.get("event") == "user" and (e.get("parse_data") or {}).get("intent")])


def slot_events(slots: Dict[Text, Any]) -> List[EventType]:
    return [SlotSet(name, value) for name, value in slots.items()]


class ValidateCallbackForm(Action):
    """Reads each answer; rejects a message that answers nothing (the rules take it, then the
    form asks again)."""

    def name(self) -> Text:
        return "validate_callback_form"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: Dict[Text, Any]) -> List[EventType]:
        candidates = tracker.slots_to_validate()
        if tracker.active_loop_name != callback.FORM:  # the form starts
            return slot_events(callback.start(tracker.current_slot_values(), candidates))
        if not replying_to_user(tracker.events):
            return []
        step = callback.read(tracker.get_slot("requested_slot"), message(tracker), candidates,
                             tracker.current_slot_values(), callback.consent_sha256(domain["responses"]),
                             conversation(tracker))
        if step is None:
            return [ActionExecutionRejected(callback.FORM)]
        utter(dispatcher, step.replies)
        return slot_events(step.slots)


class AskConsent(Action):
    """The consent notice and question; the question alone when it is asked again."""

    def name(self) -> Text:
        return "action_ask_consent_at"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: Dict[Text, Any]) -> List[EventType]:
        utter(dispatcher, callback.consent_question(tracker.get_slot("requested_slot") == callback.CONSENT))
        return []


class AskProvince(Action):
    def name(self) -> Text:
        return "action_ask_callback_form_province"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: Dict[Text, Any]) -> List[EventType]:
        utter(dispatcher, [callback.province_question(message(tracker))])
        return []


class AskConfirmation(Action):
    """The summary of the request, to confirm or correct."""

    def name(self) -> Text:
        return "action_ask_callback_confirmed"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: Dict[Text, Any]) -> List[EventType]:
        utter(dispatcher, [callback.summary(tracker.current_slot_values())])
        return []


class SubmitCallback(Action):
    """The form ended: the confirmed request recorded (or nothing, without consent)."""

    def name(self) -> Text:
        return "action_callback_submit"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: Dict[Text, Any]) -> List[EventType]:
        step = callback.submit(tracker.current_slot_values(), conversation(tracker),
                               callback.consent_sha256(domain["responses"]), desk(),
                               figures_on(clock.today()).values["hotline"])
        utter(dispatcher, step.replies)
        return slot_events(step.slots)


class RequestStatus(Action):
    """"Yêu cầu của tôi thế nào rồi": where this conversation's request stands."""

    def name(self) -> Text:
        return "action_request_status"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: Dict[Text, Any]) -> List[EventType]:
        utter(dispatcher, follow_up.request_status(tracker.sender_id, message(tracker).text, desk()))
        return []
