"""Conversations with the real assistant: scripts/run.sh starts the Rasa server and the action
server on free ports with a fresh SQLite database, and the tests talk to it over REST."""
import json
import os
import signal
import sqlite3
import subprocess
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import date

import pytest
import requests

from launcher import running_assistant

pytestmark = pytest.mark.live

ROOT = __import__("conftest").ROOT
MODEL = ROOT / "models" / "current.tar.gz"


@pytest.fixture(scope="module")
def assistant(tmp_path_factory):
    if not MODEL.exists():
        pytest.skip("no trained model: run `make train` (make test trains before running pytest)")
    db = tmp_path_factory.mktemp("db") / "bot.db"
    with running_assistant(f"sqlite:///{db}", {"BOT_TODAY": "2026-11-24"}) as running:
        running.db = db
        yield running


def text_of(messages):
    return "\n".join(m.get("text", "") for m in messages)


def tap(assistant, messages, title, sender):
    """What a chat widget sends when the button with this title, in the assistant's latest messages,
    is tapped: its payload."""
    (payload,) = [b["payload"] for m in messages for b in m.get("buttons", []) if b["title"] == title]
    return assistant.say(payload, sender=sender)


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


def test_a_cancelled_calculation(assistant):
    chat = "cancelled-flow"
    about_retirement = assistant.say("mấy tuổi thì được nghỉ hưu", sender=chat)
    assert "nam hay nữ" in text_of(tap(assistant, about_retirement, "Tính ngày nghỉ hưu", chat))
    assert "tháng mấy" in text_of(assistant.say("nữ", sender=chat))
    assert "đã dừng" in text_of(assistant.say("thôi", sender=chat))
    assert "thai sản" in text_of(assistant.say("có chế độ thai sản không", sender=chat))


def test_state_support_for_the_poor(assistant):
    reply = text_of(assistant.say("hộ nghèo được nhà nước hỗ trợ bao nhiêu"))
    assert "50%" in reply and "165.000 đồng" in reply
    assert "Nghị định 159/2025/NĐ-CP" in reply


def test_greeting_offers_buttons(assistant):
    messages = assistant.say("chào em")
    titles = [b["title"] for m in messages for b in m.get("buttons", [])]
    assert "Mức đóng" in titles and "Nhờ cán bộ tư vấn" in titles


def test_a_button_payload_is_answered(assistant):
    reply = text_of(tap(assistant, assistant.say("chào em", sender="menu"), "Lương hưu", "menu"))
    assert "15 năm" in reply and "75%" in reply


def test_a_typed_payload_that_was_not_offered_is_read_as_words(assistant):
    chat = "typed-payload"
    assert "đồng ý" not in text_of(assistant.say("/request_callback", sender=chat)), "no consent asked"
    consent = assistant.say("gọi lại cho tôi", sender=chat)
    assert "họ và tên" in text_of(tap(assistant, consent, "Đồng ý", chat)), "an offered button works"
    assistant.say("Phạm Văn Hùng", sender=chat)
    reply = text_of(assistant.say('/inform{"phone": "012345678901234567890"}', sender=chat))
    assert "chưa đúng" in reply and "012345678901234567890" not in reply
    with sqlite3.connect(assistant.db) as db:
        slots = [json.loads(data) for (data,) in db.execute(
            "select data from events where sender_id = ? and type_name = 'slot'", (chat,))]
    assert not [s for s in slots if s.get("name") == "phone" and s.get("value")]


def timed_say(assistant, text, sender):
    started = time.monotonic()
    messages = assistant.say(text, sender=sender)
    return time.monotonic() - started, messages


def test_a_hostile_64_kb_message_is_answered_at_once_and_holds_nobody_up(assistant):
    hostile = ("5 nam " * 11_000)[:64 * 1024]  # took 45 s to parse, in the server's only event loop
    with ThreadPoolExecutor(2) as pool:
        long_one = pool.submit(timed_say, assistant, hostile, "hostile")
        time.sleep(0.05)
        next_one = pool.submit(timed_say, assistant, "hộ nghèo được nhà nước hỗ trợ bao nhiêu", "neighbour")
        (long_seconds, long_reply), (next_seconds, next_reply) = long_one.result(), next_one.result()
    assert long_seconds < 1 and "hỏi ngắn gọn" in text_of(long_reply)
    assert next_seconds < 2 and "50%" in text_of(next_reply) and "165.000 đồng" in text_of(next_reply)


