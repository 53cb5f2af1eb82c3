"""The live takeover's actions (actions/handoff.py) on rasa_sdk Trackers, storing into a real SQLite
database, and the offer they make (bot/handoff/offer.py) at hand-picked moments of the calendar."""
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from rasa_sdk.executor import CollectingDispatcher

import actions.common
from action_harness import run, tracker
from actions.handoff import ActionOfferOfficer, ActionSessionStart, ValidateOfficerForm
from bot.handoff.hours import OfficeHours
from bot.handoff.offer import offer_officer, wait_note
from bot.handoff.queue import HandoffQueue, TypicalWait
from bot.outbox import Desk
from bot.staff.accounts import ADMIN, OFFICE, Accounts
from bot.storage import db
from bot.storage.orm import now

VN = ZoneInfo("Asia/Ho_Chi_Minh")


@pytest.fixture
def desk(tmp_path, monkeypatch):
    url = f"sqlite:///{tmp_path / 'bot.db'}"
    db.upgrade(url)
    monkeypatch.setenv("BOT_TODAY", "2026-11-24")
    monkeypatch.setenv("BOT_OFFICE_HOURS", "always")
    the_desk = Desk(url, tmp_path / "outbox")
    monkeypatch.setattr(actions.common, "_desk", the_desk)
    accounts = Accounts(the_desk.store.engine)
    accounts.create_user("nghean", "mat-khau-du-dai", OFFICE, "Nghệ An")
    accounts.create_user("quantri", "mat-khau-du-dai", ADMIN)
    return the_desk


def offer(domain, province=None, channel="zalo", sender="zalo:u1"):  # type: ignore[no-untyped-def]
    slots = {"province": province} if province else {}
    return run(ActionOfferOfficer(), tracker(slots, "cho tôi gặp cán bộ", "human_handoff", sender=sender,
                                             channel=channel), domain)


def test_in_office_hours_the_citizen_is_queued_and_told_the_wait_truthfully(desk, domain):
    first = offer(domain, "Nghệ An")
    assert first.slots() == {"officer_offer": "queued"} and first.responses == ["utter_officer_queued"]
    (said,) = first.texts
    assert "cán bộ Bảo hiểm xã hội tỉnh Nghệ An" in said and "chưa có đủ số liệu" in said and "vẫn có thể hỏi em" in said
    entry = HandoffQueue(desk.store.engine).open_for("zalo:u1")
    assert (entry.channel, entry.province, entry.status) == ("zalo", "Nghệ An", "waiting")
    again = offer(domain, "Nghệ An")
    assert again.responses == ["utter_officer_still_waiting"] and again.slots() == {"officer_offer": "queued"}
    assert len(HandoffQueue(desk.store.engine).inbox(None)) == 1


def test_the_province_is_asked_when_unknown(desk, domain):
    asked = offer(domain, None)
    assert asked.slots() == {"officer_offer": "need_province"} and asked.messages == []
    ambiguous = offer(domain, "ĐN")  # the raw name when the extractor could not choose
    assert ambiguous.slots() == {"officer_offer": "need_province"}


@pytest.mark.parametrize("setting, channel, province, response", [
    ("never", "zalo", "Nghệ An", "utter_officer_closed_now"),
    ("never", "messenger", None, "utter_officer_closed_now"),
    ("always", "rest", "Nghệ An", "utter_officer_not_on_channel"),
    ("always", "zalo", "Hà Tĩnh", "utter_officer_none"),  # no office account for Hà Tĩnh
])
def test_otherwise_the_callback_request_takes_over(desk, domain, monkeypatch, setting, channel, province, response):
    monkeypatch.setenv("BOT_OFFICE_HOURS", setting)
    closed = offer(domain, province, channel=channel, sender=f"{channel}:u2")
    assert closed.slots() == {"officer_offer": "closed"} and closed.responses == [response]
    assert HandoffQueue(desk.store.engine).open_for(f"{channel}:u2") is None
    if setting == "never":
        assert "tổng đài 1900 9068" in closed.texts[0]


def test_the_calendar_decides_without_the_override(desk):
    queue, hours = HandoffQueue(desk.store.engine), OfficeHours.load(env={})
    friday_evening = datetime(2026, 11, 27, 18, 0, tzinfo=VN)
    closed = offer_officer("zalo:u3", "zalo", "Nghệ An", friday_evening, queue, hours, lambda _: True)
    assert closed.outcome == "closed" and closed.replies[0].variables["reopens"] == "7:30 thứ Hai, 30/11"
    at_lunch = offer_officer("zalo:u3", "zalo", "Nghệ An", datetime(2026, 11, 30, 12, 0, tzinfo=VN), queue, hours,
                             lambda _: True)
    assert at_lunch.replies[0].variables["reopens"] == "13:30 thứ Hai, 30/11"
    monday_morning = offer_officer("zalo:u3", "zalo", "Nghệ An", datetime(2026, 11, 30, 9, 0, tzinfo=VN), queue,
                                   hours, lambda _: True)
    assert monday_morning.outcome == "queued"
    national_day = offer_officer("zalo:u4", "zalo", None, datetime(2026, 9, 2, 9, 0, tzinfo=VN), queue, hours,
                                 lambda _: True)
    assert national_day.outcome == "closed", "no province is open on a public holiday: nothing to ask"


