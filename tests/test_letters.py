"""The letters test set (tests/nlu/letters) stays held out and keeps its shape."""
from collections import defaultdict

import yaml

from bot.language.text import fold, strip_diacritics
from conftest import ROOT

LETTERS = ROOT / "tests" / "nlu" / "letters"
INTENTS = {"ask_overview", "ask_eligibility", "ask_contribution", "ask_state_support", "ask_payment_method",
           "ask_make_up_payment", "ask_benefits", "ask_pension", "ask_retirement_age", "ask_lump_sum",
           "ask_survivor", "ask_maternity", "ask_health_insurance", "ask_registration", "ask_compare",
           "ask_pause", "ask_contact", "request_callback", "human_handoff", "out_of_scope", "ask_request_status"}


def examples(folder):
    by_intent = defaultdict(list)
    for path in sorted(folder.glob("*.yml")):
        for block in yaml.safe_load(path.read_text(encoding="utf-8"))["nlu"]:
            by_intent[block["intent"]] += [line[2:].strip() for line in block["examples"].splitlines() if line.startswith("- ")]
    return by_intent


def test_ten_letters_per_intent_a_third_without_diacritics(domain):
    letters = examples(LETTERS)
    assert set(letters) == INTENTS and INTENTS <= set(domain["intents"])
    for intent, values in letters.items():
        assert len(values) >= 10, intent
        assert 3 * sum(strip_diacritics(e) == e for e in values) >= len(values), intent


def test_letters_are_letter_length():
    for values in examples(LETTERS).values():
        for letter in values:
            assert 20 <= len(letter.split()) <= 70, letter


def test_letters_are_not_in_the_training_data_or_the_first_test_set():
    seen = {fold(e) for folder in (ROOT / "data" / "nlu", ROOT / "tests" / "nlu")
            for values in examples(folder).values() for e in values}
    leaked = [e for values in examples(LETTERS).values() for e in values if fold(e) in seen]
    assert not leaked
