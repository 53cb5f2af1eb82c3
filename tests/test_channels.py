"""The connectors' parts: signatures, event parsing, text splitting, buttons, deliveries seen once
across restarts, the stored token pair, the token refresh against a fake Zalo, the credentials file."""
from __future__ import annotations

import asyncio
import logging
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st
from rasa.core.channels.rest import RestInput
from sqlalchemy import update

from bot.channels import messenger, zalo
from bot.channels.common import (MAX_TEXT_CHARS, ButtonMemory, Deliveries, Incoming, as_read, hand_over,
                                 numbered_options, split_text)
from bot.channels.credentials import enabled_channels
from bot.channels.tokens import ChannelToken, TokenPair, TokenStore
from bot.storage import db
from bot.storage.orm import now
from db_fixtures import fresh_postgres, fresh_sqlite
from fake_providers import (FB_APP_SECRET, ZALO_APP_ID, ZALO_OA_SECRET_KEY, messenger_batch, messenger_signed,
                            serve_fake_providers, zalo_signed, zalo_text)


# Signatures


def test_zalo_signature_is_sha256_of_app_id_body_timestamp_and_oa_key():
    event = zalo_text("u1", "xin chào", "m1")
    raw, headers = zalo_signed(event)
    header = headers["X-ZEvent-Signature"]
    assert zalo.signature_ok(raw, event, header, ZALO_OA_SECRET_KEY)
    assert zalo.signature_ok(raw, event, header.upper().replace("MAC=", "mac="), ZALO_OA_SECRET_KEY)
    assert not zalo.signature_ok(raw + b" ", event, header, ZALO_OA_SECRET_KEY), "the exact raw body"
    assert not zalo.signature_ok(raw, {**event, "timestamp": "1"}, header, ZALO_OA_SECRET_KEY)
    assert not zalo.signature_ok(raw, event, header, "another-key")
    assert not zalo.signature_ok(raw, event, None, ZALO_OA_SECRET_KEY)
    assert not zalo.signature_ok(raw, event, header.removeprefix("mac="), ZALO_OA_SECRET_KEY)


def test_messenger_signature_is_hmac_sha256_with_the_app_secret():
    raw, headers = messenger_signed(messenger_batch(("p1", {"message": {"mid": "m", "text": "hi"}})))
    header = headers["X-Hub-Signature-256"]
    assert messenger.signature_ok(raw, header, FB_APP_SECRET)
    assert not messenger.signature_ok(raw, header, "other-secret")
    assert not messenger.signature_ok(raw.replace(b"hi", b"ho"), header, FB_APP_SECRET)
    assert not messenger.signature_ok(raw, None, FB_APP_SECRET)
    assert not messenger.signature_ok(raw, "sha1=" + header[7:], FB_APP_SECRET)


# Events


@pytest.mark.parametrize("event, expected", [
    (zalo_text("u1", "đóng bao nhiêu", "m1"), ("text", "u1", "m1", "đóng bao nhiêu")),
    ({**zalo_text("u1", "", "m2", "user_send_image"), "message": {"msg_id": "m2", "attachments": [{}]}},
     ("not_text", "u1", "m2", "")),
    ({"event_name": "follow", "follower": {"id": "u9"}, "timestamp": "5"}, ("payload", "u9", "follow:u9:5", "/greet")),
    (zalo_text("oa", "echo", "m3", "oa_send_text"), None),
    ({"event_name": "user_seen_message", "sender": {"id": "oa"}}, None),
    ({"event_name": "unfollow", "follower": {"id": "u9"}}, None),
    ({"event_name": "user_send_text", "sender": "not a dict", "message": []}, None),
    ({"event_name": "user_send_text", "sender": {"id": "u1"}, "message": {"text": 42}}, None),
])
def test_zalo_events(event, expected):
    found = zalo.incoming(event)
    assert (found and (found.kind, found.user_id, found.delivery_id, found.text)) == expected or found is expected


def test_messenger_batches_keep_every_message_in_order_and_drop_the_rest():
    body = messenger_batch(
        ("a", {"message": {"mid": "1", "text": "xin chào"}}),
        ("b", {"message": {"mid": "2", "text": "Mức đóng", "quick_reply": {"payload": "/ask_contribution"}}}),
        ("c", {"postback": {"title": "Bắt đầu", "payload": "/greet"}}),
        ("d", {"message": {"mid": "4", "attachments": [{"type": "image"}]}}),
        ("e", {"message": {"mid": "5", "text": "echo", "is_echo": True}}),
        ("f", {"delivery": {"mids": ["1"]}}),
        ("g", {"read": {"watermark": 1}}),
    )
    body["entry"].append({"id": "page", "changes": []})  # an entry without "messaging"
    body["entry"].append("not an object")
    found = [(i.kind, i.user_id, i.text) for i in messenger.incoming(body)]
    assert found == [("text", "a", "xin chào"), ("payload", "b", "/ask_contribution"), ("payload", "c", "/greet"),
                     ("not_text", "d", "")], "a quick reply's or a postback's payload is the page's own"


