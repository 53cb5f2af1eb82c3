"""The mails' words, in Vietnamese. Subjects name the province and a count, never a citizen: names,
phone numbers, communes and codes appear only in the body."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from email.header import Header
from email.message import Message
from email.mime.text import MIMEText
from email.utils import format_datetime, make_msgid
from urllib.parse import urlencode

from bot.leads.models import NEW
from bot.notify.recipients import office_name
from bot.notify.settings import MailSettings
from bot.notify.working_days import DEADLINE_WORKING_DAYS, calendar, local_day
from bot.policy.clock import VIETNAM

TAG = "[BHXH tự nguyện]"
MAX_LISTED = 30  # leads listed in one reminder; the rest are counted, with a link to the list
_NOT_SAID = "(không nêu)"


@dataclass(frozen=True)
class LeadLine:
    """What a mail tells of a lead."""

    id: int
    reference: str
    full_name: str
    phone: str
    province: str
    commune: str | None
    preferred_time: str | None
    created_at: datetime


def new_leads_mail(settings: MailSettings, to: tuple[str, ...], leads: list[LeadLine], at: datetime) -> Message:
    province = leads[0].province
    subject = f"{TAG} {len(leads)} yêu cầu gọi lại mới – {province}"
    blocks = "\n\n".join(f"{n}. {_details(settings, lead)}" for n, lead in enumerate(leads, 1))
    body = (f"Kính gửi {office_name(province)},\n\n"
            f"Trợ lý BHXH tự nguyện vừa nhận {len(leads)} yêu cầu gọi lại của người dân ở {province}. "
            f"Đề nghị anh/chị liên hệ với người dân trong {DEADLINE_WORKING_DAYS} ngày làm việc.\n\n"
            f"{blocks}\n\n"
            "Sau khi gọi, anh/chị vui lòng cập nhật trạng thái trên trang cán bộ: người dân sẽ tra cứu "
            "được và hệ thống sẽ không nhắc lại.\n")
    return _mail(settings, to, subject, body, at)


def reminder_mail(settings: MailSettings, to: tuple[str, ...], leads: list[LeadLine], today: date,
                  at: datetime) -> Message:
    province = leads[0].province
    subject = f"{TAG} Nhắc việc: {len(leads)} yêu cầu quá hạn liên hệ – {province}"
    lines = [f"{n}. {_summary(settings, lead)}" for n, lead in enumerate(leads[:MAX_LISTED], 1)]
    if len(leads) > MAX_LISTED:
        more = f"... và {len(leads) - MAX_LISTED} yêu cầu khác"
        lines.append(f"{more}: {settings.staff_url}/leads?{urlencode({'province': province, 'status': NEW})}"
                     if settings.staff_url else f"{more} trên trang cán bộ.")
    body = (f"Kính gửi {office_name(province)},\n\n"
            f"Đến hôm nay ({today:%d/%m/%Y}) có {len(leads)} yêu cầu gọi lại của người dân ở {province} đã quá "
            f"{DEADLINE_WORKING_DAYS} ngày làm việc mà chưa được liên hệ (cũ nhất trước):\n\n"
            + "\n".join(lines) + "\n\n"
            "Khi đã gọi, anh/chị chuyển yêu cầu sang “đã liên hệ” (hoặc “không liên lạc được”) trên trang "
            "cán bộ; yêu cầu đó sẽ không còn trong thư nhắc.\n")
    return _mail(settings, to, subject, body, at)


def _details(settings: MailSettings, lead: LeadLine) -> str:
    received = lead.created_at.astimezone(VIETNAM)
    return "\n   ".join([
        f"Mã tra cứu: {lead.reference}",
        f"Họ tên: {lead.full_name}",
        f"Điện thoại: {lead.phone}",
        f"Xã, phường: {lead.commune or _NOT_SAID}",
        f"Thời gian muốn được gọi: {lead.preferred_time or _NOT_SAID}",
        f"Nhận lúc {received:%H:%M} ngày {received:%d/%m/%Y}; hạn liên hệ: hết ngày {calendar().deadline(received.date()):%d/%m/%Y}",
        _link(settings, lead),
    ])


def _summary(settings: MailSettings, lead: LeadLine) -> str:
    received = local_day(lead.created_at)
    return (f"{lead.reference} · {lead.full_name} · {lead.phone} · nhận {received:%d/%m/%Y}, "
            f"hạn {calendar().deadline(received):%d/%m/%Y}\n   {_link(settings, lead)}")


def _link(settings: MailSettings, lead: LeadLine) -> str:
    if settings.staff_url:
        return f"Xem và cập nhật: {settings.staff_url}/leads/{lead.id}"
    return f"Xem và cập nhật trên trang cán bộ: yêu cầu #{lead.id}"


def _mail(settings: MailSettings, to: tuple[str, ...], subject: str, body: str, at: datetime) -> Message:
    """Built with the email package's older API: the newer one (Python 3.10) loses the space between
    two words of a long Vietnamese subject where it folds it ("yêucầu")."""
    body += "\nThư gửi tự động từ trợ lý BHXH tự nguyện; xin đừng trả lời thư này.\n"
    message = MIMEText(body, "plain", "utf-8")
    message["Subject"] = Header(subject, "utf-8")
    message["From"] = settings.mail_from
    message["To"] = ", ".join(to)
    message["Date"] = format_datetime(at.astimezone(VIETNAM))
    message["Message-ID"] = make_msgid(domain=settings.mail_from.rsplit("@", 1)[-1])
    message["Auto-Submitted"] = "auto-generated"  # RFC 3834: no out-of-office replies
    return message
