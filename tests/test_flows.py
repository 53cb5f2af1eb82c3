"""Calculations over several turns, through the forms' pure steps (bot/dialogue/forms.py) driven as
Rasa drives them: the slots Rasa fills from the entities (the NLU's `calculator` too), the form that
starts on it, its validation step for each message, its question, the rules' answer to a message it
rejects and its question again, its result. Expected values are worked out by hand from the law."""
from dataclasses import asdict
from datetime import date

import pytest
from hypothesis import given, settings, strategies as st

from bot.dialogue.calculations import OWN, SLOT_OF_ENTITY
from bot.dialogue.forms import (CALCULATOR_SLOT, FORMS, SLOTS, Message, answer_slots, ask, form_step,
                                result_step)
from bot.dialogue.starts import calculation_asked
from bot.language.extract import extract
from conftest import TODAY


class Chat:
    """One conversation: the slots, the active form and the slot it asked for."""

    def __init__(self, day=TODAY):
        self.slots, self.form, self.requested, self.day = {}, None, None, day

    def say(self, intent, text, entities=None):
        entities = entities if entities is not None else [asdict(e) for e in extract(text)]
        calculation = calculation_asked(intent, text, entities, self.day)
        if calculation:  # bot/nlu/calculator.py
            entities = entities + [{"entity": "calculator", "value": calculation}]
        before = {k: self.slots.get(k) for k in OWN}
        for e in entities:  # action_extract_slots: `calculator` outside a form only
            slot = SLOT_OF_ENTITY.get(e["entity"]) or (CALCULATOR_SLOT if e["entity"] == "calculator" else None)
            if slot and not (slot == CALCULATOR_SLOT and self.form):
                self.slots[slot] = e["value"]
        message = self.message = Message(text, intent, entities)
        replies = []
        if self.form:
            step = form_step(self.form, self.requested, message, self.values(), self.day, before)
            self.slots.update(step.slots)
            if not step.rejected:
                return self._go_on(step, replies)
            if intent == "stop":  # the general rule: the form is deactivated, the cancel said
                self.form = None
                return ["utter_flow_cancelled"]
            if not self.slots.get(CALCULATOR_SLOT):  # the rules answer, then the form asks again
                replies.append(f"rules:{intent}")
                step = form_step(self.form, self.requested, None, self.values(), self.day)
                self.slots.update(step.slots)
                return self._go_on(step, replies)
        if self.slots.get(CALCULATOR_SLOT):  # the rules start the form of the calculation asked for
            self.form = f"{self.slots[CALCULATOR_SLOT]}_form"
            if self.form == "contribution_form" and intent == "ask_contribution":
                replies.append("rules:ask_contribution")  # the answer to the question first
            step = form_step(self.form, None, message, self.values(), self.day, before)
            self.slots.update(step.slots)
            return self._go_on(step, replies)
        return [f"rules:{intent}"]

    def values(self):
        return {k: self.slots.get(k) for k in SLOTS}

    def _go_on(self, step, replies):
        replies += step.replies
        self.requested = step.next_slot
        if step.next_slot:
            return replies + [ask(self.form, step.next_slot, self.values(), self.day)]
        result = result_step(self.form, self.values(), self.day, self.message)
        self.slots.update(result.slots)
        self.form = None
        return replies + result.replies

    def names(self, intent, text, entities=None):
        return [r if isinstance(r, str) else r.response for r in self.say(intent, text, entities)]


@pytest.fixture
def chat():
    return Chat()


def test_contribution_asks_income_with_buttons_then_group(chat):
    replies = chat.say("ask_contribution", "đóng bao nhiêu 1 tháng")
    assert [r if isinstance(r, str) else r.response for r in replies] == ["rules:ask_contribution", "utter_ask_income"]
    assert [b["title"] for b in replies[-1].buttons] == ["Thấp nhất 1,5 triệu", "3 triệu", "5 triệu", "10 triệu"]
    assert replies[-1].buttons[2]["payload"] == '/inform{"amount": 5000000}'
    assert chat.names("inform", "/inform", [{"entity": "amount", "value": 5_000_000}]) == ["utter_ask_target_group"]
    result, note = chat.say("inform", "/inform", [{"entity": "target_group", "value": "poor"}])
    assert (result.response, note.response) == ("utter_contribution_result", "utter_uncertain_note")
    # 22 % × 5.000.000 = 1.100.000; a poor household gets 50 % × 22 % × 1.500.000 = 165.000
    assert (result.variables["gross"], result.variables["net"]) == ("1.100.000 đồng", "935.000 đồng")
    assert chat.form is None and chat.slots[CALCULATOR_SLOT] is None


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
    assert chat.slots["income"] is None and chat.form == "contribution_form"
    assert chat.names("nlu_fallback", "không biết nữa") == ["utter_flow_not_understood", "utter_ask_income"]
    assert chat.names("inform", "5") == ["utter_ask_target_group"]  # 5 means 5 triệu
    # 22 % × 5.000.000 - 20 % × 22 % × 1.500.000 = 1.100.000 - 66.000
    assert chat.say("inform", "khác")[0].variables["net"] == "1.034.000 đồng"


