"""What each calculation asks and how an answer is read: the fields a calculator needs (FIELDS, or
`_fields` where the next question depends on an answer), the readers of a reply ("20" to the years
question is 20 years), the checks of the law on each value with a polite reason, and the questions.

Each field is a Rasa slot: the facts the user gives about themselves (FACTS, filled by Rasa from
entities and kept for later questions) and the answers of one calculation (the case of a
withdrawal, the figures of a person who died), which the form resets when it ends. Pure Python:
bot.dialogue.forms drives the Rasa forms with these parts, bot.dialogue.results gives the results.
"""
from __future__ import annotations

import json
import re
from datetime import date
from typing import Any, Mapping

from bot.dialogue import advice
from bot.dialogue.facts import BEFORE_TRANSITION, FROM_TRANSITION, JOINED_UNKNOWN, NOT_JOINED, total_months
from bot.dialogue.replies import Reply
from bot.language.amounts import MILLION
from bot.language.provinces import ProvinceMatch, province_by_name, resolve_province
from bot.language.target_groups import groups
from bot.language.text import fold
from bot.policy.benefits import WITHDRAWAL_CASES
from bot.policy.calculators import average_income_range, income_range
from bot.policy.figures import figures_on
from bot.policy.formatting import millions, money, years_months
from bot.policy.rules import params_on

__all__ = ["Reply"]

# Slots that hold what the user told about themselves (filled by Rasa from entities, or by a form).
FACTS = ("income", "target_group", "gender", "birth_year", "birth_month", "contribution_months", "age",
         "compulsory_months", "voluntary_months", "missing_months", "joined_voluntary_year")
# The slot of the calculation or callback request in progress before they were forms (conversations
# stored then: bot/training/review.py).
FLOW_SLOT = "flow"
CALLBACK = "callback"
# The slot Rasa fills from each entity (the from_entity mappings of domain.yml).
SLOT_OF_ENTITY = {"amount": "income", "target_group": "target_group", "gender": "gender",
                  "birth_year": "birth_year", "birth_month": "birth_month", "duration_months": "contribution_months",
                  "age": "age", "compulsory_months": "compulsory_months", "voluntary_months": "voluntary_months",
                  "missing_months": "missing_months", "joined_year": "joined_voluntary_year", "province": "province"}
OWN = frozenset(SLOT_OF_ENTITY.values())  # the user's own slots; the other fields belong to one calculation
# What each calculation needs, in the order it is asked ("birth": an age or a year of birth).
FIELDS = {
    "contribution": ("income", "target_group"),
    "pension": ("gender", "contribution_months", "income"),
    "retirement": ("gender", "birth_year", "birth_month"),
    "situation": ("contribution_months", "gender", "birth", "joined_voluntary_year"),
    "make_up": ("contribution_months",),
    "allowance": ("gender", "birth", "contribution_months"),
    "withdrawal": ("withdrawal_case", "contribution_months", "months_before_2014", "income"),
    "survivor": ("deceased", "deceased_months", "deceased_before_2014", "deceased_income"),
    "survivor_pensioner": ("deceased", "pension_amount", "months_drawn"),
    "contact": ("province",),
}
CALCULATIONS = tuple(name for name in FIELDS if name != "survivor_pensioner")
# Intents of an answer to a form's question. A message of another intent is an answer only when it
# says what was asked ("nữ ạ" may look out of scope); a number alone in it is read only when it is
# short ("5 ạ"): in "rút bhxh 1 lần được không" the 1 is no income.
ANSWER_INTENTS = frozenset({None, "inform", "affirm", "deny", "nlu_fallback"})
SHORT_ANSWER_WORDS = 4
MONEY_FIELDS = frozenset({"income", "deceased_income", "pension_amount"})
YEAR_FIELDS = frozenset({"contribution_months", "months_before_2014", "deceased_months", "deceased_before_2014"})
MONTH_FIELDS = frozenset({"months_drawn"})  # a bare number answers in months, not years
ZERO_ALLOWED = frozenset({"months_before_2014", "deceased_before_2014", "months_drawn"})  # "không có" = 0
# Income levels offered as buttons besides the floor in force (UI choices of the issue, not policy).
SUGGESTED_INCOMES = (3 * MILLION, 5 * MILLION, 10 * MILLION)
JOINED_CHOICES = (BEFORE_TRANSITION, FROM_TRANSITION, NOT_JOINED, JOINED_UNKNOWN)  # answers without a year
# The fields a message may fill for each field a calculation asks.
RELATED = {"birth": ("birth_year", "birth_month", "age"),
           "contribution_months": ("contribution_months", "compulsory_months", "voluntary_months", "missing_months"),
           "deceased_months": ("deceased_months", "deceased_compulsory_months", "deceased_voluntary_months")}
