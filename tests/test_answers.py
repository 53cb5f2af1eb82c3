"""The answers as the citizen reads them: the domain's responses rendered by Rasa's NLG with the
figures of the day (bot/dialogue/nlg.py), the requests read by patterns (bot/language/requests.py),
and what the user said of themselves said back (bot/dialogue/inform.py). Expected figures are
written by hand from the law (policy-2026.md)."""
from dataclasses import asdict

import pytest

from bot.dialogue.inform import inform_replies
from bot.dialogue.nlg import FiguresNLG
from bot.language.extract import extract
from bot.language.requests import special_request
from bot.language.text import MAX_QUESTION_CHARS
from conftest import TODAY


@pytest.fixture
def say(responses, monkeypatch):
    monkeypatch.setenv("BOT_TODAY", TODAY.isoformat())
    nlg = FiguresNLG.of_responses(responses)

    def render(name: str, day: str | None = None, **variables) -> str:
        monkeypatch.setenv("BOT_TODAY", day or TODAY.isoformat())
        return nlg.render(name, {}, "rest", **variables)["text"]
    return render


def test_answers_carry_the_figures_in_force(say):
    said = say("utter_ask_contribution/general")
    assert "330.000 đồng" in said and "50.600.000 đồng" in said


def test_a_figure_not_yet_confirmed_gets_one_note_in_the_same_message(say):
    later = say("utter_ask_contribution/general", day="2027-02-01")
    assert "(*)" in later and later.count("chưa được xác nhận chính thức") == 1
    assert "chưa được xác nhận" not in say("utter_ask_contribution/general")
    assert "chưa được xác nhận" not in say("utter_ask_pension/general", day="2027-02-01")


def test_a_slot_value_never_reaches_a_button_payload(responses):
    nlg = FiguresNLG.of_responses(responses)
    message = nlg.render("utter_ask_gender", {"gender": '"}, {"x": "y'}, "rest")
    assert [b["payload"] for b in message["buttons"]] == ['/inform{"gender": "male"}', '/inform{"gender": "female"}']


@pytest.mark.parametrize("text", ["", "   ", "😀😀😀", "\x00\x01", "<b></b>", None])
def test_empty_and_emoji_only_messages(text):
    assert special_request(text) == "empty_message"


