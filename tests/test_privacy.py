"""Erasure and retention (bot/privacy/) on SQLite and on PostgreSQL: a withdrawal leaves no name or
phone in the lead, the tracker store, the review inbox, its export or the outbox, and touches no
other conversation; the retention purge at its boundaries, with an injected clock; the daily run
runs once when two processes race."""
from __future__ import annotations

import json
import multiprocessing
import uuid
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import select, text, update
from sqlalchemy.orm import Session

from bot.cli.main import main
from bot.leads.checks import LeadRequest
from bot.leads.models import Lead, StatusChange
from bot.leads.store import LeadStore
from bot.outbox import Desk
from bot.privacy.erasure import Erasure, erase_conversation, redact_event, withdraw
from bot.privacy.retention import PurgeCounts, Retention, purge, purge_if_due
from bot.storage import db
from bot.storage.orm import now
from bot.training.review import Inbox, ReviewItem
from db_fixtures import database_url, fresh_sqlite  # noqa: F401 (fixture)
from tracker_fixtures import action, bot, slot, store_events, user

UTC = timezone.utc
NAME, PHONE = "Quách Thị Xuyến", "0977246813"
OTHER_NAME, OTHER_PHONE = "Lò Văn Páo", "0388123456"


@pytest.fixture
def engine(database_url):
    engine = db.make_engine(database_url)
    yield engine
    engine.dispose()


def request_for(conversation_id: str, full_name: str = NAME, phone: str = PHONE, **changes) -> LeadRequest:
    fields = dict(
        submission_id=uuid.uuid4().hex, full_name=full_name, phone=phone, province="Tuyên Quang",
        office="Bảo hiểm xã hội tỉnh Tuyên Quang", channel="zalo", conversation_id=conversation_id,
        consent_version="2026-11-v2", consent_sha256="ab" * 32, consent_given_at=now().isoformat(),
        commune="xã Minh Tân", preferred_time="sau năm giờ chiều", income=5_000_000, target_group="farmer",
        interests=["lương hưu"],
    )
    return LeadRequest(**{**fields, **changes})


def events_of(engine, conversation_id):
    with engine.connect() as c:
        return c.execute(text("SELECT id, type_name, timestamp, intent_name, action_name, data FROM events "
                              "WHERE sender_id = :s ORDER BY id"), {"s": conversation_id}).all()


def readable(rows) -> str:
    """Every stored event as text, JSON escapes decoded (Rasa writes "Xuy\\u1ebfn")."""
    return "\n".join(row.data + json.dumps(json.loads(row.data), ensure_ascii=False) for row in rows)


def a_conversation(full_name: str, phone: str, question: str) -> list[dict]:
    """An uncertain question naming the citizen, then a callback request as Rasa stores it."""
    return [
        user(question, "ask_pension", 0.52),
        action(),
        bot("Dạ, lương hưu..."),
        user("gọi lại cho tôi", "request_callback", 0.98),
        slot("flow", "callback"),
        user(full_name, "inform", 0.9, entities=[{"entity": "person_name", "start": 0, "end": len(full_name),
                                                   "value": full_name, "extractor": "VietnameseEntityExtractor"}]),
        slot("full_name", full_name),
        user(phone, "inform", 0.97, entities=[{"entity": "phone", "start": 0, "end": len(phone), "value": phone}]),
        slot("phone", phone),
        {"event": "bot", "text": f"Em xin đọc lại thông tin:\n• Họ tên: {full_name}\n• Số điện thoại: {phone}",
         "data": {"buttons": [{"title": "Đúng, gửi đi", "payload": "/affirm"}]},
         "metadata": {"utter_action": "utter_callback_summary", "summary": f"• Họ tên: {full_name}"}},
    ]


# The redaction of one event