def test_contribution_asked_with_the_income_is_answered_at_once(chat):
    _, reply, note = chat.say("ask_contribution", "thu nhập 5 triệu đóng bao nhiêu 1 tháng")
    assert (reply.response, note.response) == ("utter_contribution_result", "utter_uncertain_note")  # support: M
    v = reply.variables
    # 22 % × 5.000.000 = 1.100.000; the group unknown: 20 % × 22 % × 1.500.000 = 66.000 of support
    assert (v["gross"], v["support"], v["net"]) == ("1.100.000 đồng", "66.000 đồng", "1.034.000 đồng")
    # a quarter 3 × 1.034.000; a year 12 × 1.034.000
    assert (v["net_quarter"], v["net_year"]) == ("3.102.000 đồng", "12.408.000 đồng")
    assert chat.form is None


def test_contribution_uses_the_group_said_now_or_before(chat):
    _, reply, _ = chat.say("ask_contribution", "hộ nghèo thu nhập 1,5 triệu đóng bao nhiêu")
    # 330.000 - 50 % × 330.000
    assert reply.variables["net"] == "165.000 đồng" and reply.variables["support_label"] == "hộ nghèo"
    other = Chat()
    other.slots["target_group"] = "ethnic_minority"
    _, reply, _ = other.say("ask_contribution", "1,5tr thì đóng bn")
    assert reply.variables["net"] == "231.000 đồng"  # 330.000 - 30 % × 330.000


def test_income_out_of_range_names_the_range(chat):
    _, error, question = chat.say("ask_contribution", "thu nhập 1 triệu đóng bao nhiêu")
    assert (error.response, question.response) == ("utter_invalid_value", "utter_ask_income")
    assert "1.500.000 đồng đến 50.600.000 đồng" in error.variables["message"]


def test_contribution_in_2027_carries_the_uncertainty_note():
    names = [r if isinstance(r, str) else r.response for r in Chat(date(2027, 2, 1)).say("ask_contribution", "5tr đóng bao nhiêu")]
    assert names == ["rules:ask_contribution", "utter_contribution_result", "utter_uncertain_note"]


@pytest.mark.parametrize("form", list(FORMS))
def test_stop_leaves_every_form_and_clears_its_answers(form):
    chat = Chat()
    chat.say("inform", "/x", [{"entity": "calculator", "value": FORMS[form]},
                              {"entity": "deceased", "value": "pensioner"}, {"entity": "withdrawal_case", "value": "emigrating"}])
    assert chat.form == form
    assert chat.names("stop", "thôi") == ["utter_flow_cancelled"]
    assert chat.form is None and all(chat.slots.get(slot) is None for slot in answer_slots(form))
    assert chat.names("ask_benefits", "có quyền lợi gì") == ["rules:ask_benefits"]


def test_pension_asks_only_what_is_missing(chat):
    assert chat.names("ask_pension", "/ask_pension", [{"entity": "calculator", "value": "pension"}]) == ["utter_ask_gender"]
    assert chat.names("inform", "nữ") == ["utter_ask_contribution_months"]
    replies = chat.say("inform", "20")
    assert [r.response for r in replies] == ["utter_pension_rate", "utter_ask_average_income"]
    assert replies[0].variables["rate"] == "55%"  # a woman: 45 % for 15 years + 5 × 2 %
    result, note = chat.say("inform", "5 triệu")
    assert (result.response, note.response) == ("utter_pension_result", "utter_estimate_note")
    assert result.variables["monthly"] == "2.750.000 đồng"  # 55 % × 5.000.000
    assert "Luật BHXH 2024, Điều 99" in result.variables["sources"]


def test_the_pension_rate_is_said_once_when_the_income_is_asked_again(chat):
    chat.say("ask_pension", "nữ đóng 20 năm thì lương hưu bao nhiêu")
    replies = chat.say("ask_benefits", "người đóng bhxh tự nguyện có những quyền lợi gì")
    assert [r if isinstance(r, str) else r.response for r in replies] == ["rules:ask_benefits", "utter_ask_average_income"]


