"""The FAQ entries on pensions, retirement age, the one-time withdrawal, comparisons and the overview
(data/faq/{pension,retirement,lump_sum,compare,overview}.yml) keep the promises of the FAQ brief:
contract intents, a response per entry, enough citizen-style examples, figures only as placeholders
the policy data defines, short answers with their legal basis, and buttons to real calculations."""
import re
from datetime import date

import pytest
import yaml

from bot.language.text import fold
from bot.policy.figures import figures_on
from conftest import ROOT
from test_nlu_data import examples

FILES = ["pension", "retirement", "lump_sum", "compare", "overview"]
CONTRACT_INTENTS = {
    "ask_overview", "ask_eligibility", "ask_contribution", "ask_state_support", "ask_payment_method",
    "ask_make_up_payment", "ask_benefits", "ask_pension", "ask_retirement_age", "ask_lump_sum",
    "ask_survivor", "ask_maternity", "ask_health_insurance", "ask_registration", "ask_compare",
    "ask_pause", "ask_contact", "out_of_scope",
}
CALCULATORS = {"contribution", "pension", "retirement", "situation", "make_up", "allowance",
               "withdrawal", "survivor", "contact"}
PAYLOADS = {f'/inform{{"calculator": "{name}"}}' for name in CALCULATORS} | {"/request_callback"}
PLACEHOLDER = re.compile(r"{(\w+)}")
FIGURES = figures_on(date(2026, 11, 26)).values


def load(name):
    return yaml.safe_load((ROOT / "data" / "faq" / f"{name}.yml").read_text(encoding="utf-8"))


DATA = {name: load(name) for name in FILES}
ENTRIES = [(name, block) for name, data in DATA.items() for block in data["nlu"]]
RESPONSES = [(name, key, variant) for name, data in DATA.items()
             for key, variants in data["responses"].items() for variant in variants]


def lines(block):
    return [line[2:].strip() for line in block["examples"].splitlines() if line.strip()]


@pytest.mark.parametrize("name", FILES)
def test_every_entry_has_a_response_and_every_response_an_entry(name):
    data = DATA[name]
    assert data["version"] == "3.1"
    intents = [block["intent"] for block in data["nlu"]]
    assert len(intents) == len(set(intents)), name
    assert {f"utter_{intent}" for intent in intents} == set(data["responses"]), name


def test_at_least_fifty_five_entries_with_unique_keys():
    intents = [block["intent"] for _, block in ENTRIES]
    assert len(intents) >= 55
    assert len(intents) == len(set(intents))


@pytest.mark.parametrize("name, block", ENTRIES, ids=lambda v: v if isinstance(v, str) else v["intent"])
def test_entry_is_a_contract_intent_with_a_snake_case_key(name, block):
    intent, key = block["intent"].split("/")
    assert intent in CONTRACT_INTENTS and intent != "out_of_scope"  # no pointers among these topics
    assert re.fullmatch(r"[a-z][a-z0-9_]*", key) and key != "general"


@pytest.mark.parametrize("name, block", ENTRIES, ids=lambda v: v if isinstance(v, str) else v["intent"])
def test_entry_has_chat_and_letter_style_examples(name, block):
    found = lines(block)
    assert all(block["examples"].splitlines()[i].startswith("- ") for i in range(len(found)))
    letters = [e for e in found if len(e.split()) >= 20]
    assert len(found) >= 8 and len(letters) >= 4, block["intent"]
    assert all(len(e.split()) <= 60 for e in letters), block["intent"]
    assert len(found) - len(letters) >= 3, block["intent"]  # the short chat style too


def test_no_example_is_repeated_across_entries_or_the_intent_data():
    owner = {}
    for _, block in ENTRIES:
        for example in lines(block):
            assert owner.setdefault(fold(example), block["intent"]) == block["intent"], example
    for folder in ("data/nlu", "tests/nlu"):
        taken = {fold(e) for values in examples(folder).values() for e in values}
        assert not [e for e in owner if e in taken], folder


@pytest.mark.parametrize("name, key, variant", RESPONSES, ids=lambda v: v if isinstance(v, str) else "")
def test_answer_uses_known_figures_and_no_typed_digits(name, key, variant):
    text = variant["text"]
    assert set(PLACEHOLDER.findall(text)) <= set(FIGURES), key
    *body, basis = text.split("\n")
    assert basis.startswith("Căn cứ: ") and "Căn cứ" not in "\n".join(body), key
    assert not re.search(r"\d", PLACEHOLDER.sub("", "\n".join(body))), key
    assert len(text) <= 600 and len(text.format(**FIGURES)) <= 600, key
    assert text.startswith("Dạ") and "anh/chị" in text.lower(), key


@pytest.mark.parametrize("name, key, variant", RESPONSES, ids=lambda v: v if isinstance(v, str) else "")
def test_buttons_lead_to_a_calculation(name, key, variant):
    buttons = variant.get("buttons", [])
    assert len(buttons) <= 2, key
    for button in buttons:
        assert len(button["title"]) <= 20 and button["payload"] in PAYLOADS, key


def test_uncertain_facts_point_to_the_hotline():
    """Facts the policy data holds with confidence M (file, adjustment, mixed careers, withdrawal
    procedure, benefits list) are stated with the hotline to confirm them."""
    weak = ("{src_pension_application}", "{src_pension_adjustment}", "{src_mixed_career}",
            "{src_lump_sum_procedure}", "{src_voluntary_benefits}")
    for _, key, variant in RESPONSES:
        if any(src in variant["text"] for src in weak):
            assert "{hotline}" in variant["text"], key