def test_an_event_keeps_its_kind_intent_and_time_and_loses_what_was_written():
    said = {"event": "user", "timestamp": 1795000001.5, "text": f"tôi là {NAME}, số {PHONE}",
            "parse_data": {"intent": {"name": "inform", "confidence": 0.93},
                           "intent_ranking": [{"name": "inform", "confidence": 0.93}],
                           "entities": [{"entity": "phone", "start": 26, "end": 36, "value": PHONE,
                                         "extractor": "VietnameseEntityExtractor"}],
                           "text": f"tôi là {NAME}, số {PHONE}", "message_id": "m1", "metadata": {"user_id": "z-1"}},
            "input_channel": "zalo", "message_id": "m1", "metadata": {"user_id": "z-1"}}
    assert redact_event(said) == {
        "event": "user", "timestamp": 1795000001.5, "text": None,
        "parse_data": {"intent": {"name": "inform", "confidence": 0.93},
                       "intent_ranking": [{"name": "inform", "confidence": 0.93}],
                       "entities": [{"entity": "phone", "extractor": "VietnameseEntityExtractor"}], "text": None},
        "input_channel": "zalo", "message_id": "m1", "metadata": {}}
    summary = {"event": "bot", "timestamp": 1795000002.0, "text": f"• Họ tên: {NAME}",
               "data": {"buttons": [{"title": "Đúng", "payload": "/affirm"}]},
               "metadata": {"utter_action": "utter_callback_summary", "summary": f"• Họ tên: {NAME}"}}
    assert redact_event(summary) == {"event": "bot", "timestamp": 1795000002.0, "text": None, "data": {},
                                     "metadata": {"utter_action": "utter_callback_summary"}}
    assert redact_event({"event": "slot", "timestamp": 3.0, "name": "phone", "value": PHONE}) == {
        "event": "slot", "timestamp": 3.0, "name": "phone", "value": None}
    executed = {"event": "action", "timestamp": 4.0, "name": "action_answer", "policy": "RulePolicy",
                "confidence": 1.0, "action_text": None, "hide_rule_turn": False}
    assert redact_event(executed) == executed


# A withdrawal


def test_a_withdrawal_erases_the_conversation_everywhere_and_nothing_else(engine, database_url, tmp_path):
    store_events(engine, "zalo-xuyen", a_conversation(NAME, PHONE, f"tôi là {NAME} muốn hỏi lương hưu"))
    store_events(engine, "zalo-pao", a_conversation(OTHER_NAME, OTHER_PHONE, f"tôi là {OTHER_NAME} muốn hỏi lương hưu"))
    desk = Desk(database_url, tmp_path / "outbox")
    desk.store.submit(request_for("zalo-xuyen"))
    desk.outbox.put(request_for("zalo-xuyen", preferred_time="buổi sáng"))  # a second request, still queued
    desk.outbox.put(request_for("zalo-pao", OTHER_NAME, OTHER_PHONE))
    inbox = Inbox(engine)
    assert inbox.scan() == 2
    for group in inbox.groups():
        inbox.label(group.key, "label", "ask_pension", ["ask_pension"], "huanluyen")
    assert NAME in inbox.export_yaml() and OTHER_NAME in inbox.export_yaml()
    before = events_of(engine, "zalo-xuyen")
    other_before = events_of(engine, "zalo-pao")

    assert desk.withdraw("zalo-xuyen") == 2  # the stored lead and the queued one

    after = events_of(engine, "zalo-xuyen")
    for secret in (NAME, "Xuyến", PHONE):
        assert secret not in readable(after)
    assert [r[:5] for r in after] == [r[:5] for r in before]  # kinds, timestamps, intents and actions stay
    assert [r.intent_name for r in after if r.type_name == "user"] == ["ask_pension", "request_callback", "inform", "inform"]
    assert [json.loads(r.data)["parse_data"]["intent"]["name"] for r in after if r.type_name == "user"] == [
        "ask_pension", "request_callback", "inform", "inform"]
    assert events_of(engine, "zalo-pao") == other_before
    exported = inbox.export_yaml()
    assert NAME not in exported and OTHER_NAME in exported
    with Session(engine) as s:
        assert s.execute(select(ReviewItem.conversation_id)).scalars().all() == ["zalo-pao"]
        (lead,) = s.execute(select(Lead).where(Lead.conversation_id == "zalo-xuyen")).scalars()
        assert (lead.full_name, lead.phone, lead.commune, lead.preferred_time) == (None, None, None, None)
        assert (lead.province, lead.income, lead.target_group) == ("Tuyên Quang", 5_000_000, "farmer")
        other = s.execute(select(Lead).where(Lead.conversation_id == "zalo-pao")).scalar_one()
        assert (other.full_name, other.phone) == (OTHER_NAME, OTHER_PHONE)  # replayed from the outbox, intact
        assert [(e.conversation_id, e.reason) for e in s.execute(select(Erasure)).scalars()] == [("zalo-xuyen", "withdrawal")]
    leftovers = [p.read_text(encoding="utf-8") for p in (tmp_path / "outbox").iterdir()]
    assert not any("zalo-xuyen" in content or PHONE in content for content in leftovers)
    desk.store.engine.dispose()