# A "tháng/năm" answer to the birth question: "1/1966", "tháng 1 năm 1966", "01-1966".
_MONTH_YEAR = re.compile(r"(?:thang\s*)?\b(?P<month>1[0-2]|0?[1-9])\s*(?:[/.-]|nam)\s*(?P<year>19\d\d|20[0-2]\d)\b")
_YEAR = re.compile(r"\b(?P<year>19\d\d|20[0-4]\d)\b")
_MONTH = re.compile(r"^\D*(?:thang\s*)?\b(?P<month>1[0-2]|0?[1-9])\b\D*$")
_NUMBER = re.compile(r"^\D*\b(?P<n>\d{1,3}(?:[.,]5)?)\b\D*$")
_OTHER_GROUP = re.compile(r"\b(?:khac|khong|ko|khong thuoc|binh thuong)\b")
_NONE = re.compile(r"^\W*(?:khong|ko|chua|khong co|chua co|deny)\b")
_BEFORE = re.compile(r"\btruoc\b")
_NOT_YET = re.compile(r"\b(?:chua tham gia|chua dong|chi dong bat buoc)\b")
_DONT_KNOW = re.compile(r"\b(?:khong nho|khong biet|khong ro|quen roi|chiu)\b")
# Words that say who died: a person drawing a pension, or one still paying.
_PENSIONER = re.compile(r"\b(?:luong huu|nghi huu|huu tri)\b")
_CONTRIBUTOR = re.compile(r"\b(?:dang dong|con dong|dang tham gia|chua nghi huu)\b")
# The cases of Art 102 as people say them (bot.policy.benefits.WITHDRAWAL_CASES).
_CASE_WORDS = (
    ("serious_illness", re.compile(r"\b(?:ung thu|bai liet|xo gan|lao nang|lao phoi|aids|hiv|benh hiem ngheo)\b")),
    ("severe_disability", re.compile(r"\b(?:suy giam kha nang lao dong|mat suc lao dong|khuyet tat)\b")),
    ("emigrating", re.compile(r"\b(?:dinh cu|ra nuoc ngoai|xuat canh)\b")),
    ("retirement_age", re.compile(r"\b(?:du tuoi nghi huu|den tuoi nghi huu|het tuoi lao dong)\b")),
    ("stopped_12_months", re.compile(r"\b(?:nghi dong|khong dong|dung dong|ngung dong|nghi viec)\b")),
)


def ask_which_province(match: ProvinceMatch, figures: dict[str, str]) -> Reply:
    """The user named an ambiguous place ("ĐN"): one button per province it may mean."""
    names = [p.name for p in match.candidates]
    buttons = [{"title": n, "payload": "/inform" + json.dumps({"province": n}, ensure_ascii=False)} for n in names]
    return Reply("utter_ask_which_province", {**figures, "said": match.said, "options": " hay ".join(names)}, buttons)


def withdrawal_case_in(text: str) -> str | None:
    """The case of Art 102 a message names ("tôi bị ung thư" -> serious_illness), if any."""
    folded = fold(text)
    return next((case for case, words in _CASE_WORDS if words.search(folded)), None)


def deceased_in(text: str) -> str | None:
    """Whether a message about a death names a pensioner or a contributor."""
    folded = fold(text)
    if _PENSIONER.search(folded):
        return "pensioner"
    return "contributor" if _CONTRIBUTOR.search(folded) else None


def answers_of(name: str) -> tuple[str, ...]:
    """The fields of a calculation that are not the user's own slots: the slots its form resets."""
    names = (name, "survivor_pensioner") if name == "survivor" else (name,)
    return tuple(dict.fromkeys(related for n in names for f in FIELDS[n] for related in RELATED.get(f, (f,))
                               if related not in OWN))


def facts_of(slots: Mapping[str, Any]) -> dict[str, Any]:
    """The values of the slots, numbers as int (Rasa keeps float slots as floats)."""
    return {k: int(v) if isinstance(v, float) and v.is_integer() else v for k, v in slots.items()}


