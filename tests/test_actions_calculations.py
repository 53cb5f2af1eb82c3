"""The calculations' actions (actions/calculations.py) run as Rasa runs them, with tracker fixtures
(tests/action_harness.py): the events a form's validation returns for a message, its dynamic
questions, and the result action, their messages rendered as the citizen reads them. Expected
figures are written by hand from the law; today is 24/11/2026."""
import pytest

from action_harness import run, tracker
from actions.calculations import (ActionCalculationResult, AskBirthMonth, AskContactProvince, AskIncome,
                                  AskJoinedVoluntaryYear, ValidateContributionForm, ValidatePensionForm,
                                  ValidateSurvivorForm, ValidateWithdrawalForm)
from conftest import TODAY


@pytest.fixture(autouse=True)
def today(monkeypatch):
    monkeypatch.setenv("BOT_TODAY", TODAY.isoformat())


def user(text, intent, entities=()):
    parse = {"text": text, "intent": {"name": intent, "confidence": 1.0}, "entities": list(entities)}
    return {"event": "user", "text": text, "parse_data": parse}


def slot(name, value):
    return {"event": "slot", "name": name, "value": value}


def action(name):
    return {"event": "action", "name": name}


def in_form(form, requested, text, intent, entities=(), slots=None, before=(), after=()):
    """The tracker the validation action reads: the events so far, the message, the slots Rasa
    filled from it (`after`), and the form's own run that Rasa adds."""
    state = tracker({**(slots or {}), "requested_slot": requested}, text, intent, list(entities), form,
                    events=[*before, {"event": "active_loop", "name": form}, action(form), action("action_listen")])
    state.events += [*after, slot("requested_slot", requested), action(form)]
    return state


def started(form, text, intent, entities=(), slots=None):
    state = tracker(dict(slots or {}), text, intent, list(entities), form)
    state.events += [{"event": "active_loop", "name": form}, slot("requested_slot", None), action(form)]
    return state


def events_of(outcome):
    return [(e["event"], e.get("name"), e.get("value")) for e in outcome.events]


def test_a_form_started_by_a_request_clears_it_and_asks_its_first_question(domain):
    outcome = run(ValidatePensionForm(), started("pension_form", "tính lương hưu cho tôi", "ask_pension",
                                                 [{"entity": "calculator", "value": "pension"}],
                                                 {"calculator": "pension"}), domain)
    assert outcome.slots() == {"calculator": None, "requested_slot": "gender"} and outcome.messages == []


def test_the_years_answered_give_the_rate_before_the_income_question(domain):
    outcome = run(ValidatePensionForm(), in_form(
        "pension_form", "contribution_months", "dong 20 nam", "inform", [{"entity": "duration_months", "value": 240}],
        {"gender": "female", "contribution_months": 240.0}, after=[slot("contribution_months", 240)]), domain)
    assert outcome.slots() == {"contribution_months": 240, "requested_slot": "income"}
    assert outcome.responses == ["utter_pension_rate"]
    # a woman with 20 years: 45 % for 15 years + 5 × 2 %
    assert "tỷ lệ hưởng lương hưu 55%" in outcome.texts[0]


@pytest.mark.parametrize("text", ["mà phải đóng bao nhiêu năm thì mới được lương hưu?",
                                  "ma phai dong bao nhieu nam thi moi duoc luong huu?"])
def test_a_question_that_does_not_answer_is_rejected_for_the_rules_to_answer(domain, text):
    outcome = run(ValidatePensionForm(), in_form("pension_form", "gender", text, "ask_pension"), domain)
    assert events_of(outcome) == [("slot", "questions_ignored", 1), ("action_execution_rejected", "pension_form", None)]
    assert outcome.messages == []


def test_after_the_rules_answered_the_form_asks_its_question_again(domain):
    state = in_form("pension_form", "gender", "mà phải đóng bao nhiêu năm thì mới được lương hưu?", "ask_pension")
    state.events[-2:-2] = [{"event": "action_execution_rejected", "name": "pension_form"},
                           action("utter_ask_pension"), {"event": "bot", "text": "Điều kiện hưởng lương hưu..."}]
    outcome = run(ValidatePensionForm(), state, domain)
    assert outcome.slots() == {"requested_slot": "gender"} and outcome.messages == []


def test_a_reply_that_answers_nothing_is_asked_again_with_a_word_of_explanation(domain):
    outcome = run(ValidatePensionForm(), in_form("pension_form", "gender", "không biết nữa", "nlu_fallback"), domain)
    assert outcome.slots() == {"gender": None, "requested_slot": "gender"}
    assert outcome.responses == ["utter_flow_not_understood"]


def test_an_income_outside_the_range_is_refused_with_the_range(domain):
    outcome = run(ValidateContributionForm(), in_form(
        "contribution_form", "income", "1 triệu", "inform", [{"entity": "amount", "value": 1_000_000}],
        {"income": 1_000_000.0}, after=[slot("income", 1_000_000)]), domain)
    assert outcome.slots() == {"income": None, "requested_slot": "income"}
    # Decree 159/2025: the floor is the rural poverty line, 1.500.000; the ceiling 20 × 2.530.000
    assert "từ 1.500.000 đồng đến 50.600.000 đồng" in outcome.texts[0]


