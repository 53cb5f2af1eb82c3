"""Rasa's SQL tracker store (endpoints.yml), redacting as it writes whatever an erasure already
covered. Rasa writes a turn's events after the turn, so those of the turn in which the citizen
withdrew consent (their message, a name or phone it carried) arrive after bot/privacy/erasure.py erased
the conversation: the events dated up to the erasure are written redacted."""
from __future__ import annotations

from typing import Any, Iterator

from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.events import Event
from rasa.shared.core.trackers import DialogueStateTracker

from bot.privacy.erasure import last_erasure, redact_event


class ErasingSQLTrackerStore(SQLTrackerStore):
    def _additional_events(self, session: Any, tracker: DialogueStateTracker) -> Iterator[Event]:
        events = list(super()._additional_events(session, tracker))
        erased_at = last_erasure(session.connection(), tracker.sender_id) if events else None
        if erased_at is None:
            return iter(events)
        until = erased_at.timestamp()
        return iter(Event.from_parameters(redact_event(e.as_dict())) if (e.timestamp or 0) <= until else e
                    for e in events)