def test_pension_accepts_an_average_income_below_todays_floor(chat):
    """The average covers the whole career (the floor was 700.000 until 2021)."""
    assert chat.names("ask_pension", "nữ đóng 20 năm thì lương hưu bao nhiêu") == ["utter_pension_rate",
                                                                                   "utter_ask_average_income"]
    result, _ = chat.say("inform", "1 triệu")
    assert result.response == "utter_pension_result" and result.variables["monthly"] == "550.000 đồng"  # 55 %
    other = Chat()
    other.say("ask_pension", "nữ đóng 20 năm thì lương hưu bao nhiêu")
    replies = other.say("inform", "500000", [{"entity": "amount", "value": 500_000}])
    assert replies[0].response == "utter_invalid_value" and "700.000 đồng" in replies[0].variables["message"]


def test_pension_reuses_the_income_given_earlier(chat):
    chat.say("ask_contribution", "thu nhập 5 triệu, hộ nghèo thì đóng bao nhiêu")
    result, _ = chat.say("ask_pension", "nữ đóng 20 năm thì lương hưu bao nhiêu")
    assert result.response == "utter_pension_result" and result.variables["monthly"] == "2.750.000 đồng"


def test_pension_under_15_years_gives_the_options_without_asking_the_income(chat):
    (reply,) = chat.say("ask_pension", "nam đóng 12 năm thì có lương hưu không")
    assert reply.response == "utter_pension_short" and reply.variables["missing"] == "3 năm"
    assert chat.form is None


def test_short_of_fifteen_years_never_offers_a_general_withdrawal(chat, responses):
    (reply,) = chat.say("ask_pension", "nam đóng 12 năm thì có lương hưu không")
    said = responses[reply.response][0]["text"].format(**reply.variables)
    assert reply.response == "utter_pension_short" and "rút" not in said.lower()
    assert "từ tháng liền trước tháng đủ tuổi nghỉ hưu" in said
    assert "ít nhất 500.000 đồng/tháng, thời gian nhận do BHXH tính" in said
    titles = [b["title"] for b in responses["utter_pension_short"][0]["buttons"]]
    assert titles == ["Tính tiền đóng bù", "Trợ cấp hằng tháng", "Tôi nên làm gì?", "Nhờ cán bộ tư vấn"]


def test_retirement_in_one_message(chat):
    reply, hint = chat.say("ask_retirement_age", "nam sinh tháng 1 năm 1966 bao giờ nghỉ hưu")
    assert reply.response == "utter_retirement_result"
    # 1/1966: 61 y 9 m (the 2027 age: 60 y 9 m in 2023 + 3 months a year) in 10/2027; pension from 11/2027
    assert (reply.variables["retirement_age"], reply.variables["pension_from"]) == ("61 tuổi 9 tháng", "11/2027")
    # the year he joined is not known: the transitional rule of Art 141(9) is told, at 60 for a man
    assert hint.response == "utter_retirement_transitional_hint" and hint.variables["transitional_age"] == "60 tuổi"


def test_a_woman_born_march_1964_retired_at_55_in_march_2019(chat):
    reply, _ = chat.say("ask_retirement_age", "nữ sinh tháng 3 năm 1964 bao giờ nghỉ hưu")
    assert (reply.variables["retirement_age"], reply.variables["reached"]) == ("55 tuổi", "3/2019")
    reply, _ = chat.say("ask_retirement_age", "nam sinh tháng 12 năm 1960 nghỉ hưu khi nào")
    assert (reply.variables["retirement_age"], reply.variables["reached"]) == ("60 tuổi", "12/2020")


def test_the_retirement_date_applies_art_141_9_when_the_join_year_is_known(chat):
    chat.slots.update({"joined_voluntary_year": 2003, "contribution_months": 264, "gender": "female",
                       "birth_year": 1971, "birth_month": 3})
    (reply,) = chat.say("ask_retirement_age", "/ask_retirement_age", [{"entity": "calculator", "value": "retirement"}])
    # 55 in 3/2026, 22 years paid: pension from 4/2026 instead of 12/2028 (57 y 8 m, the 2028 age)
    assert reply.response == "utter_retirement_result_transitional"
    assert (reply.variables["retirement_age"], reply.variables["pension_from"]) == ("55 tuổi", "4/2026")


