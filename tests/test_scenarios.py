"""Communication scenarios per target group, in conversations through bot.answers: each group named
the way people say it gets its own scenario; its worked example is the calculator's; every figure
the scenario states is one the policy data or the calculators produce."""
from __future__ import annotations

import re
from dataclasses import asdict
from datetime import date

import pytest

from bot.dialogue.answers import plan_answer
from bot.dialogue.calculations import SLOT_OF_ENTITY
from bot.language.extract import extract
from bot.language.target_groups import groups
from bot.policy.calculators import contribution
from bot.policy.figures import figures_on
from bot.policy.formatting import money
from bot.dialogue.scenarios import GROUP_MATTERS, example_income, scenarios
from conftest import TODAY


class Chat:
    """A conversation through plan_answer: the slots it sets are fed back, and Rasa's own slot
    filling from entities is imitated."""

    def __init__(self, responses, day=TODAY):
        self.responses, self.slots, self.day = responses, {}, day

    def say(self, intent, text, entities=None):
        entities = entities if entities is not None else [asdict(e) for e in extract(text)]
        for e in entities:
            if e["entity"] in SLOT_OF_ENTITY:
                self.slots[SLOT_OF_ENTITY[e["entity"]]] = e["value"]
        step = plan_answer(intent, text, entities, self.responses, self.day, dict(self.slots))
        self.slots.update(step.slots)
        return step.replies

    def names(self, intent, text, entities=None):
        return [r.response for r in self.say(intent, text, entities)]

# How people of each group say who they are (the examples first).
SAID = {
    "farmer": "tôi làm ruộng", "trader": "tôi bán rau ngoài chợ", "former_employee": "tôi mới nghỉ việc ở công ty",
    "poor": "nhà tôi hộ nghèo", "ethnic_minority": "tôi là người Tày", "informal_worker": "em chạy xe ôm",
    "student": "em là sinh viên", "homemaker": "tôi ở nhà nội trợ", "near_retirement": "tôi sắp nghỉ hưu",
    "near_poor": "nhà em thuộc hộ cận nghèo", "island": "tôi sống ở xã đảo",
}
STATED_NUMBER = re.compile(r"\d+(?:[.,]\d+)*")


def rendered(replies, responses) -> str:
    """The messages as the citizen reads them (the domain's response filled with the variables)."""
    return "\n".join(responses[r.response][0]["text"].format(**r.variables) for r in replies)


def numbers_the_data_produces(day: date) -> set[str]:
    """Every number in a policy figure of the day, and in every scenario's computed example."""
    texts = list(figures_on(day).values.values())
    for s in scenarios().values():
        result = contribution(example_income(s, day), [groups()[s.group].support], s.period, day)
        texts += [money(v) for v in (result.income, result.gross_monthly, result.support_monthly,
                                     result.net_monthly, result.net_period)]
    return {n for t in texts for n in STATED_NUMBER.findall(str(t))}


@pytest.fixture
def chat(responses):
    return Chat(responses)


def test_every_target_group_has_a_scenario_and_a_way_to_be_named():
    assert set(scenarios()) == set(groups()) == set(SAID)


@pytest.mark.parametrize("group", sorted(SAID))
def test_naming_the_group_gets_its_scenario_with_the_calculators_figures(chat, responses, group):
    replies = chat.say("inform", SAID[group])
    assert [r.response for r in replies] == ["utter_scenario_lead", "utter_scenario_example",
                                             "utter_scenario_objection", "utter_scenario_next"]
    assert chat.slots["target_group"] == group and chat.slots["scenario_group"] == group
    s = scenarios()[group]
    expected = contribution(example_income(s, TODAY), [groups()[group].support], s.period, TODAY)
    example = replies[1].variables
    assert (example["income"], example["gross"], example["support"], example["net"], example["net_period"]) == (
        money(expected.income), money(expected.gross_monthly), money(expected.support_monthly),
        money(expected.net_monthly), money(expected.net_period))
    assert {"title": "Nhờ cán bộ tư vấn", "payload": "/request_callback"} in replies[-1].buttons
    text = rendered(replies, responses)
    assert all(len(responses[r.response][0]["text"].format(**r.variables)) <= 600 for r in replies)
    assert not re.search(r"\{\w+\}", text), "every placeholder filled"


