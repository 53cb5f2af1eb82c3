"""What an officer does with a conversation, for the staff pages and the command line alike: take it
(the assistant is paused for it and the citizen told an officer is there), reply (through the
citizen's channel, then into the tracker as a bot message), hand it back (the assistant resumes and
the citizen is told). Privacy requests the citizen made while the assistant was paused ("xóa thông
tin của tôi", "thông tin của tôi") are handed to the assistant at the hand-back."""
from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Callable

from bot.handoff.queue import TAKEN, Handoff, HandoffError, HandoffQueue
from bot.handoff.rasa_api import RasaApi, RasaUnavailable
from bot.language.provinces import province_by_name
from bot.staff.transcript import transcript
from bot.storage.orm import now

if TYPE_CHECKING:  # importing the senders imports Rasa's channel classes: see bot/handoff/senders.py
    from bot.handoff.senders import Senders

log = logging.getLogger(__name__)

TAKEN_NOTE = ("Dạ, cán bộ {office} đã vào cuộc trò chuyện. Anh/chị cứ nhắn tin, cán bộ sẽ trả lời trực tiếp "
              "tại đây ạ.")
RELEASED_NOTE = ("Dạ, cán bộ đã kết thúc cuộc trò chuyện. Em là trợ lý tự động, em tiếp tục hỗ trợ anh/chị ạ. "
                 "Khi cần gặp lại cán bộ, anh/chị nhắn \"gặp cán bộ\".")
# Requests the assistant must act on even when they came while an officer held the conversation.
PRIVACY_INTENTS = ("withdraw_consent", "show_my_data")


@dataclass(frozen=True)
class Done:
    """What to tell the officer: what happened, and a problem when the citizen was not reached."""

    entry: Handoff
    problem: str | None = None


class Takeover:
    def __init__(self, queue: HandoffQueue, rasa: RasaApi, senders: "Senders",
                 clock: Callable[[], datetime] = now) -> None:
        self.queue, self.rasa, self.senders, self.clock = queue, rasa, senders, clock

    def take(self, conversation_id: str, officer: str) -> Done:
        held = self.queue.open_for(conversation_id)
        if held is not None and held.status == TAKEN and held.taken_by == officer:
            return Done(held)  # taken already (a second click): the citizen is not told twice
        entry = self.queue.take(conversation_id, officer)
        try:
            self.rasa.pause(conversation_id)
        except RasaUnavailable:
            self.queue.untake(conversation_id, officer)
            raise
        log.info("%s took conversation %s", officer, entry.id)
        return Done(entry, self._tell(entry, TAKEN_NOTE.format(office=_office(entry.province)), officer))

    def reply(self, conversation_id: str, officer: str, text: str) -> Done:
        entry = self.queue.open_for(conversation_id)
        if entry is None or entry.status != TAKEN:
            raise HandoffError("Anh/chị cần nhận cuộc trò chuyện trước khi trả lời.")
        if entry.taken_by != officer:
            raise HandoffError(f"Cán bộ {entry.taken_by} đang phụ trách cuộc trò chuyện này.")
        if not text.strip():
            raise HandoffError("Tin trả lời đang trống.")
        return Done(entry, self._tell(entry, text.strip(), officer))

    def release(self, conversation_id: str, officer: str, may_override: bool = False) -> Done:
        """Back to the assistant. Only the officer holding it (or, with `may_override`, an
        administrator or the command line) hands back a taken conversation; a waiting one is closed
        by any officer who may see it."""
        entry = self.queue.open_for(conversation_id)
        if entry is None:
            raise HandoffError("Cuộc trò chuyện này không có trong hàng chờ.")
        if entry.status == TAKEN and entry.taken_by != officer and not may_override:
            raise HandoffError(f"Cán bộ {entry.taken_by} đang phụ trách cuộc trò chuyện này.")
        was_taken = entry.status == TAKEN
        if was_taken:
            self.rasa.resume(conversation_id)
        released = self.queue.release(conversation_id, officer)
        log.info("%s handed conversation %s back", officer, entry.id)
        if not was_taken:
            return Done(released)
        problem = self._tell(released, RELEASED_NOTE, officer)
        for intent in privacy_requests(self.senders.engine, entry):
            for text in self.rasa.trigger(conversation_id, intent):
                problem = self._send_only(released, text) or problem
        return Done(released, problem)

    def _tell(self, entry: Handoff, text: str, officer: str) -> str | None:
        """To the citizen through their channel, then into the transcript; the problem when it
        could not go out (then the transcript does not show it either)."""
        problem = self._send_only(entry, text)
        if problem:
            return problem
        try:
            self.rasa.bot_message(entry.conversation_id, text, officer)
        except RasaUnavailable as error:
            return f"Tin đã gửi cho người dân nhưng chưa ghi được vào nội dung trò chuyện: {error}"
        return None

    def _send_only(self, entry: Handoff, text: str) -> str | None:
        delivery = self.senders.send(entry.conversation_id, entry.channel, text, self.clock())
        return delivery.problem


def privacy_requests(engine, entry: Handoff) -> list[str]:  # type: ignore[no-untyped-def]
    """The privacy intents of the citizen's messages while the officer held the conversation, once each."""
    found = [t.intent for t in transcript(engine, entry.conversation_id)
             if t.speaker == "user" and entry.taken_at and t.at >= entry.taken_at and t.intent in PRIVACY_INTENTS]
    return list(dict.fromkeys(found))


def _office(province: str) -> str:
    found = province_by_name(province)
    return found.office if found else f"Bảo hiểm xã hội {province}"
