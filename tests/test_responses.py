"""The domain's responses: every figure comes from the policy data, every message fits a phone
screen, every intent has an answer."""
import re
import string
from datetime import date
from pathlib import Path

import pytest

from bot.language.text import fold
from bot.training.datacheck import load_examples
from bot.dialogue.callback import TOPICS
from bot.policy.figures import figures_on
from conftest import TODAY

MAX_MESSAGE_CHARS = 600
# Placeholders filled by the actions (bot/dialogue/) from the message or a calculator result.
CALCULATED = {
    "details": "x" * 80, "said": "ĐN", "options": "Đà Nẵng hay Đồng Nai", "message": "x" * 100,
    "support_label": "người dân tộc thiểu số", "gender_label": "Nữ", "duration": "12 năm 6 tháng",
    "counted_years": "12,5", "rate": "45%", "missing": "2 năm 6 tháng", "birth": "12/1966",
    "birth_year": "1966", "office": "Bảo hiểm xã hội thành phố Hồ Chí Minh",
    "summary": "\n".join(["• Họ tên: " + "x" * 60, "• Số điện thoại: 0912345678", "• Tỉnh/thành phố: Hồ Chí Minh",
                          "• Xã/phường: " + "x" * 120, "• Thời gian gọi: " + "x" * 120]), "retirement_age": "61 tuổi 9 tháng", "reached": "10/2027", "pension_from": "11/2027",
    "extra": "\n• Trợ cấp một lần khi nghỉ hưu: 25.300.000 đồng",
    "lead": "x" * 330, "objection": "x" * 80, "answer": "x" * 300, "next_step": "x" * 200,
    "period_label": "sáu tháng một lần", "net_period": "50.600.000 đồng",
    "sources": "Luật BHXH 2024, Điều 98; Luật BHXH 2024, Điều 99; Luật BHXH 2024, Điều 100",
    # "thông tin của tôi": the longest lead (every field, every topic) and the longest retention figures.
    "stored_contact": "\n".join(["• Họ tên: " + "x" * 60, "• Số điện thoại: 0912345678", "• Tỉnh/thành phố: Hồ Chí Minh",
                                 "• Xã/phường: " + "x" * 120, "• Thời gian gọi: " + "x" * 120]),
    "stored_request": "\n".join(["• Thu nhập: 50.600.000 đồng", "• Nhóm đối tượng: " + "x" * 60,
                                 "• Chủ đề đã hỏi: " + ", ".join(TOPICS.values()), "• Trạng thái: không liên lạc được",
                                 "• Đồng ý lúc: 24/11/2026 10:05 (nội dung phiên bản 2026-11-v2)"]),
    "conversation_days": "365", "lead_retention_months": "120",
    # the live takeover (bot/handoff/offer.py): the longest wait note and reopening time.
    "wait_note": "Thời gian chờ thường khoảng 10 giờ 59 phút. Hiện có 100 người đang chờ trước anh/chị.",
    "reopens": "13:30 thứ Năm, 30/12",
    "Who": "Chị/em gái của anh/chị",
    # "yêu cầu của tôi thế nào rồi" (bot/dialogue/follow_up.py): a code, a typed one, a time.
    "reference": "K7MPQX", "code": "K7MPQXK7", "received_at": "14:05 ngày 24/11/2026",
    # "my situation" and the benefit calculators: the longest values they produce.
    "facts": "nam, sinh tháng 12/1966, tham gia BHXH tự nguyện trước ngày 1/1/2021, "
             "đã đóng 35 năm 11 tháng (trong đó 35 năm 11 tháng bắt buộc)",
    "rate_detail": "45% cho 20 năm + 14,5 × 2%", "general_retirement_age": "61 tuổi 9 tháng – 62 tuổi",
    "general_reached": "10/2027 – 12/2028", "missing_at_retirement": "14 năm 11 tháng", "fifteen_years_by": "12/2041",
    "make_up_months": "60", "allowance_until_age": "75", "born": "12/1968 – 12/1969",
    "assumed": "\n".join("• " + "x" * 110 for _ in range(4)),
    "situation_sources": "Bộ luật Lao động 2019, Điều 169; Nghị định 135/2020/NĐ-CP, Phụ lục I; Nghị định "
                         "159/2025/NĐ-CP, Điều 5, 7, 14; Luật BHXH 2024, Điều 23, 31, 36, 36 khoản 3 điểm e, 98, 99, "
                         "100, 101, 102, 141 khoản 9; Nghị định 351/2025/NĐ-CP; Nghị định 176/2025/NĐ-CP",
    "opens_on": "12/2028", "case_label": "đã đóng trước ngày luật mới có hiệu lực, sau một năm không đóng và chưa "
                                         "đủ số năm quy định",
    "years_before": "19,5", "years_from": "12,5", "months_of_pension": "47,5", "drawn": "59 năm 11 tháng",
    "transitional_age": "60 tuổi",
    "office_details": "\n".join(["• Địa chỉ: " + "x" * 120 + " (*)", "• Điện thoại: 0238 3844 888, 0238 3844 999 (*)",
                                 "• Trang web: https://" + "x" * 40 + ".baohiemxahoi.gov.vn (*)"]),
    **{k: "50.600.000 đồng" for k in ("make_up_cost", "make_up_income", "make_up_monthly", "keep_paying_net",
                                       "keep_paying_income", "allowance_min", "minimum", "amount", "pension")},
    **{k: "50.600.000 đồng" for k in ("income", "gross", "support", "net", "net_quarter", "net_half_year",
                                       "net_year", "monthly")},
}
DAYS = [date(2025, 7, 1), date(2026, 6, 30), date(2026, 7, 1), TODAY, date(2027, 3, 1)]