def _fields(name: str, facts: Mapping[str, Any], day: date) -> tuple[str, ...]:
    """The questions of a calculation; some depend on an earlier answer."""
    p = params_on(day)
    if name == "survivor":
        if facts.get("deceased") == "pensioner":
            return FIELDS["survivor_pensioner"]
        months = total_months(facts, day, prefix="deceased_")
        if months is not None and months < p.value("survivor_refund_below_months"):
            # the relatives get what was paid in; a mixed career at least a multiple of the average
            mixed = 0 < (facts.get("deceased_compulsory_months") or 0) < months
            return FIELDS[name][:2] + (("deceased_income",) if mixed else ())
        return FIELDS[name]
    if name == "withdrawal":
        case, months = facts.get("withdrawal_case"), total_months(facts, day)
        limits = {"retirement_age": p.value("pension_min_years") * 12,
                  "stopped_12_months": p.value("lump_sum_conditions")["transition_max_years"] * 12}
        if case not in WITHDRAWAL_CASES or (months is not None and case in limits and months >= limits[case]):
            return FIELDS[name][:2] if case in WITHDRAWAL_CASES else FIELDS[name][:1]
        return FIELDS[name]
    if name == "situation":
        basic = FIELDS[name][:3]
        if any(_unknown(key, facts, day) for key in basic):
            return basic
        return FIELDS[name] if "joined_voluntary_year" in advice.assess_facts(facts, day).missing_facts else basic
    return FIELDS[name]


def _unknown(key: str, facts: Mapping[str, Any], day: date) -> bool:
    if key == "contribution_months":
        return total_months(facts, day) is None
    if key == "deceased_months":
        return total_months(facts, day, prefix="deceased_") is None
    if key == "birth":
        return facts.get("age") is None and facts.get("birth_year") is None
    if key == "province":  # an ambiguous name ("ĐN") is kept to ask which one it is
        return province_by_name(str(facts.get(key) or "")) is None
    return facts.get(key) is None


def read_answers(name: str, asked: str | None, intent: str | None, entities: list[dict[str, Any]], text: str,
                 facts: dict[str, Any], day: date, before: Mapping[str, Any]) -> tuple[dict[str, Any], list[str]]:
    """The values this calculation needs in the message, by slot (a value the law does not allow is
    cleared), and the reasons for the values cleared; `facts` is updated with them. An entity read as
    another field than its own slot (the years of a person who died, the years before 2014) gives that
    slot back the value it had `before` the message (Rasa has filled it from the entity already)."""
    found, moved = _values(name, entities, text, asked, intent, facts)
    slots: dict[str, Any] = {}
    for slot in moved:
        slots[slot] = facts[slot] = facts_of(before).get(slot)
    errors: list[str] = []
    wanted = _readable(name)
    for key, value in found.items():
        if key not in wanted:
            continue
        value, problem = _validate(key, value, name, day, facts)
        slots[key] = facts[key] = value
        if problem:
            errors.append(problem)
    return slots, errors


def _readable(name: str) -> set[str]:
    """Every field a message may fill in this calculation."""
    fields = FIELDS[name] + (FIELDS["survivor_pensioner"] if name == "survivor" else ())
    return {related for f in fields for related in RELATED.get(f, (f,))}


def _values(name: str, entities: list[dict[str, Any]], text: str, asked: str | None, intent: str | None,
            facts: Mapping[str, Any]) -> tuple[dict[str, Any], set[str]]:
    """Values in the message by field: its entities, plus a bare answer to the question asked
    ("20", "1966"); and the user's own slots whose entity went to another field."""
    found: dict[str, Any] = {}
    for e in entities:
        kind, value = e.get("entity"), e.get("value")
        slot = SLOT_OF_ENTITY.get(kind) or (kind if kind in ("withdrawal_case", "deceased") else None)
        if slot is None or slot in found or value is None:
            continue
        if slot in ("target_group", "gender", "withdrawal_case", "deceased", "joined_voluntary_year", "province") \
                or isinstance(value, (int, float)):
            found[slot] = int(value) if isinstance(value, float) else value
    moved = _route(name, found, asked, facts)
    folded = fold(text)
    if name == "withdrawal" and "withdrawal_case" not in found and (case := withdrawal_case_in(text)):
        found["withdrawal_case"] = case
    if name == "survivor" and "deceased" not in found and (who := deceased_in(text)):
        found["deceased"] = who
    if found:  # a bare number is read only when nothing else was (Rasa has already filled the
        return found, moved  # slots from this message's entities, so a number may belong to them)
    if intent in ANSWER_INTENTS or is_short(text):
        found.update(_bare_answer(asked, intent, folded))
    return found, moved


