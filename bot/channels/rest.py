"""Rasa's REST channel (POST /webhooks/rest/webhook) with the edge of the other channels: a message
is cut at bot.language.text.MAX_INPUT_CHARS before anything parses it, and a message starting with "/" is
a button's payload only when the assistant has just offered that button in this conversation
(ButtonMemory, in the database); otherwise it is read as words. The channel recorded on a lead is
"rest", whatever the client says, and the client's metadata is not stored.

A client may name its message (`"message_id"`: letters, digits, "-" and "_", at most 64) so that it
can send it again when the answer did not reach it (a timeout, a replica that stopped): a message
already handled is answered again from the conversation's stored events, not handled twice
(bot/servers/rasa_server.py checks under the conversation's lock)."""
from __future__ import annotations

import asyncio
import re
from typing import Any, Awaitable, Callable, Dict, Iterable, Optional

from rasa.core.channels import rest
from rasa.core.channels.channel import OutputChannel, UserMessage
from rasa.shared.core.events import BotUttered, UserUttered
from sanic import Blueprint
from sanic.exceptions import InvalidUsage
from sanic.request import Request

from bot.channels.common import ButtonMemory, split_text
from bot.dialogue.questions import as_question
from bot.storage import db

MAX_SENDER_CHARS = 255  # the tracker store's column
CLIENT_MESSAGE_ID = re.compile(r"[A-Za-z0-9_-]{1,64}")
CLIENT_ID_PREFIX = "client:"  # a message id the client chose (Rasa makes up the others)


class RestInput(rest.RestInput):
    def __init__(self) -> None:
        self.memory = ButtonMemory(db.make_engine())

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        async def at_the_edge(message: UserMessage) -> None:
            client_id = (message.metadata or {}).get("message_id")
            message.metadata = None
            if client_id:
                message.message_id = CLIENT_ID_PREFIX + client_id
            message.text = as_question(await asyncio.to_thread(self.memory.read, message.sender_id, message.text or ""))
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
        """Only the client's name of the message, passed to the edge (then dropped)."""
        client_id = request.json.get("message_id") if isinstance(request.json, dict) else None
        if client_id is None:
            return None
        if not isinstance(client_id, str) or not CLIENT_MESSAGE_ID.fullmatch(client_id):
            raise InvalidUsage("'message_id' must be 1 to 64 letters, digits, '-' or '_'")
        return {"message_id": client_id}


def answers_to(events: Iterable[Any], message_id: str) -> list[dict[str, Any]] | None:
    """What the assistant answered the user message `message_id` (Rasa's events), or None when
    the conversation holds no such message."""
    answers: list[dict[str, Any]] | None = None
    for event in events:
        if isinstance(event, UserUttered):
            if answers is not None:
                break
            if event.message_id == message_id:
                answers = []
        elif answers is not None and isinstance(event, BotUttered):
            answers.append({"text": event.text, **{k: v for k, v in (event.data or {}).items() if v is not None}})
    return answers


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
