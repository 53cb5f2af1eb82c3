"""Facebook Messenger connector: a Rasa custom channel at /webhooks/messenger/webhook, written instead
of Rasa's built-in `facebook` channel (SHA-1 signature only, forged requests answered 200, first
message of a batch only, a blocking HTTP client, at most 11 quick replies).

Meta signs each POST with X-Hub-Signature-256 = "sha256=" + HMAC-SHA256(app secret, raw body),
verifies the webhook with a GET challenge, batches several entries and events in one POST and may
deliver one twice."""
from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import logging
import os
from dataclasses import dataclass
from typing import Any, Awaitable, Callable, Mapping

import aiohttp
from rasa.core.channels.channel import InputChannel, OutputChannel, UserMessage
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.channels.common import Background, Deliveries, HttpSession, Incoming, hand_over, split_text
from bot.servers.locks import SharedLockStore
from bot.storage import db

log = logging.getLogger(__name__)

CHANNEL = "messenger"
GRAPH_VERSION = "v21.0"
MAX_QUICK_REPLIES, MAX_TITLE_CHARS = 13, 20
MAX_BODY_BYTES = 256 * 1024  # a batch may hold many events


@dataclass(frozen=True)
class MessengerConfig:
    verify_token: str
    app_secret: str
    page_access_token: str
    graph_base: str = "https://graph.facebook.com"

    @classmethod
    def from_credentials(cls, credentials: dict[str, Any], env: Mapping[str, str] = os.environ) -> "MessengerConfig":
        base = credentials.get("graph_base") or env.get("FB_GRAPH_BASE") or cls.graph_base
        return cls(str(credentials["verify_token"]), str(credentials["app_secret"]),
                   str(credentials["page_access_token"]), base.rstrip("/"))


