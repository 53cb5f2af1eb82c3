"""The tracker store's checkpoints (bot/storage/checkpoints.py), on SQLite and PostgreSQL: a long
conversation's tracker holds a bounded number of turns and keeps what the older ones left behind
(slots, the active form, a paused conversation); nothing is written twice or lost; a new session
starts clean; an erasure or the retention leaves no checkpoint holding what they redacted."""
from __future__ import annotations

import asyncio
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import text

from bot.storage import db
from bot.storage.checkpoints import KEEP_TURNS, cut_index, state_events
from db_fixtures import database_url, fresh_sqlite  # noqa: F401 (fixture)
from tracker_fixtures import action, bot, slot, user

NAME = "Quách Thị Xuyến"


@pytest.fixture(scope="module")
def domain():
    from rasa.shared.core.domain import Domain

    custom = [{"type": "custom"}]
    return Domain.from_dict({
        "intents": ["inform", "ask"],
        "slots": {"name": {"type": "text", "mappings": custom}, "income": {"type": "float", "mappings": custom},
                  "requested_slot": {"type": "categorical", "values": ["income"], "mappings": custom}},
        "forms": {"contribution_form": {"required_slots": ["income"]}},
        "responses": {"utter_answer": [{"text": "Dạ"}]},
    })


@pytest.fixture
def store(database_url, domain):
    from bot.privacy.tracker_store import ErasingSQLTrackerStore

    store = ErasingSQLTrackerStore(domain=domain, host=database_url)
    yield store
    store.engine.dispose()


async def say(store, sender: str, words: str, *extra) -> None:
    """One turn as Rasa's processor makes it: the tracker retrieved, the turn's events added, saved
    (twice: the processor saves again after the message's side effects)."""
    from rasa.shared.core.events import ActionExecuted, BotUttered, UserUttered

    tracker = await store.get_or_create_tracker(sender)
    for event in [UserUttered(words, {"name": "ask", "confidence": 0.9}), *extra,
                  ActionExecuted("utter_answer"), BotUttered(f"Dạ, về {words}")]:
        tracker.update(event)
    await store.save(tracker)
    tracker.update(ActionExecuted("action_listen"))
    await store.save(tracker)


def rows(store, sender: str) -> list[str]:
    with store.engine.connect() as connection:
        return [r[0] for r in connection.execute(text("SELECT type_name FROM events WHERE sender_id = :s ORDER BY id"),
                                                 {"s": sender})]


def checkpoints(store) -> list[str]:
    with store.engine.connect() as connection:
        return [r[0] for r in connection.execute(text("SELECT sender_id FROM tracker_checkpoints"))]


def user_texts(tracker) -> list[str]:
    return [e.text for e in tracker.events if e.type_name == "user"]


def test_a_long_conversation_keeps_a_bounded_window_and_what_came_before(store):
    from rasa.shared.core.events import ActiveLoop, ConversationPaused, SlotSet

    async def talk() -> None:
        await say(store, "long", "tên tôi", SlotSet("name", NAME))
        await say(store, "long", "tính mức đóng", ActiveLoop("contribution_form"), SlotSet("requested_slot", "income"))
        await say(store, "long", "5 triệu", SlotSet("income", 5_000_000.0))
        await say(store, "long", "gặp cán bộ", ConversationPaused())
        for n in range(4, 60):
            await say(store, "long", f"câu hỏi {n}")

    asyncio.run(talk())
    tracker = asyncio.run(store.retrieve("long"))
    full = asyncio.run(store.retrieve_full_tracker("long"))
    assert KEEP_TURNS <= len(user_texts(tracker)) <= 2 * KEEP_TURNS
    assert user_texts(tracker) == [f"câu hỏi {n}" for n in range(60 - len(user_texts(tracker)), 60)]
    assert tracker.current_slot_values() == full.current_slot_values()
    assert tracker.get_slot("name") == NAME and tracker.get_slot("income") == 5_000_000.0
    assert tracker.active_loop_name == "contribution_form" and tracker.is_paused()
    # every turn stored once, in order; the checkpoint's events are not stored as events
    turn = ["action", "bot", "action"]
    assert rows(store, "long") == ["action", "user", "slot", *turn, "user", "active_loop", "slot", *turn,
                                   "user", "slot", *turn, "user", "pause", *turn, *["user", *turn] * 56]
    assert user_texts(full) == ["tên tôi", "tính mức đóng", "5 triệu", "gặp cán bộ", *(f"câu hỏi {n}" for n in range(4, 60))]
    assert checkpoints(store) == ["long"]


