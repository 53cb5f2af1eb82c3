"""An officer's reply through the citizen's channel (bot/handoff/senders.py), against the fake Zalo
and Graph API servers on loopback: the providers' reply windows, read from the tracker, and their
refusals said to the officer."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from bot.handoff.senders import Senders
from bot.handoff.windows import Contact, last_contact, window_problem
from bot.storage import db
from fake_providers import serve_fake_providers
from tracker_fixtures import bot, store_events, user

NOW = datetime(2026, 11, 24, 3, 0, tzinfo=timezone.utc)


def ago(**delta: float) -> float:
    return (NOW - timedelta(**delta)).timestamp()


@pytest.fixture(scope="module")
def providers():
    fake, server = serve_fake_providers()
    yield fake, f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


@pytest.fixture
def engine(tmp_path):
    url = f"sqlite:///{tmp_path / 'bot.db'}"
    db.upgrade(url)
    engine = db.make_engine(url)
    yield engine
    engine.dispose()


@pytest.fixture
def senders(engine, providers):
    _, base = providers
    env = {"ZALO_APP_ID": "app", "ZALO_APP_SECRET": "s", "ZALO_OA_SECRET_KEY": "k", "ZALO_ACCESS_TOKEN": "access",
           "ZALO_REFRESH_TOKEN": "refresh", "ZALO_API_BASE": base, "FB_VERIFY_TOKEN": "v", "FB_APP_SECRET": "s",
           "FB_PAGE_ACCESS_TOKEN": "page-token", "FB_GRAPH_BASE": base}
    return Senders.from_env(engine, env)


def said(text: str, at: float) -> dict:
    return {**user(text, "ask_pension", 0.9), "timestamp": at}


def answered(text: str, at: float) -> dict:
    return {**bot(text), "timestamp": at}


def test_the_channels_are_those_whose_variables_are_set(engine, senders):
    assert senders.supports("zalo") and senders.supports("messenger") and not senders.supports("rest")
    only_zalo = Senders.from_env(engine, {"ZALO_APP_ID": "app", "ZALO_APP_SECRET": "s", "ZALO_OA_SECRET_KEY": "k",
                                          "ZALO_ACCESS_TOKEN": "a", "ZALO_REFRESH_TOKEN": "r", "FB_APP_SECRET": "s"})
    assert only_zalo.supports("zalo") and not only_zalo.supports("messenger")
    assert only_zalo.zalo_config.api_base == "https://openapi.zalo.me"


def test_last_contact_reads_the_tracker(engine):
    assert last_contact(engine, "zalo:u1") == Contact(None, 0)
    store_events(engine, "zalo:u1", [said("a", ago(hours=5)), answered("b", ago(hours=5)),
                                     said("c", ago(hours=2)), answered("d", ago(hours=2)), answered("e", ago(hours=1))])
    store_events(engine, "zalo:other", [said("x", ago(minutes=1))])
    contact = last_contact(engine, "zalo:u1")
    assert contact.sent_since == 2 and abs((contact.last_message_at - (NOW - timedelta(hours=2))).total_seconds()) < 1


@pytest.mark.parametrize("channel, hours_ago, sent, pieces, refused", [
    ("zalo", 47.9, 0, 1, None),
    ("zalo", 48.1, 0, 1, "quá 48 giờ"),
    ("zalo", 1, 7, 1, None),
    ("zalo", 1, 8, 1, "chỉ cho gửi 8 tin"),
    ("zalo", 1, 6, 3, "chỉ cho gửi 8 tin"),  # a long reply goes out in 3 messages
    ("messenger", 23.9, 30, 1, None),
    ("messenger", 24.1, 0, 1, "quá 24 giờ"),
    ("rest", 0.1, 0, 1, "không gửi được"),
])
def test_reply_windows(channel, hours_ago, sent, pieces, refused):
    problem = window_problem(channel, Contact(NOW - timedelta(hours=hours_ago), sent), NOW, pieces)
    assert (problem is None) if refused is None else (refused in problem)
    assert "quá" in window_problem("zalo", Contact(None, 0), NOW), "no message from the citizen at all"


def test_a_reply_goes_out_through_zalo_with_the_stored_token(engine, senders, providers):
    fake, _ = providers
    store_events(engine, "zalo:u-ok", [said("cho tôi gặp cán bộ", ago(minutes=3))])
    assert senders.send("zalo:u-ok", "zalo", "Chào chị, em là cán bộ BHXH.", NOW).sent
    (call,) = fake.zalo_messages("u-ok")
    assert call.body == {"recipient": {"user_id": "u-ok"}, "message": {"text": "Chào chị, em là cán bộ BHXH."}}
    assert call.headers["access_token"] == "access"


def test_a_long_reply_is_cut_for_zalo(engine, senders, providers):
    fake, _ = providers
    store_events(engine, "zalo:u-long", [said("?", ago(minutes=3))])
    assert senders.send("zalo:u-long", "zalo", ("Câu dài. " * 300).strip(), NOW).sent
    sent = fake.zalo_messages("u-long")
    assert len(sent) == 2 and all(len(c.body["message"]["text"]) <= 2000 for c in sent)


def test_a_reply_goes_out_through_messenger(engine, senders, providers):
    fake, _ = providers
    store_events(engine, "messenger:psid-ok", [said("?", ago(minutes=3))])
    assert senders.send("messenger:psid-ok", "messenger", "Dạ em chào anh.", NOW).sent
    (call,) = fake.graph_messages("psid-ok")
    assert call.body["messaging_type"] == "RESPONSE" and call.body["message"] == {"text": "Dạ em chào anh."}
    assert call.query["access_token"] == ["page-token"]


def test_outside_the_window_nothing_is_sent(engine, senders, providers):
    fake, _ = providers
    store_events(engine, "zalo:u-late", [said("?", ago(hours=49))])
    delivery = senders.send("zalo:u-late", "zalo", "Chào chị", NOW)
    assert not delivery.sent and "quá 48 giờ" in delivery.problem
    assert not fake.zalo_messages("u-late")


def test_the_providers_refusals_are_said_to_the_officer(engine, senders, providers):
    fake, _ = providers
    fake.closed_windows.update({"u-closed", "psid-closed"})
    store_events(engine, "zalo:u-closed", [said("?", ago(minutes=1))])
    store_events(engine, "messenger:psid-closed", [said("?", ago(minutes=1))])
    zalo_refusal = senders.send("zalo:u-closed", "zalo", "Chào chị", NOW)
    assert not zalo_refusal.sent and "mã -230" in zalo_refusal.problem
    messenger_refusal = senders.send("messenger:psid-closed", "messenger", "Chào anh", NOW)
    assert not messenger_refusal.sent and "ngoài thời hạn 24 giờ" in messenger_refusal.problem
    assert not Senders(engine).send("zalo:u-ok", "zalo", "x", NOW).sent, "a channel not configured"