def test_a_withdrawal_queued_while_the_database_is_down_erases_what_was_said_before_it(tmp_path):
    with fresh_sqlite(tmp_path) as url:
        engine = db.make_engine(url)
        store_events(engine, "zalo-xuyen", [user(f"tôi là {NAME}", "inform", 0.9) | {"timestamp": 1_795_000_001.0}])
        desk = Desk(url, tmp_path / "outbox")
        desk.outbox.put(request_for("zalo-xuyen"))  # queued during the outage
        database = desk.store
        desk.store = LeadStore(db.make_engine("postgresql://postgres@127.0.0.1:1/unreachable"))  # nothing listens
        assert desk.withdraw("zalo-xuyen") is None
        assert [p.name.endswith("-withdraw.json") for p in desk.outbox.pending()] == [True]  # the lead never gets stored
        asked = now().timestamp()
        store_events(engine, "zalo-xuyen", [user("cảm ơn em, tôi là Xuyến", "thank", 0.9) | {"timestamp": asked + 60}])
        assert desk.outbox.replay(database) == 1
        rows = events_of(engine, "zalo-xuyen")
        assert NAME not in readable(rows[:1]) and "cảm ơn em" in readable(rows[1:])  # what came later stays
        assert database.count() == 0
        engine.dispose()


def test_rasa_writes_the_turn_of_the_withdrawal_redacted_and_leaves_the_erased_rows_alone(engine, database_url):
    """The withdrawal turn reaches the tracker store after the erasure (Rasa saves a turn at its end)."""
    import asyncio  # here: Rasa takes seconds to import, and the processes of the race test import this module

    from rasa.shared.core.domain import Domain
    from rasa.shared.core.events import ActionExecuted, BotUttered, SlotSet, UserUttered
    from rasa.shared.core.trackers import DialogueStateTracker

    from bot.privacy.tracker_store import ErasingSQLTrackerStore

    domain = Domain.from_dict({"intents": ["inform"], "slots": {"phone": {"type": "text", "mappings": [{"type": "custom"}]}}})
    store = ErasingSQLTrackerStore(domain=domain, host=database_url)
    erased_at = datetime(2026, 11, 24, 10, 0, tzinfo=UTC)
    t = erased_at.timestamp()
    tracker = DialogueStateTracker.from_events("zalo-xuyen", [
        ActionExecuted("action_listen", timestamp=t - 60),
        UserUttered(f"tôi là {NAME}", {"name": "inform", "confidence": 0.9}, timestamp=t - 50)], slots=domain.slots)
    asyncio.run(store.save(tracker))
    erase_conversation(engine, "zalo-xuyen", "withdrawal", erased_at)
    for event in [UserUttered(f"xóa thông tin của tôi, số {PHONE}", {"name": "inform", "confidence": 0.9}, timestamp=t - 2),
                  SlotSet("phone", PHONE, timestamp=t - 1), BotUttered("Dạ, em đã xóa", timestamp=t + 1),
                  SlotSet("phone", None, timestamp=t + 1)]:
        tracker.update(event)
    asyncio.run(store.save(tracker))
    rows = events_of(engine, "zalo-xuyen")
    assert [r.type_name for r in rows] == ["action", "user", "user", "slot", "bot", "slot"]  # nothing written twice
    assert NAME not in readable(rows) and PHONE not in readable(rows) and "Dạ, em đã xóa" in readable(rows)
    assert [r.intent_name for r in rows if r.type_name == "user"] == ["inform", "inform"]
    store.engine.dispose()


# Retention, at its boundaries

AT = datetime(2027, 11, 24, 9, 0, tzinfo=UTC)
# 90 days before AT and 12 months before AT, counted by hand.
NINETY_DAYS_BEFORE = datetime(2027, 8, 26, 9, 0, tzinfo=UTC)
TWELVE_MONTHS_BEFORE = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)


