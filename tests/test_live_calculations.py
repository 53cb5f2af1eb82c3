"""The calculations' forms and the "my situation" advice, with the real assistant over REST (the
session's assistant: tests/conftest.py): the NLU names the calculation, the rules start its form, the
action server validates each answer, the rules answer a question asked in the middle."""

import pytest

from live_helpers import tap, text_of

pytestmark = pytest.mark.live


def test_contribution_without_diacritics_and_with_abbreviations(assistant):
    reply = text_of(assistant.say("bhxh tu nguyen dong bn 1 thang"))
    assert "22%" in reply
    assert "330.000 đồng" in reply and "11.132.000 đồng" in reply
    assert "Luật BHXH 2024, Điều 36" in reply


def test_contribution_for_the_users_income(assistant):
    reply = text_of(assistant.say("thu nhập 5 triệu đóng bao nhiêu 1 tháng"))
    assert "1.100.000 đồng" in reply and "1.034.000 đồng" in reply


def test_contribution_asks_the_income_with_buttons_and_reasks_a_wrong_one(assistant):
    chat = "contribution-flow"
    messages = assistant.say("dong bn 1 thang", sender=chat)
    buttons = {b["title"]: b["payload"] for m in messages for b in m.get("buttons", [])}
    assert "Thấp nhất 1,5 triệu" in buttons and "10 triệu" in buttons
    assert "1.500.000 đồng đến 50.600.000 đồng" in text_of(assistant.say("1 triệu", sender=chat))
    assert "nhóm nào" in text_of(assistant.say(buttons["5 triệu"], sender=chat))
    reply = text_of(assistant.say("hộ nghèo", sender=chat))
    assert "1.100.000 đồng" in reply and "935.000 đồng" in reply and "2.805.000 đồng" in reply


def test_pension_estimate_asks_only_what_is_missing(assistant):
    chat = "pension-flow"
    about_pensions = tap(assistant, assistant.say("chào em", sender=chat), "Lương hưu", chat)
    assert "nam hay nữ" in text_of(tap(assistant, about_pensions, "Tính lương hưu", chat))
    assert "bao nhiêu năm" in text_of(assistant.say("nu", sender=chat))
    assert "55%" in text_of(assistant.say("dong 20 nam", sender=chat))
    reply = text_of(assistant.say("5tr", sender=chat))
    assert "2.750.000 đồng" in reply and "ước tính" in reply and "Luật BHXH 2024, Điều 99" in reply


@pytest.mark.parametrize("question", ["nam sinh tháng 1 năm 1966 bao giờ nghỉ hưu",
                                      "nam sinh thang 1 nam 1966 bao gio nghi huu"])
def test_retirement_date_in_one_message(assistant, question):
    reply = text_of(assistant.say(question, sender="retirement-" + question[:12]))
    assert "61 tuổi 9 tháng" in reply and "11/2027" in reply


@pytest.mark.parametrize("request_, question", [
    ("tính lương hưu cho tôi", "mà phải đóng bao nhiêu năm thì mới được lương hưu?"),
    ("tinh luong huu cho toi", "ma phai dong bao nhieu nam thi moi duoc luong huu?"),
])
def test_a_question_in_the_middle_of_a_form_is_answered_then_the_form_asks_again(assistant, request_, question):
    """The issue's example: the answer to the question, and the pending question again, in one turn."""
    chat = "middle-" + request_[:4]
    assert "nam hay nữ" in text_of(assistant.say(request_, sender=chat))
    messages = assistant.say(question, sender=chat)
    assert "15 năm" in text_of(messages[:-1])  # the minimum years for a pension (Law 41/2024 Art 98)
    assert "nam hay nữ" in messages[-1]["text"]  # then the form's question again
    assert "bao nhiêu năm" in text_of(assistant.say("nữ", sender=chat))


def test_a_correction_replaces_the_value(assistant):
    chat = "corrected-birth"
    about_retirement = assistant.say("mấy tuổi thì được nghỉ hưu", sender=chat)
    tap(assistant, about_retirement, "Tính tuổi nghỉ hưu", chat)
    assistant.say("nữ", sender=chat)
    assert "năm 1966" in text_of(assistant.say("1966", sender=chat))
    assert "năm 1970" in text_of(assistant.say("à không, tôi sinh năm 1970", sender=chat))
    reply = text_of(assistant.say("tháng 5", sender=chat))
    # 5/1970: 57 y 4 m (the 2027 age: 55 y 4 m in 2021 + 4 months a year) in 9/2027 (Decree 135/2020)
    assert "57 tuổi 4 tháng" in reply and "9/2027" in reply


def test_a_cancelled_calculation(assistant):
    chat = "cancelled-flow"
    about_retirement = assistant.say("mấy tuổi thì được nghỉ hưu", sender=chat)
    assert "nam hay nữ" in text_of(tap(assistant, about_retirement, "Tính tuổi nghỉ hưu", chat))
    assert "tháng mấy" in text_of(assistant.say("nữ", sender=chat))
    assert "em dừng ở đây" in text_of(assistant.say("thôi", sender=chat))
    assert "thai sản" in text_of(assistant.say("có chế độ thai sản không", sender=chat))


