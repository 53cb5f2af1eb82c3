from dataclasses import asdict
from datetime import date

from bot.dialogue.answers import MAX_QUESTION_CHARS, plan_answer
from bot.language.extract import extract
from conftest import TODAY


def answer(intent, text, responses, known=None, day=TODAY):
    return plan_answer(intent, text, [asdict(e) for e in extract(text)], responses, day, known).replies


def test_long_answers_continue_in_numbered_parts(responses):
    names = [r.response for r in answer("ask_pension", "lương hưu bao nhiêu", responses)]
    assert names == ["utter_ask_pension", "utter_ask_pension_2", "utter_ask_pension_3"]


def test_answers_carry_the_figures_in_force(responses):
    reply = answer("ask_contribution", "đóng bao nhiêu", responses)[0]
    assert reply.variables["min_contribution"] == "330.000 đồng"
    assert reply.variables["income_ceiling"] == "50.600.000 đồng"


def test_unknown_intent_falls_back(responses):
    assert answer("nlu_fallback", "asdf qwer", responses)[0].response == "utter_nlu_fallback"
    assert answer(None, "asdf", responses)[0].response == "utter_nlu_fallback"


def test_empty_and_emoji_only_messages(responses):
    for text in ("", "   ", "😀😀😀", "\x00\x01", "<b></b>", None):
        assert [r.response for r in answer("greet", text or "", responses)] == ["utter_empty_message"]


