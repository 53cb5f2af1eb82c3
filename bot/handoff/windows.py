"""The providers' reply windows, read from the conversation's tracker (the `events` table): the
citizen's last message and the messages sent to them since.

- Zalo: free replies for 48 hours after the user's last message, at most 8 messages
  (../shared/knowledge/channels.md).
- Messenger: Meta's standard messaging window, 24 hours after the user's last message (a reply of
  type RESPONSE; later ones need a message tag and Meta's approval, not used)."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from sqlalchemy import column, func, inspect, select, table
from sqlalchemy.engine import Engine

_EVENTS = table("events", column("id"), column("sender_id"), column("type_name"), column("timestamp"))
LABELS = {"zalo": "Zalo", "messenger": "Messenger"}


@dataclass(frozen=True)
class ReplyWindow:
    after_last_message: timedelta
    max_messages: int | None = None


WINDOWS = {"zalo": ReplyWindow(timedelta(hours=48), 8), "messenger": ReplyWindow(timedelta(hours=24))}


@dataclass(frozen=True)
class Contact:
    """The citizen's last message in the conversation and the messages sent to them since."""

    last_message_at: datetime | None
    sent_since: int


def last_contact(engine: Engine, conversation_id: str) -> Contact:
    if not inspect(engine).has_table("events"):
        return Contact(None, 0)
    with engine.connect() as connection:
        last = connection.execute(select(_EVENTS.c.id, _EVENTS.c.timestamp).where(
            _EVENTS.c.sender_id == conversation_id, _EVENTS.c.type_name == "user"
        ).order_by(_EVENTS.c.id.desc()).limit(1)).first()
        if last is None:
            return Contact(None, 0)
        sent = connection.execute(select(func.count()).select_from(_EVENTS).where(
            _EVENTS.c.sender_id == conversation_id, _EVENTS.c.type_name == "bot", _EVENTS.c.id > last.id
        )).scalar_one()
    return Contact(datetime.fromtimestamp(last.timestamp, timezone.utc), sent)


def window_problem(channel: str, contact: Contact, at: datetime, pieces: int = 1) -> str | None:
    """Why the provider would refuse a reply of `pieces` messages now, or None."""
    window = WINDOWS.get(channel)
    label = LABELS.get(channel, channel)
    if window is None:
        return f"Kênh {label} không gửi được tin nhắn của cán bộ."
    hours = int(window.after_last_message.total_seconds() // 3600)
    if contact.last_message_at is None or at - contact.last_message_at > window.after_last_message:
        return (f"Đã quá {hours} giờ kể từ tin nhắn cuối của người dân: {label} không cho gửi tin trả lời nữa. "
                "Chỉ gửi được khi người dân nhắn lại.")
    if window.max_messages is not None and contact.sent_since + pieces > window.max_messages:
        return (f"{label} chỉ cho gửi {window.max_messages} tin trong {hours} giờ sau mỗi tin nhắn của người dân; "
                f"đã gửi {contact.sent_since} tin. Chờ người dân nhắn tiếp rồi trả lời.")
    return None
