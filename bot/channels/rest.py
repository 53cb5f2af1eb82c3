"""Rasa's REST channel (POST /webhooks/rest/webhook) with the edge of the other channels: a message
is cut at bot.language.text.MAX_INPUT_CHARS before anything parses it, and a message starting with "/" is
a button's payload only when the assistant has just offered that button in this conversation
(ButtonMemory, in the database); otherwise it is read as words. The channel recorded on a lead is
"rest", whatever the client says, and the client's metadata is not stored."""
from __future__ import annotations

import asyncio
from typing import Any, Awaitable, Callable, Dict, Optional

from rasa.core.channels import rest
from rasa.core.channels.channel import OutputChannel, UserMessage
from sanic import Blueprint
from sanic.exceptions import InvalidUsage
from sanic.request import Request

from bot.channels.common import ButtonMemory, split_text
from bot.storage import db

MAX_SENDER_CHARS = 255  # the tracker store's column


class RestInput(rest.RestInput):
    def __init__(self) -> None:
        self.memory = ButtonMemory(db.make_engine())

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        async def at_the_edge(message: UserMessage) -> None:
            message.text = await asyncio.to_thread(self.memory.read, message.sender_id, message.text or "")
            message.output_channel = _Offering(message.output_channel, self.memory)
            await on_new_message(message)

        return super().blueprint(at_the_edge)

    async def _extract_sender(self, req: Request) -> Optional[str]:
        sender = req.json.get("sender") if isinstance(req.json, dict) else None
        if not isinstance(sender, str) or not 0 < len(sender) <= MAX_SENDER_CHARS:
            raise InvalidUsage(f"'sender' must be a text of 1 to {MAX_SENDER_CHARS} characters")
        return sender

    def _extract_message(self, req: Request) -> Optional[str]:
        message = req.json.get("message")
        return message if isinstance(message, str) else ""

    def _extract_input_channel(self, req: Request) -> str:
        return self.name()

    def get_metadata(self, request: Request) -> Optional[Dict[str, Any]]:
        return None


class _Offering(OutputChannel):
    """The REST client's collector, remembering the buttons of every message it passes on."""

    def __init__(self, collector: OutputChannel, memory: ButtonMemory) -> None:
        self.collector, self.memory = collector, memory

    def name(self) -> str:  # type: ignore[override]  # the collector's: responses may vary by channel
        return self.collector.name()

    async def send_response(self, recipient_id: str, message: Dict[str, Any]) -> None:
        buttons = message.get("buttons") or message.get("quick_replies")
        if buttons:
            await asyncio.to_thread(self.memory.offer, recipient_id, buttons)
            # one message per paragraph, as Rasa's collector does for a text without buttons; the
            # buttons under the last one
            *first, last = split_text(message.get("text") or "") or [""]
            for paragraph in first:
                await self.collector.send_response(recipient_id, {"text": paragraph})
            message = {**message, "text": last}
        await self.collector.send_response(recipient_id, message)
