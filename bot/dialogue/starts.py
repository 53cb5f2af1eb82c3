"""Which calculation a message asks for, if any: the NLU component bot/nlu/calculator.py adds it as
the entity `calculator`, and the rules of data/rules/calculations.yml start that calculation's form.

A message asks for a calculation when it asks what the user's own facts mean for them (bot.dialogue
.advice), when it asks in so many words ("tính lương hưu cho tôi", "tôi được bao nhiêu tiền lương
hưu"), or when a question comes with the figures its calculation needs ("nữ đóng 20 năm thì lương
hưu bao nhiêu"); a question about the contribution or the office to contact always does (the form
asks the income, or the province). Buttons name the calculation in their payload."""
from __future__ import annotations

import re
from datetime import date
from typing import Any

from bot.dialogue.advice import is_situation_question
from bot.dialogue.calculations import SLOT_OF_ENTITY, deceased_in, facts_of, withdrawal_case_in
from bot.language.text import fold, nfc, strip_diacritics

# The intents of a message that may start a calculation (the rules list the same ones).
STARTING_INTENTS = frozenset({
    "inform", "nlu_fallback", "out_of_scope", "ask_overview", "ask_eligibility", "ask_contribution",
    "ask_state_support", "ask_payment_method", "ask_make_up_payment", "ask_benefits", "ask_pension",
    "ask_retirement_age", "ask_lump_sum", "ask_survivor", "ask_maternity", "ask_health_insurance",
    "ask_registration", "ask_compare", "ask_pause", "ask_contact",
})
# Entities that mean the user gave the figures of a calculation along with the question.
_YEARS = frozenset({"duration_months", "missing_months", "compulsory_months", "voluntary_months"})
# Asking for a calculation in words: "tính giúp", "tính cho tôi", a message that begins with "tính"
# (not "tính thế nào"); typed with diacritics, "tỉnh" (a province) is not "tính". Or "tôi được bao
# nhiêu". Bounded gaps: linear on any input.
_CALCULATE = re.compile(
    r"\b(?:tinh|uoc tinh|tinh toan)\s+(?:giup|gium|dum|ho|thu|xem)\b"
    r"|\b(?:tinh|uoc tinh|tinh toan)\b[^.?!\n]{0,40}?\b(?:cho|giup|ho|dum|gium)\s+(?:toi|minh|tui|em|chau)\b"
    r"|^\W*(?:em\s+|ban\s+)?(?:hay\s+)?(?:tinh|uoc tinh)\b(?![^.?!\n]*\b(?:the nao|ra sao|nhu nao|cach nao)\b)"
)
_CALCULATE_MARKED = re.compile(r"\btính\b")
_OWN_AMOUNT = re.compile(r"\b(?:toi|minh|tui)\s+(?:se\s+)?(?:duoc|nhan|lanh|huong)\b[^.?!\n]{0,30}?\b(?:bao nhieu|bn)\b")
# The calculation a request in words is about, by its words, first match wins; else by its intent.
_TOPICS = (
    ("retirement", re.compile(r"\b(?:tuoi|ngay|thang|nam|luc|khi|bao gio)\s+(?:duoc\s+)?nghi huu\b"
                              r"|\bnghi huu\s+(?:khi nao|bao gio|luc nao|nam nao|thang nao)\b")),
    ("make_up", re.compile(r"\bdong bu\b|\bcon thieu\b")),
    ("withdrawal", re.compile(r"\brut\b|\bmot lan\b")),
    ("survivor", re.compile(r"\btuat\b|\bmai tang\b")),
    ("allowance", re.compile(r"\btro cap hang thang\b")),
    ("pension", re.compile(r"\bluong huu\b")),
    ("contribution", re.compile(r"\bmuc dong\b|\btien dong\b|\bdong\s+(?:bao nhieu|bn|bhxh|tien)\b")),
)
_BY_INTENT = {"ask_pension": "pension", "ask_retirement_age": "retirement", "ask_contribution": "contribution",
              "ask_make_up_payment": "make_up", "ask_lump_sum": "withdrawal", "ask_survivor": "survivor"}


def calculation_asked(intent: str | None, text: str, entities: list[dict[str, Any]], day: date) -> str | None:
    """The calculation the message asks for (a key of bot.dialogue.calculations.CALCULATIONS), or None."""
    if intent not in STARTING_INTENTS or any(e.get("entity") == "calculator" for e in entities):
        return None
    said = {e.get("entity"): e.get("value") for e in reversed(entities) if e.get("value") is not None}
    facts = facts_of({SLOT_OF_ENTITY[k]: v for k, v in said.items() if k in SLOT_OF_ENTITY})
    if is_situation_question(intent, text, facts, day):
        return "situation"
    folded = fold(text)
    if _asks_in_words(text, folded):
        topic = next((name for name, words in _TOPICS if words.search(folded)), _BY_INTENT.get(intent))
        if topic:
            return topic
    figures = said.keys() & (_YEARS | {"amount"})
    if intent == "ask_contribution":
        return "contribution"
    if intent in ("ask_pension", "ask_retirement_age") and "birth_year" in said:
        return "retirement"
    if intent == "ask_pension" and figures:
        return "pension"
    if intent == "ask_make_up_payment" and said.keys() & _YEARS:
        return "make_up"
    if intent == "ask_lump_sum" and (figures or withdrawal_case_in(text)):
        return "withdrawal"
    if intent == "ask_survivor" and (figures or deceased_in(text)):
        return "survivor"
    if intent == "ask_contact":  # the office of the province named, said before or asked
        return "contact"
    return None


def _asks_in_words(text: str, folded: str) -> bool:
    marked = strip_diacritics(text) != text
    calculate = _CALCULATE.search(folded) and (not marked or _CALCULATE_MARKED.search(nfc(text).lower()))
    return bool(calculate or _OWN_AMOUNT.search(folded))