def test_messenger_quick_replies_respect_metas_limits():
    buttons = [{"title": f"Lựa chọn rất rất dài số {i}", "payload": f"/p{i}"} for i in range(20)]
    replies = messenger.quick_replies(buttons)
    assert len(replies) == 13 and all(len(r["title"]) <= 20 for r in replies)
    assert replies[0] == {"content_type": "text", "title": "Lựa chọn rất rất dà…", "payload": "/p0"}


# Texts and buttons


@given(st.text(alphabet=st.sampled_from("ab đờ.\n "), max_size=7000))
def test_split_text_keeps_every_word_within_the_limit(text):
    pieces = split_text(text, limit=300)
    assert all(0 < len(p) <= 300 for p in pieces)
    assert "".join(pieces).split() == text.split() or " ".join(pieces).split() == text.split()


def test_split_text_cuts_at_paragraphs_first():
    text = ("Đoạn một. " * 150).strip() + "\n\n" + ("Đoạn hai. " * 150).strip()
    pieces = split_text(text)
    assert len(pieces) == 2 and pieces[1].startswith("Đoạn hai") and all(len(p) <= MAX_TEXT_CHARS for p in pieces)


# Storage


@pytest.fixture
def url(tmp_path):
    with fresh_sqlite(tmp_path) as url:
        yield url


# The edge: buttons offered, payloads typed, messages cut

MENU = [{"title": "Mức đóng", "payload": "/ask_contribution"}, {"title": "Lương hưu", "payload": "/ask_pension"}]


@pytest.fixture(params=["sqlite", "postgresql"])
def any_url(request, tmp_path):
    with fresh_sqlite(tmp_path) if request.param == "sqlite" else fresh_postgres() as url:
        yield url


def test_button_memory_maps_titles_numbers_and_payloads_for_the_next_message_only(any_url):
    memory = ButtonMemory(db.make_engine(any_url))
    memory.offer("zalo:u1", MENU)
    assert memory.read("zalo:u1", "muc dong") == "/ask_contribution"
    assert memory.read("zalo:u1", "muc dong") == "muc dong", "the next message spends the offer"
    memory.offer("zalo:u1", MENU)
    assert memory.read("zalo:u1", "2") == "2", "numbers only when the options were listed as text"
    memory.offer("zalo:u1", MENU, numbered=True)
    assert memory.read("zalo:u1", "2") == "/ask_pension"
    assert "1. Mức đóng\n2. Lương hưu" in numbered_options("Anh/chị hỏi gì ạ?", MENU)


def test_the_buttons_of_every_message_of_a_reply_count_in_every_process(any_url):
    memory = ButtonMemory(db.make_engine(any_url))
    memory.offer("rest:a", MENU)
    memory.offer("rest:a", [{"title": "Nhờ cán bộ tư vấn", "payload": "/request_callback"}])
    memory.offer("rest:b", [{"title": "5 triệu", "payload": '/inform{"amount": 5000000}'}])
    another_process = ButtonMemory(db.make_engine(any_url))
    assert another_process.read("rest:a", "/ask_pension") == "/ask_pension"
    memory.offer("rest:a", MENU)
    memory.offer("rest:a", [{"title": "Nhờ cán bộ tư vấn", "payload": "/request_callback"}])
    assert another_process.read("rest:a", "/request_callback") == "/request_callback"
    assert another_process.read("rest:a", '/inform{"amount": 5000000}') == 'inform{"amount": 5000000}', \
        "offered to another conversation"
    assert memory.read("rest:b", '/inform{"amount": 5000000}') == '/inform{"amount": 5000000}'


@pytest.mark.parametrize("typed, read", [
    ('/inform{"phone": "012345678901234567890"}', 'inform{"phone": "012345678901234567890"}'),
    ("/request_callback", "request_callback"),
    ("  / //ask_pension ", "ask_pension"),
    ("/", ""),
    ("lương hưu / tháng", "lương hưu / tháng"),
])
def test_a_payload_that_was_not_offered_is_read_as_words(typed, read):
    assert as_read(typed, {}) == read