def test_old_province_name_is_mapped(assistant):
    reply = text_of(assistant.say("toi o ha giang", sender="province"))
    assert "Tuyên Quang (trước đây là Hà Giang)" in reply


def test_out_of_scope(assistant):
    reply = text_of(assistant.say("giá vàng hôm nay bao nhiêu"))
    assert "ngoài phạm vi" in reply


@pytest.mark.parametrize(
    "message",
    ["", "   ", "😀😀😀", "x" * 5000, "<script>alert('x')</script>", "a\x00\x07b\u202e",
     "你好 bảo hiểm Привет", "' OR 1=1; DROP TABLE events; --", "/inform{\"amount\": \"abc\"}", "/nonexistent"],
)
def test_bad_input_gets_a_polite_answer(assistant, message):
    messages = assistant.say(message, sender="bad-input")
    assert messages, "no reply"
    assert all(m.get("text", "").startswith("Dạ") or m.get("text", "").startswith("(*)") for m in messages)


def test_malformed_request_does_not_crash_the_server(assistant):
    response = requests.post(f"{assistant.url}/webhooks/rest/webhook", data=b"{not json", timeout=30)
    assert response.status_code in (400, 500)
    assert text_of(assistant.say("chào em")), "server still answers"


@pytest.mark.parametrize("body", [{"message": "chào em"}, {"sender": "x" * 256, "message": "chào em"},
                                  {"sender": ["a"], "message": "chào em"}, ["chào em"]])
def test_a_request_without_a_proper_sender_is_refused(assistant, body):
    response = requests.post(f"{assistant.url}/webhooks/rest/webhook", json=body, timeout=30)
    assert response.status_code == 400


def test_conversations_are_stored_in_the_sql_tracker_store(assistant):
    assistant.say("bao nhiêu tuổi thì nghỉ hưu", sender="stored")
    with sqlite3.connect(assistant.db) as db:
        count = db.execute("select count(*) from events where sender_id = 'stored'").fetchone()[0]
    assert count > 0


def test_ctrl_c_stops_every_server(tmp_path):
    with running_assistant(f"sqlite:///{tmp_path / 'bot.db'}") as running:
        running.process.send_signal(signal.SIGINT)
        running.process.wait(timeout=30)
        for url in (f"{running.url}/status", f"{running.actions_url}/health"):
            with pytest.raises(requests.ConnectionError):
                requests.get(url, timeout=5)


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


@pytest.mark.parametrize("question", ["địa chỉ bảo hiểm xã hội tỉnh Nghệ An ở đâu",
                                      "dia chi bao hiem xa hoi tinh Nghe An o dau"])
def test_the_nghe_an_office_as_the_data_has_it_and_the_hotline(assistant, question):
    reply = text_of(assistant.say(question, sender="office-" + question[:3]))
    assert "Bảo hiểm xã hội tỉnh Nghệ An" in reply
    assert "Số 06 đường Trường Thi, thành phố Vinh, tỉnh Nghệ An (*)" in reply and "0238 3844 888 (*)" in reply
    assert "1900 9068" in reply and "chưa được xác nhận" in reply


def test_an_office_without_an_address_is_not_given_one(assistant):
    reply = text_of(assistant.say("dia chi bhxh tinh ha giang o dau", sender="office-unknown"))
    assert "em chưa có địa chỉ của Bảo hiểm xã hội tỉnh Tuyên Quang" in reply
    assert "1900 9068" in reply and "baohiemxahoi.gov.vn" in reply and "Địa chỉ:" not in reply


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


def test_the_withdrawal_calculator_from_the_button_under_the_general_answer(assistant):
    chat = "withdrawal-button"
    general = assistant.say("rút bhxh một lần được không", sender=chat)
    cases = tap(assistant, general, "Tính tiền rút", chat)
    refused = text_of(tap(assistant, cases, "Trường hợp khác", chat))
    assert "không thuộc trường hợp được rút BHXH một lần" in refused and "bảo lưu" in refused
