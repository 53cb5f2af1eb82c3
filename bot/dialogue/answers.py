"""What the assistant answers to a classified message: which responses of the domain to send,
with which figures and buttons. Pure Python; actions/ only hands the result to Rasa."""
from __future__ import annotations

import string
from datetime import date
from typing import Any, Callable, Iterable, Mapping

from bot.dialogue import scenarios
from bot.dialogue.advice import has_own_facts, is_situation_question
from bot.policy.benefits import WITHDRAWAL_CASE_LABELS
from bot.dialogue.directory import office_replies
from bot.policy.figures import Figures, figures_on
from bot.dialogue.calculations import (ANSWERS_SLOT, FLOW_SLOT, FLOWS, GENDER_LABELS, SLOT_OF_ENTITY, Reply, Step, ask_which_province,
                       contribution_result, continue_flow, deceased_in, facts_of, reask, start_flow, withdrawal_case_in)
from bot.policy.formatting import money, years_months
from bot.language.provinces import resolve_province
from bot.language.target_groups import groups
from bot.language.text import MAX_QUESTION_CHARS, clean_message, has_words

FALLBACK = "utter_nlu_fallback"
UNCERTAIN_NOTE = "utter_uncertain_note"
# During a calculation, a message is read as an answer when it is short or classified as one of
# these; a longer question ("thu nhập 5 triệu đóng bao nhiêu") is answered as a new question.
_NOT_A_NEW_QUESTION = {None, "inform", "affirm", "deny", "nlu_fallback", "out_of_scope"}
SHORT_ANSWER_WORDS = 4
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
    before: Mapping[str, Any] | None = None,
) -> Step:
    """The replies to one user message, in order, and the slots to set. `known` holds the slots of
    the conversation: what the user said of themselves and the calculation in progress.
    `before` holds the user's own slots as they were before this message (Rasa fills them from its
    entities before the action runs): a calculation reads an answer against the question it asked."""
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
    answers_flow = flow and (intent in _NOT_A_NEW_QUESTION or len(cleaned.split()) <= SHORT_ANSWER_WORDS)
    step = continue_flow(flow, entities, cleaned, known, day, intent, before) if answers_flow else None
    if step is None and is_situation_question(intent, cleaned, _facts_with(known, entities), day):
        step = start_flow("situation", entities, cleaned, known, day, intent=intent, before=before)
    if step is None and flow and intent in _NOT_A_NEW_QUESTION:
        step = reask(flow, known, day)
    if step is None:
        step = _with_scenario(intent, entities, _new_question(intent, cleaned, entities, responses, day, known, before),
                              known, day)
        if flow and FLOW_SLOT not in step.slots:
            step.slots.update({FLOW_SLOT: None, ANSWERS_SLOT: None})  # the user moved on to another question
    return Step(_with_note(step.replies, responses, day_figures), step.slots)


def _facts_with(known: Mapping[str, Any], entities: list[dict[str, Any]]) -> dict[str, Any]:
    """The user's facts with this message's entities (as Rasa fills the slots from them)."""
    said = {SLOT_OF_ENTITY[e["entity"]]: e.get("value") for e in entities
            if e.get("entity") in SLOT_OF_ENTITY and e.get("value") is not None}
    return facts_of({**known, **said, ANSWERS_SLOT: None})


def _with_scenario(intent: str | None, entities: list[dict[str, Any]], step: Step, known: Mapping[str, Any],
                   day: date) -> Step:
    """The answer, then the scenario of a group the user just named, or the question which group
    they belong to. A message that only names the group gets the scenario alone."""
    named = [e.get("value") for e in entities if e.get("entity") == "target_group"]
    extra, slots = scenarios.follow_up(intent, named[-1] if named else None, known, day)
    only_the_group = intent == "inform" and all(e.get("entity") == "target_group" for e in entities)
    replies = extra if extra and only_the_group else step.replies + extra
    return Step(replies, {**step.slots, **slots})


# Entities that mean the user gave the figures of a calculation along with the question.
_YEARS_SAID = {"duration_months", "missing_months", "compulsory_months", "voluntary_months"}


def _new_question(intent: str | None, text: str, entities: list[dict[str, Any]], responses: Responses,
                  day: date, known: Mapping[str, Any], before: Mapping[str, Any] | None = None) -> Step:
    figures = figures_on(day)
    said = {e.get("entity"): e.get("value") for e in reversed(entities)}

    def start(name: str, opening: list[Reply] | None = None) -> Step:
        return start_flow(name, entities, text, known, day, opening, intent, before)

    general = [Reply(name, figures.values) for name in _parts(f"utter_{intent}", responses)] \
        if f"utter_{intent}" in responses else []
    if said.get("calculator") in FLOWS:  # a button under an answer
        return start(said["calculator"])
    if intent == "inform":
        return Step(_inform(entities, figures.values, has_own_facts(_facts_with(known, entities), day)))
    if intent == "ask_contribution" and isinstance(said.get("amount"), int):
        return Step(contribution_result(said["amount"], [said.get("target_group") or known.get("target_group")], day))
    if intent == "ask_contribution":
        return start("contribution", [Reply("utter_ask_contribution", figures.values)])
    if intent in ("ask_pension", "ask_retirement_age"):
        if "birth_year" in said:
            return start("retirement")
        if intent == "ask_pension" and said.keys() & (_YEARS_SAID | {"amount"}):
            return start("pension")
    if intent == "ask_contact":
        return _contact(entities, known, figures, start)
    if intent == "ask_make_up_payment" and said.keys() & _YEARS_SAID:
        return start("make_up", general[:1])
    case = withdrawal_case_in(text) if intent == "ask_lump_sum" else None
    if case:
        return start("withdrawal", [Reply("utter_withdrawal_case_named",
                                          {**figures.values, "case_label": WITHDRAWAL_CASE_LABELS[case]})])
    if intent == "ask_lump_sum" and said.keys() & (_YEARS_SAID | {"amount"}):
        return start("withdrawal")
    if intent == "ask_survivor" and (said.keys() & (_YEARS_SAID | {"amount"}) or deceased_in(text)):
        return start("survivor")
    return Step(general or [Reply(name, figures.values) for name in _parts(FALLBACK, responses)])


def _contact(entities: list[dict[str, Any]], known: Mapping[str, Any], figures: Figures,
             start: Callable[..., Step]) -> Step:
    """The office of the province named now (its old name said back) or earlier, else the general
    contacts and the question which province."""
    named = next((e for e in entities if e.get("entity") == "province"), None)
    match = resolve_province(str(named.get("text") or named.get("value"))) if named else None
    if match and match.province and match.old_name:
        return Step(office_replies(match.province, figures, match.old_name))
    return start("contact", [Reply("utter_ask_contact", figures.values)] if not (named or known.get("province")) else [])


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
