"""The Rasa server's HTTP API, as the officer's side uses it: pause the assistant for a conversation
while an officer holds it, resume it, and write the officer's reply into the tracker as a bot
message (Rasa 3.6's events `pause`, `resume`, `bot`, POSTed to /conversations/<id>/tracker/events
with the API token). A paused conversation still stores the citizen's messages; Rasa predicts no
action for them."""
from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Mapping
from urllib.parse import quote

import requests

from bot.servers.tokens import server_tokens
from bot.storage.db import ROOT

TIMEOUT_SECONDS = 10
PATH_CHARACTERS = "/:@!$&'()*+,;=-._~"  # what a URL path carries as it is (RFC 3986)


class RasaUnavailable(RuntimeError):
    """The Rasa server could not be reached or refused the call (said to the officer in Vietnamese)."""


@dataclass(frozen=True)
class RasaApi:
    url: str
    token: str

    @classmethod
    def from_env(cls, env: Mapping[str, str] = os.environ, token_dir: Path = ROOT / "var") -> "RasaApi":
        """BOT_RASA_URL, else the Rasa server of this machine on RASA_PORT; the API token of
        BOT_API_TOKEN or of var/api.token (as scripts/run.sh gives it to the server)."""
        url = env.get("BOT_RASA_URL") or f"http://127.0.0.1:{env.get('RASA_PORT') or 5005}"
        return cls(url.rstrip("/"), server_tokens(token_dir, env)["BOT_API_TOKEN"])

    def pause(self, conversation_id: str) -> None:
        self._append(conversation_id, [{"event": "pause"}])

    def resume(self, conversation_id: str) -> None:
        self._append(conversation_id, [{"event": "resume"}])

    def bot_message(self, conversation_id: str, text: str, officer: str) -> None:
        """The officer's reply in the transcript, marked with who wrote it."""
        self._append(conversation_id, [{"event": "bot", "text": text, "metadata": {"officer": officer}}])

    def trigger(self, conversation_id: str, intent: str) -> list[str]:
        """Runs the assistant on an intent as if the citizen had just said it; the texts of its
        replies (stored in the tracker by Rasa; for the caller to send)."""
        reply = self._call("POST", conversation_id, "trigger_intent", json={"name": intent})
        return [m["text"] for m in reply.get("messages") or [] if m.get("text")]

    def paused(self, conversation_id: str) -> bool:
        return bool(self._call("GET", conversation_id, "tracker").get("paused"))

    def _append(self, conversation_id: str, events: list[dict[str, Any]]) -> None:
        self._call("POST", conversation_id, "tracker/events", json=events)

    def _call(self, method: str, conversation_id: str, path: str, **kwargs: Any) -> dict[str, Any]:
        # Rasa's route takes the id from the path as sent, undecoded ("zalo%3A1" is another
        # conversation than "zalo:1"): an id that would need escaping cannot be named in a URL.
        if quote(conversation_id, safe=PATH_CHARACTERS) != conversation_id:
            raise RasaUnavailable("Mã cuộc trò chuyện này không gọi được qua API của trợ lý.")
        url = f"{self.url}/conversations/{conversation_id}/{path}"
        try:
            reply = requests.request(method, url, params={"token": self.token, "include_events": "NONE"},
                                     timeout=TIMEOUT_SECONDS, **kwargs)
        except requests.RequestException as error:
            raise RasaUnavailable(f"Không kết nối được với trợ lý ({type(error).__name__}).") from None
        if reply.status_code != 200:
            raise RasaUnavailable(f"Trợ lý từ chối thao tác (mã {reply.status_code}).")
        return reply.json()
