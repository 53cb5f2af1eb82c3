"""What the assistant does when a citizen asks for a person (bot/handoff's side of
action_offer_officer): during the office hours of the citizen's province, on a channel an officer
can write to, queue the conversation and say truthfully how long the wait usually is; ask the
province first when it is unknown; otherwise (closed, no officer account, a channel officers cannot
write to) the callback request takes over (data/rules/handoff.yml)."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Callable

from bot.dialogue.replies import Reply
from bot.handoff.hours import OfficeHours
from bot.handoff.queue import HandoffQueue, TypicalWait
from bot.language.provinces import province_by_name

LIVE_CHANNELS = ("zalo", "messenger")  # the channels bot/handoff/senders.py writes to
NEED_PROVINCE, QUEUED, CLOSED = "need_province", "queued", "closed"  # the slot officer_offer
WEEKDAYS = ("thứ Hai", "thứ Ba", "thứ Tư", "thứ Năm", "thứ Sáu", "thứ Bảy", "Chủ nhật")


@dataclass(frozen=True)
class Offer:
    outcome: str
    replies: list[Reply]


def offer_officer(conversation_id: str, channel: str | None, province_name: str | None, at: datetime,
                  queue: HandoffQueue, hours: OfficeHours, has_office_staff: Callable[[str], bool]) -> Offer:
    if channel not in LIVE_CHANNELS:
        return Offer(CLOSED, [Reply("utter_officer_not_on_channel")])
    province = province_by_name(province_name or "")
    if province is None:
        if hours.open_anywhere(at):
            return Offer(NEED_PROVINCE, [])  # officer_form asks
        return Offer(CLOSED, [Reply("utter_officer_closed_now")])
    office = province.office
    if not hours.is_open(province.name, at):
        reopens = hours.next_opening(province.name, at)
        if reopens is None:
            return Offer(CLOSED, [Reply("utter_officer_closed_now")])
        return Offer(CLOSED, [Reply("utter_officer_closed", {"office": office, "reopens": when(reopens)})])
    if not has_office_staff(province.name):
        return Offer(CLOSED, [Reply("utter_officer_none", {"office": office})])
    entry, new = queue.request(conversation_id, channel, province.name)
    note = wait_note(queue.typical_wait(province.name), queue.ahead_of(entry))
    return Offer(QUEUED, [Reply("utter_officer_queued" if new else "utter_officer_still_waiting",
                                {"office": office, "wait_note": note})])


def wait_note(wait: TypicalWait, ahead: int) -> str:
    """The usual wait as the queue's history shows it (or that there is not enough history to say),
    and how many are waiting before the citizen."""
    if wait.minutes is None:
        note = "Em chưa có đủ số liệu để biết thường phải chờ bao lâu."
    else:
        hours, minutes = divmod(wait.minutes, 60)
        length = f"{hours} giờ {minutes} phút" if hours and minutes else f"{hours} giờ" if hours else f"{minutes} phút"
        note = f"Thời gian chờ thường khoảng {length}."
    return note + (f" Hiện có {ahead} người đang chờ trước anh/chị." if ahead else "")


def when(moment: datetime) -> str:
    """"7:30 thứ Hai, 30/11" in the moment's own (Vietnam's) time."""
    return f"{moment.hour}:{moment.minute:02d} {WEEKDAYS[moment.weekday()]}, {moment.day}/{moment.month}"
