"""A conversation with the callback form without a Rasa server: the real actions of actions/callback.py
and actions/privacy.py, called with rasa_sdk Trackers built the way Rasa 3.6 builds them
(rasa/core/actions/forms.py): the slots filled from the message's entities, the validation on a
tracker ending with the form's execution and the slot candidates, the next question (the form's
requested slot, else the first empty required slot), a rejection handed to the rules of
data/rules/ (a question answered by them is noted `rule:<intent>`), the submit action when the form
ends. The live tests (tests/test_live_callback.py) check the same conversations with Rasa itself."""
from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet

from action_harness import run as run_action
from actions.callback import AskConfirmation, AskConsent, AskProvince, SubmitCallback, ValidateCallbackForm
from actions.privacy import ShowMyData, WithdrawConsent
from bot.dialogue.callback import FORM, REQUIRED
from bot.language.extract import extract

# The from_entity mappings of domain.yml that concern the request.
SLOT_OF_ENTITY = {"person_name": "full_name", "phone": "phone", "province": "province", "amount": "income",
                  "target_group": "target_group"}
ASK_ACTIONS = {"consent_at": AskConsent(), "province": AskProvince(), "callback_confirmed": AskConfirmation()}


def run(action: Any, tracker: Tracker, domain: dict) -> tuple[list[dict], list[dict]]:
    """The action's events and messages, each message with the text the citizen reads."""
    outcome = run_action(action, tracker, domain)
    return outcome.events, [{**m, "text": text} for m, text in zip(outcome.messages, outcome.texts)]


@dataclass
class Chat:
    domain: dict
    sender: str = "zalo-123"
    channel: str = "zalo"
    slots: dict[str, Any] = field(default_factory=dict)
    events: list[dict] = field(default_factory=list)
    active: str | None = None
    latest: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.slots = {name: None for name in self.domain["slots"]} | {"requested_slot": None} | self.slots

    def tracker(self, extra: list[dict] = (), latest: dict | None = None) -> Tracker:
        slots = dict(self.slots)
        for event in extra:
            if event.get("event") == "slot":
                slots[event["name"]] = event["value"]
        return Tracker(self.sender, slots, latest or self.latest, [*self.events, *extra], False, None,
                       {"name": self.active} if self.active else {}, None)

    def apply(self, events: list[dict]) -> None:
        for event in events:
            self.events.append(event)
            if event.get("event") == "slot":
                self.slots[event["name"]] = event["value"]
            elif event.get("event") == "active_loop":
                self.active = event["name"]

    def say(self, intent: str, text: str, entities: list[dict] | None = None) -> list[dict]:
        """The messages the assistant sends back ({"response": name, variables...}) to a message
        classified as `intent`, with the entities of the project's extractor unless given."""
        entities = entities if entities is not None else [asdict(e) for e in extract(text)]
        self.latest = {"intent": {"name": intent}, "entities": entities or [], "text": text}
        self.apply([{"event": "user", "text": text, "parse_data": self.latest, "input_channel": self.channel}])
        candidates = [SlotSet(SLOT_OF_ENTITY[e["entity"]], e["value"]) for e in entities or []
                      if e.get("entity") in SLOT_OF_ENTITY]
        self.apply(candidates)
        if self.active == FORM:
            return self._form_turn([c for c in candidates if c["name"] in REQUIRED])
        if intent == "request_callback":
            return self._activate()
        return self._rules(intent)

    def _activate(self) -> list[dict]:
        prefilled = [SlotSet(name, self.slots.get(name)) for name in REQUIRED if self.slots.get(name) is not None]
        events, said = run(ValidateCallbackForm(), self.tracker([SlotSet("requested_slot", None),
                                                                {"event": "action", "name": FORM}, *prefilled]),
                           self.domain)
        self.apply([{"event": "active_loop", "name": FORM}])
        return said + self._next(events)

    def _form_turn(self, candidates: list[dict]) -> list[dict]:
        extra = [SlotSet("requested_slot", self.slots.get("requested_slot")), {"event": "action", "name": FORM},
                 *candidates]
        events, said = run(ValidateCallbackForm(), self.tracker(extra), self.domain)
        validated = [e for e in events if e.get("event") == "slot" and e["name"] != "requested_slot"]
        if any(e.get("event") == "action_execution_rejected" for e in events) or not (candidates or validated):
            self.apply([{"event": "action_execution_rejected", "name": FORM}])
            replies = self._rules(self.latest["intent"]["name"])
            if self.active != FORM:
                return replies
            again, more = run(ValidateCallbackForm(), self.tracker(extra[:2]), self.domain)  # back after the rules
            return replies + more + self._next(again)
        return said + self._next(events)

    def _next(self, events: list[dict]) -> list[dict]:
        """The form's next question, or its end and the submit rule."""
        self.apply([{"event": "action", "name": FORM}])
        asked = next((e["value"] for e in events if e.get("event") == "slot" and e["name"] == "requested_slot"), "")
        tracker = self.tracker(events)  # the question is asked on the slots as the validation left them
        self.apply(events)
        if asked == "":
            asked = next((name for name in REQUIRED if self.slots.get(name) is None), None)
        if asked is None:
            self.apply([SlotSet("requested_slot", None), {"event": "active_loop", "name": None}])
            events, said = run(SubmitCallback(), self.tracker(), self.domain)
            self.apply(events)
            return said
        said = (run(ASK_ACTIONS[asked], tracker, self.domain)[1] if asked in ASK_ACTIONS
                else [{"response": f"utter_ask_{asked}"}])
        self.apply([SlotSet("requested_slot", asked)])
        return said

    def _rules(self, intent: str) -> list[dict]:
        """data/rules/callback.yml and privacy.yml; any other intent is answered by its own rule."""
        if intent == "stop" and self.active == FORM:
            self.apply([{"event": "active_loop", "name": None}, SlotSet("requested_slot", None)])
            return [{"response": "utter_callback_cancelled"}]
        action = {"withdraw_consent": WithdrawConsent(), "show_my_data": ShowMyData()}.get(intent)
        if action is None:
            self.apply([{"event": "action", "name": f"utter_{intent}"}])
            return [{"response": f"rule:{intent}"}]
        events, said = run(action, self.tracker(), self.domain)
        self.apply([{"event": "action", "name": action.name()}, *events])
        return said

    def names(self, intent: str, text: str, entities: list[dict] | None = None) -> list[str]:
        return [m["response"] for m in self.say(intent, text, entities)]
