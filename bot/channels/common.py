"""What both connectors share: the deliveries already handled (providers retry and replay), work
done after the webhook has answered (in each sender's order), long texts cut for the providers'
limits, and buttons remembered so that a typed number or a tapped title is understood."""
from __future__ import annotations

import asyncio
import logging
import re
from collections import OrderedDict
from datetime import date, timedelta
from dataclasses import dataclass
from typing import Any, Awaitable, Callable

import aiohttp
from rasa.core.channels.channel import OutputChannel, UserMessage
from sqlalchemy import Column, String, delete
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bot.leads import Base, UtcDateTime, now
from bot.text import fold

log = logging.getLogger(__name__)

MAX_TEXT_CHARS = 2000  # Zalo and Messenger alike
NOT_TEXT_REPLY = ("Dạ, hiện em chỉ đọc được tin nhắn chữ. Anh/chị vui lòng gõ câu hỏi về BHXH tự nguyện "
                  "để em trả lời ạ.")
KEEP_DELIVERIES = timedelta(days=7)


@dataclass(frozen=True)
class Incoming:
    """A provider's event worth answering: "text" (typed, or a button's payload), "follow"
    (Zalo: the welcome) or "not_text" (an image, a sticker, a file...)."""

    kind: str
    user_id: str
    delivery_id: str
    text: str = ""


async def hand_over(channel: str, todo: Incoming, text: str, deliveries: "Deliveries", output: OutputChannel,
                    on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> None:
    """Once per delivery: a polite request for text, or the message to the assistant, in the
    conversation "<channel>:<user id>"."""
    if not await asyncio.to_thread(deliveries.first_time, todo.delivery_id):
        log.info("%s delivery seen before, not answered again", channel)
        return
    if todo.kind == "not_text":
        await output.send_text_message(todo.user_id, NOT_TEXT_REPLY)
        return
    await on_new_message(UserMessage(text, output, f"{channel}:{todo.user_id}", input_channel=channel,
                                     message_id=todo.delivery_id, metadata={"user_id": todo.user_id}))


class Delivery(Base):
    __tablename__ = "channel_deliveries"
    channel = Column(String(20), primary_key=True)
    delivery_id = Column(String(255), primary_key=True)
    received_at = Column(UtcDateTime, nullable=False)


class Deliveries:
    """Each delivery id once, across restarts: the first caller gets True, a replay False."""

    def __init__(self, engine: Engine, channel: str) -> None:
        self.engine, self.channel = engine, channel
        self._cleaned_on: date | None = None

    def first_time(self, delivery_id: str) -> bool:
        if self._cleaned_on != now().date():
            self._cleaned_on = now().date()
            self.forget_old()
        try:
            with Session(self.engine, future=True) as session, session.begin():
                session.add(Delivery(channel=self.channel, delivery_id=delivery_id[:255], received_at=now()))
            return True
        except IntegrityError:
            return False

    def forget_old(self) -> int:
        """Providers replay within hours; ids older than a week can go."""
        with Session(self.engine, future=True) as session, session.begin():
            result = session.execute(delete(Delivery).where(Delivery.received_at < now() - KEEP_DELIVERIES))
            return result.rowcount or 0


class Background:
    """Work started after the webhook answered. A sender's messages are handled one after the
    other, in the order they arrived; references are kept so that tasks are not collected."""

    def __init__(self) -> None:
        self._tasks: set[asyncio.Task] = set()
        self._locks: dict[str, asyncio.Lock] = {}
        self._waiting: dict[str, int] = {}  # a sender's lock goes when none of its work is left

    def start(self, sender: str, work: Callable[[], Awaitable[None]]) -> None:
        lock = self._locks.setdefault(sender, asyncio.Lock())
        self._waiting[sender] = self._waiting.get(sender, 0) + 1

        async def in_order() -> None:
            try:
                async with lock:
                    await work()
            except Exception:  # a failure must not stop the sender's next messages
                log.exception("handling a message failed")
            finally:
                self._waiting[sender] -= 1
                if not self._waiting[sender]:
                    del self._waiting[sender], self._locks[sender]

        task = asyncio.create_task(in_order())
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def idle(self) -> None:
        """Wait for the work under way (tests, shutdown)."""
        while self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)


class HttpSession:
    """One aiohttp session per event loop: the server runs one loop; tests run several."""

    def __init__(self, timeout_seconds: float = 15) -> None:
        self._timeout = aiohttp.ClientTimeout(total=timeout_seconds)
        self._session: aiohttp.ClientSession | None = None
        self._loop: asyncio.AbstractEventLoop | None = None

    def get(self) -> aiohttp.ClientSession:
        loop = asyncio.get_running_loop()
        if self._session is None or self._session.closed or self._loop is not loop:
            self._session, self._loop = aiohttp.ClientSession(timeout=self._timeout), loop
        return self._session


def split_text(text: str, limit: int = MAX_TEXT_CHARS) -> list[str]:
    """Pieces of at most `limit` characters, cut at a paragraph, a line, a sentence or a space."""
    text = text.strip()
    pieces = []
    while len(text) > limit:
        # the first kind of boundary found in the second half of the window, else a hard cut
        cuts = (text.rfind(sep, limit // 2, limit) for sep in ("\n\n", "\n", ". ", " "))
        cut = next((c + 1 for c in cuts if c >= 0), limit)
        pieces.append(text[:cut].strip())
        text = text[cut:].strip()
    return pieces + ([text] if text else [])


def numbered_options(text: str, buttons: list[dict]) -> str:
    """The plain-text form of buttons: numbered options the user may type."""
    lines = [f"{i}. {b['title']}" for i, b in enumerate(buttons, start=1)]
    return "\n".join([text, "", *lines, "(Anh/chị gõ số hoặc nội dung cần hỏi ạ.)"])


class ButtonMemory:
    """The buttons last offered to each user, so that a typed "2" or a tapped title becomes the
    button's payload. Kept in memory for the most recent users (after a restart, the title alone
    still goes to the NLU, which understands it)."""

    def __init__(self, users: int = 10_000) -> None:
        self._offers: OrderedDict[str, dict[str, str]] = OrderedDict()
        self._users = users

    def offer(self, user: str, buttons: list[dict], numbered: bool = False) -> None:
        """Remember the buttons; with `numbered`, the options were listed as text with numbers."""
        choices = {}
        for i, b in enumerate(buttons, start=1):
            payload = b.get("payload") or b["title"]
            choices[_key(b["title"])] = payload
            if numbered:
                choices[str(i)] = payload
        self._offers[user] = choices
        self._offers.move_to_end(user)
        while len(self._offers) > self._users:
            self._offers.popitem(last=False)

    def forget(self, user: str) -> None:
        """A message without buttons was sent: earlier options no longer apply."""
        self._offers.pop(user, None)

    def resolve(self, user: str, text: str) -> str:
        return self._offers.get(user, {}).get(_key(text), text)


def _key(text: str) -> str:
    return " ".join(re.findall(r"\w+", fold(text)))
