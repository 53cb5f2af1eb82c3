"""The FAQ knowledge base (data/faq/*.yml): each entry is a retrieval intent of a contract intent
with enough examples in both registers, its answer is short, quotes figures only from the policy data,
ends with its legal basis, and states what the law says (expected facts written by hand from
policy-2026.md, November 2026)."""
import re
from datetime import date
from pathlib import Path

import pytest
import yaml

from bot.language.text import fold
from bot.policy.figures import figures_on

FAQ_DIR = Path(__file__).resolve().parent.parent / "data" / "faq"
FILES = sorted(path.name for path in FAQ_DIR.glob("*.yml"))
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


def test_at_least_150_entries():
    assert len(ENTRIES) >= 150


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


def render(key):
    return RESPONSES[f"utter_{key}"][1][0]["text"].format(**FIGURES)


# The facts the answers must state, by hand from policy-2026.md (November 2026).
@pytest.mark.parametrize("key, facts", [
    ("ask_contribution/minimum", ["1.500.000 đồng", "330.000 đồng"]),  # 22 % of the rural poverty line
    ("ask_contribution/maximum", ["50.600.000 đồng", "11.132.000 đồng"]),  # 20 × 2,530,000 from 1/7/2026
    ("ask_payment_method/advance_years", ["5 năm"]),  # at most 5 years per payment
    ("ask_payment_method/deadline_quarterly", ["3 tháng"]),  # every 3 months: within the 3 months
    ("ask_payment_method/deadline_half_year", ["4 tháng đầu"]),  # every 6 months: within the first 4
    ("ask_payment_method/deadline_yearly", ["7 tháng đầu"]),  # every 12 months: within the first 7
    ("ask_contribution/next_floor", ["2.200.000 đồng", "1/1/2027"]),
    ("ask_state_support/poor", ["50%", "165.000 đồng"]),
    ("ask_state_support/near_poor", ["40%", "132.000 đồng"]),
    ("ask_state_support/ethnic_minority", ["30%", "99.000 đồng"]),
    ("ask_state_support/other_groups", ["20%", "66.000 đồng"]),
    ("ask_state_support/duration", ["10 (*) năm"]),  # at most 120 months per person (M: marked)
    ("ask_state_support/several_groups", ["40%"]),  # near-poor and ethnic minority: the highest group wins
    ("ask_survivor/prepaid_refund", ["Nghị định 159/2025/NĐ-CP, Điều 8"]),
    ("ask_payment_method/electronic_book", ["1/1/2026"]),
    ("ask_make_up_payment/reach_pension_years", ["5 năm", "15 năm"]),
    ("ask_registration/form", ["TK1-TS", "02-TK"]),
    ("ask_eligibility/minimum_age", ["15 tuổi"]),
    ("ask_eligibility/foreigner", ["công dân Việt Nam"]),  # L41 Art 2(4): Vietnamese citizens
])
def test_the_answer_states_the_law(key, facts):
    text = render(key)
    for fact in facts:
        assert fact in text


def test_state_support_is_never_promised_on_a_make_up_payment():
    # make_up_state_support is not settled (policy.yml): the answer must send the citizen to BHXH.
    text = render("ask_make_up_payment/state_support")
    assert "1900 9068" in text


def test_uncertain_facts_point_to_the_hotline():
    """Facts the policy data holds with confidence M (file, adjustment, mixed careers, withdrawal
    procedure, benefits list) are stated with the hotline to confirm them."""
    weak = ("{src_pension_application}", "{src_pension_adjustment}", "{src_mixed_career}",
            "{src_lump_sum_procedure}", "{src_voluntary_benefits}")
    for key, variant in VARIATIONS:
        if any(src in variant["text"] for src in weak):
            assert "{hotline}" in variant["text"], key
