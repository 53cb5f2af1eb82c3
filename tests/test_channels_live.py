"""The Zalo and Messenger connectors in the real Rasa server (scripts/run.sh, channels enabled by their
environment variables), talking to fake Zalo and Graph API servers on loopback."""
from __future__ import annotations

import json
import sqlite3
import time

import pytest
import requests

from fake_providers import (FB_APP_SECRET, FB_VERIFY_TOKEN, ZALO_APP_ID, ZALO_OA_SECRET_KEY, messenger_batch,
                            messenger_signed, serve_fake_providers, zalo_signed, zalo_text)
from launcher import running_assistant

pytestmark = pytest.mark.live

ROOT = __import__("conftest").ROOT


@pytest.fixture(scope="module")
def providers():
    fake, server = serve_fake_providers()
    yield fake, f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


@pytest.fixture(scope="module")
def assistant(tmp_path_factory, providers):
    if not (ROOT / "models" / "current.tar.gz").exists():
        pytest.skip("no trained model: run `make train` (make test trains before running pytest)")
    fake, base = providers
    fake.expired_tokens.add("expired-access")
    db = tmp_path_factory.mktemp("db") / "bot.db"
    env = {"BOT_TODAY": "2026-11-24", "ZALO_APP_ID": ZALO_APP_ID, "ZALO_APP_SECRET": "zalo-app-secret",
           "ZALO_OA_SECRET_KEY": ZALO_OA_SECRET_KEY, "ZALO_ACCESS_TOKEN": "expired-access",
           "ZALO_REFRESH_TOKEN": "first-refresh", "ZALO_API_BASE": base, "ZALO_OAUTH_BASE": base,
           "FB_VERIFY_TOKEN": FB_VERIFY_TOKEN, "FB_APP_SECRET": FB_APP_SECRET,
           "FB_PAGE_ACCESS_TOKEN": "page-token", "FB_GRAPH_BASE": base}
    with running_assistant(f"sqlite:///{db}", env) as running:
        running.db = db
        yield running


def zalo_say(assistant, event: dict, key: str = ZALO_OA_SECRET_KEY) -> requests.Response:
    raw, headers = zalo_signed(event, key)
    return requests.post(f"{assistant.url}/webhooks/zalo/webhook", data=raw, headers=headers, timeout=10)


def texts(calls) -> str:
    return "\n".join(c.body["message"].get("text", "") for c in calls)


def test_a_signed_zalo_message_is_answered_through_the_oa_api_after_one_token_refresh(assistant, providers):
    fake, _ = providers
    started = time.monotonic()
    assert zalo_say(assistant, zalo_text("u-1", "bhxh tu nguyen dong bn 1 thang", "msg-1")).status_code == 200
    assert time.monotonic() - started < 2, "Zalo wants its 200 within 2 seconds"
    sent = fake.wait_for(lambda: [c for c in fake.zalo_messages("u-1") if c.headers["access_token"] == "access-1"])
    assert "22%" in texts(sent) and "330.000 đồng" in texts(sent)
    refreshes = fake.sent("/v4/oa/access_token")
    assert len(refreshes) == 1, "the expired token is refreshed once"
    assert refreshes[0].headers["secret_key"] == "zalo-app-secret"
    assert refreshes[0].body == {"refresh_token": "first-refresh", "app_id": ZALO_APP_ID, "grant_type": "refresh_token"}
    refused = [c for c in fake.zalo_messages("u-1") if c.headers["access_token"] == "expired-access"]
    assert len(refused) == 1, "the refused send is retried with the new token, once"
    with sqlite3.connect(assistant.db) as db:
        assert db.execute("select access_token, refresh_token from channel_tokens").fetchall() == [("access-1", "refresh-1")]