def signature_ok(raw_body: bytes, header: str | None, app_secret: str) -> bool:
    if not header:
        return False
    expected = "sha256=" + hmac.new(app_secret.encode(), raw_body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(header.strip().lower().encode(), expected.encode())


def incoming(body: dict[str, Any]) -> list[Incoming]:
    """Every message of every entry of a batch, in order; echoes, deliveries, reads and anything
    malformed are left out."""
    found = []
    for entry in body.get("entry") or []:
        events = entry.get("messaging") if isinstance(entry, dict) else None
        for event in events if isinstance(events, list) else []:
            if isinstance(event, dict):
                item = _incoming_event(event)
                if item:
                    found.append(item)
    return found


def _incoming_event(event: dict[str, Any]) -> Incoming | None:
    sender = event.get("sender") if isinstance(event.get("sender"), dict) else {}
    user_id = str(sender.get("id", ""))
    message, postback = event.get("message"), event.get("postback")
    if not user_id:
        return None
    # A quick reply's or a postback's payload is the page's own (Meta signs the event); a text is typed.
    if isinstance(message, dict) and not message.get("is_echo"):
        mid = str(message.get("mid") or f"{user_id}:{event.get('timestamp', '')}")
        quick_reply = message.get("quick_reply") if isinstance(message.get("quick_reply"), dict) else {}
        if isinstance(quick_reply.get("payload"), str) and quick_reply["payload"].strip():
            return Incoming("payload", user_id, mid, quick_reply["payload"])
        if isinstance(message.get("text"), str) and message["text"].strip():
            return Incoming("text", user_id, mid, message["text"])
        if message.get("attachments"):
            return Incoming("not_text", user_id, mid)
    if isinstance(postback, dict) and isinstance(postback.get("payload"), str):
        mid = str(postback.get("mid") or f"postback:{user_id}:{event.get('timestamp', '')}")
        return Incoming("payload", user_id, mid, postback["payload"])
    return None


def quick_replies(buttons: list[dict[str, Any]]) -> list[dict[str, str]]:
    """Meta's limits: at most 13 quick replies, titles of at most 20 characters."""
    replies = []
    for b in buttons[:MAX_QUICK_REPLIES]:
        title = str(b["title"])
        if len(title) > MAX_TITLE_CHARS:
            title = title[:MAX_TITLE_CHARS - 1].rstrip() + "…"
        replies.append({"content_type": "text", "title": title, "payload": str(b.get("payload") or b["title"])[:1000]})
    return replies


def user_of(recipient_id: str) -> str:
    """Conversations are named "messenger:<page-scoped id>"."""
    return recipient_id.removeprefix(CHANNEL + ":")


class GraphApi:
    def __init__(self, config: MessengerConfig) -> None:
        self.config = config
        self._http = HttpSession()

    async def send(self, user_id: str, message: dict[str, Any]) -> bool:
        return await self.deliver(user_id, message) is None

    async def deliver(self, user_id: str, message: dict[str, Any]) -> dict[str, Any] | None:
        """None when Meta accepted the message; else its error ({"code", "error_subcode", ...}, or
        {"code": <HTTP status or 0 when unreachable>})."""
        body = {"recipient": {"id": user_id}, "messaging_type": "RESPONSE", "message": message}
        url = f"{self.config.graph_base}/{GRAPH_VERSION}/me/messages"
        try:
            async with self._http.get().post(url, json=body, params={"access_token": self.config.page_access_token}) as reply:
                result = await reply.json(content_type=None)
                status = reply.status
        except (aiohttp.ClientError, asyncio.TimeoutError, ValueError) as error:
            log.error("Messenger send failed: %s", type(error).__name__)
            return {"code": 0}
        if status != 200 or not isinstance(result, dict) or "error" in result:
            error = result.get("error") if isinstance(result, dict) else None
            code, text = (error.get("code"), error.get("message")) if isinstance(error, dict) else (status, result)
            log.warning("Messenger send error %s: %s", code, text)
            return error if isinstance(error, dict) else {"code": status}
        return None

    async def close(self) -> None:
        await self._http.close()


class MessengerOutput(OutputChannel):
    def __init__(self, api: GraphApi) -> None:
        self.api = api

    @classmethod
    def name(cls) -> str:
        return CHANNEL

    async def send_text_message(self, recipient_id: str, text: str, **kwargs: Any) -> None:
        for piece in split_text(text):
            await self.api.send(user_of(recipient_id), {"text": piece})

    async def send_text_with_buttons(self, recipient_id: str, text: str, buttons: list[dict[str, Any]],
                                     **kwargs: Any) -> None:
        """The last piece of the text carries the buttons as quick replies."""
        *first, last = split_text(text) or ["…"]
        for piece in first:
            await self.api.send(user_of(recipient_id), {"text": piece})
        await self.api.send(user_of(recipient_id), {"text": last, "quick_replies": quick_replies(buttons)})

    async def send_quick_replies(self, recipient_id: str, text: str, quick_replies: list[dict[str, Any]],
                                 **kwargs: Any) -> None:
        await self.send_text_with_buttons(recipient_id, text, quick_replies, **kwargs)

    async def send_image_url(self, recipient_id: str, image: str, **kwargs: Any) -> None:
        await self.api.send(user_of(recipient_id), {"attachment": {"type": "image", "payload": {"url": image}}})


class MessengerInput(InputChannel):
    @classmethod
    def name(cls) -> str:
        return CHANNEL

    @classmethod
    def from_credentials(cls, credentials: dict[str, Any] | None) -> "MessengerInput":
        if not credentials:
            cls.raise_missing_credentials_exception()
        return cls(MessengerConfig.from_credentials(credentials))

    def __init__(self, config: MessengerConfig) -> None:
        self.config = config
        self.api = GraphApi(config)
        self.deliveries = Deliveries(db.make_engine(), CHANNEL)
        self.background = Background(SharedLockStore())  # the lock store of endpoints.yml

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        webhook = Blueprint("messenger_webhook", __name__)

        @webhook.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @webhook.route("/webhook", methods=["GET"])
        async def verify(request: Request) -> HTTPResponse:
            token = request.args.get("hub.verify_token") or ""
            if request.args.get("hub.mode") == "subscribe" and hmac.compare_digest(
                    token.encode(), self.config.verify_token.encode()):
                return response.text(request.args.get("hub.challenge") or "")
            log.warning("Messenger webhook verification refused")
            return response.text("forbidden", status=403)

        @webhook.route("/webhook", methods=["POST"])
        async def receive(request: Request) -> HTTPResponse:
            raw = request.body or b""
            if len(raw) > MAX_BODY_BYTES:
                return response.json({"error": "too large"}, status=413)
            if not signature_ok(raw, request.headers.get("X-Hub-Signature-256"), self.config.app_secret):
                log.warning("Messenger webhook: missing or wrong signature refused")
                return response.json({"error": "wrong signature"}, status=403)
            try:
                body = json.loads(raw)
            except ValueError:
                body = None
            if not isinstance(body, dict):
                log.warning("Messenger webhook: malformed body refused")
                return response.json({"error": "malformed body"}, status=400)
            for todo in incoming(body):
                self.background.start(todo.user_id, lambda todo=todo: hand_over(
                    CHANNEL, todo, self.deliveries, None, MessengerOutput(self.api), on_new_message))
            return response.text("EVENT_RECEIVED")

        return webhook
