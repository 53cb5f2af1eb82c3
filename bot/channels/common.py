"""What the connectors share: the deliveries already handled (providers retry and replay), work
done after the webhook has answered (in each sender's order, across processes), long texts cut for the providers'
limits, and the edge every message passes: cut at bot.language.text.MAX_INPUT_CHARS, and read against the
buttons the assistant just offered (a tapped title or a typed number becomes the button's payload;
a typed "/intent{...}" that was not offered is read as words)."""
from __future__ import annotations

import asyncio
import json
import logging
import re
from datetime import date, timedelta
from dataclasses import dataclass
from typing import Any, Awaitable, Callable, Mapping

import aiohttp
from rasa.core.channels.channel import OutputChannel, UserMessage
from rasa.core.lock_store import InMemoryLockStore, LockStore
from sqlalchemy import Column, String, Text, delete
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bot.dialogue.questions import as_question
from bot.language.text import cut, fold
from bot.storage.orm import Base, UtcDateTime, now

log = logging.getLogger(__name__)

MAX_TEXT_CHARS = 2000  # Zalo and Messenger alike
NOT_TEXT_REPLY = ("Dạ, hiện em chỉ đọc được tin nhắn chữ. Anh/chị vui lòng gõ câu hỏi về BHXH tự nguyện "
                  "để em trả lời ạ.")
KEEP_DELIVERIES = timedelta(days=7)
TURN_LIFETIME_SECONDS = 60  # a message's turn in its sender's queue lapses then (its process died)
TURN_POLL_SECONDS = 0.05


@dataclass(frozen=True)
class Incoming:
    """A provider's event worth answering: "text" (typed by the user), "payload" (a button's payload
    from the provider's signed event, or the channel's own: Zalo's welcome on a follow) or
    "not_text" (an image, a sticker, a file...)."""

    kind: str
    user_id: str
    delivery_id: str
    text: str = ""


