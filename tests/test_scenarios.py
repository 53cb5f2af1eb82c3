"""Communication scenarios per target group, through the actions Rasa runs (actions/answers.py):
each group named the way people say it gets its own scenario; its worked example is the calculator's;
every figure the scenario states is one the policy data or the calculators produce."""
from __future__ import annotations

import re
from datetime import date

import pytest

from action_harness import Outcome, run, tracker
from actions.answers import ActionNoteFacts, ActionOfferGroups, ActionTellScenario
from bot.dialogue.scenarios import example_income, scenarios
from bot.language.extract import extract
from bot.language.target_groups import groups
from bot.policy.calculators import contribution
from bot.policy.figures import figures_on
from bot.policy.formatting import money
from conftest import TODAY

# How people of each group say who they are (the examples first).
SAID = {
    "farmer": "tôi làm ruộng", "trader": "tôi bán rau ngoài chợ", "former_employee": "tôi mới nghỉ việc ở công ty",
    "poor": "nhà tôi hộ nghèo", "ethnic_minority": "tôi là người Tày", "informal_worker": "em chạy xe ôm",
    "student": "em là sinh viên", "homemaker": "tôi ở nhà nội trợ", "near_retirement": "tôi sắp nghỉ hưu",
    "near_poor": "nhà em thuộc hộ cận nghèo", "island": "tôi sống ở xã đảo",
}
STATED_NUMBER = re.compile(r"\d+(?:[.,]\d+)*")


@pytest.fixture(autouse=True)
def pinned_day(monkeypatch):
    monkeypatch.setenv("BOT_TODAY", TODAY.isoformat())


def numbers_the_data_produces(day: date) -> set[str]:
    """Every number in a policy figure of the day, and in every scenario's computed example."""
    texts = list(figures_on(day).values.values())
    for s in scenarios().values():
        result = contribution(example_income(s, day), [groups()[s.group].support], s.period, day)
        texts += [money(v) for v in (result.income, result.gross_monthly, result.support_monthly,
                                     result.net_monthly, result.net_period)]
    return {n for t in texts for n in STATED_NUMBER.findall(str(t))}


def group_in(said: str) -> str:
    """The target group the entity extractor reads in a message (Rasa fills the slot from it)."""
    return next(e.value for e in extract(said) if e.entity == "target_group")


def tell(domain: dict, said: str, slots: dict | None = None) -> Outcome:
    group = group_in(said)
    entities = [{"entity": "target_group", "value": group}]
    return run(ActionTellScenario(), tracker({**(slots or {}), "target_group": group}, said, "inform", entities), domain)


def test_every_target_group_has_a_scenario_and_a_way_to_be_named():
    assert set(scenarios()) == set(groups()) == set(SAID)
    assert {group_in(said) for said in SAID.values()} == set(SAID)


@pytest.mark.parametrize("group", sorted(SAID))
def test_naming_the_group_gets_its_scenario_with_the_calculators_figures(domain, group):
    told = tell(domain, SAID[group])
    assert told.responses == ["utter_scenario_lead", "utter_scenario_example", "utter_scenario_objection",
                              "utter_scenario_next"]
    assert told.slots() == {"scenario_group": group}
    s = scenarios()[group]
    expected = contribution(example_income(s, TODAY), [groups()[group].support], s.period, TODAY)
    example = told.messages[1]
    assert (example["income"], example["gross"], example["support"], example["net"], example["net_period"]) == (
        money(expected.income), money(expected.gross_monthly), money(expected.support_monthly),
        money(expected.net_monthly), money(expected.net_period))
    assert {"title": "Nhờ cán bộ tư vấn", "payload": "/request_callback"} in told.messages[-1]["buttons"]
    assert all(len(text) <= 600 for text in told.texts)
    assert not re.search(r"\{\w+\}", "\n".join(told.texts)), "every placeholder filled"


@pytest.mark.parametrize("day", [date(2025, 7, 1), TODAY, date(2027, 3, 1)])
def test_no_scenario_states_a_figure_the_data_does_not_produce(domain, monkeypatch, day):
    monkeypatch.setenv("BOT_TODAY", day.isoformat())
    produced = numbers_the_data_produces(day)
    for group, said in SAID.items():
        stated = set(STATED_NUMBER.findall("\n".join(tell(domain, said).texts)))
        assert stated <= produced, f"{group} states {stated - produced}"


def test_the_scenarios_differ_where_the_groups_differ(domain):
    told = {g: "\n".join(tell(domain, said).texts) for g, said in SAID.items()}
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


def test_near_retirement_offers_the_pension_calculator(domain):
    buttons = tell(domain, SAID["near_retirement"]).messages[-1]["buttons"]
    assert buttons[0] == {"title": "Tính lương hưu", "payload": '/ask_pension{"calculator": "pension"}'}


def test_a_scenario_is_told_once_per_group(domain):
    assert tell(domain, SAID["farmer"], {"scenario_group": "farmer"}).messages == []
    assert tell(domain, SAID["trader"], {"scenario_group": "farmer"}).responses[0] == "utter_scenario_lead"


def test_the_facts_are_said_back_except_a_group_whose_scenario_follows(domain):
    entities = [{"entity": "target_group", "value": "farmer"}]
    assert run(ActionNoteFacts(), tracker({"target_group": "farmer"}, "tôi làm ruộng", "inform", entities),
               domain).messages == []
    again = run(ActionNoteFacts(), tracker({"target_group": "farmer", "scenario_group": "farmer"}, "tôi làm ruộng mà",
                                           "inform", entities), domain)
    assert again.responses == ["utter_inform"] and "đối tượng nông dân" in again.texts[0]


def test_the_group_is_asked_once_with_buttons_when_unknown(domain):
    asked = run(ActionOfferGroups(), tracker({}, "bhxh tự nguyện là gì", "ask_overview"), domain)
    assert asked.responses == ["utter_ask_which_group"] and asked.slots() == {"group_asked": True}
    buttons = asked.messages[0]["buttons"]
    assert len(buttons) == len(groups()) and all(len(b["title"]) <= 20 for b in buttons)
    assert {"title": "Nông dân", "payload": '/inform{"target_group": "farmer"}'} in buttons
    assert run(ActionOfferGroups(), tracker({"group_asked": True}, "có quyền lợi gì", "ask_benefits"),
               domain).messages == [], "asked once"
    assert run(ActionOfferGroups(), tracker({"target_group": "poor"}, "có quyền lợi gì", "ask_benefits"),
               domain).messages == [], "known already"
