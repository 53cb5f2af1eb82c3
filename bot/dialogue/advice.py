"""'My situation' in the dialogue: when a person who has told the assistant about themselves asks
"thì sao", "có được không", "nên làm gì"..., the answer is bot.policy.situation.assess on their facts,
told in the domain's responses: where they stand (entitled now, later, or short of years), the
routes the law opens to them with their figures, the legal sources and what was assumed.

Pure functions: `is_situation_question(intent, text, facts, day)` and
`situation_replies(facts, day, figures)`; the situation form asks for a missing fact first (bot.dialogue.forms)."""
from __future__ import annotations

import re
from datetime import date
from typing import Any, Mapping

from bot.policy.calculators import add_months, pension_rule
from bot.dialogue.facts import BEFORE_TRANSITION, FROM_TRANSITION, joined_year, total_months
from bot.policy.figures import UNCERTAIN_MARK, Figures
from bot.policy.formatting import money, percent, years_months
from bot.policy.notes import NOTES
from bot.policy.rules import compact_sources, params_on
from bot.dialogue.replies import GENDER_LABELS, Reply
from bot.policy.situation import Facts, Situation, assess
from bot.language.text import fold

# Words that ask what the facts mean for the person: "thì sao", "có được không", "nên làm gì",
# "được nhận lương hưu chưa", "bao giờ được lương hưu", "có nên đóng tiếp không"; or a yes/no
# question ending in "không"/"chưa". Fixed words, one pass: linear on any input.
_QUESTION = re.compile(
    r"\bthi\s+sao\b|\bthe\s+nao\b|\blam\s+sao\b|\b(?:nen|phai|can)\s+lam\s+gi\b|\bco\s+duoc\s+khong\b"
    r"|\bduoc\s+(?:khong|chua)\b|\bco\s+nen\b|\bnen\s+(?:dong|tiep|tham gia|rut)\b"
    r"|\b(?:bao\s+gio|khi\s+nao|luc\s+nao)\b|\b(?:khong|chua)\W*$"
)
# Asking for advice outright ("nên làm gì", "có nên đóng tiếp không"): the personal answer even
# before any fact is known (the flow then asks for them).
_ADVICE = re.compile(r"\b(?:nen|phai)\s+lam\s+gi\b|\bnen\s+dong\s+tiep\b|\btruong\s+hop\s+cua\s+(?:toi|minh|em)\b")
# Which messages with that wording get the personal answer, by intent: a statement or an unclear
# message when the user has said anything of themselves; a question about the pension or the
# make-up payment when they said their age, birth or career (years alone may be a general question:
# "nam đóng 12 năm thì có lương hưu không" is answered by the pension calculation); other topics
# only when both the years paid and the age are known. A plain request for advice (_ADVICE) needs no
# fact yet.
_ANY_FACT = frozenset({"inform", "nlu_fallback", "out_of_scope"})
_ABOUT_SELF = frozenset({"ask_pension", "ask_make_up_payment"})
_BOTH = frozenset({"ask_retirement_age", "ask_eligibility", "ask_benefits", "ask_pause", "ask_contribution",
                   "ask_overview"})
_SELF_FACTS = ("age", "birth_year", "compulsory_months", "voluntary_months", "joined_voluntary_year")
# Notes shown under "what was assumed" (the others are said in the options' own messages).
_ASSUMED = ("paying_monthly_from_now", "total_is_compulsory", "compulsory_other_rules",
            "transitional_join_unknown", "income_ignored", "make_up_support_unsettled")
# The buttons under the answer, by option.
_BUTTONS = {
    "make_up": {"title": "Tính tiền đóng bù", "payload": '/ask_make_up_payment{"calculator": "make_up"}'},
    "monthly_allowance": {"title": "Trợ cấp hằng tháng", "payload": '/ask_pension{"calculator": "allowance"}'},
    "pension": {"title": "Tính lương hưu", "payload": '/ask_pension{"calculator": "pension"}'},
    "callback": {"title": "Nhờ cán bộ tư vấn", "payload": "/request_callback"},
}


def is_situation_question(intent: str | None, text: str, facts: Mapping[str, Any], day: date) -> bool:
    """Whether the message asks what the user's own facts mean for them (see _QUESTION)."""
    about_self = any(facts.get(k) is not None for k in _SELF_FACTS)
    paid = total_months(facts, day) is not None
    folded = fold(text)
    if intent in _ANY_FACT:
        relevant = about_self or paid or bool(_ADVICE.search(folded))
    elif intent in _ABOUT_SELF:
        relevant = about_self
    elif intent in _BOTH:
        relevant = about_self and paid
    else:
        relevant = False
    return relevant and bool(_QUESTION.search(folded))


def has_own_facts(facts: Mapping[str, Any], day: date) -> bool:
    return any(facts.get(k) is not None for k in _SELF_FACTS) or total_months(facts, day) is not None


def assess_facts(facts: Mapping[str, Any], day: date) -> Situation:
    gender = facts.get("gender") if facts.get("gender") in GENDER_LABELS else None
    return assess(Facts(gender=gender, age=facts.get("age"), birth_year=facts.get("birth_year"),
                        birth_month=facts.get("birth_month"), contribution_months=total_months(facts, day),
                        compulsory_months=facts.get("compulsory_months"),
                        joined_voluntary_year=joined_year(facts.get("joined_voluntary_year"), day),
                        income=facts.get("income"), target_group=facts.get("target_group")), day)


