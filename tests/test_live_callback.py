"""Callback requests and the scenarios per target group, with the real assistant over REST (the
session's assistant: tests/conftest.py)."""
import json
import os
import sqlite3
import subprocess
from datetime import date

import pytest

from live_helpers import tap, text_of

pytestmark = pytest.mark.live
ROOT = __import__("conftest").ROOT


def leads_of(assistant, chat):
    exported = subprocess.run(
        [str(ROOT / ".venv" / "bin" / "bot"), "leads", "export", "--format", "json"], check=True,
        capture_output=True, text=True, env={**os.environ, "BOT_DATABASE_URL": f"sqlite:///{assistant.db}"},
    ).stdout
    return [lead for lead in json.loads(exported) if lead["conversation_id"] == chat]


def test_a_callback_request_leaves_exactly_one_lead(assistant):
    chat = "callback-rest"
    assert "đồng ý" in text_of(assistant.say("gọi lại cho tôi", sender=chat))
    for answer in ["đồng ý", "Phạm Văn Hùng", "0912 345 678", "ha giang", "bỏ qua", "buổi sáng"]:
        reply = text_of(assistant.say(answer, sender=chat))
    assert "Phạm Văn Hùng" in reply and "Tuyên Quang" in reply
    assert "Bảo hiểm xã hội tỉnh Tuyên Quang" in text_of(assistant.say("đúng", sender=chat))
    leads = leads_of(assistant, chat)
    assert len(leads) == 1
    assert (leads[0]["phone"], leads[0]["province"], leads[0]["preferred_time"]) == ("0912345678", "Tuyên Quang", "buổi sáng")
    with sqlite3.connect(assistant.db) as db:
        consents = db.execute("select text_version from consents where conversation_id = ?", (chat,)).fetchall()
    assert consents == [("2026-11-v2",)]


def test_a_question_inside_the_request_is_answered_then_asked_again(assistant, responses):
    assistant.say("gọi lại cho tôi")
    assert text_of(assistant.say("đồng ý")) == responses["utter_ask_full_name"][0]["text"]
    messages = assistant.say("bao nhiêu năm thì được lương hưu ạ")
    assert len(messages) > 1 and "lương hưu" in text_of(messages[:-1])  # the answer, then the pending question
    assert messages[-1]["text"] == responses["utter_ask_full_name"][0]["text"]
    assert text_of(assistant.say("Đặng Thị Thu")) == responses["utter_ask_phone"][0]["text"]


def test_a_correction_by_button_then_the_cancel_button_store_nothing(assistant, responses):
    for answer in ["gọi lại cho tôi", "đồng ý", "Vũ Văn Nam", "0912 345 678", "Nghệ An", "bỏ qua"]:
        assistant.say(answer)
    summary = assistant.say("bỏ qua")
    assert "0912345678" in text_of(summary)
    assert text_of(tap(assistant, summary, "Sửa số điện thoại", assistant.sender)) == responses["utter_ask_phone"][0]["text"]
    summary = assistant.say("0987 654 321")
    assert "0987654321" in text_of(summary) and "Vũ Văn Nam" in text_of(summary)
    cancelled = tap(assistant, summary, "Hủy", assistant.sender)
    assert text_of(cancelled) == responses["utter_callback_cancelled"][0]["text"]
    assert leads_of(assistant, assistant.sender) == []


def test_thoi_cancels_the_request_and_stores_nothing(assistant, responses):
    for answer in ["nhờ cán bộ gọi lại", "đồng ý", "Đỗ Văn Hải"]:
        assistant.say(answer)
    assert text_of(assistant.say("thôi")) == responses["utter_callback_cancelled"][0]["text"]
    assert text_of(assistant.say("0912 111 222")) != responses["utter_ask_province"][0]["text"]
    assert leads_of(assistant, assistant.sender) == []


def test_my_data_then_a_withdrawal_in_the_middle_of_the_request(assistant, responses):
    assistant.say("gọi lại cho tôi")
    assistant.say("đồng ý")
    messages = assistant.say("thông tin của tôi")
    assert "chưa lưu" in text_of(messages[:-1]) and messages[-1]["text"] == responses["utter_ask_full_name"][0]["text"]
    assert text_of(assistant.say("Hà Thị Nhung")) == responses["utter_ask_phone"][0]["text"]
    withdrawn = assistant.say("xóa thông tin của tôi")
    assert text_of(withdrawn) == responses["utter_nothing_to_withdraw"][0]["text"]  # the form ended with it
    assert text_of(assistant.say("0912 111 222")) != responses["utter_ask_province"][0]["text"]
    assert leads_of(assistant, assistant.sender) == []


def test_a_farmer_gets_the_farmers_scenario_with_the_calculators_figures(assistant):
    from bot.policy.formatting import money
    from bot.dialogue.scenarios import scenarios, worked_example
    example = worked_example(scenarios()["farmer"], date(2026, 11, 24))
    reply = text_of(assistant.say("tôi làm ruộng", sender="scenario-farmer"))
    assert "sau mỗi vụ thu hoạch" in reply and "Thu nhập theo mùa vụ" in reply
    assert money(example.net_monthly) in reply and money(example.net_period) in reply


def test_the_poor_hear_their_support_and_their_lead_records_the_group(assistant):
    chat = "scenario-poor"
    reply = text_of(assistant.say("nha toi ho ngheo", sender=chat))
    assert "50%" in reply and "165.000 đồng" in reply and "đăng ký trực tiếp" in reply
    for answer in ["gọi lại cho tôi", "đồng ý", "Lò Thị Xuân", "0977 111 222", "dien bien", "bỏ qua", "bỏ qua", "đúng"]:
        assistant.say(answer, sender=chat)
    (lead,) = leads_of(assistant, chat)
    assert lead["target_group"] == "poor" and lead["province"] == "Điện Biên"


# Issue 14: the citizens' own situations, the benefit calculators and the office directory.
