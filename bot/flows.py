"""Calculations over several turns: the assistant asks, one question at a time, only for what a
calculator still needs, reusing what the user said earlier, re-asks a wrong value with the reason,
and leaves the calculation when the user says "thôi"/"hủy" or asks about something else.

The state is plain data kept in Rasa slots: `flow` (the calculation in progress, or None) and the
facts the user gave (FACTS). Pure Python; bot.answers calls `continue_flow` / `start_flow`.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Mapping

from bot.language.amounts import MILLION
from bot.policy.calculators import (SUPPORT_GROUP_LABELS, InvalidInput, average_income_range, contribution,
                                    income_range, pension, retirement)
from bot.policy.figures import Figures, figures_on
from bot.policy.formatting import age, millions, money, percent, years_months
from bot.policy.rules import params_on
from bot.language.provinces import ProvinceMatch
from bot.language.target_groups import groups
from bot.language.text import fold

# Slots that hold what the user told about themselves (filled by Rasa from entities, or by a flow).
FACTS = ("income", "target_group", "gender", "birth_year", "birth_month", "contribution_months")
FLOW_SLOT = "flow"
CALLBACK = "callback"  # the flow slot while a callback request is in progress (bot/callback.py)
# What each calculation needs, in the order it is asked.
FLOW_FIELDS = {
    "contribution": ("income", "target_group"),
    "pension": ("gender", "contribution_months", "income"),
    "retirement": ("gender", "birth_year", "birth_month"),
}
# Income levels offered as buttons besides the floor in force (UI choices of the issue, not policy).
SUGGESTED_INCOMES = (3 * MILLION, 5 * MILLION, 10 * MILLION)
GENDER_LABELS = {"male": "Nam", "female": "Nữ"}
# "thôi", "hủy", "thôi không cần nữa ạ": a cancel word and nothing but filler words ("bỏ qua" skips a
# question of the callback request instead).
_CANCEL = re.compile(r"^\W*(?:thoi|huy|huy bo|dung lai|khoi|stop|cancel|khong can nua|khong tinh nua)"
                     r"(?:\W+(?:a|nhe|nha|em|di|ban|oi|khong|can|nua|tinh|thoi|vay|roi|ok|cam|on|minh|toi|huy))*\W*$")
# A "tháng/năm" answer to the birth question: "1/1966", "tháng 1 năm 1966", "01-1966".
_MONTH_YEAR = re.compile(r"(?:thang\s*)?\b(?P<month>1[0-2]|0?[1-9])\s*(?:[/.-]|nam)\s*(?P<year>19\d\d|20[0-2]\d)\b")
_YEAR = re.compile(r"\b(?P<year>19\d\d|20[0-2]\d)\b")
_MONTH = re.compile(r"^\D*(?:thang\s*)?\b(?P<month>1[0-2]|0?[1-9])\b\D*$")
_NUMBER = re.compile(r"^\D*\b(?P<n>\d{1,2}(?:[.,]5)?)\b\D*$")
_OTHER_GROUP = re.compile(r"\b(?:khac|khong|ko|khong thuoc|binh thuong)\b")


@dataclass(frozen=True)
class Reply:
    response: str
    variables: dict[str, str] = field(default_factory=dict)
    buttons: list[dict[str, str]] = field(default_factory=list)


@dataclass(frozen=True)
class Step:
    """The replies to one message and the slots to set (None clears a slot)."""

    replies: list[Reply]
    slots: dict[str, Any] = field(default_factory=dict)


def ask_which_province(match: ProvinceMatch, figures: dict[str, str]) -> Reply:
    """The user named an ambiguous place ("ĐN"): one button per province it may mean."""
    names = [p.name for p in match.candidates]
    buttons = [{"title": n, "payload": "/inform" + json.dumps({"province": n}, ensure_ascii=False)} for n in names]
    return Reply("utter_ask_which_province", {**figures, "said": match.said, "options": " hay ".join(names)}, buttons)


def is_cancel(text: str) -> bool:
    return bool(_CANCEL.match(fold(text)))


def start_flow(name: str, entities: list[dict[str, Any]], text: str, known: Mapping[str, Any], day: date,
               opening: list[Reply] | None = None) -> Step:
    """Begin a calculation with what the user already said (earlier slots and this message)."""
    facts = {k: known.get(k) for k in FACTS}
    slots: dict[str, Any] = {}
    errors: list[str] = []
    _take(name, None, entities, text, facts, slots, errors, day)
    return _advance(name, facts, slots, errors, day, opening or [])


def continue_flow(name: str, entities: list[dict[str, Any]], text: str, known: Mapping[str, Any], day: date) -> Step | None:
    """The next step of a calculation in progress, or None when the message does not answer it
    (the caller then treats it as a new question)."""
    if is_cancel(text):
        return Step([Reply("utter_flow_cancelled", figures_on(day).values)], {FLOW_SLOT: None})
    facts = {k: known.get(k) for k in FACTS}
    asked = _missing(name, facts, day)
    slots: dict[str, Any] = {}
    errors: list[str] = []
    if not _take(name, asked, entities, text, facts, slots, errors, day) and not errors:
        return None
    return _advance(name, facts, slots, errors, day, [])


def reask(name: str, known: Mapping[str, Any], day: date) -> Step:
    """The current question again, after a message that did not answer it."""
    facts = {k: known.get(k) for k in FACTS}
    asked = _missing(name, facts, day) or FLOW_FIELDS[name][0]
    figures = figures_on(day)
    return Step([Reply("utter_flow_not_understood", figures.values), _question(name, asked, facts, figures, day)])


def _take(name: str, asked: str | None, entities: list[dict[str, Any]], text: str, facts: dict[str, Any],
          slots: dict[str, Any], errors: list[str], day: date) -> bool:
    """Read the values this flow needs from the message into `facts`/`slots`; a value the law does
    not allow is cleared and explained in `errors`. True when something was read."""
    found = _values(entities, text, asked)
    read = False
    for key in FLOW_FIELDS[name]:
        if key not in found:
            continue
        read = True
        value, problem = _validate(key, found[key], name, day)
        facts[key] = slots[key] = value
        if problem:
            errors.append(problem)
    return read


def _values(entities: list[dict[str, Any]], text: str, asked: str | None) -> dict[str, Any]:
    """Values in the message: its entities, plus a bare answer to the question asked ("20", "1966")."""
    by_kind: dict[str, Any] = {}
    for e in entities:
        by_kind.setdefault(e.get("entity"), e.get("value"))
    found: dict[str, Any] = {}
    if isinstance(by_kind.get("amount"), (int, float)):
        found["income"] = int(by_kind["amount"])
    if by_kind.get("target_group"):
        found["target_group"] = by_kind["target_group"]
    if by_kind.get("gender") in GENDER_LABELS:
        found["gender"] = by_kind["gender"]
    if isinstance(by_kind.get("duration_months"), int):
        found["contribution_months"] = by_kind["duration_months"]
    for key in ("birth_year", "birth_month"):
        if isinstance(by_kind.get(key), int):
            found[key] = by_kind[key]
    if found:  # a bare number is read only when nothing else was (Rasa has already filled the
        return found  # slots from this message's entities, so `asked` may be the next question)
    folded = fold(text)
    if asked == "income":
        bare = _NUMBER.match(folded)
        if bare:  # "5" in answer to the income question means 5 triệu
            found["income"] = int(float(bare["n"].replace(",", ".")) * MILLION)
    elif asked == "target_group" and _OTHER_GROUP.search(folded):
        found["target_group"] = "other"
    elif asked == "contribution_months":
        bare = _NUMBER.match(folded)
        if bare:  # "20" in answer to the years question means 20 years
            found["contribution_months"] = round(float(bare["n"].replace(",", ".")) * 12)
    elif asked in ("birth_year", "birth_month"):
        m = _MONTH_YEAR.search(folded) or _YEAR.search(folded)
        if m:
            found["birth_year"] = int(m["year"])
            if "month" in m.groupdict() and m["month"]:
                found["birth_month"] = int(m["month"])
        elif asked == "birth_month" and (m := _MONTH.match(folded)):
            found["birth_month"] = int(m["month"])
    return found


def _validate(key: str, value: Any, flow: str, day: date) -> tuple[Any, str | None]:
    """(value, None) when the law allows it, else (None, a polite reason)."""
    p = params_on(day)
    if key == "income":  # the pension takes the career's average, which may be below today's floor
        floor, ceiling = income_range(p) if flow == "contribution" else average_income_range(p)
        if not floor <= value <= ceiling:
            what = "Mức thu nhập chọn để đóng" if flow == "contribution" else "Bình quân thu nhập làm căn cứ đóng"
            return None, f"{what} phải từ {money(floor)} đến {money(ceiling)} một tháng."
    elif key == "contribution_months" and not 1 <= value <= 60 * 12:
        return None, "Số năm đóng phải lớn hơn 0 và không quá 60 năm."
    elif key == "birth_year" and not day.year - 100 <= value <= day.year - p.value("min_join_age"):
        return None, f"Năm sinh {value} chưa đúng, anh/chị kiểm tra lại giúp em."
    elif key == "birth_month" and not 1 <= value <= 12:
        return None, "Tháng sinh phải từ 1 đến 12."
    elif key == "target_group" and value != "other" and value not in groups():
        return None, None
    return value, None


def _missing(name: str, facts: Mapping[str, Any], day: date) -> str | None:
    for key in FLOW_FIELDS[name]:
        if facts.get(key) is None or _validate(key, facts[key], name, day)[1]:
            return key
    return None


def _advance(name: str, facts: dict[str, Any], slots: dict[str, Any], errors: list[str], day: date,
             opening: list[Reply]) -> Step:
    figures = figures_on(day)
    replies = list(opening)
    if errors:
        replies.append(Reply("utter_invalid_value", {**figures.values, "message": " ".join(errors)}))
    asked = _missing(name, facts, day)
    if asked is None:
        return Step(replies + RESULTS[name](facts, day, figures), {**slots, FLOW_SLOT: None})
    if name == "pension" and asked == "income":
        rate = _pension_rate(facts, day, figures)
        if not rate:  # under the minimum years the income does not matter
            return Step(replies + _pension(facts, day, figures), {**slots, FLOW_SLOT: None})
        replies += rate
    return Step(replies + [_question(name, asked, facts, figures, day)], {**slots, FLOW_SLOT: name})


def _question(flow: str, asked: str, facts: Mapping[str, Any], figures: Figures, day: date) -> Reply:
    if asked == "income":
        response = "utter_ask_income" if flow == "contribution" else "utter_ask_average_income"
        return Reply(response, figures.values, income_buttons(day))
    if asked == "birth_month":
        return Reply("utter_ask_birth_month", {**figures.values, "birth_year": str(facts["birth_year"])})
    return Reply(f"utter_ask_{asked}", figures.values)


def income_buttons(day: date) -> list[dict[str, str]]:
    """The floor in force and the suggested levels within the allowed range."""
    floor, ceiling = income_range(params_on(day))
    levels = [floor] + [x for x in SUGGESTED_INCOMES if floor < x <= ceiling]
    return [
        {"title": ("Thấp nhất " if x == floor else "") + millions(x), "payload": f'/inform{{"amount": {x}}}'}
        for x in levels
    ]


def contribution_result(income: int, target_groups: list[str | None], day: date) -> list[Reply]:
    """The user's own contribution for the income they gave, for every payment period."""
    figures = figures_on(day)
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
        replies.append(Reply("utter_uncertain_note", figures.values))
    return replies


