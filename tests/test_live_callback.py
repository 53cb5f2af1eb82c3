"""Callback requests and the scenarios per target group, with the real assistant over REST (the
session's assistant: tests/conftest.py)."""
import json
import os
import sqlite3
import subprocess
from datetime import date

import pytest

from live_helpers import text_of

pytestmark = pytest.mark.live
ROOT = __import__("conftest").ROOT


def test_a_callback_request_leaves_exactly_one_lead(assistant):
    chat = "callback-rest"
    assert "đồng ý" in text_of(assistant.say("gọi lại cho tôi", sender=chat))
    for answer in ["đồng ý", "Phạm Văn Hùng", "0912 345 678", "ha giang", "bỏ qua", "buổi sáng"]:
        reply = text_of(assistant.say(answer, sender=chat))
    assert "Phạm Văn Hùng" in reply and "Tuyên Quang" in reply
    assert "Bảo hiểm xã hội tỉnh Tuyên Quang" in text_of(assistant.say("đúng", sender=chat))
    exported = subprocess.run(
        [str(ROOT / ".venv" / "bin" / "bot"), "leads", "export", "--format", "json"], check=True,
        capture_output=True, text=True, env={**os.environ, "BOT_DATABASE_URL": f"sqlite:///{assistant.db}"},
    ).stdout
    leads = [lead for lead in json.loads(exported) if lead["conversation_id"] == chat]
    assert len(leads) == 1
    assert (leads[0]["phone"], leads[0]["province"], leads[0]["preferred_time"]) == ("0912345678", "Tuyên Quang", "buổi sáng")
    with sqlite3.connect(assistant.db) as db:
        consents = db.execute("select text_version from consents where conversation_id = ?", (chat,)).fetchall()
    assert consents == [("2026-11-v2",)]


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
    exported = subprocess.run(
        [str(ROOT / ".venv" / "bin" / "bot"), "leads", "export", "--format", "json"], check=True,
        capture_output=True, text=True, env={**os.environ, "BOT_DATABASE_URL": f"sqlite:///{assistant.db}"},
    ).stdout
    (lead,) = [lead for lead in json.loads(exported) if lead["conversation_id"] == chat]
    assert lead["target_group"] == "poor" and lead["province"] == "Điện Biên"


# Issue 14: the citizens' own situations, the benefit calculators and the office directory.
