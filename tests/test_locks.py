"""The lock store shared by the Rasa processes (bot/servers/locks.py), in the database (SQLite,
PostgreSQL) and in Redis (skipped with the reason when unreachable): tickets in order, none issued
twice when many processes ask at once, a conversation served by one holder at a time, the lock gone
when nobody waits; stored as Rasa's RedisLockStore stores it."""
from __future__ import annotations

import asyncio
import uuid
from concurrent.futures import ThreadPoolExecutor

import pytest

from db_fixtures import REDIS_URL, fresh_postgres, fresh_sqlite, redis_unavailable


@pytest.fixture(params=["sqlite", "postgresql", "redis"])
def url(request, tmp_path):
    if request.param == "redis":
        reason = redis_unavailable()
        if reason:
            pytest.skip(reason)
        yield REDIS_URL
        return
    with (fresh_sqlite(tmp_path) if request.param == "sqlite" else fresh_postgres()) as database:
        yield database


@pytest.fixture
def conversation() -> str:
    return f"locks-{uuid.uuid4().hex[:8]}"


def test_tickets_in_order_and_the_lock_gone_when_nobody_waits(url, conversation):
    from bot.servers.locks import SharedLockStore

    store = SharedLockStore(url=url)
    assert [store.issue_ticket(conversation) for _ in range(3)] == [0, 1, 2]
    assert not store.get_lock(conversation).is_locked(0) and store.get_lock(conversation).is_locked(1)
    store.cleanup(conversation, 0)
    assert not store.get_lock(conversation).is_locked(1)
    store.cleanup(conversation, 2)  # a later ticket given back first (its message failed)
    store.cleanup(conversation, 1)
    assert store.get_lock(conversation) is None


def test_no_ticket_is_issued_twice_when_many_processes_ask_at_once(url, conversation):
    from bot.servers.locks import SharedLockStore

    stores = [SharedLockStore(url=url) for _ in range(8)]  # each its own connections, as separate processes
    with ThreadPoolExecutor(8) as pool:
        tickets = list(pool.map(lambda i: stores[i % 8].issue_ticket(conversation), range(80)))
    assert sorted(tickets) == list(range(80))
    assert len(stores[0].get_lock(conversation).tickets) == 80


def test_rasa_serves_a_conversation_to_one_holder_at_a_time(url, conversation):
    from bot.servers.locks import SharedLockStore

    holders: list[str] = []

    async def handle(store: SharedLockStore, name: str) -> None:
        async with store.lock(conversation, wait_time_in_seconds=0.01):
            holders.append(f"{name} in")
            await asyncio.sleep(0.05)
            holders.append(f"{name} out")

    async def race() -> None:
        await asyncio.gather(*(handle(SharedLockStore(url=url), name) for name in "abcd"))

    asyncio.run(race())
    assert holders == [f"{name} {step}" for name in "abcd" for step in ("in", "out")]
    assert SharedLockStore(url=url).get_lock(conversation) is None


@pytest.mark.server
def test_redis_locks_are_stored_as_rasas_redis_lock_store_stores_them(conversation):
    reason = redis_unavailable()
    if reason:
        pytest.skip(reason)
    from rasa.core.lock_store import RedisLockStore

    from bot.servers.locks import SharedLockStore

    SharedLockStore(url=REDIS_URL).issue_ticket(conversation)
    rasas = RedisLockStore(host="127.0.0.1", port=int(REDIS_URL.rsplit(":", 1)[1].split("/")[0]),
                           db=int(REDIS_URL.rsplit("/", 1)[1]))
    assert [t.number for t in rasas.get_lock(conversation).tickets] == [0]
    rasas.delete_lock(conversation)