def is_short(text: str) -> bool:
    return len(text.split()) <= SHORT_ANSWER_WORDS


def _route(name: str, found: dict[str, Any], asked: str | None, facts: Mapping[str, Any]) -> set[str]:
    """Move entity values to the field this calculation wants them in; the own slots they came from."""
    moved: set[str] = set()

    def move(slot: str, field: str) -> None:
        found[field] = found.pop(slot)
        moved.add(slot)

    if name == "survivor":  # the message is about the person who died, never about the user
        pensioner = facts.get("deceased") == "pensioner" or found.get("deceased") == "pensioner"
        for slot, field in (("contribution_months", asked if asked in YEAR_FIELDS | MONTH_FIELDS else
                             "months_drawn" if pensioner else "deceased_months"),
                            ("income", "pension_amount" if pensioner else "deceased_income"),
                            ("compulsory_months", "deceased_compulsory_months"),
                            ("voluntary_months", "deceased_voluntary_months")):
            if slot in found:
                move(slot, field)
        moved |= {s for s in found if s in OWN}
        for slot in [s for s in found if s in OWN]:
            found.pop(slot)
        return moved
    if "contribution_months" in found and asked in (YEAR_FIELDS | MONTH_FIELDS) - {"contribution_months"}:
        move("contribution_months", asked)
    return moved


def _bare_answer(asked: str | None, intent: str | None, folded: str) -> dict[str, Any]:
    """A reply that is only a number, a year or a word, read as the answer to the question asked."""
    bare = _NUMBER.match(folded)
    if asked in ZERO_ALLOWED and (intent == "deny" or _NONE.match(folded)):
        return {asked: 0}
    if asked in MONEY_FIELDS and bare:  # "5" in answer to an income question means 5 triệu
        return {asked: int(float(bare["n"].replace(",", ".")) * MILLION)}
    if asked in YEAR_FIELDS and bare:  # "20" in answer to a years question means 20 years
        return {asked: round(float(bare["n"].replace(",", ".")) * 12)}
    if asked in MONTH_FIELDS and bare:
        return {asked: round(float(bare["n"].replace(",", ".")))}
    if asked == "target_group" and _OTHER_GROUP.search(folded):
        return {"target_group": "other"}
    if asked == "joined_voluntary_year":
        year = _YEAR.search(folded)
        if year and _BEFORE.search(folded):
            return {asked: BEFORE_TRANSITION}
        if year:
            return {asked: int(year["year"])}
        if _NOT_YET.search(folded):
            return {asked: NOT_JOINED}
        return {asked: JOINED_UNKNOWN} if intent == "deny" or _DONT_KNOW.search(folded) else {}
    if asked in ("birth_year", "birth_month", "birth"):
        m = _MONTH_YEAR.search(folded) or _YEAR.search(folded)
        if m:
            found = {"birth_year": int(m["year"])}
            if "month" in m.groupdict() and m["month"]:
                found["birth_month"] = int(m["month"])
            return found
        if asked == "birth_month" and (m := _MONTH.match(folded)):
            return {"birth_month": int(m["month"])}
        if asked == "birth" and bare:  # "57" in answer to "how old are you"
            return {"age": int(float(bare["n"].replace(",", ".")))}
    return {}