def test_thoi_clears_the_forms_answers_and_leaves_it_to_the_stop_rule(domain):
    outcome = run(ValidateWithdrawalForm(), in_form(
        "withdrawal_form", "contribution_months", "thôi", "stop", slots={"withdrawal_case": "emigrating"}), domain)
    assert events_of(outcome) == [("slot", "withdrawal_case", None), ("slot", "months_before_2014", None),
                                  ("action_execution_rejected", "withdrawal_form", None)]


def test_the_years_of_a_person_who_died_leave_the_users_own_years_alone(domain):
    outcome = run(ValidateSurvivorForm(), in_form(
        "survivor_form", "deceased_months", "20 năm", "inform", [{"entity": "duration_months", "value": 240}],
        {"deceased": "contributor", "contribution_months": 240.0},
        before=[slot("contribution_months", 144)], after=[slot("contribution_months", 240)]), domain)
    assert outcome.slots() == {"contribution_months": 144, "deceased_months": 240, "requested_slot": "deceased_before_2014"}


def test_another_calculation_asked_in_the_middle_is_left_to_the_rules(domain):
    outcome = run(ValidateContributionForm(), in_form(
        "contribution_form", "income", "tôi 57 tuổi, là nữ, mới đóng được 10 năm thì sao", "inform",
        [{"entity": "age", "value": 57}, {"entity": "calculator", "value": "situation"}], {"age": 57.0}), domain)
    # Rasa fills `calculator` outside forms only: the form sets it for the rules to start the other form
    assert events_of(outcome) == [("slot", "calculator", "situation"),
                                  ("action_execution_rejected", "contribution_form", None)]


def test_the_income_question_offers_the_floor_in_force(domain):
    state = tracker({"gender": "female", "contribution_months": 240.0}, "dong 20 nam", "inform", [], "pension_form")
    outcome = run(AskIncome(), state, domain)
    assert outcome.responses == ["utter_ask_average_income"]
    assert [b["title"] for b in outcome.messages[0]["buttons"]] == ["Thấp nhất 1,5 triệu", "3 triệu", "5 triệu", "10 triệu"]
    assert outcome.messages[0]["buttons"][0]["payload"] == '/inform{"amount": 1500000}'


def test_the_month_question_names_the_year_said(domain):
    outcome = run(AskBirthMonth(), tracker({"birth_year": 1970.0}, "1970", "inform", [], "retirement_form"), domain)
    assert "sinh tháng mấy năm 1970 ạ" in outcome.texts[0]


def test_the_join_year_question_has_the_sides_of_the_transitional_date(domain):
    outcome = run(AskJoinedVoluntaryYear(), tracker({}, "x", "inform", [], "situation_form"), domain)
    titles = [b["title"] for b in outcome.messages[0]["buttons"]]
    assert titles == ["Trước năm 2021", "Từ năm 2021", "Chưa tham gia", "Không nhớ"]  # Art 141(9): 1/1/2021


def test_an_ambiguous_province_is_asked_with_one_button_per_province(domain):
    outcome = run(AskContactProvince(), tracker({"province": "ĐN"}, "bhxh ĐN ở đâu", "ask_contact", [],
                                                "contact_form"), domain)
    assert outcome.responses == ["utter_ask_which_province"]
    assert [b["title"] for b in outcome.messages[0]["buttons"]] == ["Đà Nẵng", "Đồng Nai"]


def test_the_result_of_the_form_that_ended_and_its_answers_cleared(domain):
    state = tracker({"gender": "female", "contribution_months": 240.0, "income": 5_000_000.0}, "5 triệu", "inform",
                    [], events=[{"event": "active_loop", "name": "pension_form"}])
    state.events += [{"event": "active_loop", "name": None}]
    outcome = run(ActionCalculationResult(), state, domain)
    assert outcome.responses == ["utter_pension_result", "utter_estimate_note"]
    assert "Lương hưu khoảng 2.750.000 đồng/tháng" in outcome.texts[0]  # 55 % × 5.000.000
    assert outcome.events == []  # the pension form has no answers of its own: the user's facts stay


def test_the_withdrawal_result_clears_the_case_and_the_years_before_2014(domain):
    state = tracker({"withdrawal_case": "serious_illness", "contribution_months": 144.0, "months_before_2014": 60.0,
                     "income": 4_000_000.0}, "4 triệu", "inform", [],
                    events=[{"event": "active_loop", "name": "withdrawal_form"}])
    outcome = run(ActionCalculationResult(), state, domain)
    # 5 years × 1,5 × 4.000.000 + 7 years × 2 × 4.000.000 = 30.000.000 + 56.000.000 (Art 102(2))
    assert "khoảng 86.000.000 đồng" in outcome.texts[0]
    assert outcome.slots() == {"withdrawal_case": None, "months_before_2014": None}


def test_a_question_sends_only_its_own_variables_the_figures_are_the_nlgs(domain):
    """Rasa keeps what an action sends with a response in the bot event it stores and sends back at
    every call: the figures of the day (added by the NLG) must not travel with each question."""
    outcome = run(AskIncome(), tracker({"requested_slot": "income"}, "đóng bao nhiêu", "ask_contribution", [],
                                       "contribution_form"), domain)
    sent = outcome.messages[0]
    assert sent["response"] == "utter_ask_income"
    assert not {"hotline", "income_floor", "src_contribution_rate", "contribution_rate"} & set(sent)
    # the button the action computed still names the floor (Decree 351/2025: 1.500.000 đồng)
    assert sent["buttons"][0]["title"] == "Thấp nhất 1,5 triệu"
