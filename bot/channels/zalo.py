"""Zalo Official Account connector: a Rasa custom channel at /webhooks/zalo/webhook.

Zalo signs each event with X-ZEvent-Signature: "mac=" + sha256_hex(app_id + raw body + timestamp +
OA secret key); wants HTTP 200 within 2 seconds; may deliver an event more than once. Replies go
through the OA v3 customer-service API with an access token that expires (≈25 h) and a single-use
refresh token. Facts: ../shared/knowledge/channels.md."""
from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import logging
import os
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, Awaitable, Callable, Mapping

import aiohttp
from rasa.core.channels.channel import InputChannel, OutputChannel, UserMessage
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.channels.common import (Background, ButtonMemory, Deliveries, HttpSession, Incoming, hand_over,
                                 numbered_options, split_text)
from bot.channels.tokens import TokenPair, TokenStore
from bot.servers.locks import SharedLockStore
from bot.storage import db
from bot.storage.orm import now

log = logging.getLogger(__name__)

CHANNEL = "zalo"
SEND_PATH = "/v3.0/oa/message/cs"
REFRESH_PATH = "/v4/oa/access_token"
TOKEN_ERRORS = (-216, -124)  # the access token is invalid or expired: refresh once, send again
REFRESH_BEFORE_EXPIRY = timedelta(minutes=10)
REFRESH_POLL_SECONDS = 0.2  # how often a process waiting for another's refresh looks at the stored pair
MAX_BUTTONS = 5
MAX_BODY_BYTES = 64 * 1024
NOT_TEXT_EVENTS = {f"user_send_{kind}" for kind in
                   ("image", "sticker", "gif", "file", "audio", "video", "location", "link", "business_card")}
NETWORK_ERROR = -1  # our own code: the API could not be reached
WELCOME = "/greet"  # what a follow says to the assistant


@dataclass(frozen=True)
class ZaloConfig:
    app_id: str
    app_secret: str
    oa_secret_key: str
    access_token: str
    refresh_token: str
    api_base: str = "https://openapi.zalo.me"
    oauth_base: str = "https://oauth.zaloapp.com"

    @classmethod
    def from_credentials(cls, credentials: dict[str, Any], env: Mapping[str, str] = os.environ) -> "ZaloConfig":
        return cls(
            app_id=str(credentials["app_id"]), app_secret=str(credentials["app_secret"]),
            oa_secret_key=str(credentials["oa_secret_key"]), access_token=str(credentials["access_token"]),
            refresh_token=str(credentials["refresh_token"]),
            api_base=(credentials.get("api_base") or env.get("ZALO_API_BASE") or cls.api_base).rstrip("/"),
            oauth_base=(credentials.get("oauth_base") or env.get("ZALO_OAUTH_BASE") or cls.oauth_base).rstrip("/"),
        )


def signature_ok(raw_body: bytes, event: dict[str, Any], header: str | None, oa_secret_key: str) -> bool:
    """Zalo's signature: plain SHA-256 (not HMAC) over app_id, the exact raw body, the timestamp and
    the OA secret key; compared in constant time."""
    if not header:
        return False
    data = str(event.get("app_id", "")).encode() + raw_body + str(event.get("timestamp", "")).encode()
    expected = "mac=" + hashlib.sha256(data + oa_secret_key.encode()).hexdigest()
    return hmac.compare_digest(header.strip().lower().encode(), expected.encode())


def incoming(event: dict[str, Any]) -> Incoming | None:
    """What to do with an event; None for echoes of the OA's own messages, receipts, unfollows and
    anything unknown or malformed."""
    name = str(event.get("event_name", ""))
    message = event.get("message") if isinstance(event.get("message"), dict) else {}
    sender = event.get("sender") if isinstance(event.get("sender"), dict) else {}
    user_id = str(sender.get("id", ""))
    delivery_id = str(message.get("msg_id") or f"{name}:{user_id}:{event.get('timestamp', '')}")
    if name == "user_send_text" and user_id and isinstance(message.get("text"), str):
        return Incoming("text", user_id, delivery_id, message["text"])
    if name in NOT_TEXT_EVENTS and user_id:
        return Incoming("not_text", user_id, delivery_id)
    if name == "follow":
        follower = event.get("follower") if isinstance(event.get("follower"), dict) else {}
        if follower.get("id"):
            return Incoming("payload", str(follower["id"]), f"follow:{follower['id']}:{event.get('timestamp', '')}",
                            WELCOME)
    return None