def test_forged_missing_and_malformed_requests_are_refused_and_nothing_is_sent(assistant, providers):
    fake, _ = providers
    before = len(fake.zalo_messages())
    assert zalo_say(assistant, zalo_text("u-forged", "gọi lại cho tôi", "msg-f"), key="guessed").status_code == 403
    event = zalo_text("u-forged", "gọi lại cho tôi", "msg-f2")
    raw, headers = zalo_signed(event)
    tampered = raw.replace("gọi lại".encode(), "goi lai".encode())
    assert requests.post(f"{assistant.url}/webhooks/zalo/webhook", data=tampered, headers=headers).status_code == 403
    assert requests.post(f"{assistant.url}/webhooks/zalo/webhook", data=raw,
                         headers={"Content-Type": "application/json"}).status_code == 401
    assert requests.post(f"{assistant.url}/webhooks/zalo/webhook", data=b"{not json",
                         headers={"X-ZEvent-Signature": "mac=00"}).status_code == 400
    time.sleep(3)
    assert len(fake.zalo_messages()) == before
    with sqlite3.connect(assistant.db) as db:
        assert db.execute("select count(*) from events where sender_id = 'zalo:u-forged'").fetchone() == (0,)


def test_a_replayed_delivery_is_answered_once(assistant, providers):
    fake, _ = providers
    event = zalo_text("u-replay", "bao nhiêu tuổi thì được nghỉ hưu", "msg-replay")
    for _ in range(3):
        assert zalo_say(assistant, event).status_code == 200
    sent = fake.wait_for(lambda: fake.zalo_messages("u-replay"))
    time.sleep(2)
    assert len(fake.zalo_messages("u-replay")) == len(sent) >= 1
    with sqlite3.connect(assistant.db) as db:
        users = db.execute("select count(*) from events where sender_id = 'zalo:u-replay' and type_name = 'user'").fetchone()
    assert users == (1,)


def test_follow_gets_the_welcome_menu_and_a_sticker_a_polite_request_for_text(assistant, providers):
    fake, _ = providers
    follow = {"event_name": "follow", "app_id": ZALO_APP_ID, "oa_id": "oa-1", "source": "oa_profile",
              "follower": {"id": "u-new"}, "timestamp": str(int(time.time() * 1000))}
    assert zalo_say(assistant, follow).status_code == 200
    welcome = fake.wait_for(lambda: fake.zalo_messages("u-new"))
    buttons = welcome[-1].body["message"]["attachment"]["payload"]["buttons"]
    assert "Mức đóng" in [b["title"] for b in buttons] and len(buttons) <= 5
    assert "trên Zalo" in welcome[-1].body["message"]["text"], "the Zalo variation of the greeting"
    sticker = zalo_text("u-new", "", "msg-sticker", event_name="user_send_sticker")
    del sticker["message"]["text"]
    assert zalo_say(assistant, sticker).status_code == 200
    reply = fake.wait_for(lambda: fake.zalo_messages("u-new"), at_least=len(welcome) + 1)
    assert "gõ câu hỏi" in reply[-1].body["message"]["text"]
    echo = {**zalo_text("oa-1", "tin của OA", "msg-echo", event_name="oa_send_text"), "sender": {"id": "oa-1"}}
    assert zalo_say(assistant, echo).status_code == 200
    time.sleep(2)
    assert not fake.zalo_messages("oa-1")


def test_a_tapped_zalo_button_is_understood(assistant, providers):
    fake, _ = providers
    zalo_say(assistant, zalo_text("u-tap", "chào em", "msg-tap-1"))
    fake.wait_for(lambda: fake.zalo_messages("u-tap"))
    zalo_say(assistant, zalo_text("u-tap", "Lương hưu", "msg-tap-2"))  # what oa.query.show sends back
    reply = fake.wait_for(lambda: fake.zalo_messages("u-tap"), at_least=2)
    assert "15 năm" in texts(reply[1:])