def test_the_wait_note():
    assert wait_note(TypicalWait(None, 2, False), 0) == "Em chưa có đủ số liệu để biết thường phải chờ bao lâu."
    assert wait_note(TypicalWait(4, 12, True), 0) == "Thời gian chờ thường khoảng 4 phút."
    assert wait_note(TypicalWait(75, 12, True), 2) == ("Thời gian chờ thường khoảng 1 giờ 15 phút. "
                                                      "Hiện có 2 người đang chờ trước anh/chị.")
    assert wait_note(TypicalWait(120, 6, False), 1) == ("Thời gian chờ thường khoảng 2 giờ. "
                                                       "Hiện có 1 người đang chờ trước anh/chị.")


def test_the_wait_told_comes_from_the_queue(desk, domain):
    queue = HandoffQueue(desk.store.engine)
    base = datetime(2026, 11, 24, 9, 0, tzinfo=VN)
    for i, minutes in enumerate([2, 3, 5, 8, 13]):  # median 5 minutes
        queue.clock = lambda: base  # noqa: B023
        queue.request(f"zalo:served{i}", "zalo", "Nghệ An")
        queue.clock = lambda m=minutes: base + timedelta(minutes=m)
        queue.take(f"zalo:served{i}", "nghean")
        queue.release(f"zalo:served{i}", "nghean")
    queue.clock = now
    queue.request("zalo:before", "zalo", "Nghệ An")
    said = offer(domain, "Nghệ An", sender="zalo:u5").texts[0]
    assert "Thời gian chờ thường khoảng 5 phút. Hiện có 1 người đang chờ trước anh/chị." in said


def test_officer_form_takes_a_province_and_asks_back_an_ambiguous_one(domain):
    validate = ValidateOfficerForm()
    dispatcher = CollectingDispatcher()
    assert validate.validate_province("Nghệ An", dispatcher, tracker(text="nghe an"), domain) == {"province": "Nghệ An"}
    assert validate.validate_province("Hồ Chí Minh", dispatcher, tracker(text="sài gòn"), domain) == {"province": "Hồ Chí Minh"}
    assert not dispatcher.messages
    assert validate.validate_province("ĐN", dispatcher, tracker(text="tôi ở ĐN"), domain) == {"province": None}
    (asked,) = dispatcher.messages
    assert asked["response"] == "utter_ask_which_province" and asked["said"] == "ĐN"
    assert [b["title"] for b in asked["buttons"]] == ["Đà Nẵng", "Đồng Nai"]
    assert asked["buttons"][0]["payload"] == '/inform{"province": "Đà Nẵng"}'


def test_a_new_session_stays_paused_while_an_officer_holds_the_conversation(desk, domain):
    earlier = [{"event": "slot", "name": "province", "value": "Nghệ An"}, {"event": "slot", "name": "income", "value": 5e6}]
    fresh = run(ActionSessionStart(), tracker(events=earlier, sender="zalo:u6"), domain)
    assert [e["event"] for e in fresh.events] == ["session_started", "slot", "slot", "action"]
    assert fresh.slots() == {"province": "Nghệ An", "income": 5e6}
    queue = HandoffQueue(desk.store.engine)
    queue.request("zalo:u6", "zalo", "Nghệ An")
    queue.take("zalo:u6", "nghean")
    held = run(ActionSessionStart(), tracker(events=earlier, sender="zalo:u6"), domain)
    assert [e["event"] for e in held.events] == ["session_started", "slot", "slot", "pause", "action"]
    assert held.events[-1]["name"] == "action_listen"


def test_without_a_usable_database_the_callback_request_takes_over_and_sessions_still_start(tmp_path, monkeypatch, domain):
    broken = Desk(f"sqlite:///{tmp_path / 'missing' / 'dir' / 'no.db'}", tmp_path / "outbox")
    broken.store.engine.dispose()
    monkeypatch.setattr(actions.common, "_desk", broken)
    monkeypatch.setenv("BOT_OFFICE_HOURS", "always")
    offered = offer(domain, "Nghệ An")
    assert offered.slots() == {"officer_offer": "closed"} and offered.responses == ["utter_officer_unavailable"]
    started = run(ActionSessionStart(), tracker(sender="zalo:u7"), domain)
    assert [e["event"] for e in started.events] == ["session_started", "action"]