def texts(responses):
    for name, variations in responses.items():
        for variation in variations:
            yield name, variation["text"]


def placeholders(text):
    return {field for _, field, _, _ in string.Formatter().parse(text) if field}


def test_responses_state_no_figure_of_their_own(responses):
    """Digits may only arrive through placeholders filled from bot/data/policy.yml."""
    for name, text in texts(responses):
        literal = re.sub(r"\{[a-z_0-9]+\}", "", text)
        assert not re.search(r"\d", literal), f"{name} states a figure: {literal}"


@pytest.mark.parametrize("day", DAYS)
def test_every_placeholder_is_a_policy_figure(responses, day):
    figures = figures_on(day).values
    dynamic = set(CALCULATED)
    for name, text in texts(responses):
        unknown = placeholders(text) - set(figures) - dynamic
        assert not unknown, f"{name} uses unknown placeholders {unknown}"


@pytest.mark.parametrize("day", DAYS)
def test_filled_messages_fit_a_phone_screen(responses, day):
    figures = {**figures_on(day).values, **CALCULATED}
    for name, text in texts(responses):
        for paragraph in text.format(**figures).split("\n\n"):  # the channels send one message each
            assert len(paragraph) <= MAX_MESSAGE_CHARS, f"{name}: {len(paragraph)} characters"


def test_buttons_are_short_enough_for_messenger_quick_replies(responses):
    for name, variations in responses.items():
        for variation in variations:
            for button in variation.get("buttons", []):
                assert len(button["title"]) <= 20, f"{name}: {button['title']}"


def words(text: str) -> str:
    return " ".join(re.findall(r"\w+", fold(text)))


def test_button_payloads_are_intents_or_examples_the_assistant_was_trained_on(domain, responses):
    """A "/intent" payload skips the NLU, so it must be an intent; a question typed as a payload (a
    retrieval intent's answer needs the NLU's response selector) must be a training example."""
    examples = {words(e.text) for e in load_examples(Path(__file__).parents[1] / "data")}
    for name, variations in responses.items():
        for variation in variations:
            for button in variation.get("buttons", []):
                payload = button["payload"]
                if payload.startswith("/"):
                    assert payload.lstrip("/").split("{")[0] in domain["intents"], button
                else:
                    assert words(payload) in examples, button


def test_answers_name_their_legal_basis(responses):
    """An answer that quotes a policy figure names its legal source in one of its parts."""
    figures = set(figures_on(TODAY).values) - {"hotline", "hotline_hours"}
    for name, text in texts(responses):
        quoted = {p for p in placeholders(text) & figures if not p.startswith("src_")}
        if quoted:
            first = re.sub(r"_\d+$", "", name)
            related = [t for n, t in texts(responses) if re.sub(r"_\d+$", "", n) == first]
            assert any("{src_" in t for t in related), name


def test_channel_variations_offer_the_same_choices_within_each_channels_limits(responses):
    varied = {name: v for name, v in responses.items() if any("channel" in x for x in v)}
    assert "utter_greet" in varied
    for name, variations in varied.items():
        default = next(x for x in variations if "channel" not in x)
        for variation in (x for x in variations if "channel" in x):
            assert variation["channel"] in ("zalo", "messenger"), name
            assert variation.get("buttons") == default.get("buttons"), name
            assert placeholders(variation["text"]) == placeholders(default["text"]), name
            if variation["channel"] == "zalo":
                assert len(variation.get("buttons") or []) <= 5, "a Zalo button template holds 5 buttons"
