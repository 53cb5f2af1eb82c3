from dataclasses import asdict
from datetime import date

from bot.answers import MAX_QUESTION_CHARS, plan_answer
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


def test_contribution_for_the_income_given(responses):
    reply, note = answer("ask_contribution", "thu nhập 5 triệu đóng bao nhiêu 1 tháng", responses)
    assert (reply.response, note.response) == ("utter_contribution_result", "utter_uncertain_note")  # support: M
    v = reply.variables
    assert (v["gross"], v["support"], v["net"]) == ("1.100.000 đồng", "66.000 đồng", "1.034.000 đồng")
    assert (v["net_quarter"], v["net_year"]) == ("3.102.000 đồng", "12.408.000 đồng")


def test_contribution_uses_the_group_said_now_or_before(responses):
    reply, _ = answer("ask_contribution", "hộ nghèo thu nhập 1,5 triệu đóng bao nhiêu", responses)
    assert reply.variables["net"] == "165.000 đồng" and reply.variables["support_label"] == "hộ nghèo"
    reply, _ = answer("ask_contribution", "1,5tr thì đóng bn", responses, known={"target_group": "ethnic_minority"})
    assert reply.variables["net"] == "231.000 đồng"


def test_income_out_of_range_names_the_range(responses):
    (reply,) = answer("ask_contribution", "thu nhập 1 triệu đóng bao nhiêu", responses)
    assert reply.response == "utter_income_out_of_range"
    assert "1.500.000 đồng đến 50.600.000 đồng" in reply.variables["message"]


def test_contribution_in_2027_carries_the_uncertainty_note(responses):
    replies = answer("ask_contribution", "5tr đóng bao nhiêu", responses, day=date(2027, 2, 1))
    assert [r.response for r in replies] == ["utter_contribution_result", "utter_uncertain_note"]
