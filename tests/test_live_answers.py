"""Answers, buttons and bad input, with the real assistant over REST (scripts/run.sh on free ports,
one fresh SQLite database for the whole test session: tests/conftest.py `assistant`)."""
import json
import signal
import sqlite3
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests

from launcher import running_assistant
from live_helpers import tap, text_of, timed_say

pytestmark = pytest.mark.live


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


def test_with_several_workers_each_answer_closes_its_connection(assistant):
    """`make run` starts one Rasa worker per core on one port: a kept-alive connection would stay with
    the worker that accepted it (one worker held the benchmark's ten connections while the other
    idled); closed after each answer, the next request goes to a worker free to accept it."""
    with requests.Session() as session:
        reply = session.post(f"{assistant.url}/webhooks/rest/webhook", json={"sender": "keep-alive", "message": "chào em"},
                             timeout=60)
    assert reply.ok and reply.headers["connection"] == "close"