def test_enormous_message():
    assert special_request("lương hưu " * (MAX_QUESTION_CHARS // 5)) == "too_long"


@pytest.mark.parametrize("text, intent", [
    ("thôi", "stop"), ("Hủy", "stop"), ("thôi không cần nữa ạ", "stop"), ("thoi khong tinh nua", "stop"),
    ("xóa thông tin của tôi", "withdraw_consent"), ("tôi không muốn được gọi nữa", "withdraw_consent"),
    ("thông tin của tôi", "show_my_data"), ("em đang lưu gì về tôi", "show_my_data"),
    ("thôi việc thì có được đóng tiếp không", None), ("sửa thông tin", None), ("lương hưu bao nhiêu", None),
])
def test_requests_about_the_conversation_are_read_by_patterns(text, intent):
    assert special_request(text) == intent


def facts_said(text, responses):
    return inform_replies([asdict(e) for e in extract(text)], {})


def test_inform_repeats_what_was_understood(responses):
    (reply,) = facts_said("tôi ở ha giang, thu nhập 5tr", responses)
    assert reply.response == "utter_inform"
    assert reply.variables["details"] == "tỉnh Tuyên Quang (trước đây là Hà Giang); thu nhập 5.000.000 đồng"


def test_inform_with_an_ambiguous_province_asks_which(responses):
    (reply,) = facts_said("em ở ĐN", responses)
    assert reply.response == "utter_ask_which_province"
    assert [b["title"] for b in reply.buttons] == ["Đà Nẵng", "Đồng Nai"]
    assert reply.buttons[0]["payload"] == '/inform{"province": "Đà Nẵng"}'


def test_inform_with_a_button_payload_entity():
    (reply,) = inform_replies([{"entity": "province", "value": "Đồng Nai"}], {})
    assert reply.variables["details"] == "tỉnh Đồng Nai"


def test_inform_with_a_malformed_entity_value():
    assert inform_replies([{"entity": "amount", "value": "abc"}], {})[0].response == "utter_inform_unparsed"


def test_inform_without_anything_recognised(responses):
    assert facts_said("nhà tôi ở gần chợ", responses)[0].response == "utter_inform_unparsed"


# The answers the audit of issue 14 found wrong, with the figures they must now state.

def test_retirement_answer_states_the_cohorts_before_the_schedule_and_the_transitional_rule(say, responses):
    said = say("utter_ask_retirement_age/general")
    assert "trước năm 2021 nghỉ hưu ở tuổi cũ: nam 60 tuổi, nữ 55 tuổi" in said
    assert "trước ngày 1/1/2021 và có từ 20 năm đóng" in said and "60 tuổi (nam) hoặc 55 tuổi (nữ)" in said
    assert "Luật BHXH 2024, Điều 141 khoản 9" in said
    assert all("không được nghỉ hưu trước tuổi" not in v["text"] for r in responses.values() for v in r)


def test_pension_answer_states_the_extra_payment_after_retirement_age(say):
    said = say("utter_ask_pension/general")
    assert "0,5 tháng bình quân thu nhập" in said and "sau tuổi nghỉ hưu được 2 tháng" in said
    assert "Luật BHXH 2024, Điều 100" in said and "thấp hơn mức thấp nhất hiện nay" in said
    assert "có từ 15 năm đóng BHXH trở lên" in said


WITHDRAWAL_ANSWERS = {"utter_ask_lump_sum/general", "utter_situation_withdrawal", "utter_scenario_objection",
                      "utter_ask_withdrawal_case", "utter_withdrawal_case_named", "utter_withdrawal_result",
                      "utter_withdrawal_alternatives", "utter_withdrawal_not_allowed", "utter_withdrawal_enough_for_pension",
                      "utter_withdrawal_twenty_years", "utter_ask_pause/general", "utter_allowance_result"}


def test_only_the_withdrawal_answers_speak_of_withdrawing(responses):
    """Art 102: a one-time withdrawal is no general option; only the answers about its cases name it."""
    for name, variations in responses.items():
        if name not in WITHDRAWAL_ANSWERS and not name.startswith("utter_ask_lump_sum/"):
            assert all("rút" not in v["text"].lower() for v in variations), name


def test_make_up_answer_opens_the_month_before_retirement_age_and_describes_the_allowance(say):
    said = say("utter_ask_make_up_payment/general")
    assert "từ tháng liền trước tháng đủ tuổi nghỉ hưu" in said
    assert "ít nhất 500.000 đồng/tháng, thời gian nhận do cơ quan BHXH tính" in said


def test_survivor_answer_covers_pensioners_and_mixed_careers(say):
    said = say("utter_ask_survivor/general")
    assert "ít nhất 3 tháng bình quân thu nhập" in said
    assert "48 tháng lương hưu, trừ 0,5 tháng cho mỗi tháng đã nhận, thấp nhất 3 tháng" in said
    assert "Luật BHXH 2024, Điều 110 khoản 4" in said
    assert "không áp dụng cho người chỉ đóng BHXH tự nguyện" in said


def test_the_forms_ask_about_the_person_the_citizen_wrote_of(responses):
    nlg = FiguresNLG.of_responses(responses)
    slots = {entity.entity: entity.value for entity in extract("Mẹ tôi năm nay 58 tuổi, làm công ty được 9 năm")}
    assert slots["gender"] == "female"  # the question of gender is not asked
    asked = nlg.render("utter_ask_contribution_months", slots, "rest")["text"]
    assert asked.startswith("Mẹ của anh/chị đã đóng")
    assert nlg.render("utter_ask_contribution_months", {}, "rest")["text"].startswith("Anh/chị đã đóng")