def test_enormous_message(responses):
    replies = answer("ask_pension", "lương hưu " * (MAX_QUESTION_CHARS // 5), responses)
    assert [r.response for r in replies] == ["utter_too_long"]


def test_inform_repeats_what_was_understood(responses):
    (reply,) = answer("inform", "tôi ở ha giang, thu nhập 5tr", responses)
    assert reply.response == "utter_inform"
    assert reply.variables["details"] == "tỉnh Tuyên Quang (trước đây là Hà Giang); thu nhập 5.000.000 đồng"


def test_inform_with_an_ambiguous_province_asks_which(responses):
    (reply,) = answer("inform", "em ở ĐN", responses)
    assert reply.response == "utter_ask_which_province"
    assert [b["title"] for b in reply.buttons] == ["Đà Nẵng", "Đồng Nai"]
    assert reply.buttons[0]["payload"] == '/inform{"province": "Đà Nẵng"}'


def test_inform_with_a_button_payload_entity(responses):
    replies = plan_answer("inform", '/inform{"province": "Đồng Nai"}',
                          [{"entity": "province", "value": "Đồng Nai"}], responses, TODAY).replies
    assert replies[0].variables["details"] == "tỉnh Đồng Nai"


def test_inform_with_a_malformed_entity_value(responses):
    replies = plan_answer("inform", "/inform", [{"entity": "amount", "value": "abc"}], responses, TODAY).replies
    assert replies[0].response == "utter_inform_unparsed"


def test_inform_without_anything_recognised(responses):
    assert answer("inform", "nhà tôi ở gần chợ", responses)[0].response == "utter_inform_unparsed"


def test_uncertain_figures_get_one_note(responses):
    replies = answer("ask_contribution", "đóng bao nhiêu", responses, day=date(2027, 2, 1))
    assert [r.response for r in replies].count("utter_uncertain_note") == 1
    assert replies[0].variables["income_floor"].endswith("(*)")
    today = answer("ask_contribution", "đóng bao nhiêu", responses)
    assert "utter_uncertain_note" not in [r.response for r in today]
    assert "utter_uncertain_note" not in [r.response for r in answer("ask_pension", "x", responses, day=date(2027, 2, 1))]


def text_of(reply, responses):
    return responses[reply.response][0]["text"].format(**reply.variables)


# The answers the audit of issue 14 found wrong, with the figures they must now state.

def test_retirement_answer_states_the_cohorts_before_the_schedule_and_the_transitional_rule(responses):
    _, before, transitional = answer("ask_retirement_age", "tuổi nghỉ hưu là bao nhiêu", responses)
    assert "trước năm 2021 nghỉ hưu ở tuổi cũ: nam 60 tuổi, nữ 55 tuổi" in text_of(before, responses)
    said = text_of(transitional, responses)
    assert "trước ngày 1/1/2021 và có từ 20 năm đóng" in said and "60 tuổi (nam) hoặc 55 tuổi (nữ)" in said
    assert "Luật BHXH 2024, Điều 141 khoản 9" in said
    assert all("không được nghỉ hưu trước tuổi" not in v["text"] for r in responses.values() for v in r)


def test_pension_answer_states_the_extra_payment_after_retirement_age(responses):
    third = answer("ask_pension", "lương hưu tính thế nào", responses)[2]
    said = text_of(third, responses)
    assert "0,5 tháng bình quân thu nhập" in said and "sau tuổi nghỉ hưu được 2 tháng" in said
    assert "Luật BHXH 2024, Điều 100" in said and "thấp hơn mức thấp nhất hiện nay" in said


WITHDRAWAL_ANSWERS = {"utter_ask_lump_sum", "utter_ask_lump_sum_2", "utter_situation_withdrawal", "utter_scenario_objection",
                      "utter_ask_withdrawal_case", "utter_withdrawal_case_named", "utter_withdrawal_result",
                      "utter_withdrawal_alternatives", "utter_withdrawal_not_allowed", "utter_withdrawal_enough_for_pension",
                      "utter_withdrawal_twenty_years", "utter_ask_pause_2", "utter_allowance_result"}


def test_only_the_withdrawal_answers_speak_of_withdrawing(responses):
    """Art 102: a one-time withdrawal is no general option; only the answers about its cases name it."""
    for name, variations in responses.items():
        if name not in WITHDRAWAL_ANSWERS:
            assert all("rút" not in v["text"].lower() for v in variations), name


def test_make_up_answer_opens_the_month_before_retirement_age_and_describes_the_allowance(responses):
    first, second = answer("ask_make_up_payment", "đóng bù được không", responses)
    assert "từ tháng liền trước tháng đủ tuổi nghỉ hưu" in text_of(first, responses)
    said = text_of(second, responses)
    assert "ít nhất 500.000 đồng/tháng, thời gian nhận do cơ quan BHXH tính" in said and "rút" not in said


def test_survivor_answer_covers_pensioners_and_mixed_careers(responses):
    _, second, third = answer("ask_survivor", "chế độ tử tuất thế nào", responses)
    said = text_of(second, responses)
    assert "ít nhất 3 tháng bình quân thu nhập" in said
    assert "48 tháng lương hưu, trừ 0,5 tháng cho mỗi tháng đã nhận, thấp nhất 3 tháng" in said
    assert "Luật BHXH 2024, Điều 110 khoản 4" in said
    assert "không áp dụng cho người chỉ đóng BHXH tự nguyện" in text_of(third, responses)


# The office directory: a province named with the question gets its office.

def test_office_of_the_province_named_with_its_uncertain_entries_marked(responses):
    office, note = answer("ask_contact", "địa chỉ bảo hiểm xã hội tỉnh Nghệ An ở đâu", responses)
    assert office.response == "utter_contact_office" and note.response == "utter_uncertain_note"
    assert office.variables["office"] == "Bảo hiểm xã hội tỉnh Nghệ An"
    assert office.variables["office_details"] == (
        "• Địa chỉ: Số 06 đường Trường Thi, thành phố Vinh, tỉnh Nghệ An (*)\n• Điện thoại: 0238 3844 888 (*)")


def test_an_office_without_an_address_says_so_and_gives_the_hotline(responses):
    (reply,) = answer("ask_contact", "dia chi bhxh ha giang o dau", responses)
    assert reply.response == "utter_contact_office_no_address"
    assert reply.variables["office"] == "Bảo hiểm xã hội tỉnh Tuyên Quang (gồm cả Hà Giang cũ)"
    assert reply.variables["office_details"] == ""
    text = responses[reply.response][0]["text"].format(**reply.variables)
    assert "em chưa có địa chỉ" in text and "1900 9068" in text and "baohiemxahoi.gov.vn" in text