def test_a_message_is_cut_at_the_edge():
    assert as_read("x" * 70_000, {}) == "x" * 2000


def test_each_channel_hands_over_what_its_user_may_send(url):
    from rasa.core.channels.channel import CollectingOutputChannel
    engine = db.make_engine(url)
    memory = ButtonMemory(engine)
    received: list[tuple[str, str]] = []

    async def on_new_message(message) -> None:  # type: ignore[no-untyped-def]
        received.append((message.sender_id, message.text))

    async def scenario() -> None:
        zalo_seen, messenger_seen, output = Deliveries(engine, "zalo"), Deliveries(engine, "messenger"), CollectingOutputChannel()
        for channel, seen, buttons, todo in [
            ("zalo", zalo_seen, memory, Incoming("text", "u1", "z1", '/inform{"phone": "012345678901234567890"}')),
            ("zalo", zalo_seen, memory, Incoming("payload", "u1", "z2", "/greet")),  # a follow
            ("zalo", zalo_seen, memory, Incoming("text", "u1", "z3", "Lương hưu")),  # a tap, after the offer below
            ("messenger", messenger_seen, None, Incoming("payload", "p1", "m1", "/ask_pension")),
            ("messenger", messenger_seen, None, Incoming("text", "p1", "m2", "/ask_pension")),
            ("messenger", messenger_seen, None, Incoming("text", "p1", "m3", "x" * 70_000)),
        ]:
            if todo.delivery_id == "z3":
                memory.offer("zalo:u1", MENU)
            await hand_over(channel, todo, seen, buttons, output, on_new_message)

    asyncio.run(scenario())
    # a question intent's payload goes to the NLU as its question (bot/dialogue/questions.py)
    question = "Điều kiện để được hưởng lương hưu là gì?"
    assert received == [("zalo:u1", 'inform{"phone": "012345678901234567890"}'), ("zalo:u1", "/greet"),
                        ("zalo:u1", question), ("messenger:p1", question), ("messenger:p1", "ask_pension"),
                        ("messenger:p1", "x" * 2000)]


def test_a_delivery_is_seen_once_even_after_a_restart(url):
    assert Deliveries(db.make_engine(url), "zalo").first_time("m1")
    assert not Deliveries(db.make_engine(url), "zalo").first_time("m1"), "a new engine: a restarted server"
    assert Deliveries(db.make_engine(url), "messenger").first_time("m1"), "ids are per channel"


def test_the_token_pair_is_seeded_from_the_environment_and_kept(url):
    engine = db.make_engine(url)
    store = TokenStore(engine, "zalo", TokenPair("a0", "r0"))
    assert store.current() == TokenPair("a0", "r0")
    store.save(TokenPair("a1", "r1", now()))
    assert TokenStore(engine, "zalo", TokenPair("a0", "r0")).current().refresh_token == "r1", "kept over a restart"
    assert TokenStore(engine, "zalo", TokenPair("a9", "r9")).current().access_token == "a9", "a new pair in the environment wins"


# The Zalo API against a fake server


@pytest.fixture
def fake_zalo(url):
    fake, server = serve_fake_providers()
    base = f"http://127.0.0.1:{server.server_address[1]}"
    config = zalo.ZaloConfig(ZALO_APP_ID, "app-secret", ZALO_OA_SECRET_KEY, "old", "r0", base, base)
    store = TokenStore(db.make_engine(url), "zalo", TokenPair("old", "r0"))
    yield fake, config, store
    server.shutdown()


def test_concurrent_sends_with_an_expired_token_refresh_it_once(fake_zalo):
    fake, config, store = fake_zalo
    fake.expired_tokens.add("old")
    api = zalo.ZaloApi(config, store)

    async def send_three() -> list[int]:
        return await asyncio.gather(*(api.send(f"u{i}", {"text": "chào"}) for i in range(3)))

    assert asyncio.run(send_three()) == [0, 0, 0]
    assert len(fake.sent("/v4/oa/access_token")) == 1
    assert store.current().access_token == "access-1" and store.current().refresh_token == "refresh-1"
    assert {c.headers["access_token"] for c in fake.zalo_messages() if c.body["recipient"]["user_id"]} >= {"access-1"}


