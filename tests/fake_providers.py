"""Fake Zalo OA and Graph API servers on loopback for the connector tests: they record what the
connectors send and answer as the real APIs do (Zalo: HTTP 200 with an "error" code; an expired
access token gets -216; a refresh token works once)."""
from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit


@dataclass
class Call:
    path: str
    headers: dict[str, str]
    query: dict[str, list[str]]
    body: dict


@dataclass
class FakeProviders:
    expired_tokens: set[str] = field(default_factory=set)
    used_refresh_tokens: set[str] = field(default_factory=set)
    refuse_templates: bool = False
    closed_windows: set[str] = field(default_factory=set)  # users whose reply window has closed
    calls: list[Call] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def sent(self, path_end: str) -> list[Call]:
        with self.lock:
            return [c for c in self.calls if c.path.endswith(path_end)]

    def zalo_messages(self, user_id: str | None = None) -> list[Call]:
        return [c for c in self.sent("/v3.0/oa/message/cs")
                if user_id is None or c.body["recipient"]["user_id"] == user_id]

    def graph_messages(self, user_id: str | None = None) -> list[Call]:
        return [c for c in self.sent("/me/messages") if user_id is None or c.body["recipient"]["id"] == user_id]

    def wait_for(self, count, at_least: int = 1, timeout: float = 60.0) -> list[Call]:  # type: ignore[no-untyped-def]
        """Poll `count()` (a list) until it has at least `at_least` items, then let stragglers arrive."""
        deadline = time.monotonic() + timeout
        while len(count()) < at_least and time.monotonic() < deadline:
            time.sleep(0.1)
        time.sleep(0.5)
        return count()

    def answer(self, path: str, headers: dict[str, str], body: dict) -> dict:
        if path.endswith("/v3.0/oa/message/cs"):
            if headers.get("access_token") in self.expired_tokens:
                return {"error": -216, "message": "Access token is invalid"}
            if body["recipient"]["user_id"] in self.closed_windows:
                return {"error": -230, "message": "User has not interacted with the OA recently"}
            if self.refuse_templates and "attachment" in body.get("message", {}):
                return {"error": -201, "message": "Parameters are invalid"}
            return {"error": 0, "message": "Success", "data": {"message_id": f"m{len(self.calls)}"}}
        if path.endswith("/v4/oa/access_token"):
            token = body.get("refresh_token", "")
            if token in self.used_refresh_tokens:
                return {"error": -14020, "error_name": "Invalid refresh token"}
            self.used_refresh_tokens.add(token)
            n = len(self.used_refresh_tokens)
            return {"access_token": f"access-{n}", "refresh_token": f"refresh-{n}", "expires_in": "90000"}
        if path.endswith("/me/messages"):
            if body["recipient"]["id"] in self.closed_windows:
                return {"error": {"message": "This message is sent outside of allowed window.", "type": "OAuthException",
                                  "code": 10, "error_subcode": 2018278}}
            return {"recipient_id": body["recipient"]["id"], "message_id": f"mid.{len(self.calls)}"}
        return {"error": "unknown path"}


def is_graph_error(reply: dict) -> bool:
    """The Graph API answers an error with HTTP 400 (Zalo always with 200)."""
    return isinstance(reply.get("error"), dict)


class _Handler(BaseHTTPRequestHandler):
    fake: FakeProviders

    def do_POST(self) -> None:  # noqa: N802 (http.server's naming)
        raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        parts = urlsplit(self.path)
        if self.headers.get("Content-Type", "").startswith("application/json"):
            body = json.loads(raw or b"{}")
        else:
            body = {k: v[0] for k, v in parse_qs(raw.decode()).items()}
        headers = {k.lower(): v for k, v in self.headers.items()}
        with self.fake.lock:
            reply = self.fake.answer(parts.path, headers, body)
            self.fake.calls.append(Call(parts.path, headers, parse_qs(parts.query), body))
        data = json.dumps(reply).encode()
        self.send_response(400 if is_graph_error(reply) else 200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args) -> None:  # type: ignore[no-untyped-def]
        pass


def serve_fake_providers() -> tuple[FakeProviders, ThreadingHTTPServer]:
    fake = FakeProviders()
    handler = type("Handler", (_Handler,), {"fake": fake})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    # a short poll: shutdown() waits for it (0.5 s by default, at every test's teardown)
    threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
    return fake, server


ZALO_APP_ID, ZALO_OA_SECRET_KEY, FB_APP_SECRET, FB_VERIFY_TOKEN = "app-123", "oa-secret-key", "fb-app-secret", "verify-me"


def zalo_text(user_id: str, text: str, msg_id: str, event_name: str = "user_send_text") -> dict:
    return {"event_name": event_name, "app_id": ZALO_APP_ID, "sender": {"id": user_id},
            "recipient": {"id": "oa-1"}, "message": {"text": text, "msg_id": msg_id},
            "timestamp": str(int(time.time() * 1000)), "user_id_by_app": "by-app-" + user_id}


def zalo_signed(event: dict, key: str = ZALO_OA_SECRET_KEY) -> tuple[bytes, dict[str, str]]:
    """The raw body and headers Zalo would send."""
    import hashlib
    raw = json.dumps(event, ensure_ascii=False).encode()
    mac = hashlib.sha256(str(event.get("app_id", "")).encode() + raw + str(event.get("timestamp", "")).encode()
                         + key.encode()).hexdigest()
    return raw, {"X-ZEvent-Signature": f"mac={mac}", "Content-Type": "application/json"}


def messenger_batch(*events: tuple[str, dict]) -> dict:
    """One POST with an entry per event: (sender id, the event's message/postback part)."""
    now_ms = int(time.time() * 1000)
    return {"object": "page", "entry": [
        {"id": "page-1", "time": now_ms, "messaging": [{"sender": {"id": sender}, "recipient": {"id": "page-1"},
                                                       "timestamp": now_ms, **part}]}
        for sender, part in events]}


def messenger_signed(body: dict, secret: str = FB_APP_SECRET) -> tuple[bytes, dict[str, str]]:
    import hashlib
    import hmac
    raw = json.dumps(body, ensure_ascii=False).encode()
    digest = hmac.new(secret.encode(), raw, hashlib.sha256).hexdigest()
    return raw, {"X-Hub-Signature-256": f"sha256={digest}", "Content-Type": "application/json"}
