"""The staff pages' "Hội thoại": the conversations waiting for an officer and those taken, for the
officer's province (administrators: every province), each with its transcript as it happens, and
take / reply / hand back. No script: the transcript is a frame that reloads itself every few
seconds, so the reply being typed is kept."""
from __future__ import annotations

import logging
from typing import Callable

from flask import Blueprint, abort, g, redirect, render_template, request, url_for
from sqlalchemy.engine import Engine

from bot.handoff.queue import STATUS_LABELS, TAKEN, WAITING, Handoff, HandoffError, HandoffQueue
from bot.handoff.rasa_api import RasaUnavailable
from bot.handoff.windows import last_contact, window_problem
from bot.handoff.takeover import PRIVACY_INTENTS, Takeover
from bot.staff.accounts import ADMIN
from bot.staff.transcript import transcript
from bot.storage.orm import now

log = logging.getLogger(__name__)

LIVE_REFRESH_SECONDS = 3
INBOX_REFRESH_SECONDS = 15
MAX_REPLY_CHARS = 2000
LIVE_ENDPOINT = "conversations.live"  # the one page the staff pages' own pages may frame


def blueprint(engine: Engine, takeover: Callable[[], Takeover]) -> Blueprint:
    """`takeover` makes the officers' actions (Rasa's API, the channels) on first use."""
    pages = Blueprint("conversations", __name__)
    queue = HandoffQueue(engine)

    @pages.before_request
    def officers_only() -> None:
        if not g.signed.staff.sees_leads:
            abort(403)

    @pages.app_context_processor
    def waiting_count() -> dict[str, int]:
        signed = getattr(g, "signed", None)
        if not signed or not signed.staff.sees_leads:
            return {}
        return {"waiting_conversations": sum(e.status == WAITING for e in queue.inbox(signed.staff.province_scope))}

    def entry_or_404(handoff_id: int) -> Handoff:
        entry = queue.get(handoff_id)
        if entry is None or not g.signed.staff.may_see(entry.province):
            abort(404)  # another province's conversation: its existence is not revealed
        return entry

    @pages.get("/conversations")
    def inbox() -> str:
        return render_template("conversations.html", entries=queue.inbox(g.signed.staff.province_scope), now=now(),
                               labels=STATUS_LABELS, refresh=INBOX_REFRESH_SECONDS)

    def page(entry: Handoff, error: str | None = None, message: str | None = None, status: int = 200,
             draft: str = "") -> tuple[str, int]:
        staff = g.signed.staff
        mine = entry.status == TAKEN and entry.taken_by == staff.username
        window = window_problem(entry.channel, last_contact(engine, entry.conversation_id), now()) if mine else None
        return render_template(
            "conversation.html", entry=entry, labels=STATUS_LABELS, mine=mine, window=window, draft=draft,
            can_take=entry.status == WAITING,
            can_release=entry.status == WAITING or mine or (entry.status == TAKEN and staff.role == ADMIN),
            max_reply=MAX_REPLY_CHARS, error=error, message=message), status

    @pages.get("/conversations/<int:handoff_id>")
    def conversation(handoff_id: int) -> tuple[str, int]:
        notices = {"taken": "Anh/chị đã nhận cuộc trò chuyện: trợ lý tạm dừng, người dân được báo có cán bộ.",
                   "sent": "Đã gửi tin trả lời.", "released": "Đã trả cuộc trò chuyện lại cho trợ lý."}
        return page(entry_or_404(handoff_id), message=notices.get(request.args.get("done", "")))

    @pages.get("/conversations/<int:handoff_id>/live")
    def live(handoff_id: int) -> str:
        entry = entry_or_404(handoff_id)
        turns = transcript(engine, entry.conversation_id)
        asked = [t for t in turns if t.speaker == "user" and t.intent in PRIVACY_INTENTS and entry.taken_at
                 and t.at >= entry.taken_at]
        return render_template("conversation_live.html", entry=entry, turns=list(reversed(turns)), labels=STATUS_LABELS,
                               privacy_request=bool(asked) and entry.status == TAKEN, at=now(),
                               refresh=LIVE_REFRESH_SECONDS)

    def act(handoff_id: int, action: Callable[[Handoff], object], done: str, draft: str = ""):  # type: ignore[no-untyped-def]
        entry = entry_or_404(handoff_id)
        try:
            outcome = action(entry)
        except HandoffError as error:
            return page(queue.get(handoff_id) or entry, error=str(error), status=409, draft=draft)
        except RasaUnavailable as error:
            return page(queue.get(handoff_id) or entry, error=str(error), status=502, draft=draft)
        problem = getattr(outcome, "problem", None)
        if problem:  # done, but the citizen was not reached (a reply not sent is not in the transcript either)
            return page(queue.get(handoff_id) or entry, error=problem, status=409, draft=draft)
        return redirect(url_for("conversations.conversation", handoff_id=handoff_id, done=done), 303)

    @pages.post("/conversations/<int:handoff_id>/take")
    def take(handoff_id: int):  # type: ignore[no-untyped-def]
        return act(handoff_id, lambda e: takeover().take(e.conversation_id, g.signed.staff.username), "taken")

    @pages.post("/conversations/<int:handoff_id>/reply")
    def reply(handoff_id: int):  # type: ignore[no-untyped-def]
        text = request.form.get("text", "")[:MAX_REPLY_CHARS]
        return act(handoff_id, lambda e: takeover().reply(e.conversation_id, g.signed.staff.username, text), "sent",
                   draft=text)

    @pages.post("/conversations/<int:handoff_id>/release")
    def release(handoff_id: int):  # type: ignore[no-untyped-def]
        staff = g.signed.staff
        return act(handoff_id, lambda e: takeover().release(e.conversation_id, staff.username,
                                                            may_override=staff.role == ADMIN), "released")

    return pages
