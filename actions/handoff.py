"""Actions of the live takeover (bot/handoff/): offering an officer, the province question of
officer_form, and the session start that keeps a conversation an officer holds paused. Thin: bot/
decides."""
from __future__ import annotations

import logging
from typing import Any, Dict, List, Text

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import ActionExecuted, ConversationPaused, SessionStarted, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy.exc import SQLAlchemyError

from actions.common import desk, utter
from bot.handoff.hours import OfficeHours
from bot.dialogue.replies import Reply
from bot.handoff.offer import CLOSED, Offer, offer_officer
from bot.handoff.queue import HandoffQueue
from bot.language.provinces import province_by_name, resolve_province
from bot.staff.accounts import Accounts
from bot.storage.orm import now

log = logging.getLogger(__name__)


class ActionOfferOfficer(Action):
    """Queues the conversation for an officer of the citizen's province (officer_offer: queued), asks
    the province first (need_province), or leaves it to the callback request (closed)."""

    def name(self) -> Text:
        return "action_offer_officer"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
                  ) -> List[Dict[Text, Any]]:
        engine = desk().store.engine
        try:
            offer = offer_officer(tracker.sender_id, tracker.get_latest_input_channel(), tracker.get_slot("province"),
                                  now(), HandoffQueue(engine), OfficeHours.load(), Accounts(engine).has_office_staff)
        except SQLAlchemyError:  # the callback request keeps the citizen's request in the outbox meanwhile
            log.exception("the handoff queue is unreachable")
            offer = Offer(CLOSED, [Reply("utter_officer_unavailable")])
        utter(dispatcher, offer.replies)
        return [SlotSet("officer_offer", offer.outcome)]


class ValidateOfficerForm(FormValidationAction):
    def name(self) -> Text:
        return "validate_officer_form"

    def validate_province(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker,
                          domain: Dict[Text, Any]) -> Dict[Text, Any]:
        """One of the 34 provinces; an ambiguous name ("ĐN") is asked back with a button per province."""
        province = province_by_name(str(value or ""))
        if province:
            return {"province": province.name}
        match = resolve_province((tracker.latest_message or {}).get("text") or "")
        if match and len(match.candidates) > 1:
            names = [p.name for p in match.candidates]
            dispatcher.utter_message(response="utter_ask_which_province", said=match.said, options=" hay ".join(names),
                                     buttons=[{"title": n, "payload": f'/inform{{"province": "{n}"}}'} for n in names])
        return {"province": None}


class ActionSessionStart(Action):
    """Rasa's session start (the slots carried over), and the conversation paused again when an
    officer holds it: a new session would otherwise resume the assistant in the officer's place."""

    def name(self) -> Text:
        return "action_session_start"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
                  ) -> List[Dict[Text, Any]]:
        events: List[Dict[Text, Any]] = [SessionStarted()]
        if (domain.get("session_config") or {}).get("carry_over_slots_to_new_session", True):
            events += [SlotSet(e["name"], e.get("value")) for e in tracker.applied_events() if e.get("event") == "slot"]
        try:
            held = HandoffQueue(desk().store.engine).held(tracker.sender_id)
        except SQLAlchemyError:  # no database: nobody can have taken it over from the staff pages either
            log.exception("the handoff queue is unreachable")
            held = False
        if held:
            events.append(ConversationPaused())
        return [*events, ActionExecuted("action_listen")]
