"""Calculations over several turns, driven through plan_answer as the action does: the slots it
sets are fed back, and Rasa's own slot filling from entities is imitated."""
from dataclasses import asdict

import pytest
from hypothesis import given, strategies as st

from bot.answers import plan_answer
from bot.extract import extract
from bot.flows import is_cancel
from conftest import TODAY

# Entity -> slot, as the from_entity mappings of domain.yml.
SLOT_OF = {"amount": "income", "target_group": "target_group", "gender": "gender", "birth_year": "birth_year",
           "birth_month": "birth_month", "duration_months": "contribution_months"}


class Chat:
    def __init__(self, responses, day=TODAY):
        self.responses, self.slots, self.day = responses, {}, day

    def say(self, intent, text, entities=None):
        entities = entities if entities is not None else [asdict(e) for e in extract(text)]
        for e in entities:
            if e["entity"] in SLOT_OF:
                self.slots[SLOT_OF[e["entity"]]] = e["value"]
        step = plan_answer(intent, text, entities, self.responses, self.day, dict(self.slots))
        self.slots.update(step.slots)
        return step.replies

    def names(self, intent, text, entities=None):
        return [r.response for r in self.say(intent, text, entities)]


@pytest.fixture
def chat(responses):
    return Chat(responses)


def test_contribution_asks_income_with_buttons_then_group(chat):
    replies = chat.say("ask_contribution", "đóng bao nhiêu 1 tháng")
    assert [r.response for r in replies] == ["utter_ask_contribution", "utter_ask_income"]
    assert [b["title"] for b in replies[-1].buttons] == ["Thấp nhất 1,5 triệu", "3 triệu", "5 triệu", "10 triệu"]
    assert replies[-1].buttons[2]["payload"] == '/inform{"amount": 5000000}'
    # the question quotes the support rates, which are not certain (confidence M): one note
    assert chat.names("inform", "/inform", [{"entity": "amount", "value": 5_000_000}]) == [
        "utter_ask_target_group", "utter_uncertain_note"]
    result, note = chat.say("inform", "/inform", [{"entity": "target_group", "value": "poor"}])
    assert (result.response, note.response) == ("utter_contribution_result", "utter_uncertain_note")
    assert (result.variables["gross"], result.variables["net"]) == ("1.100.000 đồng", "935.000 đồng")
    assert chat.slots["flow"] is None


def test_group_said_before_is_not_asked_again(chat):
    chat.say("inform", "nhà tôi hộ cận nghèo")
    chat.say("ask_contribution", "dong bn")
    result, _ = chat.say("inform", "3 triệu")
    assert result.response == "utter_contribution_result" and result.variables["support_label"] == "hộ cận nghèo"


def test_wrong_income_is_reasked_with_the_allowed_range(chat):
    chat.say("ask_contribution", "đóng bao nhiêu")
    replies = chat.say("inform", "1 triệu")
    assert [r.response for r in replies] == ["utter_invalid_value", "utter_ask_income"]
    assert "1.500.000 đồng đến 50.600.000 đồng" in replies[0].variables["message"]
    assert chat.slots["income"] is None and chat.slots["flow"] == "contribution"
    assert chat.names("nlu_fallback", "không biết nữa") == ["utter_flow_not_understood", "utter_ask_income"]
    assert chat.names("inform", "5") == ["utter_ask_target_group", "utter_uncertain_note"]  # 5 means 5 triệu
    assert chat.say("inform", "khác")[0].variables["net"] == "1.034.000 đồng"


@pytest.mark.parametrize("text", ["thôi", "hủy", "thoi khong can nua", "Thôi ạ", "không tính nữa"])
def test_cancel_leaves_the_calculation(chat, text):
    chat.say("ask_pension", "/ask_pension", [{"entity": "calculator", "value": "pension"}])
    assert chat.slots["flow"] == "pension"
    assert chat.names("deny", text) == ["utter_flow_cancelled"]
    assert chat.slots["flow"] is None
    assert chat.names("ask_benefits", "có quyền lợi gì") == ["utter_ask_benefits", "utter_ask_which_group"]


@pytest.mark.parametrize("text", ["hủy đăng ký bhxh thì sao", "thôi việc rồi có được đóng không", "không"])
def test_questions_that_merely_start_like_a_cancel_are_not_one(text):
    assert not is_cancel(text)


def test_pension_flow_asks_only_what_is_missing(chat):
    assert chat.names("ask_pension", "/ask_pension", [{"entity": "calculator", "value": "pension"}]) == ["utter_ask_gender"]
    assert chat.names("inform", "nữ") == ["utter_ask_contribution_months"]
    replies = chat.say("inform", "20")
    assert [r.response for r in replies] == ["utter_pension_rate", "utter_ask_average_income"]
    assert replies[0].variables["rate"] == "55%"
    result, note = chat.say("inform", "5 triệu")
    assert (result.response, note.response) == ("utter_pension_result", "utter_estimate_note")
    assert result.variables["monthly"] == "2.750.000 đồng"
    assert "Luật BHXH 2024, Điều 99" in result.variables["sources"]


