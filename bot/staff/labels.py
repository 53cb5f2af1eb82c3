"""How stored codes read on the staff pages and in the exports."""
from __future__ import annotations

import json

from bot.language.target_groups import groups

CHANNELS = {"rest": "Web (REST)", "zalo": "Zalo", "messenger": "Messenger", "cmdline": "Dòng lệnh"}
ERASURE_REASONS = {"withdrawal": "người dân đã rút đồng ý", "retention": "hết thời hạn lưu trữ"}


def channel_label(code: str | None) -> str:
    return CHANNELS.get(code or "", code or "")


def group_label(code: str | None) -> str:
    group = groups().get(code or "")
    return group.label if group else (code or "")


def erasure_label(reason: str) -> str:
    return ERASURE_REASONS.get(reason, reason)


def interests_label(raw: str) -> str:
    return ", ".join(json.loads(raw))