def test_retirement_with_a_wrong_month(chat):
    assert chat.names("ask_retirement_age", "/x", [{"entity": "calculator", "value": "retirement"}]) == ["utter_ask_gender"]
    assert chat.names("inform", "/inform", [{"entity": "gender", "value": "female"}]) == ["utter_ask_birth_year"]
    assert chat.names("inform", "1970") == ["utter_ask_birth_month"]
    assert chat.requested == "birth_month"
    replies = chat.say("inform", "tháng 13")
    assert [r.response for r in replies] == ["utter_flow_not_understood", "utter_ask_birth_month"]
    reply, _ = chat.say("inform", "5")
    # 2027: 55 y 4 m + 6 × 4 months = 57 y 4 m, reached in 9/2027 (Decree 135/2020)
    assert (reply.variables["retirement_age"], reply.variables["reached"]) == ("57 tuổi 4 tháng", "9/2027")


def test_a_correction_replaces_the_value(chat):
    chat.say("ask_retirement_age", "/x", [{"entity": "calculator", "value": "retirement"},
                                         {"entity": "gender", "value": "female"}])
    question = chat.say("inform", "1966")[0]
    assert question.response == "utter_ask_birth_month" and question.variables["birth_year"] == "1966"
    question = chat.say("deny", "à không, tôi sinh năm 1970")[0]
    assert question.response == "utter_ask_birth_month" and question.variables["birth_year"] == "1970"
    reply, _ = chat.say("inform", "5")
    assert (reply.variables["birth"], reply.variables["reached"]) == ("5/1970", "9/2027")


def test_impossible_birth_year_is_reasked(chat):
    chat.say("ask_retirement_age", "/x", [{"entity": "calculator", "value": "retirement"}, {"entity": "gender", "value": "male"}])
    replies = chat.say("inform", "sinh 2020")
    assert [r.response for r in replies] == ["utter_invalid_value", "utter_ask_birth_year"]


def test_a_question_during_a_calculation_is_answered_and_the_question_asked_again(chat):
    chat.say("ask_contribution", "đóng bao nhiêu")
    assert chat.names("ask_maternity", "có chế độ thai sản không") == ["rules:ask_maternity", "utter_ask_income"]
    assert chat.form == "contribution_form"


@pytest.mark.parametrize("intent, text", [("ask_registration", "đăng ký ở đâu"), ("thank", "cảm ơn em"),
                                          ("greet", "chào em"), ("ask_lump_sum", "rút 1 lần đc ko")])
def test_a_short_question_or_greeting_during_a_calculation_is_answered_then_the_question_asked_again(chat, intent, text):
    chat.say("ask_contribution", "đóng bao nhiêu")
    assert chat.names(intent, text) == [f"rules:{intent}", "utter_ask_income"]
    assert chat.form == "contribution_form"


def test_a_calculation_whose_question_is_passed_by_twice_ends_without_asking_again(chat):
    chat.say("ask_contribution", "đóng bao nhiêu")
    assert chat.names("ask_maternity", "có chế độ thai sản không") == ["rules:ask_maternity", "utter_ask_income"]
    # the user has moved on: the answer, and no question again, no result
    assert chat.names("ask_registration", "đăng ký ở đâu") == ["rules:ask_registration"]
    assert chat.form is None and chat.slots.get("questions_ignored") is None
    assert chat.names("thank", "cảm ơn em") == ["rules:thank"]


def test_an_answer_between_two_questions_passed_by_keeps_the_calculation(chat):
    chat.say("ask_pension", "/x", [{"entity": "calculator", "value": "pension"}])
    assert chat.names("ask_maternity", "có chế độ thai sản không") == ["rules:ask_maternity", "utter_ask_gender"]
    assert chat.names("inform", "nữ") == ["utter_ask_contribution_months"]
    assert chat.names("ask_registration", "đăng ký ở đâu") == ["rules:ask_registration", "utter_ask_contribution_months"]
    assert chat.form == "pension_form"


def test_a_number_inside_a_question_is_no_answer(chat):
    chat.say("ask_contribution", "đóng bao nhiêu")
    # the 1 of "1 lần" is no income of 1 triệu (found in the benchmark's conversation)
    assert chat.names("ask_lump_sum", "rút bhxh 1 lần được không ạ") == ["rules:ask_lump_sum", "utter_ask_income"]
    assert chat.names("inform", "chắc tầm 5 thôi em ạ") == ["utter_ask_target_group"]


def test_a_long_message_out_of_scope_is_for_the_rules_a_short_one_is_read(chat):
    chat.say("ask_pension", "/x", [{"entity": "calculator", "value": "pension"}])
    assert chat.names("out_of_scope", "thời tiết hôm nay thế nào em") == ["rules:out_of_scope", "utter_ask_gender"]
    assert chat.names("out_of_scope", "nữ ạ") == ["utter_ask_contribution_months"]


