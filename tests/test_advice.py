"""'My situation' in the dialogue (bot/advice.py): which messages get the personal answer, and the
answer for the issue's examples. Expected values are worked out by hand from the law (Labour Code
Art 169, Decree 135/2020, Law 41/2024); the arithmetic is in the comments. Today is 24/11/2026."""
from dataclasses import asdict

import pytest

from bot.dialogue.advice import is_situation_question, situation_replies
from bot.dialogue.calculations import SLOT_OF_ENTITY
from bot.language.extract import extract
from bot.policy.figures import figures_on
from bot.policy.rules import compact_sources
from conftest import TODAY


def facts_in(text, **earlier):
    said = {SLOT_OF_ENTITY[e.entity]: e.value for e in extract(text) if e.entity in SLOT_OF_ENTITY}
    return {**earlier, **said}


@pytest.mark.parametrize("intent, text, earlier", [
    ("ask_pension", "Tôi là nữ, 56 tuổi, tham gia BHXH tự nguyện từ năm 2003, đã đóng 22 năm, đã được nhận lương hưu chưa?", {}),
    ("ask_pension", "Toi la nu, 56 tuoi, tham gia BHXH tu nguyen tu nam 2003, da dong 22 nam, da duoc nhan luong huu chua?", {}),
    ("inform", "tôi 57 tuổi, là nữ, mới đóng được 10 năm thì sao", {}),
    ("inform", "toi 57 tuoi, la nu, moi dong duoc 10 nam thi sao", {}),
    ("inform", "tôi làm công ty được 9 năm, giờ 50 tuổi thì nên làm gì", {}),
    ("nlu_fallback", "có nên đóng tiếp không", {}),  # advice asked outright: the facts are asked next
    ("nlu_fallback", "co nen dong tiep khong", {"age": 57}),
    ("ask_pension", "bao giờ tôi được nhận lương hưu", {"age": 57, "contribution_months": 120}),
    ("ask_make_up_payment", "tôi 58 tuổi còn thiếu 3 năm có đóng bù được không", {}),
    ("ask_overview", "tôi 60 tuổi, đóng được 12 năm, giờ nên làm gì", {}),
    ("ask_retirement_age", "vậy khi nào tôi được nghỉ hưu", {"age": 55, "contribution_months": 200}),
])
def test_questions_about_ones_own_facts_get_the_personal_answer(intent, text, earlier):
    assert is_situation_question(intent, text, facts_in(text, **earlier), TODAY)


@pytest.mark.parametrize("intent, text, earlier", [
    ("inform", "tôi 57 tuổi, là nữ, mới đóng được 10 năm", {}),  # a statement: acknowledged, with a button
    ("ask_pension", "nam đóng 12 năm thì có lương hưu không", {}),  # years alone: the pension calculation
    ("ask_pension", "nữ đóng 20 năm thì lương hưu bao nhiêu", {"age": 50}),  # an amount: the calculation
    ("ask_retirement_age", "nam sinh tháng 1 năm 1966 bao giờ nghỉ hưu", {}),  # the retirement date alone
    ("ask_contribution", "tôi 40 tuổi thì đóng bao nhiêu", {}),
    ("inform", "hộ nghèo thì sao", {}),  # a group, not a career: its scenario
    ("ask_lump_sum", "tôi 57 tuổi đóng 10 năm có được rút một lần không", {}),  # the withdrawal calculation
    ("ask_maternity", "tôi 30 tuổi đóng 2 năm có được thai sản không", {}),
])
def test_other_questions_keep_their_answers(intent, text, earlier):
    assert not is_situation_question(intent, text, facts_in(text, **earlier), TODAY)


def rendered(replies, responses):
    return [(r.response, responses[r.response][0]["text"].format(**r.variables)) for r in replies]


def test_woman_56_who_joined_in_2003_with_22_years_is_entitled_now(responses):
    """Art 141(9): joined before 1/1/2021 with at least 20 years -> pension at 55; she is 56."""
    replies = situation_replies({"gender": "female", "age": 56, "joined_voluntary_year": 2003,
                                 "contribution_months": 264}, TODAY, figures_on(TODAY))
    (status, first), (rate, second), (born, third), (sources, last) = rendered(replies, responses)
    assert status == "utter_situation_transitional_now"
    assert "được hưởng lương hưu khi đủ 55 tuổi" in first and "đã đủ điều kiện hưởng lương hưu" in first
    assert "Luật BHXH 2024, Điều 141 khoản 9" in first
    # 22 years: 45 % for the first 15 + 7 × 2 % = 59 %
    assert rate == "utter_situation_pension_rate" and "59%" in second and "45% cho 15 năm + 7 × 2%" in second
    # aged 56 on 24/11/2026: born between 11/1969 and 11/1970
    assert born == "utter_situation_age_only" and "11/1969 – 11/1970" in third
    assert sources == "utter_situation_sources" and "Luật BHXH 2024, Điều 98, 99, 100, 141 khoản 9" in last


