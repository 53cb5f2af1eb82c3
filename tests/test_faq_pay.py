"""The FAQ entries about paying (data/faq: contribution, support, payment, make_up,
pause_registration): their format, their figures from the policy data, their examples, and the
facts the most asked answers must state (written by hand from ../shared/knowledge/policy-2026.md)."""
import re
from datetime import date
from pathlib import Path

import pytest
import yaml

from bot.language.text import fold
from bot.policy.figures import figures_on

ROOT = Path(__file__).resolve().parent.parent
FILES = ["contribution", "support", "payment", "make_up", "pause_registration"]
CONTRACT_INTENTS = {
    "ask_overview", "ask_eligibility", "ask_contribution", "ask_state_support", "ask_payment_method",
    "ask_make_up_payment", "ask_benefits", "ask_pension", "ask_retirement_age", "ask_lump_sum",
    "ask_survivor", "ask_maternity", "ask_health_insurance", "ask_registration", "ask_compare",
    "ask_pause", "ask_contact", "out_of_scope",
}
CALCULATORS = {"contribution", "pension", "retirement", "situation", "make_up", "allowance", "withdrawal",
               "survivor", "contact"}
PAYLOADS = {f'/inform{{"calculator": "{name}"}}' for name in CALCULATORS} | {"/request_callback"}
FIGURES = figures_on(date(2026, 11, 26)).values
PLACEHOLDER = re.compile(r"{(\w+)}")
SOURCE_LINE = "Căn cứ:"


def load(name):
    return yaml.safe_load((ROOT / "data" / "faq" / f"{name}.yml").read_text(encoding="utf-8"))


def examples(block):
    return [line[2:].strip() for line in block["examples"].splitlines() if line.startswith("- ")]


DATA = {name: load(name) for name in FILES}
ENTRIES = [(block["intent"], examples(block)) for data in DATA.values() for block in data["nlu"]]
RESPONSES = {key: variations for data in DATA.values() for key, variations in data["responses"].items()}
TEXTS = [(key, variation) for key, variations in RESPONSES.items() for variation in variations]


def render(key):
    return RESPONSES[f"utter_{key}"][0]["text"].format(**FIGURES)


def test_at_least_55_entries_each_with_its_response_and_nothing_else():
    intents = [intent for intent, _ in ENTRIES]
    assert len(intents) >= 55
    assert len(set(intents)) == len(intents)
    assert set(RESPONSES) == {f"utter_{intent}" for intent in intents}


@pytest.mark.parametrize("intent, lines", ENTRIES, ids=[i for i, _ in ENTRIES])
def test_an_entry_is_a_contract_intent_with_enough_examples_in_both_registers(intent, lines):
    prefix, key = intent.split("/")
    assert prefix in CONTRACT_INTENTS
    assert re.fullmatch(r"[a-z][a-z0-9_]*", key) and key != "general"
    assert len(lines) >= 8
    assert sum(len(line.split()) >= 20 for line in lines) >= 4  # letters: background, then the question
    assert all(len(line.split()) <= 60 for line in lines)
    assert sum(len(line.split()) <= 15 for line in lines) >= 3  # chat style
    assert any(fold(line) == line.lower() for line in lines)  # written without diacritics


def test_no_example_asks_twice_in_these_files_or_in_the_general_intents():
    seen = {}
    for intent, lines in ENTRIES:
        for line in lines:
            assert seen.setdefault(fold(line), intent) == intent, line
            seen[fold(line)] = intent
    general = set()
    for path in (ROOT / "data" / "nlu").glob("*.yml"):
        for block in yaml.safe_load(path.read_text(encoding="utf-8")).get("nlu") or []:
            general |= {fold(line) for line in examples(block)} if "examples" in block else set()
    assert not set(seen) & general


@pytest.mark.parametrize("key, variation", TEXTS, ids=[k for k, _ in TEXTS])
def test_an_answer_is_short_sourced_and_types_no_figure(key, variation):
    text = variation["text"]
    assert set(PLACEHOLDER.findall(text)) <= set(FIGURES)
    assert len(text.format(**FIGURES)) <= 600
    *body, source = text.split("\n")
    assert source.startswith(SOURCE_LINE) and body
    cited = [part.strip() for part in source.format(**FIGURES)[len(SOURCE_LINE):].rstrip(".").split(";")]
    assert len(cited) == len(set(cited))  # no legal source cited twice
    assert not re.search(r"\d", PLACEHOLDER.sub("", "\n".join(body)))
    assert text.startswith("Dạ")
    buttons = variation.get("buttons", [])
    assert len(buttons) <= 2
    for button in buttons:
        assert len(button["title"]) <= 20 and button["payload"] in PAYLOADS


# The facts the answers must state, by hand from policy-2026.md (November 2026).
@pytest.mark.parametrize("key, facts", [
    ("ask_contribution/minimum", ["1.500.000 đồng", "330.000 đồng"]),  # 22 % of the rural poverty line
    ("ask_contribution/maximum", ["50.600.000 đồng", "11.132.000 đồng"]),  # 20 × 2,530,000 from 1/7/2026
    ("ask_contribution/advance_years", ["5 năm"]),  # at most 5 years per payment
    ("ask_contribution/deadline_quarterly", ["3 tháng"]),  # every 3 months: within the 3 months
    ("ask_contribution/deadline_half_year", ["4 tháng đầu"]),  # every 6 months: within the first 4
    ("ask_contribution/deadline_yearly", ["7 tháng đầu"]),  # every 12 months: within the first 7
    ("ask_contribution/next_floor", ["2.200.000 đồng", "1/1/2027"]),
    ("ask_state_support/poor", ["50%", "165.000 đồng"]),
    ("ask_state_support/near_poor", ["40%", "132.000 đồng"]),
    ("ask_state_support/ethnic_minority", ["30%", "99.000 đồng"]),
    ("ask_state_support/other_groups", ["20%", "66.000 đồng"]),
    ("ask_state_support/duration", ["10 (*) năm"]),  # at most 120 months per person (M: marked)
    ("ask_state_support/several_groups", ["40%"]),  # near-poor and ethnic minority: the highest group wins
    ("ask_payment_method/refund_on_death", ["Nghị định 159/2025/NĐ-CP, Điều 8"]),
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