def test_general_retirement_question_is_answered_by_the_rules(chat):
    assert chat.names("ask_retirement_age", "tuổi nghỉ hưu của nữ hiện nay là bao nhiêu") == ["rules:ask_retirement_age"]


@settings(deadline=None, max_examples=50)
@given(st.text(max_size=60))
def test_no_message_breaks_a_form(responses, text):
    entities = [asdict(e) for e in extract(text)]
    for form in FORMS:
        slots = {k: None for k in SLOTS} | {"gender": "male", "deceased": "pensioner"}
        for requested in (None, "income", "age", "months_drawn"):
            step = form_step(form, requested, Message(text, "inform", entities), slots, TODAY)
            assert all(r.response in responses for r in step.replies)
            assert step.next_slot is None or step.next_slot in SLOTS


def test_an_answer_that_is_also_a_question_is_taken_as_the_answer(chat):
    chat.say("ask_contribution", "đóng bao nhiêu")
    assert chat.names("ask_contribution", "thu nhập 5 triệu thì đóng bao nhiêu 1 tháng") == ["utter_ask_target_group"]
    # a question that names the group without answering the income: answered, the group kept
    assert chat.names("ask_state_support", "hộ nghèo được nhà nước hỗ trợ bao nhiêu") == [
        "utter_contribution_result", "utter_uncertain_note"]


def test_a_question_that_does_not_answer_keeps_what_it_says(chat):
    chat.say("ask_contribution", "đóng bao nhiêu")
    assert chat.names("ask_state_support", "hộ nghèo được nhà nước hỗ trợ bao nhiêu") == [
        "rules:ask_state_support", "utter_ask_income"]
    result, _ = chat.say("inform", "3 triệu")
    assert result.variables["support_label"] == "hộ nghèo"


def test_an_answer_with_its_unit_is_not_read_again_as_the_next_answer(chat):
    """Rasa fills the slots from the entities before the form runs: "đóng 20 năm" must not also be
    taken as an income of 20 triệu for the question after."""
    chat.say("ask_pension", "/ask_pension", [{"entity": "calculator", "value": "pension"}, {"entity": "gender", "value": "female"}])
    assert chat.names("inform", "dong 20 nam") == ["utter_pension_rate", "utter_ask_average_income"]
    assert chat.slots.get("income") is None


def test_another_calculation_asked_during_a_form_starts_its_form(chat):
    chat.say("ask_contribution", "đóng bao nhiêu")
    replies = chat.say("inform", "tôi 57 tuổi, là nữ, mới đóng được 10 năm thì sao")
    assert chat.form is None and replies[0].response == "utter_situation_short_reached"


# "My situation": the facts a question needs are asked one at a time, then the answer is computed.

def test_advice_asked_outright_asks_the_facts_then_answers(chat):
    assert chat.names("nlu_fallback", "có nên đóng tiếp không") == ["utter_ask_contribution_months"]
    assert chat.names("inform", "12") == ["utter_ask_gender"]  # a bare number: years paid
    assert chat.names("inform", "/inform", [{"entity": "gender", "value": "female"}]) == ["utter_ask_age"]
    assert chat.requested == "age"
    replies = chat.say("inform", "57")  # a bare number: the age
    # 57 on 24/11/2026: retirement age reached (57 y 0 m in 2026 at the latest); 36 months missing
    assert replies[0].response == "utter_situation_short_reached"
    assert replies[0].variables["missing"] == "3 năm"
    assert "utter_situation_make_up_now" in [r.response for r in replies]
    assert chat.form is None


def test_the_join_year_is_asked_only_when_the_transitional_rule_could_apply(chat):
    # born 3/1971, 19 years: the general age (57 y 8 m, the 2028 age) comes in 11/2028, by when 228 + 24
    # months paid monthly reach the 240 of Art 141(9): the join year matters
    replies = chat.say("inform", "tôi nữ, sinh tháng 3 năm 1971, đóng 19 năm thì sao")
    assert [r.response for r in replies] == ["utter_ask_joined_voluntary_year"]
    assert [b["title"] for b in replies[0].buttons] == ["Trước năm 2021", "Từ năm 2021", "Chưa tham gia", "Không nhớ"]
    assert replies[0].buttons[0]["payload"] == '/inform{"joined_year": "before_transition"}'
    replies = chat.say("inform", "/inform", [{"entity": "joined_year", "value": "before_transition"}])
    # 228 months + 12 paid monthly from 11/2026 = 240 in 10/2027; 55 since 3/2026: pension from 11/2027,
    # a year before the general rule's 12/2028
    assert replies[0].response == "utter_situation_transitional_later"
    assert replies[0].variables["pension_from"] == "11/2027"
    assert "trước ngày 1/1/2021" in replies[0].variables["facts"]


