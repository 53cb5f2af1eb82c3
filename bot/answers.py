"""What the assistant answers to a classified message: which responses of the domain to send,
with which figures and buttons. Pure Python; actions/ only hands the result to Rasa."""
from __future__ import annotations

import json
import string
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Iterable, Mapping

from bot.calculators import SUPPORT_GROUP_LABELS, InvalidInput, contribution
from bot.figures import Figures, figures_on
from bot.formatting import money, years_months
from bot.provinces import resolve_province
from bot.target_groups import groups
from bot.text import clean_message, has_words

# A message longer than this is a paste, not a question; the classifier's guess would be noise.
MAX_QUESTION_CHARS = 1000
FALLBACK = "utter_nlu_fallback"
UNCERTAIN_NOTE = "utter_uncertain_note"
# Response name -> its variations as in domain.yml ({"text": ..., "buttons": ...}).
Responses = Mapping[str, list[dict[str, Any]]]


@dataclass(frozen=True)
class Reply:
    response: str
    variables: dict[str, str] = field(default_factory=dict)
    buttons: list[dict[str, str]] = field(default_factory=list)


def plan_answer(
    intent: str | None,
    text: str | None,
    entities: Iterable[dict[str, Any]],
    responses: Responses,
    day: date,
    target_group: str | None = None,
) -> list[Reply]:
    """The replies to one user message, in order. `target_group` is what the user said of
    themselves earlier in the conversation, if anything."""
    cleaned = clean_message(text, max_chars=MAX_QUESTION_CHARS + 1)
    if not has_words(cleaned):
        return [Reply("utter_empty_message")]
    if len(cleaned) > MAX_QUESTION_CHARS:
        return [Reply("utter_too_long")]
    figures = figures_on(day)
    entities = list(entities)
    if intent == "inform":
        return _inform(entities, figures.values)
    incomes = [e["value"] for e in entities if e.get("entity") == "amount" and isinstance(e.get("value"), int)]
    if intent == "ask_contribution" and incomes:
        said_groups = [e["value"] for e in entities if e.get("entity") == "target_group"]
        return _contribution(incomes[0], said_groups or [target_group], day, figures)
    first = f"utter_{intent}" if f"utter_{intent}" in responses else FALLBACK
    replies = [Reply(name, figures.values) for name in _parts(first, responses)]
    if _quotes_uncertain_figures(replies, responses, figures):
        replies.append(Reply(UNCERTAIN_NOTE, figures.values))
    return replies


def _contribution(income: int, target_groups: list[str | None], day: date, figures: Figures) -> list[Reply]:
    """The user's own contribution for the income they gave, for every payment period."""
    known = groups()
    support_groups = [known[g].support for g in target_groups if g in known] or ["other"]
    try:
        results = {period: contribution(income, support_groups, period, day) for period in (1, 3, 6, 12)}
    except InvalidInput as error:
        return [Reply("utter_income_out_of_range", {**figures.values, "message": error.message})]
    monthly = results[1]
    variables = {
        **figures.values,
        "income": money(income),
        "gross": money(monthly.gross_monthly),
        "support": money(monthly.support_monthly),
        "support_label": SUPPORT_GROUP_LABELS[monthly.support_group],
        "net": money(monthly.net_monthly),
        "net_quarter": money(results[3].net_period),
        "net_half_year": money(results[6].net_period),
        "net_year": money(results[12].net_period),
    }
    replies = [Reply("utter_contribution_result", variables)]
    if not monthly.certain:
        replies.append(Reply(UNCERTAIN_NOTE, figures.values))
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


def _inform(entities: list[dict[str, Any]], figures: dict[str, str]) -> list[Reply]:
    details: list[str] = []
    for e in entities:
        kind, value = e.get("entity"), e.get("value")
        if kind == "province":
            match = resolve_province(str(e.get("text") or value))
            if match is None:
                continue
            if match.province is None:
                return [_ask_which_province(match.said, [p.name for p in match.candidates], figures)]
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
    return [Reply("utter_inform", {**figures, "details": "; ".join(details)})]


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
        if kind == "duration_months":
            return f"thời gian {years_months(int(value))}"
        if kind == "target_group" and value in groups():
            return f"đối tượng {groups()[value].label}"
    except (TypeError, ValueError):  # a hand-typed payload entity with a wrong type
        return None
    return None


def _ask_which_province(said: str, options: list[str], figures: dict[str, str]) -> Reply:
    buttons = [
        {"title": name, "payload": "/inform" + json.dumps({"province": name}, ensure_ascii=False)}
        for name in options
    ]
    return Reply("utter_ask_which_province", {**figures, "said": said, "options": " hay ".join(options)}, buttons)
