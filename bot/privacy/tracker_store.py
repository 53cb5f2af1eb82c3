"""Rasa's SQL tracker store (endpoints.yml), redacting as it writes whatever an erasure already
covered. Rasa writes a turn's events after the turn, so those of the turn in which the citizen
withdrew consent (their message, a name or phone it carried) arrive after bot/privacy/erasure.py erased
the conversation: the events dated up to the erasure are written redacted.

Every event it writes passes here once, so it also counts the messages for the Rasa server's
metrics (bot/ops/metrics.py): those received by intent, those sent by response."""
from __future__ import annotations

from typing import Any, Iterator

from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.events import BotUttered, Event, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from bot.ops import metrics
from bot.privacy.erasure import last_erasure, redact_event


class ErasingSQLTrackerStore(SQLTrackerStore):
    def _additional_events(self, session: Any, tracker: DialogueStateTracker) -> Iterator[Event]:
        events = list(super()._additional_events(session, tracker))
        self._count(events)
        erased_at = last_erasure(session.connection(), tracker.sender_id) if events else None
        if erased_at is None:
            return iter(events)
        until = erased_at.timestamp()
        return iter(Event.from_parameters(redact_event(e.as_dict())) if (e.timestamp or 0) <= until else e
                    for e in events)

    def _count(self, events: list[Event]) -> None:
        for event in events:
            if isinstance(event, UserUttered):
                metrics.user_message(event.intent_name, self.domain.intents)
            elif isinstance(event, BotUttered):
                metrics.bot_message(event.metadata.get("utter_action"), self.domain.responses)
