"""Which calculation a message asks for (bot/dialogue/starts.py), and the NLU component that adds it
as the entity `calculator` (bot/nlu/calculator.py)."""
from dataclasses import asdict

import pytest
from rasa.shared.nlu.constants import ENTITIES, INTENT, TEXT
from rasa.shared.nlu.training_data.message import Message

from bot.dialogue.starts import STARTING_INTENTS, calculation_asked
from bot.language.extract import extract
from bot.nlu.calculator import CalculationRequest
from conftest import TODAY


def asked(intent, text):
    return calculation_asked(intent, text, [asdict(e) for e in extract(text)], TODAY)


@pytest.mark.parametrize("intent, text, calculation", [
    # in so many words, with or without diacritics, whatever the classifier thought
    ("ask_pension", "tính lương hưu cho tôi", "pension"),
    ("nlu_fallback", "tinh luong huu cho toi", "pension"),
    ("inform", "tinh giup toi muc dong", "contribution"),
    ("ask_pension", "tôi được bao nhiêu tiền lương hưu", "pension"),
    ("ask_retirement_age", "tính giúp em bao giờ được nghỉ hưu", "retirement"),
    ("ask_lump_sum", "tính thử xem tôi rút một lần được bao nhiêu", "withdrawal"),
    ("ask_make_up_payment", "tính giúp tôi tiền đóng bù", "make_up"),
    # a question with the figures its calculation needs
    ("ask_pension", "nữ đóng 20 năm thì lương hưu bao nhiêu", "pension"),
    ("ask_retirement_age", "nam sinh tháng 1 năm 1966 bao giờ nghỉ hưu", "retirement"),
    ("ask_make_up_payment", "còn thiếu 3 năm thì đóng bù hết bao nhiêu", "make_up"),
    ("ask_lump_sum", "tôi bị ung thư có được rút bhxh một lần không", "withdrawal"),
    ("ask_survivor", "mẹ tôi đang hưởng lương hưu thì mất, được trợ cấp tuất bao nhiêu", "survivor"),
    # what the user's own facts mean for them
    ("inform", "tôi 57 tuổi, là nữ, mới đóng được 10 năm thì sao", "situation"),
    ("nlu_fallback", "có nên đóng tiếp không", "situation"),
    # the contribution and the office always have their form (the income, the province)
    ("ask_contribution", "dong bn 1 thang", "contribution"),
    ("ask_contact", "bhxh ĐN ở đâu", "contact"),
    ("ask_contact", "địa chỉ bảo hiểm xã hội tỉnh Nghệ An ở đâu", "contact"),
])
def test_messages_that_ask_for_a_calculation(intent, text, calculation):
    assert asked(intent, text) == calculation


@pytest.mark.parametrize("intent, text", [
    ("ask_pension", "mà phải đóng bao nhiêu năm thì mới được lương hưu?"),  # the question in the middle
    ("ask_pension", "lương hưu tính thế nào"),
    ("ask_pension", "tinh luong huu nhu the nao"),
    ("ask_retirement_age", "tuổi nghỉ hưu của nữ hiện nay là bao nhiêu"),
    ("ask_state_support", "tôi được hỗ trợ bao nhiêu"),
    ("ask_survivor", "bố tôi mất thì được trợ cấp tuất bao nhiêu"),  # who he was is asked by the form's button
    ("inform", "tôi 57 tuổi, là nữ, mới đóng được 10 năm"),  # a statement: said back, with the advice button
    ("stop", "thôi tính lương hưu"),  # the special requests never start one
    ("greet", "chào em, tính giúp tôi lương hưu"),
])
def test_messages_that_do_not(intent, text):
    assert asked(intent, text) is None


def test_a_province_with_diacritics_is_not_a_request_to_calculate():
    assert asked("ask_contact", "tỉnh Nghệ An bhxh ở đâu") == "contact"  # the office, not "tính"
    assert asked("ask_pension", "tỉnh Nghệ An có lương hưu không") is None


def test_a_button_names_its_calculation_itself():
    entities = [{"entity": "calculator", "value": "allowance"}]
    assert calculation_asked("ask_pension", "/ask_pension", entities, TODAY) is None
    assert "stop" not in STARTING_INTENTS and "ask_pension" in STARTING_INTENTS


def test_the_component_adds_the_entity_after_the_classifiers(monkeypatch):
    monkeypatch.setenv("BOT_TODAY", TODAY.isoformat())
    message = Message(data={TEXT: "tính lương hưu cho tôi", INTENT: {"name": "ask_pension", "confidence": 0.9}})
    CalculationRequest().process([message])
    (entity,) = message.get(ENTITIES)
    assert (entity["entity"], entity["value"], entity["extractor"]) == ("calculator", "pension", "CalculationRequest")
    other = Message(data={TEXT: "lương hưu tính thế nào", INTENT: {"name": "ask_pension", "confidence": 0.9}})
    CalculationRequest().process([other])
    assert other.get(ENTITIES, []) == []


def test_the_rules_start_every_form_from_every_starting_intent(domain):
    import yaml
    from conftest import ROOT

    rules = yaml.safe_load((ROOT / "data" / "rules" / "calculations.yml").read_text(encoding="utf-8"))["rules"]
    started = {}
    for rule in rules:
        steps = rule["steps"]
        calculator = next((s["slot_was_set"][0]["calculator"] for s in steps if "slot_was_set" in s), None)
        if calculator:
            intents = [o["intent"] for s in steps for o in s.get("or", [s]) if "intent" in o]
            started.setdefault(calculator, set()).update(intents)
    assert set(started) == set(domain["slots"]["calculator"]["values"])
    assert all(intents == STARTING_INTENTS for intents in started.values())