@pytest.mark.parametrize("question", [
    "Tôi là nữ, 56 tuổi, tham gia BHXH tự nguyện từ năm 2003, đã đóng 22 năm, đã được nhận lương hưu chưa?",
    "Toi la nu, 56 tuoi, tham gia BHXH tu nguyen tu nam 2003, da dong 22 nam, da duoc nhan luong huu chua?",
])
def test_a_woman_who_joined_before_2021_with_22_years_is_entitled_now(assistant, question):
    reply = text_of(assistant.say(question, sender="transitional-" + question[:3]))
    # Art 141(9): joined before 1/1/2021, at least 20 years -> pension at 55; she is 56
    assert "được hưởng lương hưu khi đủ 55 tuổi" in reply and "đã đủ điều kiện hưởng lương hưu" in reply
    assert "Luật BHXH 2024, Điều 141 khoản 9" in reply
    # 22 years: 45 % + 7 × 2 % = 59 %
    assert "59%" in reply and "45% cho 15 năm + 7 × 2%" in reply
    assert "không được nghỉ hưu trước tuổi" not in reply


@pytest.mark.parametrize("question", ["tôi 57 tuổi, là nữ, mới đóng được 10 năm thì sao",
                                      "toi 57 tuoi, la nu, moi dong duoc 10 nam thi sao"])
def test_a_woman_of_57_with_10_years_hears_her_options_with_their_figures(assistant, question):
    reply = text_of(assistant.say(question, sender="short-" + question[:3]))
    assert "em đã ghi nhận" not in reply
    assert "còn thiếu 5 năm" in reply and "đã đến tuổi nghỉ hưu" in reply and "57 tuổi" in reply
    # the make-up payment is open: 60 months × 22 % × 1.500.000 = 19.800.000, an estimate
    assert "đóng được ngay" in reply and "ước tính khoảng 19.800.000 đồng (*) = 60 tháng × 22% × 1.500.000 đồng" in reply
    # the Art 23 allowance as the alternative
    assert "trợ cấp hằng tháng" in reply and "ít nhất 500.000 đồng/tháng" in reply and "Luật BHXH 2024, Điều 23" in reply


def test_advice_asked_outright_asks_the_missing_facts_with_buttons(assistant):
    chat = "advice-questions"
    assert "bao nhiêu năm" in text_of(assistant.say("có nên đóng tiếp không", sender=chat))
    asked = assistant.say("12 năm", sender=chat)
    assert "nam hay nữ" in text_of(asked)
    assert "bao nhiêu tuổi" in text_of(tap(assistant, asked, "Nữ", chat))
    reply = text_of(assistant.say("58", sender=chat))
    # 36 months missing: 36 × 330.000 = 11.880.000
    assert "còn thiếu 3 năm" in reply and "11.880.000 đồng" in reply


def test_a_survivor_calculation_does_not_change_what_the_user_said_of_herself(assistant):
    chat = "survivor-then-self"
    assistant.say("tôi đã đóng được 10 năm", sender=chat)
    general = assistant.say("bố tôi mất thì được trợ cấp tuất bao nhiêu", sender=chat)
    deceased = tap(assistant, general, "Tính trợ cấp tuất", chat)
    assert "Người mất đã đóng BHXH tổng cộng bao nhiêu năm" in text_of(tap(assistant, deceased, "Đang đóng BHXH", chat))
    assert "trước năm 2014" in text_of(assistant.say("20 năm", sender=chat))
    assert "Bình quân thu nhập" in text_of(assistant.say("3", sender=chat))
    reply = text_of(assistant.say("5 triệu", sender=chat))
    # 3 × 1,5 × 5.000.000 + 17 × 2 × 5.000.000 = 22.500.000 + 170.000.000
    assert "192.500.000 đồng" in reply and "25.300.000 đồng" in reply
    own = text_of(assistant.say("tôi nữ 57 tuổi thì sao", sender=chat))
    assert "đã đóng 10 năm" in own and "còn thiếu 5 năm" in own


def test_the_withdrawal_calculator_from_the_button_under_the_answer(assistant):
    chat = "withdrawal-button"
    general = assistant.say("rút bhxh một lần được không", sender=chat)
    cases = tap(assistant, general, "Tính rút một lần", chat)
    refused = text_of(tap(assistant, cases, "Trường hợp khác", chat))
    assert "không thuộc trường hợp được rút BHXH một lần" in refused and "bảo lưu" in refused


def test_a_question_in_the_middle_of_the_contribution_form(assistant):
    chat = "contribution-digression"
    assert "Thấp nhất 1,5 triệu" in str(assistant.say("dong bn 1 thang", sender=chat))
    messages = assistant.say("có chế độ thai sản không", sender=chat)
    assert "thai sản" in text_of(messages[:-1]) and "mức thu nhập nào" in messages[-1]["text"]
    assert "nhóm nào" in text_of(assistant.say("5 triệu", sender=chat))


def test_another_calculation_asked_in_the_middle_of_a_form(assistant):
    chat = "switched-calculation"
    assistant.say("dong bn 1 thang", sender=chat)
    reply = text_of(assistant.say("tôi 57 tuổi, là nữ, mới đóng được 10 năm thì sao", sender=chat))
    assert "còn thiếu 5 năm" in reply and "mức thu nhập nào" not in reply


def test_the_office_of_the_province_asked_for(assistant):
    chat = "office-asked"
    asked = text_of(assistant.say("bhxh tỉnh ở đâu", sender=chat))
    assert "1900 9068" in asked and "tỉnh/thành phố nơi anh/chị sống" in asked
    assert "Bảo hiểm xã hội tỉnh Nghệ An" in text_of(assistant.say("nghệ an", sender=chat))
    reply = text_of(assistant.say("dia chi bhxh ha giang o dau", sender="office-old-name"))
    assert "Bảo hiểm xã hội tỉnh Tuyên Quang (gồm cả Hà Giang cũ)" in reply and "1900 9068" in reply