def a_lead(engine, conversation_id: str, status: str, changed_at: datetime) -> int:
    """A lead whose last status change (to `status`) was at `changed_at`."""
    lead_id = LeadStore(engine).submit(request_for(conversation_id, phone=f"09{uuid.uuid4().int % 10**8:08d}"))
    with Session(engine, future=True) as s, s.begin():
        s.execute(update(StatusChange).where(StatusChange.lead_id == lead_id).values(changed_at=changed_at - timedelta(days=3)))
        s.execute(update(Lead).where(Lead.id == lead_id).values(status=status, created_at=changed_at - timedelta(days=3)))
        if status != "mới":
            s.add(StatusChange(lead_id=lead_id, status=status, changed_at=changed_at, changed_by="canbo"))
    return lead_id


def said_at(moment: datetime, words: str = f"tôi là {NAME}") -> dict:
    return user(words, "inform", 0.9) | {"timestamp": moment.timestamp()}


def review_item(conversation_id: str, moment: datetime, event_id: int) -> ReviewItem:
    return ReviewItem(event_id=event_id, conversation_id=conversation_id, text=f"tôi là {NAME}", group_key="k",
                      said_at=moment, status="chờ xem")


def anonymised(engine) -> dict[str, bool]:
    with Session(engine) as s:
        return {lead.conversation_id: lead.anonymised_at is not None for lead in s.execute(select(Lead)).scalars()}


def test_retention_at_its_boundaries(engine):
    a_lead(engine, "closed-12-months", "không quan tâm", TWELVE_MONTHS_BEFORE)
    a_lead(engine, "closed-a-minute-less", "đã đăng ký tham gia", TWELVE_MONTHS_BEFORE + timedelta(minutes=1))
    a_lead(engine, "unreachable-long-ago", "không liên lạc được", datetime(2026, 6, 1, tzinfo=UTC))
    a_lead(engine, "contacted-long-ago", "đã liên hệ", datetime(2025, 1, 1, tzinfo=UTC))  # still followed up
    a_lead(engine, "new-long-ago", "mới", datetime(2025, 1, 1, tzinfo=UTC))
    store_events(engine, "closed-12-months", [said_at(datetime(2026, 11, 1, tzinfo=UTC))])
    store_events(engine, "closed-a-minute-less", [said_at(datetime(2026, 11, 1, tzinfo=UTC))])
    store_events(engine, "contacted-long-ago", [said_at(datetime(2024, 12, 30, tzinfo=UTC))])
    store_events(engine, "no-lead-90-days", [said_at(NINETY_DAYS_BEFORE)])
    store_events(engine, "no-lead-a-second-less", [said_at(NINETY_DAYS_BEFORE + timedelta(seconds=1))])
    with Session(engine, future=True) as s, s.begin():
        s.add_all([review_item("no-lead-90-days", NINETY_DAYS_BEFORE, 101),
                   review_item("no-lead-a-second-less", NINETY_DAYS_BEFORE + timedelta(seconds=1), 102),
                   review_item("contacted-long-ago", datetime(2024, 12, 30, tzinfo=UTC), 103)])

    counts = purge(engine, Retention(conversation_days=90, closed_lead_months=12), AT)

    assert counts == PurgeCounts(leads=2, conversations=2, events=2, review_items=1)
    assert anonymised(engine) == {"closed-12-months": True, "closed-a-minute-less": False, "unreachable-long-ago": True,
                                  "contacted-long-ago": False, "new-long-ago": False}
    for conversation, erased in [("closed-12-months", True), ("closed-a-minute-less", False),
                                 ("contacted-long-ago", False), ("no-lead-90-days", True),
                                 ("no-lead-a-second-less", False)]:
        assert (NAME in readable(events_of(engine, conversation))) is not erased, conversation
    with Session(engine) as s:
        assert sorted(s.execute(select(ReviewItem.conversation_id)).scalars()) == ["contacted-long-ago",
                                                                                 "no-lead-a-second-less"]
        assert sorted((e.conversation_id, e.reason) for e in s.execute(select(Erasure)).scalars()) == [
            ("closed-12-months", "retention"), ("unreachable-long-ago", "retention")]
    assert purge(engine, Retention(conversation_days=90, closed_lead_months=12), AT) == PurgeCounts()


