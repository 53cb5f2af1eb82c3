"""The date of the conversation, in Vietnam's time zone. BOT_TODAY=YYYY-MM-DD pins it (tests,
demonstrations of a future change); everything date-dependent takes `on` from here."""
from __future__ import annotations

import os
from datetime import date, datetime
from zoneinfo import ZoneInfo

VIETNAM = ZoneInfo("Asia/Ho_Chi_Minh")


def today() -> date:
    pinned = os.environ.get("BOT_TODAY")
    if pinned:
        return date.fromisoformat(pinned)
    return datetime.now(VIETNAM).date()