class ZaloApi:
    """Sends messages, keeping the access token fresh: refreshed shortly before it expires, or once
    when Zalo refuses it (-216), one refresh at a time across every process (a claim in the database),
the new pair stored before it is used."""

    def __init__(self, config: ZaloConfig, tokens: TokenStore) -> None:
        self.config, self.tokens = config, tokens
        self._refreshing = asyncio.Lock()
        self._http = HttpSession()

    async def send(self, user_id: str, message: dict[str, Any]) -> int:
        """Zalo's error code (0: sent)."""
        pair = await asyncio.to_thread(self.tokens.current)
        if pair.expires_at and pair.expires_at - now() < REFRESH_BEFORE_EXPIRY:
            pair = await self._refresh(pair.access_token) or pair
        code = await self._post(pair.access_token, user_id, message)
        if code in TOKEN_ERRORS:
            fresh = await self._refresh(pair.access_token)
            if fresh:
                code = await self._post(fresh.access_token, user_id, message)
        return code

    async def close(self) -> None:
        await self._http.close()

    async def _post(self, access_token: str, user_id: str, message: dict[str, Any]) -> int:
        body = {"recipient": {"user_id": user_id}, "message": message}
        try:
            async with self._http.get().post(self.config.api_base + SEND_PATH, json=body,
                                             headers={"access_token": access_token}) as reply:
                result = await reply.json(content_type=None)
        except (aiohttp.ClientError, asyncio.TimeoutError, ValueError) as error:
            log.error("Zalo send failed: %s", type(error).__name__)
            return NETWORK_ERROR
        code = int(result.get("error", NETWORK_ERROR)) if isinstance(result, dict) else NETWORK_ERROR
        if code != 0:
            log.warning("Zalo send error %s: %s", code, (result or {}).get("message") if isinstance(result, dict) else result)
        return code

    async def _refresh(self, stale_access_token: str) -> TokenPair | None:
        """The pair after `stale_access_token`'s: refreshed here, or by whichever process (this one
        or another replica) claimed the refresh first; None when the refresh failed."""
        async with self._refreshing:
            pair = await asyncio.to_thread(self.tokens.current)
            if pair.access_token != stale_access_token:
                return pair  # refreshed while this one waited
            if not await asyncio.to_thread(self.tokens.claim_refresh, stale_access_token):
                return await self._refreshed_elsewhere(stale_access_token)
            fresh = await self._ask_for_fresh(pair)
            if fresh is None:
                await asyncio.to_thread(self.tokens.release_refresh)
            return fresh

    async def _refreshed_elsewhere(self, stale_access_token: str) -> TokenPair | None:
        """The pair another process is getting, once it has stored it."""
        while True:
            await asyncio.sleep(REFRESH_POLL_SECONDS)
            pair = await asyncio.to_thread(self.tokens.current)
            if pair.access_token != stale_access_token:
                return pair
            if not await asyncio.to_thread(self.tokens.refreshing):
                return None  # its refresh failed, or it died (the claim lapsed)

    async def _ask_for_fresh(self, pair: TokenPair) -> TokenPair | None:
        form = {"refresh_token": pair.refresh_token, "app_id": self.config.app_id, "grant_type": "refresh_token"}
        try:
            async with self._http.get().post(self.config.oauth_base + REFRESH_PATH, data=form,
                                             headers={"secret_key": self.config.app_secret}) as reply:
                result = await reply.json(content_type=None)
        except (aiohttp.ClientError, asyncio.TimeoutError, ValueError) as error:
            log.error("Zalo token refresh failed: %s", type(error).__name__)
            return None
        if not isinstance(result, dict) or not result.get("access_token") or not result.get("refresh_token"):
            detail = result if not isinstance(result, dict) else {k: result.get(k) for k in ("error", "error_name", "error_description", "message")}
            log.error("Zalo token refresh refused: %s", detail)
            return None
        fresh = TokenPair(result["access_token"], result["refresh_token"],
                          now() + timedelta(seconds=int(result.get("expires_in") or 0) or 90_000))
        await asyncio.to_thread(self.tokens.save, fresh)
        log.info("Zalo access token refreshed")
        return fresh