def test_not_remembering_the_join_year_gives_the_general_answer(chat):
    chat.say("inform", "tôi nữ, sinh tháng 3 năm 1971, đóng 19 năm thì sao")
    replies = chat.say("deny", "không nhớ")
    # the general rule: 11/2028, pension from 12/2028; the 15 years are there already
    assert replies[0].response == "utter_situation_later" and replies[0].variables["pension_from"] == "12/2028"
    assert chat.slots["joined_voluntary_year"] == "unknown" and chat.form is None


def test_the_advice_button_under_a_statement_of_facts(chat):
    assert chat.names("inform", "tôi 57 tuổi, là nữ, mới đóng được 10 năm") == ["rules:inform"]
    replies = chat.say("inform", '/inform{"calculator": "situation"}', [{"entity": "calculator", "value": "situation"}])
    assert replies[0].response == "utter_situation_short_reached"


# The benefit calculators.

def test_make_up_for_the_years_said_missing_at_the_floor(chat):
    replies = chat.say("ask_make_up_payment", "còn thiếu 3 năm thì đóng bù hết bao nhiêu")
    assert [r.response for r in replies] == ["utter_make_up_result", "utter_calc_assumed", "utter_uncertain_note",
                                             "utter_make_up_result_2"]
    # 36 months × 22 % × 1.500.000 = 36 × 330.000 = 11.880.000, before the fund's interest; the
    # compounding formula is confidence M: the figure is marked and the note asks to confirm it
    v = replies[0].variables
    assert (v["make_up_cost"], v["make_up_months"], v["make_up_monthly"]) == ("11.880.000 đồng (*)", "36", "330.000 đồng")
    assert "Luật BHXH 2024, Điều 36" in v["sources"]


def test_make_up_at_the_income_given_earlier_and_its_opening_month(chat):
    chat.say("inform", "thu nhập 3 triệu, nữ, sinh tháng 5 năm 1970")
    replies = chat.say("ask_make_up_payment", "/x", [{"entity": "calculator", "value": "make_up"}])
    assert [r.response for r in replies] == ["utter_ask_contribution_months"]
    replies = chat.say("inform", "12 năm")
    # 36 × 22 % × 3.000.000 = 36 × 660.000 = 23.760.000
    assert replies[0].variables["make_up_cost"] == "23.760.000 đồng (*)"
    # 5/1970 reaches 57 y 4 m (the 2027 age) in 9/2027: the make-up opens the month before, 8/2027
    opens = next(r for r in replies if r.response == "utter_make_up_opens_on")
    assert opens.variables["opens_on"] == "8/2027"


def test_make_up_with_more_than_five_years_missing_is_refused_with_the_alternatives(chat):
    (reply,) = chat.say("ask_make_up_payment", "/x", [{"entity": "calculator", "value": "make_up"},
                                                       {"entity": "duration_months", "value": 84}])
    assert reply.response == "utter_make_up_too_many" and reply.variables["missing"] == "8 năm"


def test_withdrawal_asks_the_case_with_buttons_and_refuses_outside_art_102(chat, responses):
    (reply,) = chat.say("ask_lump_sum", "/x", [{"entity": "calculator", "value": "withdrawal"}])
    assert reply.response == "utter_ask_withdrawal_case"
    titles = [b["title"] for b in responses["utter_ask_withdrawal_case"][0]["buttons"]]
    assert titles == ["Đủ tuổi nghỉ hưu", "Định cư nước ngoài", "Bệnh hiểm nghèo", "Mất sức lao động", "Đã ngừng đóng",
                      "Trường hợp khác"]
    names = chat.names("inform", "/inform", [{"entity": "withdrawal_case", "value": "none"}])
    assert names == ["utter_withdrawal_not_allowed", "utter_withdrawal_not_allowed_2"]
    assert "rút" not in responses["utter_withdrawal_not_allowed_2"][0]["text"]
    assert chat.slots["withdrawal_case"] is None  # the form's answers are cleared with its result