def test_pension_accepts_an_average_income_below_todays_floor(chat):
    """The average covers the whole career (the floor was 700.000 until 2021)."""
    chat.say("ask_pension", "nữ đóng 20 năm thì lương hưu bao nhiêu")
    result, _ = chat.say("inform", "1 triệu")
    assert result.response == "utter_pension_result" and result.variables["monthly"] == "550.000 đồng"  # 55 %
    other = Chat(chat.responses)
    other.say("ask_pension", "nữ đóng 20 năm thì lương hưu bao nhiêu")
    replies = other.say("inform", "500000", [{"entity": "amount", "value": 500_000}])
    assert replies[0].response == "utter_invalid_value" and "700.000 đồng" in replies[0].variables["message"]


def test_pension_reuses_the_income_given_earlier(chat):
    chat.say("ask_contribution", "thu nhập 5 triệu đóng bao nhiêu")
    result, _ = chat.say("ask_pension", "nữ đóng 20 năm thì lương hưu bao nhiêu")
    assert result.response == "utter_pension_result" and result.variables["monthly"] == "2.750.000 đồng"


def test_pension_under_15_years_gives_the_options_without_asking_the_income(chat):
    (reply,) = chat.say("ask_pension", "nam đóng 12 năm thì có lương hưu không")
    assert reply.response == "utter_pension_short" and reply.variables["missing"] == "3 năm"


def test_retirement_in_one_message(chat):
    reply, hint = chat.say("ask_retirement_age", "nam sinh tháng 1 năm 1966 bao giờ nghỉ hưu")
    assert reply.response == "utter_retirement_result"
    assert (reply.variables["retirement_age"], reply.variables["pension_from"]) == ("61 tuổi 9 tháng", "11/2027")
    # the year he joined is not known: the transitional rule of Art 141(9) is told, at 60 for a man
    assert hint.response == "utter_retirement_transitional_hint" and hint.variables["transitional_age"] == "60 tuổi"


def test_retirement_flow_with_a_wrong_month(chat):
    assert chat.names("ask_retirement_age", "/x", [{"entity": "calculator", "value": "retirement"}]) == ["utter_ask_gender"]
    assert chat.names("inform", "/inform", [{"entity": "gender", "value": "female"}]) == ["utter_ask_birth_year"]
    assert chat.names("inform", "1970") == ["utter_ask_birth_month"]
    replies = chat.say("inform", "tháng 13")
    assert [r.response for r in replies] == ["utter_flow_not_understood", "utter_ask_birth_month"]
    reply, _ = chat.say("inform", "5")
    # 2027: 55 y 4 m + 6 × 4 months = 57 y 4 m, reached in 9/2027 (Decree 135/2020)
    assert (reply.variables["retirement_age"], reply.variables["reached"]) == ("57 tuổi 4 tháng", "9/2027")


def test_impossible_birth_year_is_reasked(chat):
    chat.say("ask_retirement_age", "/x", [{"entity": "calculator", "value": "retirement"}, {"entity": "gender", "value": "male"}])
    replies = chat.say("inform", "sinh 2020")
    assert [r.response for r in replies] == ["utter_invalid_value", "utter_ask_birth_year"]


def test_a_new_question_leaves_the_calculation(chat):
    chat.say("ask_contribution", "đóng bao nhiêu")
    assert chat.names("ask_maternity", "có chế độ thai sản không")[0] == "utter_ask_maternity"
    assert chat.slots["flow"] is None


def test_general_retirement_question_is_answered_not_calculated(chat):
    names = chat.names("ask_retirement_age", "tuổi nghỉ hưu của nữ hiện nay là bao nhiêu")
    assert names == ["utter_ask_retirement_age", "utter_ask_retirement_age_2", "utter_ask_retirement_age_3"]


@given(st.text(max_size=60))
def test_no_message_breaks_a_calculation_in_progress(responses, text):
    for flow in ("contribution", "pension", "retirement"):
        step = plan_answer("inform", text, [asdict(e) for e in extract(text)], responses, TODAY,
                           {"flow": flow, "gender": "male"})
        assert step.replies and all(r.response in responses for r in step.replies)


def test_a_full_question_during_a_calculation_is_answered_as_asked(chat):
    chat.say("ask_contribution", "đóng bao nhiêu")
    reply, _ = chat.say("ask_contribution", "thu nhập 5 triệu thì đóng bao nhiêu 1 tháng")
    assert reply.response == "utter_contribution_result" and chat.slots["flow"] is None
    chat.say("ask_contribution", "đóng bao nhiêu")
    assert chat.names("ask_state_support", "hộ nghèo được nhà nước hỗ trợ bao nhiêu")[0] == "utter_ask_state_support"


def test_an_answer_with_its_unit_is_not_read_again_as_the_next_answer(chat):
    """Rasa fills the slots from the entities before the action runs: "đóng 20 năm" must not
    also be taken as an income of 20 triệu for the question after."""
    chat.say("ask_pension", "/ask_pension", [{"entity": "calculator", "value": "pension"}, {"entity": "gender", "value": "female"}])
    assert chat.names("inform", "dong 20 nam") == ["utter_pension_rate", "utter_ask_average_income"]
    assert chat.slots.get("income") is None