def test_a_whole_callback_request_over_zalo_stores_a_zalo_lead(assistant, providers):
    fake, _ = providers
    for i, said in enumerate(["gọi lại cho tôi", "đồng ý", "Trần Thị Mai", "0987 654 321", "nghe an", "bỏ qua",
                              "buổi chiều", "đúng"]):
        zalo_say(assistant, zalo_text("u-lead", said, f"msg-lead-{i}"))
        fake.wait_for(lambda: fake.zalo_messages("u-lead"), at_least=i + 2)  # the consent text is two messages
    assert "Bảo hiểm xã hội tỉnh Nghệ An" in texts(fake.zalo_messages("u-lead"))
    with sqlite3.connect(assistant.db) as db:
        leads = db.execute("select channel, conversation_id, phone, province from leads").fetchall()
    assert ("zalo", "zalo:u-lead", "0987654321", "Nghệ An") in leads


def test_messenger_verification_challenge(assistant):
    url = f"{assistant.url}/webhooks/messenger/webhook"
    ok = requests.get(url, params={"hub.mode": "subscribe", "hub.verify_token": FB_VERIFY_TOKEN, "hub.challenge": "4242"})
    assert (ok.status_code, ok.text) == (200, "4242")
    assert requests.get(url, params={"hub.mode": "subscribe", "hub.verify_token": "wrong", "hub.challenge": "1"}).status_code == 403


def test_a_messenger_batch_is_answered_entry_by_entry_with_quick_replies(assistant, providers):
    fake, _ = providers
    body = messenger_batch(
        ("psid-1", {"message": {"mid": "m-1", "text": "chào em"}}),
        ("psid-2", {"postback": {"mid": "m-2", "title": "Lương hưu", "payload": "/ask_pension"}}),
        ("psid-1", {"message": {"mid": "m-echo", "text": "echo", "is_echo": True}}),
        ("psid-1", {"delivery": {"mids": ["m-0"], "watermark": 1}}),
        ("psid-3", {"read": {"watermark": 1}}),
    )
    raw, headers = messenger_signed(body)
    response = requests.post(f"{assistant.url}/webhooks/messenger/webhook", data=raw, headers=headers)
    assert response.status_code == 200
    first = fake.wait_for(lambda: fake.graph_messages("psid-1"))
    second = fake.wait_for(lambda: fake.graph_messages("psid-2"))
    replies = first[-1].body["message"]["quick_replies"]
    assert 0 < len(replies) <= 13 and all(len(r["title"]) <= 20 for r in replies)
    assert {"content_type": "text", "title": "Mức đóng", "payload": "Đóng BHXH tự nguyện bao nhiêu tiền một tháng?"} in replies
    assert first[-1].body["messaging_type"] == "RESPONSE" and first[-1].query["access_token"] == ["page-token"]
    assert "chủ đề bên dưới" in first[-1].body["message"]["text"], "the Messenger variation of the greeting"
    assert "15 năm" in texts(second)
    assert not fake.graph_messages("psid-3")
    replay = fake.graph_messages()
    requests.post(f"{assistant.url}/webhooks/messenger/webhook", data=raw, headers=headers)
    time.sleep(3)
    assert len(fake.graph_messages()) == len(replay), "a replayed batch is not answered again"


def test_a_quick_reply_payload_is_used_and_a_forged_messenger_post_is_refused(assistant, providers):
    fake, _ = providers
    body = messenger_batch(("psid-4", {"message": {"mid": "m-4", "text": "Mức đóng",
                                                  "quick_reply": {"payload": "/ask_contribution"}}}))
    raw, headers = messenger_signed(body)
    assert requests.post(f"{assistant.url}/webhooks/messenger/webhook", data=raw, headers=headers).status_code == 200
    assert "22%" in texts(fake.wait_for(lambda: fake.graph_messages("psid-4")))
    forged_raw, forged_headers = messenger_signed(messenger_batch(("psid-5", {"message": {"mid": "m-5", "text": "hi"}})),
                                                  secret="not-the-secret")
    assert requests.post(f"{assistant.url}/webhooks/messenger/webhook", data=forged_raw,
                         headers=forged_headers).status_code == 403
    unsigned = requests.post(f"{assistant.url}/webhooks/messenger/webhook", data=json.dumps(body))
    assert unsigned.status_code == 403
    time.sleep(3)
    assert not fake.graph_messages("psid-5")