def situation_replies(facts: Mapping[str, Any], day: date, figures: Figures) -> list[Reply]:
    """The personal answer, in short messages: where the person stands, each route open to them,
    the sources, and what was assumed."""
    s = assess_facts(facts, day)
    v = {**figures.values, **s.formatted, "facts": _said(facts, s, day),
         "situation_sources": compact_sources(s.sources)}
    uncertain = [name for name, part in (("make_up_cost", s.make_up), ("keep_paying_net", s.keep_paying))
                 if part is not None and not part.certain]
    for name in uncertain:  # a figure resting on a row of confidence M or L (bot/policy/figures.py)
        v[name] += UNCERTAIN_MARK
    if "monthly" in s.formatted:
        v["income"] = money(facts["income"])
    replies = [Reply(_status_response(s), v)]
    if s.pension and s.pension.eligible:
        v.update(rate_detail=_rate_detail(facts["gender"], s.pension.counted_years, day))
        replies.append(Reply("utter_situation_pension_amount" if "monthly" in s.formatted
                             else "utter_situation_pension_rate", v))
    for option in s.options:
        replies += _option(option, s, v)
    if s.retirement and not s.retirement.exact:
        replies.append(Reply("utter_situation_birth_range" if facts.get("age") is None
                             else "utter_situation_age_only", {**v, "born": _born(s)}))
    assumed = [NOTES[n] for n in s.notes if n in _ASSUMED]
    if assumed:
        replies.append(Reply("utter_calc_assumed", {**v, "assumed": "\n".join(f"• {a}" for a in assumed)}))
    buttons = [_BUTTONS[o] for o in s.options if o in _BUTTONS and o != "pension"] + [_BUTTONS["callback"]]
    shown = {r.response for r in replies}
    if {"utter_situation_make_up_now", "utter_situation_make_up_later"} & shown and "make_up_cost" in uncertain or \
            "utter_situation_keep_paying" in shown and "keep_paying_net" in uncertain:
        replies.append(Reply("utter_uncertain_note", figures.values))
    return replies + [Reply("utter_situation_sources", v, buttons)]


def _status_response(s: Situation) -> str:
    transitional = s.rule == "transitional"
    if s.status == "entitled_now":
        return "utter_situation_transitional_now" if transitional else "utter_situation_entitled_now"
    if s.status == "entitled_now_or_soon":
        return "utter_situation_transitional_soon" if transitional else "utter_situation_now_or_soon"
    if s.status == "entitled_later":
        return "utter_situation_transitional_later" if transitional else "utter_situation_later"
    reached = s.retirement.general_reached if s.retirement else None
    return {True: "utter_situation_short_reached", False: "utter_situation_short",
            None: "utter_situation_short_maybe_reached"}[reached]


def _option(option: str, s: Situation, v: dict[str, str]) -> list[Reply]:
    if option == "make_up" and s.make_up:
        months = {"make_up_months": str(s.make_up.missing_months)}
        return [Reply("utter_situation_make_up_now" if s.make_up_open_now else "utter_situation_make_up_later",
                      {**v, **months})]
    if option == "keep_paying" and s.keep_paying and s.fifteen_years_by:
        return [Reply("utter_situation_keep_paying", v)]
    if option == "monthly_allowance" and s.allowance:
        return [Reply("utter_situation_allowance", v)]
    if option == "withdrawal" and s.withdrawal_case:
        return [Reply("utter_situation_withdrawal", v)]
    return []


def _said(facts: Mapping[str, Any], s: Situation, day: date) -> str:
    """What the answer is based on, as the user said it: "nữ, 57 tuổi, đã đóng 10 năm"."""
    parts = []
    if facts.get("gender") in GENDER_LABELS:
        parts.append(GENDER_LABELS[facts["gender"]].lower())
    if facts.get("birth_year") and facts.get("birth_month"):
        parts.append(f"sinh tháng {facts['birth_month']}/{facts['birth_year']}")
    elif facts.get("birth_year"):
        parts.append(f"sinh năm {facts['birth_year']}")
    elif facts.get("age") is not None:
        parts.append(f"{facts['age']} tuổi")
    joined = facts.get("joined_voluntary_year")
    start = params_on(day).value("transitional_retirement")["joined_before"]
    if isinstance(joined, int):
        parts.append(f"tham gia BHXH tự nguyện từ năm {joined}")
    elif joined in (BEFORE_TRANSITION, FROM_TRANSITION):
        side = "trước" if joined == BEFORE_TRANSITION else "từ"
        parts.append(f"tham gia BHXH tự nguyện {side} ngày {start.day}/{start.month}/{start.year}")
    if s.contribution_months is not None:
        paid = f"đã đóng {years_months(s.contribution_months)}" if s.contribution_months else "chưa đóng"
        if facts.get("compulsory_months"):
            paid += f" (trong đó {years_months(facts['compulsory_months'])} bắt buộc)"
        parts.append(paid)
    return ", ".join(parts)


def _rate_detail(gender: str, years: float, day: date) -> str:
    """How the rate is made: "45% + 7 × 2%", or the maximum."""
    rules = params_on(day).value("pension_rate")
    rule = pension_rule(rules, gender, years)
    extra = years - rule["base_years"]
    if rule["base"] + rule["step"] * extra >= rules["max"]:
        return f"mức tối đa {percent(rules['max'])}"
    if not extra:
        return f"{percent(rule['base'])} cho {rule['base_years']} năm"
    return f"{percent(rule['base'])} cho {rule['base_years']} năm + {extra:g} × {percent(rule['step'])}".replace(".", ",")


def _born(s: Situation) -> str:
    """The months of birth the facts allow: "11/1968 – 11/1969"."""
    first, last = (add_months(r.general_reached, -r.general_age_months)
                   for r in (s.retirement.earliest, s.retirement.latest))
    return f"{first.month}/{first.year} – {last.month}/{last.year}"

