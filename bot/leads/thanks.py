"""The thank-you a citizen receives when an officer marks their request "đã đăng ký tham gia" (staff
pages and `bot leads status`): sent through the citizen's channel within its reply window (Zalo 48
hours, Messenger 24 hours after their last message: bot/handoff/windows.py), written into the
conversation's transcript, and noted on the lead, whether it went out or why not, for the officers.

A channel without push (the REST channel of the web chat: its replies go out only as answers to a
message) gets no thank-you. A request whose data the citizen erased gets none either.
BOT_THANK_YOU=off turns the message off (default on)."""
from __future__ import annotations

import logging
import os
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Mapping

import yaml
from sqlalchemy.orm import Session

from bot.handoff.rasa_api import RasaUnavailable
from bot.handoff.windows import WINDOWS
from bot.leads.models import Lead
from bot.leads.store import SYSTEM, LeadStore
from bot.storage.orm import now

if TYPE_CHECKING:  # importing the senders imports Rasa's channel classes: see bot/handoff/senders.py
    from bot.handoff.takeover import Takeover

log = logging.getLogger(__name__)
TEXTS_FILE = Path(__file__).resolve().parents[1] / "data" / "thank_you.yml"
SETTING = "BOT_THANK_YOU"
CHANNEL_LABELS = {"rest": "web", "zalo": "Zalo", "messenger": "Messenger"}
SENT = "Đã gửi tin cảm ơn cho người dân qua {label}."
NOT_SENT = "Không gửi tin cảm ơn: {why}"


def enabled(env: Mapping[str, str] = os.environ) -> bool:
    value = (env.get(SETTING) or "on").strip().lower()
    if value not in ("on", "off"):
        raise ValueError(f"{SETTING} must be on or off, not {value!r}")
    return value == "on"


def thank_you_text(full_name: str | None, office: str, path: Path = TEXTS_FILE) -> str:
    texts = yaml.safe_load(path.read_text(encoding="utf-8"))
    given = (full_name or "").split()
    if given:
        return texts["with_name"].format(office=office, name=given[-1])
    return texts["without_name"].format(office=office)


@dataclass(frozen=True)
class Recipient:
    """What the thank-you needs of a lead."""

    conversation_id: str
    channel: str
    full_name: str | None
    office: str
    erased: bool


def thank(store: LeadStore, lead_id: int, officer: str, takeover: Callable[[], "Takeover"],
          env: Mapping[str, str] = os.environ, at: datetime | None = None) -> str | None:
    """Send the thank-you for a lead just marked registered, and note on the lead what happened;
    the note (for the officer), or None when thank-yous are off. `takeover` gives the channels'
    senders and Rasa's API (made only when a message is to go out)."""
    if not enabled(env):
        return None
    sent, note = _deliver(_recipient(store, lead_id), officer, takeover, at or now())
    store.add_note(lead_id, note, SYSTEM)
    log.info("lead %s: thank-you %s", lead_id, "sent" if sent else "not sent")
    return note


def _deliver(recipient: Recipient, officer: str, takeover: Callable[[], "Takeover"], at: datetime) -> tuple[bool, str]:
    """Whether the thank-you went out, and the note saying so or why not."""
    label = CHANNEL_LABELS.get(recipient.channel, recipient.channel)
    if recipient.erased:
        return False, NOT_SENT.format(why="người dân đã xóa thông tin của mình.")
    if recipient.channel not in WINDOWS:
        return False, NOT_SENT.format(why=f"trên kênh {label}, trợ lý chỉ trả lời được khi người dân nhắn đến.")
    text = thank_you_text(recipient.full_name, recipient.office)
    try:
        officers = takeover()
        delivery = officers.senders.send(recipient.conversation_id, recipient.channel, text, at)
    except Exception:  # the status is changed already: the officer is told, not shown an error page
        log.exception("thank-you to %s failed", recipient.channel)
        return False, NOT_SENT.format(why="lỗi hệ thống khi gửi tin (xem nhật ký máy chủ).")
    if not delivery.sent:
        return False, NOT_SENT.format(why=delivery.problem)
    try:
        officers.rasa.bot_message(recipient.conversation_id, text, officer)
    except RasaUnavailable as error:
        return True, f"{SENT.format(label=label)} Chưa ghi được tin vào nội dung trò chuyện: {error}"
    return True, SENT.format(label=label)


def _recipient(store: LeadStore, lead_id: int) -> Recipient:
    with Session(store.engine, future=True) as session:
        lead = session.get(Lead, lead_id)
        if lead is None:
            raise ValueError(f"no lead {lead_id}")
        return Recipient(lead.conversation_id, lead.channel, lead.full_name, lead.office, lead.anonymised_at is not None)
