"""What the assistant answers to a classified message: which responses of the domain to send,
with which figures and buttons. Pure Python; actions/ only hands the result to Rasa."""
from __future__ import annotations

import string
from datetime import date
from typing import Any, Iterable, Mapping

from bot.dialogue import callback, scenarios
from bot.dialogue.advice import has_own_facts
from bot.dialogue.directory import office_replies
from bot.policy.figures import Figures, figures_on
from bot.dialogue.calculations import FLOW_SLOT, GENDER_LABELS, SLOT_OF_ENTITY, Reply, Step, ask_which_province, facts_of
from bot.policy.formatting import money, years_months
from bot.language.provinces import resolve_province
from bot.language.target_groups import groups
from bot.language.text import MAX_QUESTION_CHARS, clean_message, has_words

FALLBACK = "utter_nlu_fallback"
UNCERTAIN_NOTE = "utter_uncertain_note"
# Response name -> its variations as in domain.yml ({"text": ..., "buttons": ...}).
Responses = Mapping[str, list[dict[str, Any]]]

__all__ = ["MAX_QUESTION_CHARS", "Reply", "Step", "plan_answer"]


def plan_answer(
    intent: str | None,
    text: str | None,
    entities: Iterable[dict[str, Any]],
    responses: Responses,
    day: date,
    known: Mapping[str, Any] | None = None,
    conversation: callback.Conversation | None = None,
    desk: callback.LeadDesk | None = None,
) -> Step:
    """The replies to one user message, in order, and the slots to set. `known` holds the slots of
    the conversation: what the user said of themselves and the request in progress.
    `desk` stores callback requests (without one, the assistant offers the hotline instead)."""
    known = known or {}
    cleaned = clean_message(text, max_chars=MAX_QUESTION_CHARS + 1)
    if not has_words(cleaned):
        return Step([Reply("utter_empty_message")])
    if len(cleaned) > MAX_QUESTION_CHARS:
        return Step([Reply("utter_too_long")])
    entities = list(entities)
    flow = known.get(FLOW_SLOT)
    day_figures = figures_on(day)
    figures = day_figures.values
    if desk and conversation and callback.wants_withdrawal(cleaned):
        return callback.withdraw(conversation, desk)
    if desk and conversation and callback.wants_my_data(cleaned):
        return callback.my_data(conversation, desk, known, figures)
    if desk and conversation and flow == callback.CALLBACK:
        return callback.next_step(intent, cleaned, entities, known, figures, conversation, responses, desk)
    if desk and conversation and intent == "request_callback":
        return callback.start(figures)
    step = _with_scenario(intent, entities, _new_question(intent, entities, responses, day, known), known, day)
    return Step(_with_note(step.replies, responses, day_figures), step.slots)


def _facts_with(known: Mapping[str, Any], entities: list[dict[str, Any]]) -> dict[str, Any]:
    """The user's facts with this message's entities (as Rasa fills the slots from them)."""
    said = {SLOT_OF_ENTITY[e["entity"]]: e.get("value") for e in entities
            if e.get("entity") in SLOT_OF_ENTITY and e.get("value") is not None}
    return facts_of({**known, **said})


def _with_scenario(intent: str | None, entities: list[dict[str, Any]], step: Step, known: Mapping[str, Any],
                   day: date) -> Step:
    """The answer, then the scenario of a group the user just named, or the question which group
    they belong to. A message that only names the group gets the scenario alone."""
    named = [e.get("value") for e in entities if e.get("entity") == "target_group"]
    extra, slots = scenarios.follow_up(intent, named[-1] if named else None, known, day)
    only_the_group = intent == "inform" and all(e.get("entity") == "target_group" for e in entities)
    replies = extra if extra and only_the_group else step.replies + extra
    return Step(replies, {**step.slots, **slots})