async def hand_over(channel: str, todo: Incoming, deliveries: "Deliveries", memory: "ButtonMemory | None",
                    output: OutputChannel, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> None:
    """Once per delivery: a polite request for text, or the message to the assistant, in the
    conversation "<channel>:<user id>", read at the edge (with the buttons the channel remembers)."""
    if not await asyncio.to_thread(deliveries.first_time, todo.delivery_id):
        log.info("%s delivery seen before, not answered again", channel)
        return
    if todo.kind == "not_text":
        await output.send_text_message(todo.user_id, NOT_TEXT_REPLY)
        return
    conversation = f"{channel}:{todo.user_id}"
    if todo.kind == "payload":
        text = cut(todo.text)
    elif memory:
        text = await asyncio.to_thread(memory.read, conversation, todo.text)
    else:
        text = as_read(todo.text, {})
    await on_new_message(UserMessage(as_question(text), output, conversation, input_channel=channel,
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
    other, in the order they arrived, also when several processes (replicas) receive them: each
    message takes a ticket of its sender's queue from `tickets`, a Rasa lock store, as it arrives
    (bot.servers.locks.SharedLockStore: shared by the processes; Rasa's in-memory one: this process
    only). References are kept so that tasks are not collected."""

    def __init__(self, tickets: LockStore | None = None) -> None:
        self.tickets = tickets or InMemoryLockStore()
        self._tasks: set[asyncio.Task] = set()

    def start(self, sender: str, work: Callable[[], Awaitable[None]]) -> None:
        queue = f"order:{sender}"  # not Rasa's own lock of the conversation, which the work takes
        ticket = self.tickets.issue_ticket(queue, TURN_LIFETIME_SECONDS)

        async def in_order() -> None:
            try:
                await self._turn(queue, ticket)
                await work()
            except Exception:  # a failure must not stop the sender's next messages
                log.exception("handling a message failed")
            finally:
                await asyncio.to_thread(self.tickets.cleanup, queue, ticket)

        task = asyncio.create_task(in_order())
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _turn(self, queue: str, ticket: int) -> None:
        """Until the tickets before this one are served (or expired: their process died)."""
        while True:
            lock = await asyncio.to_thread(self.tickets.get_lock, queue)
            if lock is None or not lock.is_locked(ticket):
                return
            await asyncio.sleep(TURN_POLL_SECONDS)
            await asyncio.to_thread(self.tickets.update_lock, queue)

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

    async def close(self) -> None:
        """For a caller that runs its own short-lived loop (the staff pages)."""
        if self._session is not None and not self._session.closed:
            await self._session.close()
        self._session = None


def split_text(text: str, limit: int = MAX_TEXT_CHARS) -> list[str]:
    """One message per paragraph (an answer's paragraphs are each one phone screen), each cut into
    pieces of at most `limit` characters at a line, a sentence or a space."""
    return [piece for paragraph in text.strip().split("\n\n") for piece in _pieces(paragraph, limit)]


def _pieces(text: str, limit: int) -> list[str]:
    text = text.strip()
    pieces = []
    while len(text) > limit:
        # the first kind of boundary found in the second half of the window, else a hard cut
        cuts = (text.rfind(sep, limit // 2, limit) for sep in ("\n", ". ", " "))
        cut = next((c + 1 for c in cuts if c >= 0), limit)
        pieces.append(text[:cut].strip())
        text = text[cut:].strip()
    return pieces + ([text] if text else [])


def numbered_options(text: str, buttons: list[dict]) -> str:
    """The plain-text form of buttons: numbered options the user may type."""
    lines = [f"{i}. {b['title']}" for i, b in enumerate(buttons, start=1)]
    return "\n".join([text, "", *lines, "(Anh/chị gõ số hoặc nội dung cần hỏi ạ.)"])


class OfferedButtons(Base):
    """The buttons of the assistant's messages since the user last wrote, in one conversation."""

    __tablename__ = "offered_buttons"
    conversation_id = Column(String(255), primary_key=True)
    choices = Column(Text, nullable=False)  # JSON: what the user may send -> the payload it stands for
    offered_at = Column(UtcDateTime, nullable=False)


class ButtonMemory:
    """The buttons the assistant offered in its latest messages, per conversation, kept in the
    database (every process serving the channel sees them). The user's next message spends them."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine  # rows are read FOR UPDATE: a message and a reply may cross on PostgreSQL

    def offer(self, conversation: str, buttons: list[dict], numbered: bool = False) -> None:
        """Add one message's buttons to those offered since the user's last message; with
        `numbered`, the options were listed as text with numbers (Zalo)."""
        with Session(self.engine, future=True) as session, session.begin():
            row = session.get(OfferedButtons, conversation, with_for_update=True)
            choices = {**(json.loads(row.choices) if row else {}), **_choices(buttons, numbered)}
            if row is None:
                row = OfferedButtons(conversation_id=conversation)
                session.add(row)
            row.choices, row.offered_at = json.dumps(choices, ensure_ascii=False), now()

    def read(self, conversation: str, text: str) -> str:
        """The user's message as the assistant should read it (`as_read`); the offer is spent."""
        with Session(self.engine, future=True) as session, session.begin():
            row = session.get(OfferedButtons, conversation, with_for_update=True)
            choices = json.loads(row.choices) if row else {}
            if row is not None:
                session.delete(row)
        return as_read(text, choices)


def _choices(buttons: list[dict], numbered: bool) -> dict[str, str]:
    choices = {}
    for i, b in enumerate(buttons, start=1):
        payload = str(b.get("payload") or b["title"])
        choices[payload] = payload  # a REST client sends the payload itself
        if title := _key(str(b["title"])):
            choices[title] = payload  # a Zalo tap sends the title
        if numbered:
            choices[str(i)] = payload
    return choices


_SLASHES = re.compile(r"^[\s/]+")


def as_read(text: str, choices: Mapping[str, str]) -> str:
    """The message cut at MAX_INPUT_CHARS; an offered payload, a tapped title or a listed number
    becomes the button's payload. Anything else is read as words: Rasa would take a message that
    starts with "/" for an intent with entities ("/inform{"phone": ...}" would set a slot), so the
    slashes go."""
    text = cut(text).strip()
    chosen = choices.get(text) or choices.get(_key(text))
    if chosen:
        return chosen
    if text.startswith("/"):
        log.info("a typed payload that was not offered is read as words")
        return _SLASHES.sub("", text)
    return text


def _key(text: str) -> str:
    return " ".join(re.findall(r"\w+", fold(text)))
