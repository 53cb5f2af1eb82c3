"""The calculations as Rasa forms: one form per calculation (`<name>_form`), whose validation action
hands each message to `form_step` and whose submit action sends `result_step`. Pure Python: the
actions (actions/calculations.py) only translate between Rasa and these functions.

A form asks one question at a time, only for what its calculator still needs (the user's facts said
earlier count), in an order that may depend on an answer, so the validation action names the next
slot itself. A message that is a new question rather than an answer makes the form reject it: the
rules answer it, then the form asks its question again; one that asks for another calculation
makes the rules start that calculation's form instead.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any, Mapping

from bot.dialogue.calculations import (ANSWER_INTENTS, CALCULATIONS, FACTS, OWN, RELATED, Reply, answers_of, facts_of,
                                       is_short, missing, question, read_answers, withdrawal_case_in)
from bot.dialogue.results import RESULTS, pension_rate
from bot.policy.benefits import WITHDRAWAL_CASE_LABELS
from bot.policy.figures import figures_on

FORMS = {f"{name}_form": name for name in CALCULATIONS}
CALCULATOR_SLOT = "calculator"  # which calculation a message asks for: the rules start its form
# Every slot a form reads: the user's own facts and the answers of one calculation.
ANSWERS = tuple(dict.fromkeys(slot for name in CALCULATIONS for slot in answers_of(name)))
# How many messages in a row the user sent past the form's question (answered by the rules). After
# LEAVE_AFTER_IGNORED the form ends without its result instead of asking again: the user has moved on.
IGNORED_SLOT = "questions_ignored"
LEAVE_AFTER_IGNORED = 2
SLOTS = tuple(dict.fromkeys((*FACTS, *OWN, *ANSWERS, CALCULATOR_SLOT, IGNORED_SLOT)))
# The field "birth" (an age or a year of birth) is asked as the slot `age`; the others by their name.
SLOT_OF_FIELD = {"birth": "age"}
FIELD_OF_SLOT = {slot: name for name, slot in SLOT_OF_FIELD.items()}
# Intents that are never an answer: the rules of the special messages and requests take them.
NEVER_AN_ANSWER = frozenset({"stop", "withdraw_consent", "show_my_data", "empty_message", "too_long",
                             "request_callback", "human_handoff"})
GENERAL_CONTACTS = "utter_ask_contact/general"  # the hotline, the local office, the post office


@dataclass(frozen=True)
class Message:
    text: str
    intent: str | None = None
    entities: list[dict[str, Any]] = field(default_factory=list)


@dataclass(frozen=True)
class FormStep:
    """What the validation action returns: the slots to set (None clears one), the replies to send
    before the form asks its next question, that slot (None: the form is done); or, `rejected`, the
    message is not for the form."""

    slots: dict[str, Any] = field(default_factory=dict)
    replies: list[Reply] = field(default_factory=list)
    next_slot: str | None = None
    rejected: bool = False


def form_step(form: str, requested: str | None, message: Message | None, slots: Mapping[str, Any], day: date,
              before: Mapping[str, Any] | None = None) -> FormStep:
    """The step of a form for the latest message. `requested` is the slot the form asked for (None:
    the message started the form); `message` is None when the form comes back after the rules
    answered a digression (the message was not for it); `slots` holds the values of SLOTS (the
    user's own slots already filled by Rasa from this message's entities), `before` the user's own
    slots as they were before the message."""
    name = FORMS[form]
    facts = facts_of(slots)
    done = {CALCULATOR_SLOT: None} if slots.get(CALCULATOR_SLOT) else {}  # the request that started it
    ignored = int(slots.get(IGNORED_SLOT) or 0)
    if message is None:
        if ignored >= LEAVE_AFTER_IGNORED:  # the form ends; action_calculation_result says nothing
            return FormStep(done, [], None)
        return _next(name, facts, done, [], day, requested)
    if ignored:  # counted again from this message
        done[IGNORED_SLOT] = None
    if requested is None:  # the message that started the form; another calculation's answers go
        others = {slot: None for slot in ANSWERS if slot not in answers_of(name) and slots.get(slot) is not None}
        read, errors = read_answers(name, None, message.intent, message.entities, message.text, facts, day,
                                    before if before is not None else slots)
        opening = _opening(name, message, facts, day)
        if name == "contribution" and read.get("income") is not None:  # asked with the income: the result
            return FormStep({**others, **read, **done}, opening)       # now, for the group said or "other"
        return _next(name, facts, {**others, **read, **done}, errors, day, None, opening)
    other = _other_calculation(name, message)
    if other:  # the rules start the other calculation's form (Rasa fills the slot outside forms only)
        return FormStep({CALCULATOR_SLOT: other}, rejected=True)
    if message.intent in NEVER_AN_ANSWER:  # the rules take it
        cancelled = {**{slot: None for slot in answers_of(name)}, **done} if message.intent == "stop" else {}
        return FormStep(cancelled, rejected=True)
    asked = FIELD_OF_SLOT.get(requested, requested)
    read, errors = read_answers(name, asked, message.intent, message.entities, message.text, facts, day,
                                before if before is not None else slots)
    if not _answers(asked, read):
        # A question, a greeting or thanks that does not answer is for the rules (they answer it, then
        # the form asks again); so is a long message out of scope; a short one ("hả?") is asked again.
        if message.intent not in ANSWER_INTENTS and (message.intent != "out_of_scope" or not is_short(message.text)):
            return FormStep({**{k: v for k, v in read.items() if v is not None}, IGNORED_SLOT: ignored + 1},
                            rejected=True)
        if not read:
            return FormStep({requested: None, **done}, [Reply("utter_flow_not_understood", figures_on(day).values)],
                            requested)
    return _next(name, facts, {**read, **done}, errors, day, requested)


def _other_calculation(name: str, message: Message) -> str | None:
    """The other calculation the message asks for, if any."""
    return next((e["value"] for e in message.entities
                 if e.get("entity") == CALCULATOR_SLOT and e.get("value") in CALCULATIONS and e["value"] != name), None)


def result_step(form: str, slots: Mapping[str, Any], day: date, message: Message | None = None) -> FormStep:
    """The result of a form that has all it needs, and its answers cleared (the user's facts stay).
    `message`: the latest one, whose province may be the old name of the one answered. A form left
    after its question was ignored (IGNORED_SLOT) has no result: its answers are cleared."""
    if int(slots.get(IGNORED_SLOT) or 0) >= LEAVE_AFTER_IGNORED:
        return FormStep({slot: None for slot in (*answer_slots(form), IGNORED_SLOT) if slots.get(slot) is not None})
    facts = facts_of(slots)
    said = [e for e in (message.entities if message else []) if e.get("entity") == "province"]
    if said:
        facts["province_said"] = str(said[-1].get("text") or said[-1].get("value"))
    replies = RESULTS[FORMS[form]](facts, day, figures_on(day))
    return FormStep({slot: None for slot in answer_slots(form) if slots.get(slot) is not None}, replies)


def ask(form: str, slot: str, slots: Mapping[str, Any], day: date) -> Reply:
    """The question of a form for this slot (buttons and figures of the day)."""
    return question(FORMS[form], FIELD_OF_SLOT.get(slot, slot), facts_of(slots), day)


def answer_slots(form: str) -> tuple[str, ...]:
    """The slots of a form that are not the user's own facts."""
    return answers_of(FORMS[form])


def _answers(asked: str | None, read: Mapping[str, Any]) -> bool:
    """Whether the values read answer the question asked (the birth question: an age or a year)."""
    return any(key in read for key in RELATED.get(asked, (asked,))) if asked else bool(read)


def _next(name: str, facts: Mapping[str, Any], slots: dict[str, Any], errors: list[str], day: date,
          requested: str | None, opening: list[Reply] | None = None) -> FormStep:
    figures = figures_on(day)
    replies = list(opening or [])
    if errors:
        replies.append(Reply("utter_invalid_value", {**figures.values, "message": " ".join(errors)}))
    asked = missing(name, facts, day)
    if name == "pension" and asked == "income":
        rate = pension_rate(facts, day, figures)
        if not rate:  # under the minimum years the income does not matter
            return FormStep(slots, replies, None)
        if requested != "income":  # said once, when the income is first asked
            replies += rate
    return FormStep(slots, replies, SLOT_OF_FIELD.get(asked, asked) if asked else None)


def _opening(name: str, message: Message, facts: Mapping[str, Any], day: date) -> list[Reply]:
    """What the assistant says before its first question: that the case named allows a withdrawal,
    or the general contacts while the province is not known. (The rules answer a question about the
    contribution before its form starts: data/rules/calculations.yml.)"""
    figures = figures_on(day).values
    case = withdrawal_case_in(message.text) if name == "withdrawal" and not message.text.startswith("/") else None
    if case:
        return [Reply("utter_withdrawal_case_named", {**figures, "case_label": WITHDRAWAL_CASE_LABELS[case]})]
    if name == "contact" and facts.get("province") is None:
        return [Reply(GENERAL_CONTACTS, figures)]
    return []