def user_of(recipient_id: str) -> str:
    """Conversations are named "zalo:<user id>"; Zalo wants the user id alone."""
    return recipient_id.removeprefix(CHANNEL + ":")


class ZaloOutput(OutputChannel):
    def __init__(self, api: ZaloApi, memory: ButtonMemory) -> None:
        self.api, self.memory = api, memory

    @classmethod
    def name(cls) -> str:
        return CHANNEL

    async def send_text_message(self, recipient_id: str, text: str, **kwargs: Any) -> None:
        for piece in split_text(text):
            await self.api.send(user_of(recipient_id), {"text": piece})

    async def send_text_with_buttons(self, recipient_id: str, text: str, buttons: list[dict[str, Any]],
                                     **kwargs: Any) -> None:
        """A button template (the tap sends the title, which the memory turns into the payload);
        beyond 5 buttons or when Zalo refuses the template, the options as numbered text."""
        user = user_of(recipient_id)
        *first, last = split_text(text) or [""]
        for piece in first:
            await self.api.send(user, {"text": piece})
        if len(buttons) <= MAX_BUTTONS:
            template = {"text": last, "attachment": {"type": "template", "payload": {"buttons": [
                {"title": b["title"], "type": "oa.query.show", "payload": b["title"]} for b in buttons]}}}
            if await self.api.send(user, template) == 0:
                await asyncio.to_thread(self.memory.offer, recipient_id, buttons)
                return
        for piece in split_text(numbered_options(last, buttons)):
            await self.api.send(user, {"text": piece})
        await asyncio.to_thread(self.memory.offer, recipient_id, buttons, True)

    async def send_quick_replies(self, recipient_id: str, text: str, quick_replies: list[dict[str, Any]],
                                 **kwargs: Any) -> None:
        await self.send_text_with_buttons(recipient_id, text, quick_replies, **kwargs)

    async def send_image_url(self, recipient_id: str, image: str, **kwargs: Any) -> None:
        await self.send_text_message(recipient_id, image)


class ZaloInput(InputChannel):
    @classmethod
    def name(cls) -> str:
        return CHANNEL

    @classmethod
    def from_credentials(cls, credentials: dict[str, Any] | None) -> "ZaloInput":
        if not credentials:
            cls.raise_missing_credentials_exception()
        return cls(ZaloConfig.from_credentials(credentials))

    def __init__(self, config: ZaloConfig) -> None:
        self.config = config
        engine = db.make_engine()
        self.deliveries = Deliveries(engine, CHANNEL)
        self.api = ZaloApi(config, TokenStore(engine, CHANNEL, TokenPair(config.access_token, config.refresh_token)))
        self.memory = ButtonMemory(engine)
        self.background = Background(SharedLockStore())  # the lock store of endpoints.yml

    def output(self) -> ZaloOutput:
        return ZaloOutput(self.api, self.memory)

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        webhook = Blueprint("zalo_webhook", __name__)

        @webhook.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @webhook.route("/webhook", methods=["POST"])
        async def receive(request: Request) -> HTTPResponse:
            raw = request.body or b""
            if len(raw) > MAX_BODY_BYTES:
                return response.json({"error": "too large"}, status=413)
            header = request.headers.get("X-ZEvent-Signature")
            if not header:
                log.warning("Zalo webhook: request without signature refused")
                return response.json({"error": "missing signature"}, status=401)
            try:
                event = json.loads(raw)
            except ValueError:
                event = None
            if not isinstance(event, dict):
                log.warning("Zalo webhook: malformed body refused")
                return response.json({"error": "malformed body"}, status=400)
            if str(event.get("app_id", "")) != self.config.app_id or not signature_ok(raw, event, header, self.config.oa_secret_key):
                log.warning("Zalo webhook: wrong signature refused")
                return response.json({"error": "wrong signature"}, status=403)
            todo = incoming(event)
            if todo is not None:
                self.background.start(todo.user_id, lambda: hand_over(
                    CHANNEL, todo, self.deliveries, self.memory, self.output(), on_new_message))
            return response.json({"status": "ok"})

        return webhook
