"""The runs that send: the new-lead mails (each lead, or a digest per province every N minutes) and
the daily reminders of overdue leads. What was sent is stored, each mail as soon as the SMTP server
took it, so a restart never sends it again and a failed one is sent at the next run. One process
sends at a time (a lease row); a second one finds it taken and leaves the work to the first."""
from __future__ import annotations

import logging
import smtplib
import ssl
from collections import defaultdict
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from email.message import Message
from typing import Callable, Iterator

from sqlalchemy import or_, select, update
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from bot.leads.models import NEW, Lead
from bot.notify.messages import LeadLine, new_leads_mail, reminder_mail
from bot.notify.models import DONE, FAILED, NO_ADDRESS, SENT, JobLease, LeadNotice, OverdueReminder
from bot.notify.recipients import office_addresses
from bot.notify.settings import DIGEST, MailSettings
from bot.notify.working_days import calendar, day_start, local_day

log = logging.getLogger(__name__)
LEASE, LEASE_FOR = "notify", timedelta(minutes=10)
SMTP_TIMEOUT = 30  # seconds; a run sends a few mails at most, well within the lease


@dataclass
class Report:
    """What a run did, without personal data (for logs and the command line)."""

    sent: int = 0  # mails
    failed: int = 0  # mails, tried again at the next run
    no_address: dict[str, int] = field(default_factory=dict)  # province -> leads not mailed
    skipped: str | None = None  # why nothing was tried

    def __str__(self) -> str:
        if self.skipped:
            return self.skipped
        text = f"{self.sent} mail(s) sent, {self.failed} failed (tried again at the next run)"
        if self.no_address:
            text += "; no address for " + ", ".join(f"{p} ({n})" for p, n in sorted(self.no_address.items()))
        return text


@dataclass(frozen=True)
class Letter:
    message: Message
    record: Callable[[str | None], None]  # called at once with None when sent, else the error


def send_new_leads(engine: Engine, settings: MailSettings, at: datetime) -> Report:
    """Mail the provinces' offices their new leads: each at once, or in digest mode the province's
    leads together once the oldest has waited `digest_minutes` (so a province gets a digest at most
    every `digest_minutes`). A lead is mailed while it is new: one already contacted, or erased, is not."""
    if not settings.enabled:
        return Report(skipped="notifications off (BOT_SMTP_HOST unset or BOT_NOTIFY_MODE=off)")
    with _lease(engine, at) as held:
        if not held:
            return Report(skipped="another process is sending")
        report, letters = Report(), []
        for province, leads in _by_province(_pending_leads(engine)).items():
            to = office_addresses(province, settings.fallback_to)
            if not to:
                _record_notices(engine, [lead.id for lead in leads], NO_ADDRESS, None, at)
                report.no_address[province] = len(leads)
                continue
            if settings.mode == DIGEST:
                if leads[0].created_at > at - timedelta(minutes=settings.digest_minutes):
                    continue
                groups = [leads]
            else:
                groups = [[lead] for lead in leads]
            letters += [Letter(new_leads_mail(settings, to, group, at),
                               _notice_recorder(engine, [lead.id for lead in group], to, at)) for group in groups]
        _deliver(settings, letters, report)
    _log(report, "new leads")
    return report


def send_reminders(engine: Engine, settings: MailSettings, at: datetime) -> Report:
    """On a working day, mail each province with overdue leads (new, past the two-working-day
    deadline) the list of them, once that day."""
    if not settings.enabled:
        return Report(skipped="notifications off (BOT_SMTP_HOST unset or BOT_NOTIFY_MODE=off)")
    today = local_day(at)
    if not calendar().is_working_day(today):
        return Report(skipped=f"{today:%d/%m/%Y} is not a working day: no reminder")
    with _lease(engine, at) as held:
        if not held:
            return Report(skipped="another process is sending")
        report, letters = Report(), []
        overdue = _by_province(_pending_leads(engine, received_before=day_start(calendar().overdue_before(today))))
        with Session(engine, future=True) as session:
            done = set(session.execute(select(OverdueReminder.province).where(
                OverdueReminder.day == today, OverdueReminder.state == SENT)).scalars())
        for province, leads in overdue.items():
            if province in done:
                continue
            to = office_addresses(province, settings.fallback_to)
            if not to:
                _record_reminder(engine, province, today, NO_ADDRESS, None, at)
                report.no_address[province] = len(leads)
                continue
            letters.append(Letter(reminder_mail(settings, to, leads, today, at), _reminder_recorder(
                engine, province, today, to, at)))
        _deliver(settings, letters, report)
    _log(report, "overdue reminders")
    return report