@pytest.mark.parametrize("closed_at, expected", [(datetime(2027, 2, 28, 9, 0, tzinfo=UTC), True),
                                                 (datetime(2027, 2, 28, 9, 1, tzinfo=UTC), False)])
def test_twelve_months_before_the_29th_of_february_is_the_28th(engine, closed_at, expected):
    a_lead(engine, "closed", "không quan tâm", closed_at)
    purge(engine, Retention(closed_lead_months=12), datetime(2028, 2, 29, 9, 0, tzinfo=UTC))
    assert anonymised(engine) == {"closed": expected}


def test_a_conversation_withdrawn_before_erasures_existed_is_erased_by_the_next_purge(engine):
    a_lead(engine, "withdrawn-earlier", "mới", now() - timedelta(days=20))
    store_events(engine, "withdrawn-earlier", [said_at(now() - timedelta(days=10))])
    LeadStore(engine).withdraw("withdrawn-earlier")  # what the code before this change did: the lead alone
    assert NAME in readable(events_of(engine, "withdrawn-earlier"))
    assert purge(engine, Retention(), now()).conversations == 1
    assert NAME not in readable(events_of(engine, "withdrawn-earlier"))
    with Session(engine) as s:
        assert [e.reason for e in s.execute(select(Erasure)).scalars()] == ["withdrawal"]


def test_the_retention_settings_come_from_the_environment():
    assert Retention.from_env({}) == Retention(conversation_days=90, closed_lead_months=12)
    assert Retention.from_env({"BOT_RETENTION_CONVERSATION_DAYS": "30", "BOT_RETENTION_CLOSED_LEAD_MONTHS": "24"}) == \
        Retention(conversation_days=30, closed_lead_months=24)
    for wrong in ("0", "-5", "ba tháng", "1.5"):
        with pytest.raises(ValueError, match="BOT_RETENTION_CONVERSATION_DAYS"):
            Retention.from_env({"BOT_RETENTION_CONVERSATION_DAYS": wrong})


# The daily run


def _daily_run(url: str, barrier, results) -> None:  # in a separate process
    engine = db.make_engine(url)
    barrier.wait()
    results.put(purge_if_due(engine, Retention(), AT) is not None)
    engine.dispose()


def test_the_daily_run_runs_once_when_two_processes_race(database_url):
    context = multiprocessing.get_context("spawn")
    barrier, results = context.Barrier(2), context.Queue()
    processes = [context.Process(target=_daily_run, args=(database_url, barrier, results)) for _ in range(2)]
    for p in processes:
        p.start()
    for p in processes:
        p.join(timeout=120)
    assert sorted(results.get(timeout=5) for _ in processes) == [False, True]
    engine = db.make_engine(database_url)
    assert purge_if_due(engine, Retention(), AT + timedelta(hours=23)) is None
    assert purge_if_due(engine, Retention(), AT + timedelta(days=1)) == PurgeCounts()
    engine.dispose()


def test_bot_privacy_purge_prints_the_counts(tmp_path, monkeypatch, capsys):
    with fresh_sqlite(tmp_path) as url:
        monkeypatch.setenv("BOT_DATABASE_URL", url)
        engine = db.make_engine(url)
        a_lead(engine, "closed-long-ago", "không quan tâm", now() - timedelta(days=400))
        assert main(["privacy", "purge"]) == 0
        assert capsys.readouterr().out == ("1 closed lead(s) anonymised, 1 conversation(s) erased, 0 event(s) redacted, "
                                           "0 review message(s) deleted\n")
        assert anonymised(engine) == {"closed-long-ago": True}
        engine.dispose()


def test_withdraw_dates_the_erasure(engine):
    at = datetime(2027, 1, 2, 3, 4, tzinfo=UTC)
    LeadStore(engine).submit(request_for("zalo-xuyen"))
    assert withdraw(LeadStore(engine), "zalo-xuyen", at) == 1
    with Session(engine) as s:
        assert [(e.conversation_id, e.erased_at) for e in s.execute(select(Erasure)).scalars()] == [("zalo-xuyen", at)]
