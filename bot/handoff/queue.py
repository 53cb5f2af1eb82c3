"""The queue of conversations waiting for an officer, in the database: a conversation asks (waiting),
an officer of its province takes it (taken: Rasa is paused for it) and hands it back (released).
One open entry (waiting or taken) per conversation; the typical wait comes from the queue's history."""
from __future__ import annotations

import math
import statistics
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Callable

from sqlalchemy import Column, Integer, String, func, select, update
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from bot.storage.orm import Base, UtcDateTime, now

WAITING, TAKEN, RELEASED = "waiting", "taken", "released"
OPEN = (WAITING, TAKEN)
STATUS_LABELS = {WAITING: "đang chờ", TAKEN: "cán bộ đang trả lời", RELEASED: "đã trả lại trợ lý"}
HISTORY = timedelta(days=30)  # the waits the typical wait is computed from
MIN_SAMPLES = 5  # fewer waits than this in a province: every province's; fewer overall: no figure


class Handoff(Base):
    __tablename__ = "handoffs"
    id = Column(Integer, primary_key=True)
    conversation_id = Column(String(255), nullable=False, index=True)
    channel = Column(String(20), nullable=False)
    province = Column(String(60), nullable=False, index=True)
    status = Column(String(20), nullable=False, index=True)
    requested_at = Column(UtcDateTime, nullable=False)
    taken_at = Column(UtcDateTime)
    taken_by = Column(String(40))
    released_at = Column(UtcDateTime)
    released_by = Column(String(40))


class HandoffError(ValueError):
    """Refused: the message says why, in Vietnamese, for the staff pages and the command line."""


@dataclass(frozen=True)
class TypicalWait:
    minutes: int | None  # the median wait, rounded up; None: too few waits to say
    samples: int
    province_only: bool  # computed from the province's own waits (else from every province's)


class HandoffQueue:
    def __init__(self, engine: Engine, clock: Callable[[], datetime] = now) -> None:
        self.engine, self.clock = engine, clock

    def _session(self) -> Session:
        return Session(self.engine, future=True, expire_on_commit=False)

    def request(self, conversation_id: str, channel: str, province: str) -> tuple[Handoff, bool]:
        """The conversation's open entry, or a new waiting one (True when new)."""
        with self._session() as session, session.begin():
            found = _open(session, conversation_id)
            if found:
                return found, False
            entry = Handoff(conversation_id=conversation_id, channel=channel, province=province, status=WAITING,
                            requested_at=self.clock())
            session.add(entry)
        return entry, True

    def open_for(self, conversation_id: str) -> Handoff | None:
        with self._session() as session:
            return _open(session, conversation_id)

    def held(self, conversation_id: str) -> bool:
        entry = self.open_for(conversation_id)
        return entry is not None and entry.status == TAKEN

    def get(self, handoff_id: int) -> Handoff | None:
        with self._session() as session:
            return session.get(Handoff, handoff_id)

    def take(self, conversation_id: str, officer: str) -> Handoff:
        """Waiting -> taken by this officer, in one UPDATE: of two officers taking at once, one wins."""
        with self._session() as session, session.begin():
            entry = _open(session, conversation_id)
            if entry is None:
                raise HandoffError("Cuộc trò chuyện này không có trong hàng chờ.")
            claimed = session.execute(
                update(Handoff).where(Handoff.id == entry.id, Handoff.status == WAITING)
                .values(status=TAKEN, taken_by=officer, taken_at=self.clock())
            ).rowcount
            session.refresh(entry)
            if not claimed and entry.taken_by != officer:
                raise HandoffError(f"Cán bộ {entry.taken_by} đã nhận cuộc trò chuyện này.")
            return entry

    def untake(self, conversation_id: str, officer: str) -> None:
        """Back to waiting, when the assistant could not be paused for the officer."""
        with self._session() as session, session.begin():
            session.execute(update(Handoff).where(
                Handoff.conversation_id == conversation_id, Handoff.status == TAKEN, Handoff.taken_by == officer
            ).values(status=WAITING, taken_by=None, taken_at=None))

    def release(self, conversation_id: str, by: str) -> Handoff:
        with self._session() as session, session.begin():
            entry = _open(session, conversation_id)
            if entry is None:
                raise HandoffError("Cuộc trò chuyện này không có trong hàng chờ.")
            entry.status, entry.released_at, entry.released_by = RELEASED, self.clock(), by
            return entry

    def inbox(self, province: str | None) -> list[Handoff]:
        """The open entries (of one province, or every province's): waiting ones first, the oldest
        first, then the taken ones."""
        query = select(Handoff).where(Handoff.status.in_(OPEN))
        if province:
            query = query.where(Handoff.province == province)
        with self._session() as session:
            entries = list(session.execute(query.order_by(Handoff.requested_at, Handoff.id)).scalars())
        return sorted(entries, key=lambda e: e.status != WAITING)

    def ahead_of(self, entry: Handoff) -> int:
        """Conversations of the same province waiting since before this one."""
        with self._session() as session:
            return session.execute(select(func.count(Handoff.id)).where(
                Handoff.province == entry.province, Handoff.status == WAITING, Handoff.id != entry.id,
                Handoff.requested_at <= entry.requested_at)).scalar_one()

    def typical_wait(self, province: str) -> TypicalWait:
        """The median wait of the conversations taken in the last 30 days: the province's when it has
        enough of them, else every province's; no figure with fewer than MIN_SAMPLES."""
        since = self.clock() - HISTORY
        with self._session() as session:
            rows = session.execute(select(Handoff.province, Handoff.requested_at, Handoff.taken_at).where(
                Handoff.taken_at.is_not(None), Handoff.taken_at >= since)).all()
        own = [taken - asked for where, asked, taken in rows if where == province]
        every = [taken - asked for _, asked, taken in rows]
        for waits, province_only in ((own, True), (every, False)):
            if len(waits) >= MIN_SAMPLES:
                median = statistics.median(w.total_seconds() for w in waits)
                return TypicalWait(max(1, math.ceil(median / 60)), len(waits), province_only)
        return TypicalWait(None, len(every), False)


def _open(session: Session, conversation_id: str) -> Handoff | None:
    return session.execute(select(Handoff).where(
        Handoff.conversation_id == conversation_id, Handoff.status.in_(OPEN)
    ).order_by(Handoff.id.desc()).limit(1)).scalar_one_or_none()