def test_two_processes_with_an_expired_token_refresh_it_once(fake_zalo):
    """Two replicas (each its own API client, engine and event loop) share the stored pair: one
    claims the refresh, the other waits for the new pair instead of spending the refresh token again."""
    fake, config, store = fake_zalo
    fake.expired_tokens.add("old")
    apis = [zalo.ZaloApi(config, TokenStore(db.make_engine(str(store.engine.url)), "zalo", TokenPair("old", "r0")))
            for _ in range(2)]
    store.current()  # the seeded row
    with ThreadPoolExecutor(2) as pool:
        codes = list(pool.map(lambda i: asyncio.run(apis[i].send(f"u{i}", {"text": "chào"})), range(2)))
    assert codes == [0, 0]
    assert len(fake.sent("/v4/oa/access_token")) == 1
    assert not store.refreshing() and store.current().access_token == "access-1"


def test_a_refresh_claim_of_a_dead_process_lapses(fake_zalo):
    _, _, store = fake_zalo
    store.current()
    assert store.claim_refresh("old") and not store.claim_refresh("old")
    with store.engine.begin() as connection:
        connection.execute(update(ChannelToken.__table__).values(refreshing_until=now() - timedelta(seconds=1)))
    assert store.claim_refresh("old")
    store.release_refresh()
    assert not store.refreshing() and not store.claim_refresh("stale-pair")


def test_a_token_about_to_expire_is_refreshed_before_sending(fake_zalo):
    fake, config, store = fake_zalo
    store.save(TokenPair("old", "r0", now()))
    assert asyncio.run(zalo.ZaloApi(config, store).send("u1", {"text": "chào"})) == 0
    assert [c.headers["access_token"] for c in fake.zalo_messages()] == ["access-1"]


def test_a_refused_refresh_is_logged_with_its_code(fake_zalo, caplog):
    fake, config, store = fake_zalo
    fake.expired_tokens.add("old")
    fake.used_refresh_tokens.add("r0")
    assert asyncio.run(zalo.ZaloApi(config, store).send("u1", {"text": "chào"})) == -216
    assert "-14020" in caplog.text and "-216" in caplog.text


def test_long_texts_are_split_and_refused_templates_fall_back_to_numbered_text(fake_zalo):
    fake, config, store = fake_zalo
    fake.refuse_templates = True
    memory = ButtonMemory(store.engine)
    output = zalo.ZaloOutput(zalo.ZaloApi(config, store), memory)
    asyncio.run(output.send_text_message("zalo:u1", "Câu dài. " * 500))
    sent = fake.zalo_messages("u1")
    assert len(sent) == 3 and all(len(c.body["message"]["text"]) <= MAX_TEXT_CHARS for c in sent)
    asyncio.run(output.send_text_with_buttons("zalo:u1", "Anh/chị chọn:", [
        {"title": "Mức đóng", "payload": "/ask_contribution"}, {"title": "Lương hưu", "payload": "/ask_pension"}]))
    last = fake.zalo_messages("u1")[-1].body["message"]
    assert "attachment" not in last and "2. Lương hưu" in last["text"]
    assert memory.read("zalo:u1", "2") == "/ask_pension"


# Credentials


def test_a_channel_is_enabled_exactly_when_its_variables_are_set():
    template = {"rest": None,
                "bot.channels.zalo.ZaloInput": {"app_id": "${ZALO_APP_ID}", "oa_secret_key": "${ZALO_OA_SECRET_KEY}"},
                "bot.channels.messenger.MessengerInput": {"app_secret": "${FB_APP_SECRET}"}}
    kept, notes = enabled_channels(template, {"ZALO_APP_ID": "1", "ZALO_OA_SECRET_KEY": "k"})
    assert list(kept) == ["rest", "bot.channels.zalo.ZaloInput"] and notes == []
    assert kept["bot.channels.zalo.ZaloInput"]["app_id"] == "${ZALO_APP_ID}", "secrets stay in the environment"
    kept, notes = enabled_channels(template, {"ZALO_APP_ID": "1"})
    assert list(kept) == ["rest"] and notes == ["ZaloInput is off: ZALO_OA_SECRET_KEY not set"]


class CappedRestInput(RestInput):
    """A channel that replaces Rasa's `rest` section and still serves /webhooks/rest/."""


@pytest.mark.parametrize("rest_section", ["rest", "test_channels.CappedRestInput"])
def test_bot_rest_channel_off_leaves_out_whatever_serves_webhooks_rest(rest_section):
    template = {rest_section: None, "rasa.core.channels.callback.CallbackInput": {"url": "http://x"},
                "bot.channels.messenger.MessengerInput": {"app_secret": "${FB_APP_SECRET}"}}
    kept, notes = enabled_channels(template, {"BOT_REST_CHANNEL": "off", "FB_APP_SECRET": "s"})
    assert list(kept) == ["rasa.core.channels.callback.CallbackInput", "bot.channels.messenger.MessengerInput"]
    assert notes == [f"{rest_section.rsplit('.', 1)[-1]} is off: BOT_REST_CHANNEL=off"]
    kept, _ = enabled_channels(template, {"BOT_REST_CHANNEL": "on", "FB_APP_SECRET": "s"})
    assert rest_section in kept


