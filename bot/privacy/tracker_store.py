"""Rasa's SQL tracker store (endpoints.yml), redacting as it writes whatever an erasure already
covered. Rasa writes a turn's events after the turn, so those of the turn in which the citizen
withdrew consent (their message, a name or phone it carried) arrive after bot/privacy/erasure.py erased
the conversation: the events dated up to the erasure are written redacted.

It reads a bounded number of events per message (bot/storage/checkpoints.py); a checkpoint is not
written while an erasure may be under way (the events it was computed from may be those redacted).

Every event it writes passes here once, so it also counts the messages for the Rasa server's
metrics (bot/ops/metrics.py): those received by intent, those sent by response."""
from __future__ import annotations

from typing import Any, Iterator

from rasa.shared.core.events import BotUttered, Event, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from bot.ops import metrics
from bot.privacy.erasure import last_erasure, redact_event
from bot.storage.checkpoints import CheckpointedSQLTrackerStore

ERASURE_MARGIN_SECONDS = 60  # an erasure's moment is taken before its transaction commits


class ErasingSQLTrackerStore(CheckpointedSQLTrackerStore):
    def _additional_events(self, session: Any, tracker: DialogueStateTracker) -> Iterator[Event]:
        events = list(super()._additional_events(session, tracker))
        self._count(events)
        erased_at = last_erasure(session.connection(), tracker.sender_id) if events else None
        if erased_at is None:
            return iter(events)
        until = erased_at.timestamp()
        return iter(Event.from_parameters(redact_event(e.as_dict())) if (e.timestamp or 0) <= until else e
                    for e in events)

    def _erased_since(self, connection: Any, sender_id: str, moment: float) -> bool:
        erased_at = last_erasure(connection, sender_id)
        return erased_at is not None and erased_at.timestamp() >= moment - ERASURE_MARGIN_SECONDS

    def _count(self, events: list[Event]) -> None:
        for event in events:
            if isinstance(event, UserUttered):
                metrics.user_message(event.intent_name, self.domain.intents)
            elif isinstance(event, BotUttered):
                metrics.bot_message(event.metadata.get("utter_action"), self.domain.responses)