def _new_question(intent: str | None, entities: list[dict[str, Any]], responses: Responses, day: date,
                  known: Mapping[str, Any]) -> Step:
    """The answer to a question (the calculations it may ask for are forms: data/rules/calculations.yml)."""
    figures = figures_on(day)
    if intent == "inform":
        return Step(_inform(entities, figures.values, has_own_facts(_facts_with(known, entities), day)))
    named = next((e for e in entities if e.get("entity") == "province"), None)
    match = resolve_province(str(named.get("text") or named.get("value"))) if named else None
    if intent == "ask_contact" and match and match.province:  # the office of the province named
        return Step(office_replies(match.province, figures, match.old_name))
    name = f"utter_{intent}" if f"utter_{intent}" in responses else FALLBACK
    return Step([Reply(part, figures.values) for part in _parts(name, responses)])


def _with_note(replies: list[Reply], responses: Responses, figures: Figures) -> list[Reply]:
    """The replies, plus one note when they quote a figure that is not certain."""
    if UNCERTAIN_NOTE not in {r.response for r in replies} and _quotes_uncertain_figures(replies, responses, figures):
        return replies + [Reply(UNCERTAIN_NOTE, figures.values)]
    return replies


def _quotes_uncertain_figures(replies: list[Reply], responses: Responses, figures: Figures) -> bool:
    used = {
        field
        for reply in replies
        for variation in responses.get(reply.response, [])
        for _, field, _, _ in string.Formatter().parse(variation.get("text", ""))
        if field
    }
    return bool(used & figures.uncertain)


def _parts(first: str, responses: Responses) -> list[str]:
    """utter_x followed by utter_x_2, utter_x_3... as far as the domain defines them."""
    names = [first]
    while f"{first}_{len(names) + 1}" in responses:
        names.append(f"{first}_{len(names) + 1}")
    return names


_DURATION_LABELS = {"compulsory_months": "đóng bắt buộc", "voluntary_months": "đóng tự nguyện",
                    "missing_months": "còn thiếu"}
ADVICE_BUTTON = {"title": "Tôi nên làm gì?", "payload": '/inform{"calculator": "situation"}'}


def _inform(entities: list[dict[str, Any]], figures: dict[str, str], own_facts: bool = False) -> list[Reply]:
    details: list[str] = []
    for e in entities:
        kind, value = e.get("entity"), e.get("value")
        if kind == "province":
            match = resolve_province(str(e.get("text") or value))
            if match is None:
                continue
            if match.province is None:
                return [ask_which_province(match, figures)]
            detail = f"{match.province.kind} {match.province.name}"
            if match.old_name:
                detail += f" (trước đây là {match.old_name})"
            details.append(detail)
        else:
            detail = _describe(kind, value)
            if detail:
                details.append(detail)
    if not details:
        return [Reply("utter_inform_unparsed", figures)]
    return [Reply("utter_inform", {**figures, "details": "; ".join(details)}, [ADVICE_BUTTON] if own_facts else [])]


def _describe(kind: str | None, value: Any) -> str | None:
    try:
        if kind == "person_name":
            return f"tên {value}"
        if kind == "phone":
            return f"số điện thoại {value}"
        if kind == "amount":
            return f"thu nhập {money(int(value))}"
        if kind == "age":
            return f"{int(value)} tuổi"
        if kind == "birth_year":
            return f"sinh năm {int(value)}"
        if kind == "birth_month":
            return f"sinh tháng {int(value)}"
        if kind == "gender" and value in GENDER_LABELS:
            return f"giới tính {GENDER_LABELS[value].lower()}"
        if kind == "duration_months":
            return f"thời gian {years_months(int(value))}"
        if kind in _DURATION_LABELS:
            return f"{_DURATION_LABELS[kind]} {years_months(int(value))}"
        if kind == "joined_year" and isinstance(value, int):
            return f"tham gia từ năm {value}"
        if kind == "target_group" and value in groups():
            return f"đối tượng {groups()[value].label}"
    except (TypeError, ValueError):  # a hand-typed payload entity with a wrong type
        return None
    return None
