"""Stand-ins for the officer's side of a takeover without servers: Rasa's HTTP API and the channels,
recording what they were asked to do."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from bot.handoff.rasa_api import RasaUnavailable
from bot.handoff.senders import Delivery


@dataclass
class FakeRasa:
    calls: list[tuple] = field(default_factory=list)
    down: bool = False
    replies: dict[str, list[str]] = field(default_factory=dict)  # intent -> texts of the assistant

    def _call(self, *call: object) -> None:
        if self.down:
            raise RasaUnavailable("Không kết nối được với trợ lý (ConnectionError).")
        self.calls.append(call)

    def pause(self, conversation_id: str) -> None:
        self._call("pause", conversation_id)

    def resume(self, conversation_id: str) -> None:
        self._call("resume", conversation_id)

    def bot_message(self, conversation_id: str, text: str, officer: str) -> None:
        self._call("bot", conversation_id, text, officer)

    def trigger(self, conversation_id: str, intent: str) -> list[str]:
        self._call("trigger", conversation_id, intent)
        return self.replies.get(intent, [])


@dataclass
class FakeSenders:
    engine: object
    sent: list[tuple[str, str]] = field(default_factory=list)
    problem: str | None = None  # every send refused with it

    def send(self, conversation_id: str, channel: str, text: str, at: datetime) -> Delivery:
        if self.problem:
            return Delivery(False, self.problem)
        self.sent.append((conversation_id, text))
        return Delivery(True)