def test_withdrawal_for_a_serious_illness_keeps_the_state_support(chat):
    replies = chat.say("ask_lump_sum", "tôi bị ung thư có được rút bhxh một lần không")
    assert [r.response for r in replies] == ["utter_withdrawal_case_named", "utter_ask_contribution_months"]
    assert chat.names("inform", "12") == ["utter_ask_months_before_2014"]
    assert chat.names("inform", "5 năm") == ["utter_ask_average_income"]
    assert chat.slots["contribution_months"] == 144  # "5 năm" answered the years before 2014, not the total
    result, support = chat.say("inform", "4 triệu")
    # 5 years × 1,5 × 4.000.000 + 7 years × 2 × 4.000.000 = 30.000.000 + 56.000.000
    assert (result.response, result.variables["gross"]) == ("utter_withdrawal_result", "86.000.000 đồng")
    assert (result.variables["years_before"], result.variables["years_from"]) == ("5", "7")
    assert support.response == "utter_withdrawal_support_kept"  # Art 102(c): not deducted


def test_withdrawal_at_retirement_age_deducts_the_support_and_names_the_alternatives(chat):
    chat.say("ask_lump_sum", "/x", [{"entity": "calculator", "value": "withdrawal"}])
    chat.say("inform", "/inform", [{"entity": "withdrawal_case", "value": "retirement_age"}])
    chat.say("inform", "10")
    assert chat.names("deny", "/deny") == ["utter_ask_average_income"]  # "Không có": nothing before 2014
    names = chat.names("inform", "3 triệu")
    assert names == ["utter_withdrawal_result", "utter_withdrawal_support_deducted", "utter_withdrawal_alternatives"]


def test_withdrawal_refused_to_whoever_has_the_years_for_a_pension(chat):
    chat.say("ask_lump_sum", "/x", [{"entity": "calculator", "value": "withdrawal"}])
    chat.say("inform", "/inform", [{"entity": "withdrawal_case", "value": "retirement_age"}])
    (reply,) = chat.say("inform", "16")
    assert reply.response == "utter_withdrawal_enough_for_pension"


def test_years_before_2014_above_the_total_are_reasked(chat):
    chat.say("ask_lump_sum", "/x", [{"entity": "calculator", "value": "withdrawal"},
                                    {"entity": "withdrawal_case", "value": "emigrating"}])
    chat.say("inform", "6")
    replies = chat.say("inform", "8")
    assert [r.response for r in replies] == ["utter_invalid_value", "utter_ask_months_before_2014"]
    assert replies[1].variables["duration"] == "6 năm"


def test_allowance_for_a_woman_at_retirement_age_with_ten_years(chat):
    replies = chat.say("ask_pension", "/x", [{"entity": "calculator", "value": "allowance"},
                                             {"entity": "gender", "value": "female"},
                                             {"entity": "birth_year", "value": 1966}, {"entity": "birth_month", "value": 5},
                                             {"entity": "duration_months", "value": 120}])
    # born 5/1966: 55 y 4 m in 9/2021, the age of 2021; reached
    assert [r.response for r in replies] == ["utter_allowance_result", "utter_allowance_open"]
    assert (replies[0].variables["allowance_min"], replies[0].variables["allowance_until_age"]) == ("500.000 đồng", "75")


def test_survivor_of_a_contributor(chat):
    assert chat.names("ask_survivor", "/x", [{"entity": "calculator", "value": "survivor"}]) == ["utter_ask_deceased"]
    assert chat.names("inform", "/inform", [{"entity": "deceased", "value": "contributor"}]) == ["utter_ask_deceased_months"]
    assert chat.names("inform", "10 năm") == ["utter_ask_deceased_before_2014"]
    assert chat.names("inform", "3") == ["utter_ask_deceased_income"]
    result, funeral, monthly = chat.say("inform", "5 triệu")
    # 3 years × 1,5 × 5.000.000 + 7 years × 2 × 5.000.000 = 22.500.000 + 70.000.000
    assert (result.response, result.variables["amount"]) == ("utter_survivor_result", "92.500.000 đồng")
    assert (funeral.response, funeral.variables["funeral_allowance"]) == ("utter_survivor_funeral", "25.300.000 đồng")
    assert monthly.response == "utter_survivor_monthly_not_available"


def test_survivor_answers_leave_the_users_own_facts_alone(chat):
    chat.say("inform", "tôi đã đóng 12 năm, thu nhập 3 triệu")
    chat.say("ask_survivor", "bố tôi đang đóng bhxh thì mất, được trợ cấp tuất bao nhiêu")
    chat.say("inform", "20 năm")
    assert chat.slots["contribution_months"] == 144 and chat.slots["income"] == 3_000_000
    assert chat.slots["deceased_months"] == 240


