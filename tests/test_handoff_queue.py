"""The queue of conversations waiting for an officer (bot/handoff/queue.py) on SQLite and
PostgreSQL: one open entry per conversation, one officer wins a take, hand-back, the inbox per
province, the place in the queue and the typical wait from hand-written histories."""
from __future__ import annotations

import threading
from datetime import datetime, timedelta, timezone

import pytest

from bot.handoff.queue import RELEASED, TAKEN, WAITING, HandoffError, HandoffQueue
from bot.storage import db
from db_fixtures import database_url  # noqa: F401 (fixture)

START = datetime(2026, 11, 24, 2, 0, tzinfo=timezone.utc)  # 9:00 in Vietnam


class Clock:
    def __init__(self) -> None:
        self.at = START

    def __call__(self) -> datetime:
        return self.at

    def advance(self, **delta: float) -> None:
        self.at += timedelta(**delta)


@pytest.fixture
def clock():
    return Clock()


@pytest.fixture
def queue(database_url, clock):  # noqa: F811
    engine = db.make_engine(database_url)
    yield HandoffQueue(engine, clock)
    engine.dispose()


def test_a_conversation_has_one_open_entry(queue, clock):
    first, new = queue.request("zalo:u1", "zalo", "Nghệ An")
    assert new and first.status == WAITING and first.requested_at == START
    clock.advance(minutes=3)
    again, new = queue.request("zalo:u1", "zalo", "Nghệ An")
    assert not new and again.id == first.id and again.requested_at == START
    queue.release("zalo:u1", "nghean")
    third, new = queue.request("zalo:u1", "zalo", "Nghệ An")
    assert new and third.id != first.id


def test_take_and_release(queue, clock):
    queue.request("zalo:u1", "zalo", "Nghệ An")
    assert not queue.held("zalo:u1")
    clock.advance(minutes=4)
    taken = queue.take("zalo:u1", "nghean")
    assert (taken.status, taken.taken_by, taken.taken_at) == (TAKEN, "nghean", START + timedelta(minutes=4))
    assert queue.held("zalo:u1")
    assert queue.take("zalo:u1", "nghean").taken_by == "nghean", "taking it again is harmless"
    with pytest.raises(HandoffError, match="nghean đã nhận"):
        queue.take("zalo:u1", "nghean2")
    clock.advance(minutes=10)
    released = queue.release("zalo:u1", "nghean")
    assert (released.status, released.released_by, released.released_at) == (RELEASED, "nghean", START + timedelta(minutes=14))
    assert not queue.held("zalo:u1") and queue.open_for("zalo:u1") is None
    with pytest.raises(HandoffError, match="không có trong hàng chờ"):
        queue.take("zalo:u1", "nghean")
    with pytest.raises(HandoffError, match="không có trong hàng chờ"):
        queue.release("zalo:u1", "nghean")


def test_untake_puts_it_back_in_the_queue(queue):
    queue.request("zalo:u1", "zalo", "Nghệ An")
    queue.take("zalo:u1", "nghean")
    queue.untake("zalo:u1", "nghean2")  # not theirs: nothing changes
    assert queue.held("zalo:u1")
    queue.untake("zalo:u1", "nghean")
    entry = queue.open_for("zalo:u1")
    assert (entry.status, entry.taken_by, entry.taken_at) == (WAITING, None, None)


def test_of_officers_taking_at_once_one_wins(queue):
    queue.request("zalo:u1", "zalo", "Nghệ An")
    results: list[str] = []

    def take(officer: str) -> None:
        try:
            queue.take("zalo:u1", officer)
            results.append(officer)
        except HandoffError:
            results.append("refused")

    threads = [threading.Thread(target=take, args=(f"officer{i}",)) for i in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    winners = [r for r in results if r != "refused"]
    assert len(winners) == 1 and results.count("refused") == 5
    assert queue.open_for("zalo:u1").taken_by == winners[0]


def test_inbox_per_province_waiting_first_and_the_place_in_the_queue(queue, clock):
    for user, province in (("a", "Nghệ An"), ("b", "Hà Nội"), ("c", "Nghệ An"), ("d", "Nghệ An")):
        queue.request(f"zalo:{user}", "zalo", province)
        clock.advance(minutes=1)
    queue.take("zalo:a", "nghean")
    queue.request("messenger:e", "messenger", "Nghệ An")
    queue.release("zalo:d", "nghean")
    assert [e.conversation_id for e in queue.inbox("Nghệ An")] == ["zalo:c", "messenger:e", "zalo:a"]
    assert [e.conversation_id for e in queue.inbox(None)] == ["zalo:b", "zalo:c", "messenger:e", "zalo:a"]
    assert queue.ahead_of(queue.open_for("zalo:c")) == 0
    assert queue.ahead_of(queue.open_for("messenger:e")) == 1  # c; a is taken, d released, b elsewhere
    assert queue.ahead_of(queue.open_for("zalo:b")) == 0


def served(queue, clock, conversation: str, province: str, wait_minutes: float) -> None:
    queue.request(conversation, "zalo", province)
    clock.advance(minutes=wait_minutes)
    queue.take(conversation, "officer")
    queue.release(conversation, "officer")


def test_no_typical_wait_without_history(queue, clock):
    assert queue.typical_wait("Nghệ An").minutes is None
    for i, minutes in enumerate([2, 3, 4, 5]):
        served(queue, clock, f"zalo:{i}", "Nghệ An", minutes)
    queue.request("zalo:never-taken", "zalo", "Nghệ An")
    wait = queue.typical_wait("Nghệ An")
    assert (wait.minutes, wait.samples) == (None, 4), "four waits are too few to tell a citizen"


def test_typical_wait_is_the_median_of_the_province_or_else_of_every_province(queue, clock):
    for i, minutes in enumerate([1, 2, 3, 20, 30]):
        served(queue, clock, f"zalo:na{i}", "Nghệ An", minutes)
    served(queue, clock, "zalo:hn", "Hà Nội", 50)
    assert queue.typical_wait("Nghệ An") == queue.typical_wait("Nghệ An")
    wait = queue.typical_wait("Nghệ An")
    assert (wait.minutes, wait.samples, wait.province_only) == (3, 5, True)
    wait = queue.typical_wait("Hà Nội")  # its one wait is too few: every province's 1 2 3 20 30 50
    assert (wait.minutes, wait.samples, wait.province_only) == (12, 6, False)  # (3 + 20) / 2 = 11.5, rounded up


def test_old_waits_no_longer_count(queue, clock):
    for i, minutes in enumerate([40, 40, 40, 40, 40]):
        served(queue, clock, f"zalo:old{i}", "Nghệ An", minutes)
    clock.advance(days=31)
    for i, seconds in enumerate([20, 30, 40, 50, 70]):
        served(queue, clock, f"zalo:new{i}", "Nghệ An", seconds / 60)
    wait = queue.typical_wait("Nghệ An")
    assert (wait.minutes, wait.samples) == (1, 5), "40 seconds, said as about a minute"
