"""The FAQ entries on survivors, benefits, maternity, health insurance, family members, contacts and
the questions next to our topic (data/faq): each entry is a retrieval intent of a contract intent
with enough examples in both registers, and its answer quotes figures only from the policy data."""
import re
from datetime import date
from pathlib import Path

import pytest
import yaml

from bot.language.text import fold
from bot.policy.figures import figures_on

FAQ_DIR = Path(__file__).resolve().parent.parent / "data" / "faq"
FILES = ["survivor.yml", "benefits.yml", "maternity.yml", "health_insurance.yml", "family.yml",
         "contact.yml", "adjacent.yml"]
CONTRACT_INTENTS = {
    "ask_overview", "ask_eligibility", "ask_contribution", "ask_state_support", "ask_payment_method",
    "ask_make_up_payment", "ask_benefits", "ask_pension", "ask_retirement_age", "ask_lump_sum",
    "ask_survivor", "ask_maternity", "ask_health_insurance", "ask_registration", "ask_compare",
    "ask_pause", "ask_contact", "out_of_scope",
}
CALCULATORS = {"contribution", "pension", "retirement", "situation", "make_up", "allowance", "withdrawal",
               "survivor", "contact"}
PAYLOADS = {f'/inform{{"calculator": "{name}"}}' for name in CALCULATORS} | {"/request_callback"}
MAX_TEXT_CHARS = 600
MIN_EXAMPLES = 8
MIN_LETTERS = 4
LETTER_WORDS = 20
MAX_LETTER_WORDS = 60
FIGURES = figures_on(date(2026, 11, 26)).values
PLACEHOLDER = re.compile(r"\{([^{}]+)\}")
SOURCE_LINE = "Căn cứ:"


def load(name):
    return yaml.safe_load((FAQ_DIR / name).read_text(encoding="utf-8"))


DATA = {name: load(name) for name in FILES}
ENTRIES = [(name, item["intent"], [line[2:].strip() for line in item["examples"].splitlines() if line.strip()])
           for name, data in DATA.items() for item in data["nlu"]]
RESPONSES = {key: (name, variations) for name, data in DATA.items() for key, variations in data["responses"].items()}
VARIATIONS = [(key, variation) for key, (_, variations) in RESPONSES.items() for variation in variations]


def test_at_least_fifty_five_entries():
    assert len(ENTRIES) >= 55


def test_every_file_is_rasa_training_data():
    for data in DATA.values():
        assert data["version"] == "3.1" and data["nlu"] and data["responses"]


def test_intent_names_are_unique_and_not_reserved():
    names = [intent for _, intent, _ in ENTRIES]
    assert len(names) == len(set(names))
    assert not [name for name in names if name.endswith("/general")]


@pytest.mark.parametrize("intent", [intent for _, intent, _ in ENTRIES])
def test_intent_is_a_contract_intent_with_a_snake_case_key(intent):
    prefix, key = intent.split("/")
    assert prefix in CONTRACT_INTENTS
    assert re.fullmatch(r"[a-z][a-z0-9_]*", key)


def test_every_retrieval_intent_has_its_response_and_every_response_its_intent():
    assert {f"utter_{intent}" for _, intent, _ in ENTRIES} == set(RESPONSES)


def test_an_entry_and_its_response_live_in_the_same_file():
    for name, intent, _ in ENTRIES:
        assert RESPONSES[f"utter_{intent}"][0] == name


@pytest.mark.parametrize("name,intent,examples", ENTRIES, ids=[intent for _, intent, _ in ENTRIES])
def test_examples_in_both_registers(name, intent, examples):
    assert len(examples) >= MIN_EXAMPLES
    letters = [example for example in examples if len(example.split()) >= LETTER_WORDS]
    assert len(letters) >= MIN_LETTERS
    assert all(len(example.split()) <= MAX_LETTER_WORDS for example in letters)
    assert [example for example in examples if len(example.split()) < LETTER_WORDS], "no chat-style example"
    folded = [example for example in examples if fold(example) == example.lower()]
    assert folded, "no example without diacritics"


def test_no_example_is_repeated_across_entries():
    seen = {}
    for _, intent, examples in ENTRIES:
        for example in examples:
            key = " ".join(fold(example).split())
            assert key not in seen, f"{example!r} in {intent} and {seen[key]}"
            seen[key] = intent


@pytest.mark.parametrize("key,variation", VARIATIONS, ids=[key for key, _ in VARIATIONS])
def test_answer_quotes_only_known_figures_and_no_typed_digit(key, variation):
    text = variation["text"]
    assert set(PLACEHOLDER.findall(text)) <= set(FIGURES)
    lines = text.split("\n")
    body = lines[:-1] if lines[-1].startswith(SOURCE_LINE) else lines
    assert not re.search(r"\d", "\n".join(body)), "a digit outside the legal-basis line"
    assert SOURCE_LINE not in "\n".join(body)


@pytest.mark.parametrize("key,variation", VARIATIONS, ids=[key for key, _ in VARIATIONS])
def test_answer_fits_a_phone_screen(key, variation):
    text = variation["text"]
    assert len(text) <= MAX_TEXT_CHARS
    assert len(PLACEHOLDER.sub(lambda match: FIGURES[match.group(1)], text)) <= MAX_TEXT_CHARS
    assert text.startswith("Dạ")


@pytest.mark.parametrize("key,variation", [(k, v) for k, v in VARIATIONS if not k.startswith("utter_out_of_scope/")],
                         ids=[k for k, _ in VARIATIONS if not k.startswith("utter_out_of_scope/")])
def test_answer_ends_with_its_legal_basis(key, variation):
    last = variation["text"].split("\n")[-1]
    assert last.startswith(SOURCE_LINE) and len(last) > len(SOURCE_LINE) + 1


@pytest.mark.parametrize("key,variation", VARIATIONS, ids=[key for key, _ in VARIATIONS])
def test_legal_basis_names_each_source_once(key, variation):
    last = variation["text"].split("\n")[-1]
    if last.startswith(SOURCE_LINE):
        rendered = PLACEHOLDER.sub(lambda match: FIGURES[match.group(1)], last[len(SOURCE_LINE):]).rstrip(".")
        sources = [source.strip() for source in rendered.split(";")]
        assert len(sources) == len(set(sources))


@pytest.mark.parametrize("key", [key for key in RESPONSES if key.startswith("utter_out_of_scope/")])
def test_pointer_gives_the_hotline(key):
    assert all("{hotline}" in variation["text"] for variation in RESPONSES[key][1])


@pytest.mark.parametrize("key,variation", VARIATIONS, ids=[key for key, _ in VARIATIONS])
def test_buttons_lead_to_a_calculation_or_a_callback(key, variation):
    buttons = variation.get("buttons", [])
    assert len(buttons) <= 2
    for button in buttons:
        assert len(button["title"]) <= 20
        assert button["payload"] in PAYLOADS