def test_survivor_of_a_pensioner_and_the_three_month_minimum(chat):
    assert chat.names("ask_survivor", "mẹ tôi đang hưởng lương hưu thì mất, được trợ cấp tuất bao nhiêu") == [
        "utter_ask_pension_amount"]
    assert chat.names("inform", "4 triệu") == ["utter_ask_months_drawn"]
    (result, _, _) = chat.say("inform", "2 năm")
    # 48 - 0,5 × 24 = 36 months × 4.000.000
    assert (result.variables["months_of_pension"], result.variables["amount"]) == ("36", "144.000.000 đồng")
    chat.say("ask_survivor", "/x", [{"entity": "calculator", "value": "survivor"},
                                    {"entity": "deceased", "value": "pensioner"}])
    chat.say("inform", "4 triệu")
    (result, _, _) = chat.say("inform", "100")
    # 48 - 0,5 × 100 < 3: at least 3 months × 4.000.000
    assert (result.variables["months_of_pension"], result.variables["amount"]) == ("3", "12.000.000 đồng")


def test_survivor_under_sixty_months_gets_what_was_paid_and_no_funeral_allowance(chat):
    chat.say("ask_survivor", "/x", [{"entity": "calculator", "value": "survivor"},
                                    {"entity": "deceased", "value": "contributor"}])
    assert chat.names("inform", "4 năm") == ["utter_survivor_refund", "utter_survivor_no_funeral",
                                             "utter_survivor_monthly_not_available"]


def test_a_short_mixed_career_gets_at_least_three_months_of_the_average(chat):
    chat.say("ask_survivor", "bố tôi đang đóng bhxh thì mất, trước làm công ty 2 năm, đóng tự nguyện 1 năm")
    replies = chat.say("inform", "4 triệu")
    # 36 months (under 60): what was paid in, and a career with both kinds at least 3 × 4.000.000
    assert [r.response for r in replies][:2] == ["utter_survivor_refund", "utter_survivor_mixed_minimum"]
    assert replies[1].variables["minimum"] == "12.000.000 đồng"


def test_starting_a_calculation_clears_the_answers_another_left(chat):
    chat.say("ask_survivor", "/x", [{"entity": "calculator", "value": "survivor"},
                                    {"entity": "deceased", "value": "pensioner"}])
    chat.say("ask_lump_sum", "/x", [{"entity": "calculator", "value": "withdrawal"}])  # the survivor form left
    assert chat.slots["deceased"] is None and chat.form == "withdrawal_form"


# The office directory.

def test_contact_uses_the_province_given_earlier_or_asks_it(chat):
    assert chat.names("ask_contact", "bhxh tỉnh ở đâu") == ["utter_ask_contact/general", "utter_ask_contact_province"]
    office, _ = chat.say("inform", "nghệ an")
    assert office.response == "utter_contact_office"
    assert office.variables["office"] == "Bảo hiểm xã hội tỉnh Nghệ An"
    assert chat.say("ask_contact", "cho xin địa chỉ bhxh")[0].variables["office"] == "Bảo hiểm xã hội tỉnh Nghệ An"


def test_an_ambiguous_province_is_asked_with_buttons_then_answered(chat):
    (reply,) = chat.say("ask_contact", "bhxh ĐN ở đâu")
    assert reply.response == "utter_ask_which_province"
    assert [b["title"] for b in reply.buttons] == ["Đà Nẵng", "Đồng Nai"]
    replies = chat.say("inform", '/inform{"province": "Đồng Nai"}', [{"entity": "province", "value": "Đồng Nai"}])
    assert replies[0].variables["office"] == "Bảo hiểm xã hội tỉnh Đồng Nai"


def test_office_of_the_province_named_with_its_uncertain_entries_marked(chat):
    office, note = chat.say("ask_contact", "địa chỉ bảo hiểm xã hội tỉnh Nghệ An ở đâu")
    assert office.response == "utter_contact_office" and note.response == "utter_uncertain_note"
    assert office.variables["office"] == "Bảo hiểm xã hội tỉnh Nghệ An"
    assert office.variables["office_details"] == (
        "• Địa chỉ: Số 06 đường Trường Thi, thành phố Vinh, tỉnh Nghệ An (*)\n• Điện thoại: 0238 3844 888 (*)")


def test_an_office_without_an_address_says_so_and_gives_the_hotline(chat, responses):
    (reply,) = chat.say("ask_contact", "dia chi bhxh ha giang o dau")
    assert reply.response == "utter_contact_office_no_address"
    assert reply.variables["office"] == "Bảo hiểm xã hội tỉnh Tuyên Quang (gồm cả Hà Giang cũ)"
    assert reply.variables["office_details"] == ""
    text = responses[reply.response][0]["text"].format(**reply.variables)
    assert "em chưa có địa chỉ" in text and "1900 9068" in text and "baohiemxahoi.gov.vn" in text