def _pending_leads(engine: Engine, received_before: datetime | None = None) -> list[LeadLine]:
    """New leads, not erased, oldest first: those whose new-lead mail is not done yet, or with
    `received_before` those received before that moment (the overdue ones) whatever their mail."""
    with Session(engine, future=True) as session:
        query = select(Lead).where(Lead.status == NEW, Lead.anonymised_at.is_(None)).order_by(Lead.created_at, Lead.id)
        if received_before is None:
            done = select(LeadNotice.lead_id).where(LeadNotice.state.in_(DONE))
            query = query.where(Lead.id.not_in(done))
        else:
            query = query.where(Lead.created_at < received_before)
        return [LeadLine(lead.id, lead.reference, lead.full_name or "", lead.phone or "", lead.province,
                         lead.commune, lead.preferred_time, lead.created_at)
                for lead in session.execute(query).scalars()]


def _by_province(leads: list[LeadLine]) -> dict[str, list[LeadLine]]:
    grouped: dict[str, list[LeadLine]] = defaultdict(list)
    for lead in leads:
        grouped[lead.province].append(lead)
    return grouped


def _deliver(settings: MailSettings, letters: list[Letter], report: Report) -> None:
    """Send the letters over one connection (opened again after a cut); when the server cannot be
    reached, every letter left is recorded as failed."""
    smtp: smtplib.SMTP | None = None
    try:
        for n, letter in enumerate(letters):
            if smtp is None:
                try:
                    smtp = _connect(settings)
                except (OSError, smtplib.SMTPException) as error:
                    for left in letters[n:]:
                        left.record(_reason(error))
                    report.failed += len(letters) - n
                    return
            try:
                smtp.send_message(letter.message)
            except (OSError, smtplib.SMTPException) as error:
                letter.record(_reason(error))
                report.failed += 1
                if isinstance(error, (OSError, smtplib.SMTPServerDisconnected)):
                    smtp.close()
                    smtp = None
                continue
            letter.record(None)
            report.sent += 1
    finally:
        if smtp is not None:
            try:
                smtp.quit()
            except (OSError, smtplib.SMTPException):
                smtp.close()


def _connect(settings: MailSettings) -> smtplib.SMTP:
    smtp = smtplib.SMTP(settings.host, settings.port, timeout=SMTP_TIMEOUT)
    try:
        if settings.starttls:
            smtp.starttls(context=ssl.create_default_context())
        if settings.user:
            smtp.login(settings.user, settings.password or "")
    except BaseException:
        smtp.close()
        raise
    return smtp


def _reason(error: Exception) -> str:
    """The error's class and SMTP code: the server's text may quote addresses."""
    code = getattr(error, "smtp_code", None)
    return f"{type(error).__name__}{f' {code}' if code else ''}"[:200]


def _notice_recorder(engine: Engine, lead_ids: list[int], to: tuple[str, ...], at: datetime) -> Callable[[str | None], None]:
    return lambda error: _record_notices(engine, lead_ids, FAILED if error else SENT, to, at, error)


def _record_notices(engine: Engine, lead_ids: list[int], state: str, to: tuple[str, ...] | None, at: datetime,
                    error: str | None = None) -> None:
    with Session(engine, future=True) as session, session.begin():
        for lead_id in lead_ids:
            notice = session.get(LeadNotice, lead_id) or LeadNotice(lead_id=lead_id, attempts=0)
            if state == NO_ADDRESS and notice.state == NO_ADDRESS:
                continue  # found again at every run until an address is set: no write each time
            _fill(notice, state, to, at, error)
            session.add(notice)


def _reminder_recorder(engine: Engine, province: str, day: date, to: tuple[str, ...],
                       at: datetime) -> Callable[[str | None], None]:
    return lambda error: _record_reminder(engine, province, day, FAILED if error else SENT, to, at, error)


def _record_reminder(engine: Engine, province: str, day: date, state: str, to: tuple[str, ...] | None,
                     at: datetime, error: str | None = None) -> None:
    with Session(engine, future=True) as session, session.begin():
        reminder = (session.get(OverdueReminder, (province, day))
                    or OverdueReminder(province=province, day=day, attempts=0))
        _fill(reminder, state, to, at, error)
        session.add(reminder)


def _fill(row: LeadNotice | OverdueReminder, state: str, to: tuple[str, ...] | None, at: datetime,
          error: str | None) -> None:
    row.state, row.recipients, row.last_error, row.updated_at = state, ", ".join(to) if to else None, error, at
    if state in (SENT, FAILED):
        row.attempts += 1


@contextmanager
def _lease(engine: Engine, at: datetime) -> Iterator[bool]:
    """Hold the sending job until done (or LEASE_FOR after `at`, if this process dies meanwhile)."""
    with engine.begin() as connection:
        held = connection.execute(
            update(JobLease.__table__)
            .where(JobLease.name == LEASE, or_(JobLease.held_until.is_(None), JobLease.held_until < at))
            .values(held_until=at + LEASE_FOR)
        ).rowcount == 1
    try:
        yield held
    finally:
        if held:
            with engine.begin() as connection:
                connection.execute(update(JobLease.__table__).where(JobLease.name == LEASE).values(held_until=None))


def _log(report: Report, what: str) -> None:
    """Only the runs that tried to send: the background loop finds the provinces without an address at
    every round (the overview shows them)."""
    if report.sent or report.failed:
        (log.warning if report.failed else log.info)("%s: %s", what, report)