def test_no_secret_or_message_text_is_logged_by_the_api(fake_zalo, caplog):
    fake, config, store = fake_zalo
    caplog.set_level(logging.DEBUG, logger="bot.channels")
    fake.expired_tokens.add("old")
    asyncio.run(zalo.ZaloApi(config, store).send("u1", {"text": "số điện thoại 0912345678"}))
    assert "0912345678" not in caplog.text and "access-1" not in caplog.text and "app-secret" not in caplog.text


def test_background_work_keeps_a_senders_order_across_processes(tmp_path):
    """Two replicas share the lock store: the second message, received by the other replica while the
    first is still being handled, waits for it."""
    from bot.channels.common import Background
    from bot.servers.locks import SharedLockStore
    done: list[str] = []

    async def scenario(url: str) -> None:
        replicas = [Background(SharedLockStore(url=url)), Background(SharedLockStore(url=url))]

        def work(label: str, delay: float):  # type: ignore[no-untyped-def]
            async def run() -> None:
                await asyncio.sleep(delay)
                done.append(label)
            return run

        replicas[0].start("zalo:u1", work("first", 0.3))
        replicas[1].start("zalo:u1", work("second", 0.0))
        replicas[1].start("zalo:u2", work("other sender", 0.0))
        replicas[0].start("zalo:u1", work("third", 0.0))
        await asyncio.gather(*(replica.idle() for replica in replicas))

    with fresh_sqlite(tmp_path) as url:
        asyncio.run(scenario(url))
    assert done == ["other sender", "first", "second", "third"]


def test_background_work_keeps_each_senders_order_and_survives_a_failure():
    from bot.channels.common import Background
    done: list[str] = []

    async def scenario() -> None:
        background = Background()

        def work(label: str, delay: float, fail: bool = False):  # type: ignore[no-untyped-def]
            async def run() -> None:
                await asyncio.sleep(delay)
                if fail:
                    raise RuntimeError("provider down")
                done.append(label)
            return run

        background.start("u1", work("u1-first", 0.2, fail=True))
        background.start("u1", work("u1-second", 0.0))
        background.start("u2", work("u2-only", 0.05))
        background.start("u1", work("u1-third", 0.0))
        await background.idle()

    asyncio.run(scenario())
    assert done == ["u2-only", "u1-second", "u1-third"]


def test_a_named_rest_message_is_found_with_its_answers_in_the_conversation():
    from rasa.shared.core.events import ActionExecuted, BotUttered, UserUttered

    from bot.channels.rest import answers_to

    buttons = [{"title": "5 triệu", "payload": "/inform"}]
    events = [ActionExecuted("action_listen"), UserUttered("đóng bao nhiêu", message_id="client:m1"),
              ActionExecuted("utter_ask_income"), BotUttered("Thu nhập bao nhiêu ạ?", {"buttons": buttons}),
              ActionExecuted("action_listen"), UserUttered("5 triệu", message_id="client:m2"),
              ActionExecuted("utter_contribution"), BotUttered("Dạ, 1.100.000 đồng"), BotUttered("Còn gì nữa ạ?"),
              ActionExecuted("action_listen"), UserUttered("cảm ơn", message_id="client:m3")]
    assert answers_to(events, "client:m1") == [{"text": "Thu nhập bao nhiêu ạ?", "buttons": buttons}]
    assert answers_to(events, "client:m2") == [{"text": "Dạ, 1.100.000 đồng"}, {"text": "Còn gì nữa ạ?"}]
    assert answers_to(events, "client:m3") == []  # received, not answered yet (the turn is under way)
    assert answers_to(events, "client:m4") is None


@pytest.mark.parametrize("message_id", ["", "x" * 65, "a b", "../etc", 5])
def test_a_rest_message_id_must_be_a_short_name(message_id):
    from sanic.exceptions import InvalidUsage

    from bot.channels.rest import RestInput

    class Request:
        json = {"sender": "s", "message": "chào", "message_id": message_id}

    with pytest.raises(InvalidUsage):
        RestInput.get_metadata(None, Request())