def test_woman_57_with_10_years_hears_the_make_up_and_its_cost_and_the_allowance(responses):
    replies = situation_replies({"gender": "female", "age": 57, "contribution_months": 120}, TODAY, figures_on(TODAY))
    texts = dict(rendered(replies, responses))
    assert list(texts) == ["utter_situation_short_reached", "utter_situation_make_up_now", "utter_situation_keep_paying",
                           "utter_situation_allowance", "utter_situation_withdrawal", "utter_situation_age_only",
                           "utter_calc_assumed", "utter_uncertain_note", "utter_situation_sources"]
    first = texts["utter_situation_short_reached"]
    assert "còn thiếu 5 năm để đủ 15 năm" in first and "đã đến tuổi nghỉ hưu" in first
    assert "57 tuổi" in first  # the age required in 2026 of a woman
    # 60 months × 22 % × 1.500.000 = 19.800.000, before the fund's interest
    make_up = texts["utter_situation_make_up_now"]
    assert "19.800.000 đồng (*) = 60 tháng × 22% × 1.500.000 đồng" in make_up and "ước tính" in make_up
    assert "đóng được ngay" in make_up
    allowance = texts["utter_situation_allowance"]
    assert "ít nhất 500.000 đồng/tháng" in allowance and "thời gian nhận do BHXH tính" in allowance
    assert "Luật BHXH 2024, Điều 23" in allowance
    # 60 months paid monthly from 11/2026: the last in 10/2031; at the floor 330.000 - 66.000 support
    assert "264.000 đồng (*)/tháng" in texts["utter_situation_keep_paying"] and "10/2031" in texts["utter_situation_keep_paying"]
    assert "Điều 102" in texts["utter_situation_withdrawal"]  # Art 102(1)(a): at retirement age, < 15 years
    assert [b["title"] for b in replies[-1].buttons] == ["Tính tiền đóng bù", "Trợ cấp hằng tháng", "Nhờ cán bộ tư vấn"]


def test_before_retirement_age_no_withdrawal_is_offered(responses):
    """A man born 1/1975 with 8 years: keep paying, make-up later, the allowance; never a withdrawal."""
    replies = situation_replies({"gender": "male", "birth_year": 1975, "birth_month": 1, "contribution_months": 96},
                                TODAY, figures_on(TODAY))
    names = [r.response for r in replies]
    assert "utter_situation_withdrawal" not in names
    # 84 months missing from 11/2026: the last in 10/2033, before 62 y (1/2037): entitled later
    assert names[0] == "utter_situation_later"
    keep = dict(rendered(replies, responses))["utter_situation_keep_paying"]
    assert "10/2033" in keep


def test_the_facts_said_are_repeated_with_the_compulsory_part(responses):
    replies = situation_replies({"gender": "male", "age": 50, "compulsory_months": 108, "contribution_months": 60,
                                 "joined_voluntary_year": "not_joined"}, TODAY, figures_on(TODAY))
    # 5 years said beside 9 compulsory: read as the rest of the career, 14 years in all
    assert replies[0].variables["facts"] == "nam, 50 tuổi, đã đóng 14 năm (trong đó 9 năm bắt buộc)"


def test_sources_are_grouped_by_document():
    assert compact_sources(("Luật BHXH 2024, Điều 101", "Nghị định 159/2025/NĐ-CP, Điều 5, Điều 7",
                            "Luật BHXH 2024, Điều 36 khoản 3 điểm e", "Luật BHXH 2024, Điều 23",
                            "Nghị định 159/2025/NĐ-CP", "Bộ luật Lao động 2019, Điều 169")) == (
        "Luật BHXH 2024, Điều 23, 36 khoản 3 điểm e, 101; Nghị định 159/2025/NĐ-CP, Điều 5, 7; "
        "Bộ luật Lao động 2019, Điều 169")


@pytest.mark.parametrize("text", ["tôi 57 tuổi, là nữ, mới đóng được 10 năm thì sao"])
def test_the_message_itself_is_enough(text, responses):
    facts = facts_in(text)
    assert facts == {"age": 57, "gender": "female", "contribution_months": 120}
    assert [asdict(e)["entity"] for e in extract(text)] == ["subject", "age", "gender", "duration_months"]
