"""Rasa's SQL tracker store, reading a bounded number of events per message.

Rasa's SQLTrackerStore reads every event of the sender's current session on each message and then
replays them all (the policies replay them again for every prediction, the action server receives
them all), so a message's cost grows with the length of the conversation. Here a checkpoint per
sender sums up what the old events left behind (the slots' values, the active form, a paused
conversation) as a few events; a message reads the checkpoint and the events after it only. Once
more than 2 × KEEP_TURNS user messages follow the checkpoint, it moves forward so that KEEP_TURNS
stay after it: a tracker holds between KEEP_TURNS and 2 × KEEP_TURNS turns whatever the
conversation's length. The policy looks a few turns back at most (the rules' lengths); actions see the
same window.

A checkpoint is a cache of what the stored events say: deleting one is always safe (the next message
reads the whole session again and writes a new one). The erasure and the retention delete those
they make stale (bot/privacy). `retrieve_full_tracker` (Rasa's HTTP API, the staff transcripts) reads
every event as before."""
from __future__ import annotations

import json
import time
from typing import Any, Iterator, Optional

from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.events import ActiveLoop, ConversationPaused, Event, SessionStarted, SlotSet
from rasa.shared.core.trackers import DialogueStateTracker
import sqlalchemy as sa
from sqlalchemy import Column, Float, Integer, String, Text, delete
from sqlalchemy.engine import Connection

from bot.storage import db
from bot.storage.orm import Base

KEEP_TURNS = 8
_STORED = "_events_in_store"  # on a retrieved tracker: how many of its first events are stored (or stand for stored ones)


class TrackerCheckpoint(Base):
    """The state of a conversation before its event `first_event_id`, as events (JSON)."""

    __tablename__ = "tracker_checkpoints"
    sender_id = Column(String(255), primary_key=True)
    first_event_id = Column(Integer, nullable=False)
    state = Column(Text, nullable=False)
    covers_until = Column(Float, nullable=False)  # the timestamp of the last event it sums up


def forget(connection: Connection, sender_id: str | None = None, covering_until: float | None = None) -> int:
    """Delete a sender's checkpoint, or those summing up events written until `covering_until`."""
    query = delete(TrackerCheckpoint.__table__)
    if sender_id is not None:
        query = query.where(TrackerCheckpoint.sender_id == sender_id)
    if covering_until is not None:
        query = query.where(TrackerCheckpoint.covers_until <= covering_until)
    return connection.execute(query).rowcount or 0


def cut_index(events: list[dict[str, Any]], keep_turns: int = KEEP_TURNS) -> int | None:
    """Where a checkpoint may move to: before the `keep_turns`-th last user message (and the
    action_listen that precedes it), when more than twice as many follow; else None."""
    users = [i for i, e in enumerate(events) if e.get("event") == "user"]
    if len(users) <= 2 * keep_turns:
        return None
    cut = users[-keep_turns]
    previous = events[cut - 1] if cut else {}
    return cut - 1 if previous.get("event") == "action" and previous.get("name") == "action_listen" else cut


def state_events(sender_id: str, events: list[dict[str, Any]], slots: Any) -> list[dict[str, Any]]:
    """A few events that leave a new tracker in the state these events leave it in."""
    tracker = DialogueStateTracker.from_dict(sender_id, events, slots)
    stamp = events[-1].get("timestamp") if events else None
    state: list[Event] = [SlotSet(slot.name, slot.value, timestamp=stamp)
                          for slot in tracker.slots.values() if slot.value != slot.initial_value]
    if tracker.active_loop_name:
        state.append(ActiveLoop(tracker.active_loop_name, timestamp=stamp))
    if tracker.is_paused():
        state.append(ConversationPaused(timestamp=stamp))
    return [event.as_dict() for event in state]


class CheckpointedSQLTrackerStore(SQLTrackerStore):
    """SQLTrackerStore whose `retrieve` reads the checkpoint and the events after it."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.engine.dialect.name == "sqlite":  # pooled connections (bot.storage.db.SQLITE_POOL)
            url = self.engine.url
            self.engine.dispose()
            self.engine = sa.create_engine(url, **db.SQLITE_POOL)
            self.sessionmaker = sa.orm.session.sessionmaker(bind=self.engine)

    async def retrieve(self, sender_id: str) -> Optional[DialogueStateTracker]:
        read_at = time.time()
        with self.session_scope() as session:
            checkpoint = session.get(TrackerCheckpoint, sender_id)
            if checkpoint is None:
                query = self._event_query(session, sender_id, fetch_events_from_all_sessions=False)
            else:
                query = (session.query(self.SQLEvent)
                         .filter(self.SQLEvent.sender_id == sender_id, self.SQLEvent.id >= checkpoint.first_event_id)
                         .order_by(self.SQLEvent.id))
            rows = query.with_entities(self.SQLEvent.id, self.SQLEvent.type_name, self.SQLEvent.data).all()
            prefix = json.loads(checkpoint.state) if checkpoint else []
        starts = [i for i, row in enumerate(rows) if row.type_name == SessionStarted.type_name]
        if starts:  # the latest session only, as Rasa's query
            rows, prefix = rows[starts[-1]:], []
        if not rows and not prefix or self.domain is None:
            return None
        events = [json.loads(row.data) for row in rows]
        cut = cut_index(events)
        if cut is not None:
            prefix = state_events(sender_id, prefix + events[:cut], self.domain.slots)
            self._save_checkpoint(sender_id, rows[cut].id, prefix, events[cut - 1].get("timestamp") or read_at, read_at)
            events = events[cut:]
        tracker = DialogueStateTracker.from_dict(sender_id, prefix + events, self.domain.slots)
        setattr(tracker, _STORED, len(tracker.events))
        return tracker

    def _save_checkpoint(self, sender_id: str, first_event_id: int, state: list[dict], covers_until: float,
                         read_at: float) -> None:
        """Unless the conversation was erased since its events were read (the events just read may
        hold what the erasure redacted): the next message then reads them again."""
        with self.session_scope() as session:
            if not self._erased_since(session.connection(), sender_id, read_at):
                session.merge(TrackerCheckpoint(sender_id=sender_id, first_event_id=first_event_id,
                                                state=json.dumps(state), covers_until=covers_until))
                session.commit()

    def _erased_since(self, connection: Connection, sender_id: str, moment: float) -> bool:
        """Whether the conversation was erased after `moment` (the privacy store knows)."""
        return False

    def _additional_events(self, session: Any, tracker: DialogueStateTracker) -> Iterator[Event]:
        stored = getattr(tracker, _STORED, None)
        if stored is None:  # a tracker this store did not retrieve: Rasa's count of the stored events
            return super()._additional_events(session, tracker)
        return iter(list(tracker.events)[stored:])

    async def save(self, tracker: DialogueStateTracker) -> None:
        await super().save(tracker)
        setattr(tracker, _STORED, len(tracker.events))  # the processor saves the same tracker again later
