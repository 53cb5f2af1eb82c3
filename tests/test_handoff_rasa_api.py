"""The Rasa HTTP API client of the takeover (bot/handoff/rasa_api.py) against a recording server on
loopback: the events Rasa 3.6 documents, the token, the conversation id as Rasa's route reads it."""
from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from bot.handoff.rasa_api import RasaApi, RasaUnavailable


@pytest.fixture
def rasa():
    calls: list[tuple[str, str, object]] = []

    class Handler(BaseHTTPRequestHandler):
        def _answer(self, body: dict, status: int = 200) -> None:
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_POST(self) -> None:  # noqa: N802
            body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            calls.append(("POST", self.path, body))
            if "refuse" in self.path:
                return self._answer({"message": "no"}, 401)
            self._answer({"messages": [{"recipient_id": "x", "text": "Dạ, em đã xóa."}]} if "trigger" in self.path else {})

        def do_GET(self) -> None:  # noqa: N802
            calls.append(("GET", self.path, None))
            self._answer({"paused": True})

        def log_message(self, *args) -> None:  # type: ignore[no-untyped-def]
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
    yield RasaApi(f"http://127.0.0.1:{server.server_address[1]}", "t" * 40), calls
    server.shutdown()


def test_the_events_and_the_token(rasa):
    api, calls = rasa
    api.pause("zalo:123")
    api.bot_message("zalo:123", "Chào chị", "nghean")
    api.resume("messenger:456")
    assert api.trigger("zalo:123", "withdraw_consent") == ["Dạ, em đã xóa."]
    assert api.paused("zalo:123")
    token = "token=" + "t" * 40
    assert [(m, p.split("?")[0], b) for m, p, b in calls] == [
        ("POST", "/conversations/zalo:123/tracker/events", [{"event": "pause"}]),
        ("POST", "/conversations/zalo:123/tracker/events",
         [{"event": "bot", "text": "Chào chị", "metadata": {"officer": "nghean"}}]),
        ("POST", "/conversations/messenger:456/tracker/events", [{"event": "resume"}]),
        ("POST", "/conversations/zalo:123/trigger_intent", {"name": "withdraw_consent"}),
        ("GET", "/conversations/zalo:123/tracker", None),
    ]
    assert all(token in p and "include_events=NONE" in p for _, p, _ in calls)


def test_refusals(rasa):
    api, calls = rasa
    with pytest.raises(RasaUnavailable, match="mã 401"):
        api.pause("zalo:refuse")
    with pytest.raises(RasaUnavailable, match="không gọi được"):
        api.pause("rest sender with spaces")  # Rasa would read it escaped: another conversation
    with pytest.raises(RasaUnavailable, match="Không kết nối được"):
        RasaApi("http://127.0.0.1:9", "t" * 40).pause("zalo:1")
    assert len(calls) == 1


def test_from_env(tmp_path):
    api = RasaApi.from_env({"RASA_PORT": "5123", "BOT_API_TOKEN": "a" * 32}, tmp_path)
    assert (api.url, api.token) == ("http://127.0.0.1:5123", "a" * 32)
    assert RasaApi.from_env({"BOT_RASA_URL": "http://rasa.internal:5005/", "BOT_API_TOKEN": "a" * 32}, tmp_path).url \
        == "http://rasa.internal:5005"
    generated = RasaApi.from_env({}, tmp_path)
    assert generated.token == (tmp_path / "api.token").read_text().strip(), "the token run.sh gives the server"