@pytest.mark.parametrize("day", [date(2025, 7, 1), TODAY, date(2027, 3, 1)])
def test_no_scenario_states_a_figure_the_data_does_not_produce(responses, day):
    produced = numbers_the_data_produces(day)
    for group, said in SAID.items():
        text = rendered(Chat(responses, day).say("inform", said), responses)
        stated = set(STATED_NUMBER.findall(text))
        assert stated <= produced, f"{group} states {stated - produced}"


def test_the_scenarios_differ_where_the_groups_differ(chat, responses):
    told = {g: rendered(Chat(responses).say("inform", said), responses) for g, said in SAID.items()}
    leads = [t.split("\n")[0] for t in told.values()]
    assert len(set(leads)) == len(leads), "each group has its own lead"
    assert "sáu tháng hoặc một năm một lần, sau mỗi vụ thu hoạch" in told["farmer"]
    assert "cộng dồn" in told["former_employee"] and "bắt buộc" in told["former_employee"]
    assert "không quá 5 năm" in told["near_retirement"]
    assert "50%" in told["poor"] and "165.000 đồng" in told["poor"]
    assert "40%" in told["near_poor"] and "198.000 đồng" in told["near_poor"]
    assert "30%" in told["ethnic_minority"] and "231.000 đồng" in told["ethnic_minority"]
    assert "đăng ký trực tiếp" in told["poor"] and "đăng ký trực tiếp" not in told["farmer"]
    # state support follows the group: the same floor income costs the poor less than a student
    assert "còn nộp 165.000 đồng/tháng" in told["poor"] and "còn nộp 264.000 đồng/tháng" in told["student"]


def test_near_retirement_offers_the_pension_calculator(chat):
    buttons = chat.say("inform", SAID["near_retirement"])[-1].buttons
    assert buttons[0] == {"title": "Tính lương hưu", "payload": '/ask_pension{"calculator": "pension"}'}


def test_the_group_is_asked_once_with_buttons_when_it_matters(chat):
    assert "ask_overview" in GROUP_MATTERS
    replies = chat.say("ask_overview", "bhxh tự nguyện là gì, có nên tham gia không")
    assert replies[-1].response == "utter_ask_which_group"
    buttons = replies[-1].buttons
    assert len(buttons) == len(groups()) and all(len(b["title"]) <= 20 for b in buttons)
    assert chat.names("ask_benefits", "có quyền lợi gì")[-1] != "utter_ask_which_group", "asked once"
    farmer = next(b for b in buttons if b["title"] == "Nông dân")
    assert chat.names("inform", farmer["payload"], [{"entity": "target_group", "value": "farmer"}])[0] == "utter_scenario_lead"


def test_a_scenario_is_told_once_and_not_after_a_calculation(chat):
    chat.say("inform", SAID["farmer"])
    assert chat.names("inform", "tôi làm ruộng mà") == ["utter_inform"]
    # the contribution is a calculation (its form answers); no scenario after it
    assert "utter_scenario_lead" not in chat.names("ask_contribution", "tôi bán rau, thu nhập 5 triệu đóng bao nhiêu")


def test_a_question_with_the_group_gets_the_answer_then_the_scenario(chat):
    names = chat.names("ask_benefits", "tôi làm ruộng thì tham gia có quyền lợi gì")
    assert names[0] == "utter_ask_benefits" and names[-4:] == ["utter_scenario_lead", "utter_scenario_example",
                                                              "utter_scenario_objection", "utter_scenario_next"]
