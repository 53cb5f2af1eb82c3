"""Rasa's lock store (endpoints.yml, `lock_store`), shared by every Rasa process: each message of a
conversation takes a ticket and waits for its turn, so that two processes never handle the same
conversation at once, whichever replica or Sanic worker receives it.

The tickets live where BOT_LOCK_STORE_URL says: Redis (redis://host:port/db; production, several
replicas) under Rasa's own keys ("lock:<conversation>", the JSON of Rasa's TicketLock), or the
project's database (any other URL: `make run`, SQLite, several Sanic workers on one machine).

Rasa's RedisLockStore reads a lock, changes it and writes it back in separate steps: two processes
issuing a ticket at the same moment may both get the same number, or one may drop the other's
ticket. Here every change (issue a ticket, drop the expired ones, give a ticket back and delete the
lock when nobody waits) is one atomic read-modify-write: a Redis WATCH/MULTI transaction, or a
database transaction holding the row (SELECT ... FOR UPDATE; SQLite takes its write lock first)."""
from __future__ import annotations

import json
import os
from typing import Any, Callable, Optional, TypeVar

import redis
from rasa.core.lock import TicketLock
from rasa.core.lock_store import DEFAULT_REDIS_LOCK_STORE_KEY_PREFIX, LOCK_LIFETIME, LockStore
from rasa.utils.endpoints import EndpointConfig
from sqlalchemy import Column, String, Text, event
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bot.storage import db
from bot.storage.orm import Base

T = TypeVar("T")
# A change of a conversation's lock: the lock to keep (None: delete it) and what the caller gets.
Change = Callable[[Optional[TicketLock]], "tuple[Optional[TicketLock], T]"]


class ConversationLock(Base):
    __tablename__ = "conversation_locks"
    conversation_id = Column(String(255), primary_key=True)
    data = Column(Text, nullable=False)  # Rasa's TicketLock as JSON


class SharedLockStore(LockStore):
    def __init__(self, endpoint_config: EndpointConfig | None = None, url: str | None = None) -> None:
        url = url or (endpoint_config.url if endpoint_config else None) or os.environ.get("BOT_LOCK_STORE_URL") \
            or db.database_url()
        self.backend: RedisLocks | SQLLocks = RedisLocks(url) if url.startswith(("redis://", "rediss://", "unix://")) \
            else SQLLocks(url)
        super().__init__()

    def get_lock(self, conversation_id: str) -> Optional[TicketLock]:
        return self.backend.get(conversation_id)

    def save_lock(self, lock: TicketLock) -> None:
        self.backend.update(lock.conversation_id, lambda _: (lock, None))

    def delete_lock(self, conversation_id: str) -> None:
        self.backend.update(conversation_id, lambda _: (None, None))

    def issue_ticket(self, conversation_id: str, lock_lifetime: float = LOCK_LIFETIME) -> int:
        def issue(lock: Optional[TicketLock]) -> tuple[TicketLock, int]:
            lock = lock or self.create_lock(conversation_id)
            return lock, lock.issue_ticket(lock_lifetime)

        return self.backend.update(conversation_id, issue)

    def update_lock(self, conversation_id: str) -> None:
        def drop_expired(lock: Optional[TicketLock]) -> tuple[Optional[TicketLock], None]:
            if lock is not None:
                lock.remove_expired_tickets()
            return lock, None

        self.backend.update(conversation_id, drop_expired)

    def cleanup(self, conversation_id: str, ticket_number: int) -> None:
        def give_back(lock: Optional[TicketLock]) -> tuple[Optional[TicketLock], None]:
            if lock is not None:
                lock.remove_ticket_for(ticket_number)
            return (lock if lock is not None and lock.is_someone_waiting() else None), None

        self.backend.update(conversation_id, give_back)

    def finish_serving(self, conversation_id: str, ticket_number: int) -> None:
        def give_back(lock: Optional[TicketLock]) -> tuple[Optional[TicketLock], None]:
            if lock is not None:
                lock.remove_ticket_for(ticket_number)
            return lock, None

        self.backend.update(conversation_id, give_back)


class RedisLocks:
    def __init__(self, url: str) -> None:
        self.red = redis.Redis.from_url(url, socket_timeout=10)

    def get(self, conversation_id: str) -> Optional[TicketLock]:
        return _lock(self.red.get(DEFAULT_REDIS_LOCK_STORE_KEY_PREFIX + conversation_id))

    def update(self, conversation_id: str, change: Change) -> Any:
        key = DEFAULT_REDIS_LOCK_STORE_KEY_PREFIX + conversation_id
        result = None

        def attempt(pipe: redis.client.Pipeline) -> None:  # run again when another client wrote the key meanwhile
            nonlocal result
            lock, result = change(_lock(pipe.get(key)))
            pipe.multi()
            if lock is None:
                pipe.delete(key)
            else:
                pipe.set(key, lock.dumps())

        self.red.transaction(attempt, key)
        return result


class SQLLocks:
    def __init__(self, url: str) -> None:
        self.engine = db.make_engine(url)
        if url.startswith("sqlite"):
            # A lock lasts a message: its commits need not reach the disk before the answer (a lock
            # lost in a power cut is of no use after it anyway). WAL keeps the file consistent.
            event.listen(self.engine, "connect", lambda connection, _: connection.execute("PRAGMA synchronous=NORMAL"))

    def get(self, conversation_id: str) -> Optional[TicketLock]:
        with Session(self.engine, future=True) as session:
            row = session.get(ConversationLock, conversation_id)
            return _lock(row.data if row else None)

    def update(self, conversation_id: str, change: Change) -> Any:
        try:
            return self._update(conversation_id, change)
        except IntegrityError:  # another process created the row first (PostgreSQL): it is there now
            return self._update(conversation_id, change)

    def _update(self, conversation_id: str, change: Change) -> Any:
        with Session(self.engine, future=True) as session, session.begin():
            row = session.get(ConversationLock, conversation_id, with_for_update=True)
            lock, result = change(_lock(row.data if row else None))
            if lock is None and row is not None:
                session.delete(row)
            elif lock is not None and row is not None:
                row.data = lock.dumps()
            elif lock is not None:
                session.add(ConversationLock(conversation_id=conversation_id, data=lock.dumps()))
        return result


def _lock(serialised: Any) -> Optional[TicketLock]:
    return TicketLock.from_dict(json.loads(serialised)) if serialised else None