def _validate(key: str, value: Any, name: str, day: date, facts: Mapping[str, Any]) -> tuple[Any, str | None]:
    """(value, None) when the law allows it, else (None, a polite reason)."""
    p = params_on(day)
    if key in MONEY_FIELDS and not isinstance(value, int):
        return None, None
    if key == "income" or key == "deceased_income":  # an average may be below today's floor
        floor, ceiling = income_range(p) if name in ("contribution", "make_up") else average_income_range(p)
        if not floor <= value <= ceiling:
            what = "Mức thu nhập chọn để đóng" if name in ("contribution", "make_up") else \
                "Bình quân thu nhập làm căn cứ đóng"
            return None, f"{what} phải từ {money(floor)} đến {money(ceiling)} một tháng."
    elif key == "pension_amount" and not 0 < value <= income_range(p)[1]:
        return None, f"Lương hưu phải lớn hơn 0 và không quá {money(income_range(p)[1])} một tháng."
    elif key in ("contribution_months", "deceased_months", "compulsory_months", "voluntary_months",
                 "deceased_compulsory_months", "deceased_voluntary_months") and not 1 <= value <= 60 * 12:
        return None, "Số năm đóng phải lớn hơn 0 và không quá 60 năm."
    elif key == "missing_months" and not 1 <= value <= p.value("pension_min_years") * 12:
        return None, f"Số năm còn thiếu phải lớn hơn 0 và không quá {p.value('pension_min_years')} năm."
    elif key in ("months_before_2014", "deceased_before_2014"):
        prefix = "deceased_" if key.startswith("deceased") else ""
        split = p.value("lump_sum_multiples")["split_year"]
        if not 0 <= value <= (total_months(facts, day, prefix=prefix) or 0):
            return None, f"Số năm đóng trước năm {split} phải từ 0 đến tổng số năm đã đóng."
    elif key == "months_drawn" and not 0 <= value <= 60 * 12:
        return None, "Số tháng đã nhận lương hưu phải từ 0 đến 60 năm."
    elif key == "birth_year" and not day.year - 100 <= value <= day.year - p.value("min_join_age"):
        return None, f"Năm sinh {value} chưa đúng, anh/chị kiểm tra lại giúp em."
    elif key == "birth_month" and not 1 <= value <= 12:
        return None, "Tháng sinh phải từ 1 đến 12."
    elif key == "age" and not p.value("min_join_age") <= value <= 100:
        return None, f"Tuổi phải từ {p.value('min_join_age')} đến 100."
    elif key == "joined_voluntary_year" and value not in JOINED_CHOICES and \
            not (isinstance(value, int) and day.year - 100 <= value <= day.year):
        return None, f"Năm {value} chưa đúng, anh/chị kiểm tra lại giúp em."
    elif key == "target_group" and value != "other" and value not in groups():
        return None, None
    elif key == "withdrawal_case" and value not in (*WITHDRAWAL_CASES, "none"):
        return None, None
    elif key == "deceased" and value not in ("contributor", "pensioner"):
        return None, None
    return value, None


def missing(name: str, facts: Mapping[str, Any], day: date) -> str | None:
    """The first field still unknown, or whose value the law does not allow; None when all are known."""
    for key in _fields(name, facts, day):
        if _unknown(key, facts, day) or (facts.get(key) is not None and _validate(key, facts[key], name, day, facts)[1]):
            return key
    return None


def question(name: str, asked: str, facts: Mapping[str, Any], day: date) -> Reply:
    """The question that asks this field, with its buttons."""
    figures = figures_on(day)
    if asked in MONEY_FIELDS - {"pension_amount"}:
        response = {"contribution": "utter_ask_income", "make_up": "utter_ask_income"}.get(name, "utter_ask_average_income")
        if asked == "deceased_income":
            response = "utter_ask_deceased_income"
        return Reply(response, figures.values, income_buttons(day))
    if asked == "birth_month":
        return Reply("utter_ask_birth_month", {**figures.values, "birth_year": str(facts["birth_year"])})
    if asked == "joined_voluntary_year":
        return Reply("utter_ask_joined_voluntary_year", figures.values, joined_buttons(day))
    if asked == "province":
        said = facts.get("province")
        match = resolve_province(str(said)) if said else None
        if match and match.province is None:
            return ask_which_province(match, figures.values)
        return Reply("utter_ask_contact_province", figures.values)
    if asked == "birth":
        return Reply("utter_ask_age", figures.values)
    if asked in ("months_before_2014", "deceased_before_2014"):
        prefix = "deceased_" if asked.startswith("deceased") else ""
        return Reply(f"utter_ask_{asked}", {**figures.values, "duration": years_months(total_months(facts, day, prefix))})
    return Reply(f"utter_ask_{asked}", figures.values)


def income_buttons(day: date) -> list[dict[str, str]]:
    """The floor in force and the suggested levels within the allowed range."""
    floor, ceiling = income_range(params_on(day))
    levels = [floor] + [x for x in SUGGESTED_INCOMES if floor < x <= ceiling]
    return [
        {"title": ("Thấp nhất " if x == floor else "") + millions(x), "payload": f'/inform{{"amount": {x}}}'}
        for x in levels
    ]


def joined_buttons(day: date) -> list[dict[str, str]]:
    """Before or from the date of the transitional rule (Art 141(9)), not yet, or "I do not remember"."""
    year = params_on(day).value("transitional_retirement")["joined_before"].year
    titles = {BEFORE_TRANSITION: f"Trước năm {year}", FROM_TRANSITION: f"Từ năm {year}",
              NOT_JOINED: "Chưa tham gia", JOINED_UNKNOWN: "Không nhớ"}
    return [{"title": title, "payload": f'/inform{{"joined_year": "{value}"}}'} for value, title in titles.items()]