def _contribution(facts: Mapping[str, Any], day: date, figures: Figures) -> list[Reply]:
    return contribution_result(int(facts["income"]), [facts.get("target_group")], day)


def _pension_variables(facts: Mapping[str, Any], day: date, figures: Figures) -> dict[str, str]:
    months = int(facts["contribution_months"])
    return {**figures.values, "gender_label": GENDER_LABELS[facts["gender"]], "duration": years_months(months)}


def _pension_rate(facts: Mapping[str, Any], day: date, figures: Figures) -> list[Reply]:
    """Once gender and years are known, the rate alone (it does not depend on the income)."""
    result = pension(facts["gender"], int(facts["contribution_months"]), 0, day)
    if not result.eligible:
        return []
    return [Reply("utter_pension_rate", {**_pension_variables(facts, day, figures),
                                         "counted_years": _years(result.counted_years), "rate": percent(result.rate)})]


def _pension(facts: Mapping[str, Any], day: date, figures: Figures) -> list[Reply]:
    months, income = int(facts["contribution_months"]), int(facts.get("income") or 0)
    result = pension(facts["gender"], months, income, day)
    variables = {**_pension_variables(facts, day, figures), "sources": "; ".join(result.sources)}
    if not result.eligible:
        return [Reply("utter_pension_short", {**variables, "missing": years_months(result.missing_months)})]
    extra = f"\n• Trợ cấp một lần khi nghỉ hưu: {money(result.extra_one_time)}" if result.extra_one_time else ""
    variables.update(counted_years=_years(result.counted_years), rate=percent(result.rate),
                     monthly=money(result.monthly), income=money(income), extra=extra)
    return [Reply("utter_pension_result", variables), Reply("utter_estimate_note", figures.values)]


def _retirement(facts: Mapping[str, Any], day: date, figures: Figures) -> list[Reply]:
    result = retirement(facts["gender"], int(facts["birth_year"]), int(facts["birth_month"]), day)
    return [Reply("utter_retirement_result", {
        **figures.values,
        "gender_label": GENDER_LABELS[facts["gender"]],
        "birth": f'{int(facts["birth_month"])}/{int(facts["birth_year"])}',
        "retirement_age": age(result.age_months),
        "reached": f"{result.reached.month}/{result.reached.year}",
        "pension_from": f"{result.pension_from.month}/{result.pension_from.year}",
        "src_retirement_age": result.source,
    })]


def _years(value: float) -> str:
    """20.0 -> '20'; 20.5 -> '20,5'."""
    return f"{value:g}".replace(".", ",")


RESULTS = {"contribution": _contribution, "pension": _pension, "retirement": _retirement}