def test_a_new_session_after_a_checkpoint_starts_from_its_own_events(store):
    from rasa.shared.core.events import ActionExecuted, SessionStarted, SlotSet

    async def talk() -> None:
        await say(store, "two-sessions", "tên tôi", SlotSet("name", NAME))
        for n in range(1, 3 * KEEP_TURNS):
            await say(store, "two-sessions", f"câu hỏi {n}")
        tracker = await store.retrieve("two-sessions")
        for event in [ActionExecuted("action_session_start"), SessionStarted(), ActionExecuted("action_listen")]:
            tracker.update(event)
        await store.save(tracker)
        await say(store, "two-sessions", "hôm sau")

    asyncio.run(talk())
    tracker = asyncio.run(store.retrieve("two-sessions"))
    assert user_texts(tracker) == ["hôm sau"]
    assert tracker.get_slot("name") is None  # this test's session start carries no slot over


def test_an_erasure_deletes_the_checkpoint_and_none_is_written_from_what_it_redacts(store, database_url):
    from rasa.shared.core.events import SlotSet

    from bot.privacy.erasure import erase_conversation

    async def talk() -> None:
        await say(store, "erased", "tên tôi", SlotSet("name", NAME))
        for n in range(1, 3 * KEEP_TURNS):
            await say(store, "erased", f"câu hỏi {n}")

    asyncio.run(talk())
    assert checkpoints(store) == ["erased"]
    engine = db.make_engine(database_url)
    erase_conversation(engine, "erased", "withdrawal", datetime.now(timezone.utc))
    engine.dispose()
    assert checkpoints(store) == []
    tracker = asyncio.run(store.retrieve("erased"))
    assert tracker.get_slot("name") is None
    assert checkpoints(store) == []  # not from rows read while an erasure may have been under way


def test_the_retention_deletes_the_checkpoints_of_the_events_it_redacts(tmp_path, domain):
    from bot.privacy.retention import Retention, purge
    from bot.privacy.tracker_store import ErasingSQLTrackerStore

    with fresh_sqlite(tmp_path) as url:
        store = ErasingSQLTrackerStore(domain=domain, host=url)
        engine = db.make_engine(url)
        now = datetime.now(timezone.utc)
        with engine.begin() as connection:
            for sender, days in (("old", 91), ("recent", 89)):
                connection.execute(text("INSERT INTO tracker_checkpoints VALUES (:s, 1, '[]', :t)"),
                                   {"s": sender, "t": (now - timedelta(days=days)).timestamp()})
        purge(engine, Retention(), now)
        assert checkpoints(store) == ["recent"]
        engine.dispose()
        store.engine.dispose()


def test_the_cut_falls_before_the_action_listen_of_a_user_message_with_enough_turns_after_it():
    turn = [action("action_listen"), user("hỏi", "ask", 0.9), action("utter_answer"), bot("Dạ")]
    assert cut_index(turn * (2 * KEEP_TURNS)) is None
    events = [slot("name", NAME), *turn * (2 * KEEP_TURNS + 3)]
    assert cut_index(events) == 1 + 4 * (KEEP_TURNS + 3)
    assert [e["event"] for e in events[cut_index(events):]].count("user") == KEEP_TURNS


def test_the_state_events_leave_a_tracker_as_the_events_they_sum_up(domain):
    from rasa.shared.core.trackers import DialogueStateTracker

    events = [action("action_listen"), user("hỏi", "ask", 0.9), slot("name", NAME), slot("income", 3_000_000.0),
              {"event": "active_loop", "name": "contribution_form"}, slot("income", None),
              {"event": "pause", "timestamp": 1_795_000_000.0}]
    state = state_events("s", events, domain.slots)
    at = 1_795_000_000.0  # the last event's moment: a later erasure covers them as it covers it
    assert state == [{"event": "slot", "timestamp": at, "name": "name", "value": NAME},
                     {"event": "active_loop", "timestamp": at, "name": "contribution_form"},
                     {"event": "pause", "timestamp": at}]
    tracker = DialogueStateTracker.from_dict("s", state, domain.slots)
    assert tracker.get_slot("name") == NAME and tracker.get_slot("income") is None
    assert tracker.active_loop_name == "contribution_form" and tracker.is_paused()
