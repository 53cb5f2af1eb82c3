"""The calculations' forms (bot/dialogue/forms.py): their validation actions, the questions whose
buttons or words depend on the day or on an answer, and the submit action that sends the result."""
from __future__ import annotations

from abc import ABC, abstractmethod
from typing import Any, Dict, List, Optional, Text

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import ActionExecutionRejected, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.common import slot_values, utter
from bot.dialogue.calculations import OWN
from bot.dialogue.forms import FORMS, SLOTS, Message, ask, form_step, result_step
from bot.policy import clock

REQUESTED_SLOT = "requested_slot"


class ValidateCalculation(FormValidationAction, ABC):
    """Reads each message for its form: the slots it fills, the reason a value is refused, the next
    question; or rejects a message that is not for the form."""

    @property
    @abstractmethod
    def form(self) -> str: ...

    def name(self) -> Text:
        return f"validate_{self.form}"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[Dict[Text, Any]]:
        turn = form_turn(tracker.events, self.form)
        step = form_step(self.form, None if turn == "started" else tracker.get_slot(REQUESTED_SLOT),
                         None if turn == "returned" else latest_message(tracker), slot_values(tracker, SLOTS),
                         clock.today(), slots_before_latest_message(tracker.events, OWN))
        events = [SlotSet(name, value) for name, value in step.slots.items()]
        if step.rejected:
            return events + [ActionExecutionRejected(self.form)]
        utter(dispatcher, step.replies)
        return events + [SlotSet(REQUESTED_SLOT, step.next_slot)]


class ValidateContributionForm(ValidateCalculation):
    form = "contribution_form"


class ValidatePensionForm(ValidateCalculation):
    form = "pension_form"


class ValidateRetirementForm(ValidateCalculation):
    form = "retirement_form"


class ValidateSituationForm(ValidateCalculation):
    form = "situation_form"


class ValidateMakeUpForm(ValidateCalculation):
    form = "make_up_form"


class ValidateAllowanceForm(ValidateCalculation):
    form = "allowance_form"


class ValidateWithdrawalForm(ValidateCalculation):
    form = "withdrawal_form"


class ValidateSurvivorForm(ValidateCalculation):
    form = "survivor_form"


class ValidateContactForm(ValidateCalculation):
    form = "contact_form"


class AskQuestion(Action, ABC):
    """A form's question whose buttons or words are not fixed: the income levels of the floor in
    force, the sides of the transitional date, the year or the years said, the provinces a name may
    mean."""

    @property
    @abstractmethod
    def slot(self) -> str: ...

    def name(self) -> Text:
        return f"action_ask_{self.slot}"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[Dict[Text, Any]]:
        form = (tracker.active_loop or {}).get("name")
        if form in FORMS:
            utter(dispatcher, [ask(form, self.slot, slot_values(tracker, SLOTS), clock.today())])
        return []


class AskIncome(AskQuestion):
    slot = "income"


class AskDeceasedIncome(AskQuestion):
    slot = "deceased_income"


class AskJoinedVoluntaryYear(AskQuestion):
    slot = "joined_voluntary_year"


class AskBirthMonth(AskQuestion):
    slot = "birth_month"


class AskMonthsBefore2014(AskQuestion):
    slot = "months_before_2014"


class AskDeceasedBefore2014(AskQuestion):
    slot = "deceased_before_2014"


class AskContactProvince(AskQuestion):
    slot = "province"

    def name(self) -> Text:
        return "action_ask_contact_form_province"  # the callback request asks its province in its own words


class ActionCalculationResult(Action):
    """After a form has all it needs: the result, and the form's own answers cleared."""

    def name(self) -> Text:
        return "action_calculation_result"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[Dict[Text, Any]]:
        form = latest_form(tracker.events)
        if form not in FORMS:
            return []
        step = result_step(form, slot_values(tracker, SLOTS), clock.today(), latest_message(tracker))
        utter(dispatcher, step.replies)
        return [SlotSet(name, value) for name, value in step.slots.items()]


def latest_message(tracker: Tracker) -> Message:
    latest = tracker.latest_message or {}
    return Message(latest.get("text") or "", (latest.get("intent") or {}).get("name"), latest.get("entities") or [])


def form_turn(events: List[Dict[Text, Any]], form: str) -> str:
    """How the form comes to validate the latest message: "started" by it, "answered" (the message
    came while the form was waiting), or "returned" after the form rejected it and other actions
    handled it."""
    last_user = max((i for i, e in enumerate(events) if e.get("event") == "user"), default=-1)
    after = events[last_user + 1:]
    if any(e.get("event") == "active_loop" and e.get("name") == form for e in after):
        return "started"
    rejected = any(e.get("event") == "action_execution_rejected" for e in after)
    # the last action is the form's own run (Rasa adds it to the tracker the validation reads)
    others = [e.get("name") for e in after if e.get("event") == "action"][:-1]
    return "returned" if rejected or any(name != "action_listen" for name in others) else "answered"


def latest_form(events: List[Dict[Text, Any]]) -> Optional[str]:
    """The form activated last."""
    return next((e.get("name") for e in reversed(events) if e.get("event") == "active_loop" and e.get("name")), None)


def slots_before_latest_message(events: List[Dict[Text, Any]], names: Any) -> Dict[Text, Any]:
    """The values of these slots before the latest user message: Rasa sets slots from its entities
    (action_extract_slots) after the message event, before the form runs."""
    last_user = max((i for i, e in enumerate(events) if e.get("event") == "user"), default=len(events))
    values: Dict[Text, Any] = {name: None for name in names}
    for event in events[:last_user]:
        if event.get("event") == "slot" and event.get("name") in values:
            values[event["name"]] = event.get("value")
        elif event.get("event") in ("restart", "reset_slots"):
            values = {name: None for name in names}
    return values
