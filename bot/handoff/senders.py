"""An officer's text to the citizen through the citizen's channel, with the channel modules' own API
clients (Zalo OA customer-service API, Messenger Send API), within the providers' reply windows
(bot/handoff/windows.py); the providers' own refusals of a reply out of the window (Zalo -213 or
-230, Meta code 10 subcode 2018278) are said the same way. Channels are configured as the Rasa
server's are: the sections of credentials.yml whose variables are all set.

Importing this module imports Rasa's channel classes (through the channel modules): the staff pages
import it on first use only."""
from __future__ import annotations

import asyncio
import os
import re
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, Mapping

import yaml
from sqlalchemy.engine import Engine

from bot.channels import messenger, zalo
from bot.channels.common import split_text
from bot.channels.credentials import enabled_channels
from bot.channels.tokens import TokenPair, TokenStore
from bot.handoff.windows import LABELS, last_contact, window_problem
from bot.storage.db import ROOT

CREDENTIALS_FILE = ROOT / "credentials.yml"
_VARIABLE = re.compile(r"\$\{(\w+)\}")
ZALO_WINDOW_CODES = (-213, -230)
MESSENGER_WINDOW = (10, 2018278)  # (code, error_subcode)


@dataclass(frozen=True)
class Delivery:
    sent: bool
    problem: str | None = None  # why not, in Vietnamese, for the officer



class Senders:
    """The configured channels' API clients, used from the staff pages' threads and the command
    line (each send runs in a short event loop of its own)."""

    def __init__(self, engine: Engine, zalo_config: zalo.ZaloConfig | None = None,
                 messenger_config: messenger.MessengerConfig | None = None) -> None:
        self.engine, self.zalo_config, self.messenger_config = engine, zalo_config, messenger_config

    @classmethod
    def from_env(cls, engine: Engine, env: Mapping[str, str] = os.environ,
                 credentials_file: Path = CREDENTIALS_FILE) -> "Senders":
        template = yaml.safe_load(credentials_file.read_text(encoding="utf-8")) or {}
        kept, _ = enabled_channels(template, env)
        sections = {path.rsplit(".", 1)[-1]: _expand(section, env) for path, section in kept.items()}
        return cls(engine,
                   zalo.ZaloConfig.from_credentials(sections["ZaloInput"], env) if "ZaloInput" in sections else None,
                   messenger.MessengerConfig.from_credentials(sections["MessengerInput"], env)
                   if "MessengerInput" in sections else None)

    def supports(self, channel: str) -> bool:
        return {zalo.CHANNEL: self.zalo_config, messenger.CHANNEL: self.messenger_config}.get(channel) is not None

    def send(self, conversation_id: str, channel: str, text: str, at: datetime) -> Delivery:
        label = LABELS.get(channel, channel)
        if not self.supports(channel):
            return Delivery(False, f"Kênh {label} không gửi được tin nhắn của cán bộ (chưa cấu hình).")
        pieces = split_text(text)
        if not pieces:
            return Delivery(False, "Tin trả lời đang trống.")
        problem = window_problem(channel, last_contact(self.engine, conversation_id), at, len(pieces))
        if problem:
            return Delivery(False, problem)
        user = conversation_id.split(":", 1)[-1]
        send = self._zalo if channel == zalo.CHANNEL else self._messenger
        return asyncio.run(send(user, pieces))

    async def _zalo(self, user: str, pieces: list[str]) -> Delivery:
        config = self.zalo_config
        assert config is not None
        api = zalo.ZaloApi(config, TokenStore(self.engine, zalo.CHANNEL, TokenPair(config.access_token, config.refresh_token)))
        try:
            for piece in pieces:
                code = await api.send(user, {"text": piece})
                if code in ZALO_WINDOW_CODES:
                    return Delivery(False, f"Zalo báo người dân đã ngoài thời hạn nhận tin trả lời (mã {code}).")
                if code != 0:
                    return Delivery(False, f"Không gửi được tin qua Zalo (mã {code}). Anh/chị thử lại sau ít phút.")
        finally:
            await api.close()
        return Delivery(True)

    async def _messenger(self, user: str, pieces: list[str]) -> Delivery:
        assert self.messenger_config is not None
        api = messenger.GraphApi(self.messenger_config)
        try:
            for piece in pieces:
                error = await api.deliver(user, {"text": piece})
                if error and (error.get("code"), error.get("error_subcode")) == MESSENGER_WINDOW:
                    return Delivery(False, "Messenger báo đã ngoài thời hạn 24 giờ để trả lời người dân.")
                if error:
                    return Delivery(False, f"Không gửi được tin qua Messenger (mã {error.get('code')}). "
                                           "Anh/chị thử lại sau ít phút.")
        finally:
            await api.close()
        return Delivery(True)


def _expand(section: Any, env: Mapping[str, str]) -> dict[str, Any]:
    """A credentials section with its ${VARIABLES} replaced, as Rasa reads it."""
    return {key: _VARIABLE.sub(lambda m: env.get(m.group(1), ""), value) if isinstance(value, str) else value
            for key, value in (section or {}).items()}
