"""Mail to the provincial offices through a real SMTP server on loopback (aiosmtpd), on SQLite and
PostgreSQL: a new lead's mail and what it says, digests, the overdue reminders, nothing sent twice,
a failed mail sent at the next run, provinces without an address, one sender at a time, and the
settings. Expected subjects, dates and deadlines are written by hand (2026 calendar)."""
from __future__ import annotations

import re
import uuid
from datetime import datetime, timedelta

import pytest
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from bot.cli.main import main
from bot.leads.checks import LeadRequest
from bot.leads.models import CONTACTED, Lead
from bot.leads.store import LeadStore
from bot.notify import recipients
from bot.notify.models import JobLease, LeadNotice, OverdueReminder
from bot.notify.schedule import notify_every
from bot.notify.sender import send_new_leads, send_reminders
from bot.notify.settings import MailSettings
from bot.policy.clock import VIETNAM
from bot.storage import db
from bot.storage.orm import now
from db_fixtures import database_url  # noqa: F401 (fixture)
from smtp_fixtures import MailServer, free_port, mail_server, self_signed_certificate  # noqa: F401 (fixture)

NGHE_AN, HA_NOI = "nghean@example.org", "hanoi@example.org"


def vn(moment: str) -> datetime:
    """A moment written in Vietnam's time."""
    return datetime.fromisoformat(moment).replace(tzinfo=VIETNAM)


def settings_for(server: MailServer, **changes: object) -> MailSettings:
    values: dict = dict(host="127.0.0.1", port=server.port, starttls=False, mail_from="tro-ly@example.org",
                        mode="each", staff_url="https://canbo.example.org")
    return MailSettings(**{**values, **changes})


@pytest.fixture
def office_addresses(monkeypatch):
    """Nghệ An and Hà Nội with a sourced address; Huế with an address but no source (never used)."""
    real = recipients.office_data

    def office_data(province: str) -> dict:
        entry = dict(real(province))
        address = {"Nghệ An": NGHE_AN, "Hà Nội": HA_NOI}.get(province)
        if address:
            entry["email"] = {"value": address, "source": "test", "read_on": "2026-11-26", "confidence": "H"}
        if province == "Huế":
            entry["email"] = {"value": "hue@example.org", "source": None}
        return entry

    monkeypatch.setattr(recipients, "office_data", office_data)


@pytest.fixture
def store(database_url, office_addresses):
    engine = db.make_engine(database_url)
    yield LeadStore(engine)
    engine.dispose()


def add_lead(store: LeadStore, name: str, phone: str, province: str, received: str, **extra: object) -> Lead:
    """A lead received at `received` (Vietnam's time)."""
    lead_id = store.submit(LeadRequest(
        submission_id=uuid.uuid4().hex, full_name=name, phone=phone, province=province,
        office=f"Bảo hiểm xã hội {province}", channel="zalo", conversation_id=f"c-{phone}",
        consent_version="2026-11-v2", consent_sha256="ab" * 32, consent_given_at=now().isoformat(), **extra))
    with Session(store.engine, future=True, expire_on_commit=False) as session, session.begin():
        session.execute(update(Lead).where(Lead.id == lead_id).values(created_at=vn(received)))
        return session.get(Lead, lead_id)


def notice(store: LeadStore, lead_id: int) -> LeadNotice | None:
    with Session(store.engine, future=True) as session:
        return session.get(LeadNotice, lead_id)


# A new lead


def test_a_new_lead_reaches_its_office_in_one_mail_with_the_details_in_the_body(store, mail_server):
    lead = add_lead(store, "Phạm Văn Hùng", "0912345678", "Nghệ An", "2026-11-26T09:15",
                    commune="xã Hưng Nguyên", preferred_time="sáng thứ Bảy")
    report = send_new_leads(store.engine, settings_for(mail_server), vn("2026-11-26T09:16"))
    assert (report.sent, report.failed) == (1, 0)
    (mail,) = mail_server.received
    assert mail.recipients == [NGHE_AN]
    assert mail.subject == "[BHXH tự nguyện] 1 yêu cầu gọi lại mới – Nghệ An"
    assert mail.message["From"] == "tro-ly@example.org" and mail.message["Auto-Submitted"] == "auto-generated"
    body = mail.body
    assert body.startswith("Kính gửi Bảo hiểm xã hội tỉnh Nghệ An,")
    for line in [f"Mã tra cứu: {lead.reference}", "Họ tên: Phạm Văn Hùng", "Điện thoại: 0912345678",
                 "Xã, phường: xã Hưng Nguyên", "Thời gian muốn được gọi: sáng thứ Bảy",
                 "Nhận lúc 09:15 ngày 26/11/2026; hạn liên hệ: hết ngày 30/11/2026",  # Thursday -> Friday, Monday
                 f"Xem và cập nhật: https://canbo.example.org/leads/{lead.id}",
                 "trong 2 ngày làm việc"]:
        assert line in body
    assert notice(store, lead.id).state == "sent" and notice(store, lead.id).recipients == NGHE_AN


def test_what_the_citizen_left_out_is_said_to_be_missing(store, mail_server):
    add_lead(store, "Lê Thị Hoa", "0987654321", "Hà Nội", "2026-11-26T09:15")
    send_new_leads(store.engine, settings_for(mail_server, staff_url=None), vn("2026-11-26T09:16"))
    (mail,) = mail_server.received
    assert mail.recipients == [HA_NOI]
    assert "Xã, phường: (không nêu)" in mail.body and "Thời gian muốn được gọi: (không nêu)" in mail.body
    assert "trên trang cán bộ: yêu cầu #" in mail.body and "http" not in mail.body


def test_each_lead_its_own_mail_and_never_twice_even_after_a_restart(store, mail_server, database_url):
    add_lead(store, "Phạm Văn Hùng", "0912345678", "Nghệ An", "2026-11-26T09:15")
    add_lead(store, "Nguyễn Thị Lan", "0911222333", "Nghệ An", "2026-11-26T09:20")
    settings = settings_for(mail_server)
    assert send_new_leads(store.engine, settings, vn("2026-11-26T09:21")).sent == 2
    assert send_new_leads(store.engine, settings, vn("2026-11-26T09:22")).sent == 0
    restarted = db.make_engine(database_url)  # another process, as after a restart
    try:
        assert send_new_leads(restarted, settings, vn("2026-11-26T09:30")).sent == 0
    finally:
        restarted.dispose()
    assert [m.subject for m in mail_server.received] == ["[BHXH tự nguyện] 1 yêu cầu gọi lại mới – Nghệ An"] * 2


def test_a_lead_contacted_or_erased_before_its_mail_is_not_mailed(store, mail_server):
    called = add_lead(store, "Phạm Văn Hùng", "0912345678", "Nghệ An", "2026-11-26T09:15")
    add_lead(store, "Nguyễn Thị Lan", "0911222333", "Nghệ An", "2026-11-26T09:20")
    store.change_status(called.id, CONTACTED, "hoa")
    store.withdraw("c-0911222333")
    assert send_new_leads(store.engine, settings_for(mail_server), vn("2026-11-26T09:21")).sent == 0
    assert mail_server.received == []


# Digests


def test_a_digest_groups_a_provinces_leads_once_the_oldest_has_waited(store, mail_server):
    settings = settings_for(mail_server, mode="digest", digest_minutes=60)
    first = add_lead(store, "Phạm Văn Hùng", "0912345678", "Nghệ An", "2026-11-26T10:00")
    add_lead(store, "Nguyễn Thị Lan", "0911222333", "Nghệ An", "2026-11-26T10:20")
    add_lead(store, "Trần Văn Nam", "0911444555", "Nghệ An", "2026-11-26T10:50")
    add_lead(store, "Lê Thị Hoa", "0987654321", "Hà Nội", "2026-11-26T10:40")
    assert send_new_leads(store.engine, settings, vn("2026-11-26T10:59")).sent == 0
    assert send_new_leads(store.engine, settings, vn("2026-11-26T11:00")).sent == 1  # Nghệ An's oldest: 60 min
    (digest,) = mail_server.received
    assert digest.subject == "[BHXH tự nguyện] 3 yêu cầu gọi lại mới – Nghệ An"
    assert digest.recipients == [NGHE_AN]
    body = digest.body
    assert body.index("Phạm Văn Hùng") < body.index("Nguyễn Thị Lan") < body.index("Trần Văn Nam")
    assert f"1. Mã tra cứu: {first.reference}" in body and "3. Mã tra cứu:" in body and "Lê Thị Hoa" not in body
    assert send_new_leads(store.engine, settings, vn("2026-11-26T11:40")).sent == 1  # Hà Nội's, 10:40
    assert mail_server.received[1].subject == "[BHXH tự nguyện] 1 yêu cầu gọi lại mới – Hà Nội"
    add_lead(store, "Đỗ Văn Dũng", "0966000111", "Nghệ An", "2026-11-26T11:10")
    assert send_new_leads(store.engine, settings, vn("2026-11-26T12:09")).sent == 0
    assert send_new_leads(store.engine, settings, vn("2026-11-26T12:10")).sent == 1
    assert len(mail_server.received) == 3


# No personal data in subjects


def test_no_subject_holds_a_name_a_phone_a_commune_or_a_code(store, mail_server):
    leads = [add_lead(store, "Phạm Văn Hùng", "0912345678", "Nghệ An", "2026-11-20T09:00", commune="xã Hưng Nguyên"),
             add_lead(store, "Lê Thị Hoa", "0987654321", "Hà Nội", "2026-11-20T09:00", commune="phường Hoàn Kiếm")]
    send_new_leads(store.engine, settings_for(mail_server, mode="digest", digest_minutes=5), vn("2026-11-26T08:00"))
    send_reminders(store.engine, settings_for(mail_server), vn("2026-11-26T08:00"))
    assert len(mail_server.received) == 4
    secrets = [s for lead in leads for s in (lead.full_name, lead.phone, lead.phone[-4:], lead.commune, lead.reference)]
    secrets += ["Hùng", "Hung", "Hoa", "Hưng Nguyên", "Hoàn Kiếm"]
    for mail in mail_server.received:
        assert re.fullmatch(r"\[BHXH tự nguyện\] (Nhắc việc: )?1 yêu cầu (gọi lại mới|quá hạn liên hệ) – (Nghệ An|Hà Nội)",
                            mail.subject)
        for secret in secrets:
            assert secret not in mail.subject
        assert "Phạm Văn Hùng" in mail.body or "Lê Thị Hoa" in mail.body


# Overdue reminders


def test_the_reminder_lists_the_leads_past_the_deadline_once_a_working_day(store, mail_server):
    settings = settings_for(mail_server)
    monday = add_lead(store, "Phạm Văn Hùng", "0912345678", "Nghệ An", "2026-11-23T16:00")  # deadline Wed 25
    tuesday = add_lead(store, "Nguyễn Thị Lan", "0911222333", "Nghệ An", "2026-11-24T09:00")  # deadline Thu 26
    called = add_lead(store, "Trần Văn Nam", "0911444555", "Nghệ An", "2026-11-19T09:00")
    store.change_status(called.id, CONTACTED, "hoa")
    send_new_leads(store.engine, settings, vn("2026-11-25T08:00"))
    mail_server.received.clear()

    assert send_reminders(store.engine, settings, vn("2026-11-26T08:00")).sent == 1  # Thursday
    (reminder,) = mail_server.received
    assert reminder.subject == "[BHXH tự nguyện] Nhắc việc: 1 yêu cầu quá hạn liên hệ – Nghệ An"
    assert reminder.recipients == [NGHE_AN]
    assert (f"1. {monday.reference} · Phạm Văn Hùng · 0912345678 · nhận 23/11/2026, hạn 25/11/2026\n"
            f"   Xem và cập nhật: https://canbo.example.org/leads/{monday.id}") in reminder.body
    assert "Đến hôm nay (26/11/2026) có 1 yêu cầu gọi lại của người dân ở Nghệ An" in reminder.body
    assert "Nguyễn Thị Lan" not in reminder.body and "Trần Văn Nam" not in reminder.body

    assert send_reminders(store.engine, settings, vn("2026-11-26T15:00")).sent == 0  # once a day
    assert send_reminders(store.engine, settings, vn("2026-11-27T08:00")).sent == 1  # Friday: both
    friday = mail_server.received[-1]
    assert friday.subject == "[BHXH tự nguyện] Nhắc việc: 2 yêu cầu quá hạn liên hệ – Nghệ An"
    assert friday.body.index(monday.reference) < friday.body.index(tuesday.reference)
    assert "not a working day" in str(send_reminders(store.engine, settings, vn("2026-11-28T08:00")))  # Saturday
    store.change_status(monday.id, CONTACTED, "hoa")
    store.change_status(tuesday.id, CONTACTED, "hoa")
    assert send_reminders(store.engine, settings, vn("2026-11-30T08:00")).sent == 0
    assert len(mail_server.received) == 2


def test_a_long_reminder_lists_thirty_and_links_to_the_rest(store, mail_server):
    for i in range(32):
        add_lead(store, f"Người số {i}", f"09123450{i:02d}", "Nghệ An", "2026-11-20T09:00")
    send_reminders(store.engine, settings_for(mail_server), vn("2026-11-26T08:00"))
    (reminder,) = mail_server.received
    assert reminder.subject == "[BHXH tự nguyện] Nhắc việc: 32 yêu cầu quá hạn liên hệ – Nghệ An"
    assert "30. " in reminder.body and "31. " not in reminder.body
    assert ("... và 2 yêu cầu khác: https://canbo.example.org/leads?province=Ngh%E1%BB%87+An&status=m%E1%BB%9Bi"
            in reminder.body)


# Failures and retries


def test_a_mail_that_fails_while_the_server_is_down_goes_at_the_next_run(store):
    server = MailServer(port=free_port())  # not started: nothing listens
    settings = settings_for(server)
    lead = add_lead(store, "Phạm Văn Hùng", "0912345678", "Nghệ An", "2026-11-20T09:00")
    report = send_new_leads(store.engine, settings, vn("2026-11-26T08:00"))
    assert (report.sent, report.failed) == (0, 1)
    assert send_reminders(store.engine, settings, vn("2026-11-26T08:00")).failed == 1
    failed = notice(store, lead.id)
    assert (failed.state, failed.attempts, failed.last_error) == ("failed", 1, "ConnectionRefusedError")
    server.start()
    try:
        assert send_new_leads(store.engine, settings, vn("2026-11-26T08:05")).sent == 1
        assert send_reminders(store.engine, settings, vn("2026-11-26T08:05")).sent == 1
        assert send_new_leads(store.engine, settings, vn("2026-11-26T08:10")).sent == 0
        assert send_reminders(store.engine, settings, vn("2026-11-26T08:10")).sent == 0
    finally:
        server.stop()
    assert [m.subject for m in server.received] == ["[BHXH tự nguyện] 1 yêu cầu gọi lại mới – Nghệ An",
                                                    "[BHXH tự nguyện] Nhắc việc: 1 yêu cầu quá hạn liên hệ – Nghệ An"]
    assert (notice(store, lead.id).state, notice(store, lead.id).attempts) == ("sent", 2)
    with Session(store.engine, future=True) as session:
        (reminder,) = session.execute(select(OverdueReminder)).scalars()
        assert (reminder.province, reminder.state, reminder.attempts) == ("Nghệ An", "sent", 2)


def test_a_mail_refused_by_the_server_does_not_stop_the_others(store, mail_server, monkeypatch):
    add_lead(store, "Phạm Văn Hùng", "0912345678", "Nghệ An", "2026-11-26T09:00")
    add_lead(store, "Lê Thị Hoa", "0987654321", "Hà Nội", "2026-11-26T09:05")
    refuse = mail_server.handle_DATA

    async def handle_DATA(server, session, envelope):  # type: ignore[no-untyped-def]
        if HA_NOI in envelope.rcpt_tos:
            return "554 Transaction failed"
        return await refuse(server, session, envelope)

    monkeypatch.setattr(mail_server, "handle_DATA", handle_DATA)
    report = send_new_leads(store.engine, settings_for(mail_server), vn("2026-11-26T09:10"))
    assert (report.sent, report.failed) == (1, 1)
    assert [m.recipients for m in mail_server.received] == [[NGHE_AN]]


# Addresses


def test_without_a_sourced_address_nothing_is_sent_until_a_fallback_is_set(store, mail_server):
    hue = add_lead(store, "Phạm Văn Hùng", "0912345678", "Huế", "2026-11-26T09:00")  # address without source
    lai_chau = add_lead(store, "Lò Văn Pọm", "0912000111", "Lai Châu", "2026-11-26T09:00")  # no address
    report = send_new_leads(store.engine, settings_for(mail_server), vn("2026-11-26T09:10"))
    assert (report.sent, report.no_address) == (0, {"Huế": 1, "Lai Châu": 1})
    assert "no address for Huế (1), Lai Châu (1)" in str(report)
    assert mail_server.received == [] and notice(store, hue.id).state == "no_address"
    fallback = settings_for(mail_server, fallback_to=("bhxh-admin@example.org",))
    assert send_new_leads(store.engine, fallback, vn("2026-11-26T09:20")).sent == 2
    assert [m.recipients for m in mail_server.received] == [["bhxh-admin@example.org"]] * 2
    assert notice(store, lai_chau.id).state == "sent"


def test_the_office_data_has_no_address_without_a_source():
    for province in ("Hà Nội", "Nghệ An", "Hồ Chí Minh", "Lai Châu"):
        assert recipients.office_addresses(province, ()) == ()
        assert recipients.office_addresses(province, ("x@example.org",)) == ("x@example.org",)


# One sender at a time


def test_a_second_process_leaves_the_sending_to_the_one_holding_the_lease(store, mail_server):
    add_lead(store, "Phạm Văn Hùng", "0912345678", "Nghệ An", "2026-11-26T09:00")
    with Session(store.engine, future=True) as session, session.begin():
        session.execute(update(JobLease).values(held_until=vn("2026-11-26T09:15")))
    settings = settings_for(mail_server)
    assert str(send_new_leads(store.engine, settings, vn("2026-11-26T09:10"))) == "another process is sending"
    assert mail_server.received == []
    assert send_new_leads(store.engine, settings, vn("2026-11-26T09:16")).sent == 1  # the lease lapsed


# Settings, the command line and the background loop


def test_settings_from_the_environment():
    assert not MailSettings.from_env({}).enabled
    assert not MailSettings.from_env({"BOT_NOTIFY_MODE": "each"}).enabled  # no host: off
    settings = MailSettings.from_env({"BOT_SMTP_HOST": "smtp.example.org", "BOT_MAIL_FROM": "bot@example.org",
                                      "BOT_NOTIFY_FALLBACK_TO": "a@example.org, b@example.org",
                                      "BOT_STAFF_URL": "https://canbo.example.org/"})
    assert (settings.mode, settings.port, settings.starttls, settings.digest_minutes) == ("each", 587, True, 60)
    assert settings.fallback_to == ("a@example.org", "b@example.org")
    assert settings.staff_url == "https://canbo.example.org"
    assert not MailSettings.from_env({"BOT_SMTP_HOST": "smtp.example.org", "BOT_NOTIFY_MODE": "off"}).enabled
    plain = MailSettings.from_env({"BOT_SMTP_HOST": "127.0.0.1", "BOT_MAIL_FROM": "bot@example.org",
                                   "BOT_SMTP_STARTTLS": "0", "BOT_SMTP_USER": "u"})
    assert plain.port == 25 and plain.user == "u"
    base = {"BOT_SMTP_HOST": "smtp.example.org", "BOT_MAIL_FROM": "bot@example.org"}
    for wrong, named in [({"BOT_NOTIFY_MODE": "weekly"}, "BOT_NOTIFY_MODE"), ({"BOT_MAIL_FROM": ""}, "BOT_MAIL_FROM"),
                         ({"BOT_SMTP_PORT": "x"}, "BOT_SMTP_PORT"),
                         ({"BOT_NOTIFY_DIGEST_MINUTES": "0"}, "BOT_NOTIFY_DIGEST_MINUTES"),
                         ({"BOT_NOTIFY_FALLBACK_TO": "nobody"}, "BOT_NOTIFY_FALLBACK_TO"),
                         ({"BOT_SMTP_STARTTLS": "maybe"}, "BOT_SMTP_STARTTLS"),
                         ({"BOT_SMTP_STARTTLS": "0", "BOT_SMTP_USER": "u"}, "clear text")]:
        with pytest.raises(ValueError, match=named):
            MailSettings.from_env({**base, **wrong})


def test_the_password_reaches_a_server_that_asks_for_one(store):
    server = MailServer(port=free_port(), password="mat-khau-smtp")
    server.start()
    try:
        add_lead(store, "Phạm Văn Hùng", "0912345678", "Nghệ An", "2026-11-26T09:00")
        wrong = settings_for(server, user="bot", password="sai")
        assert send_new_leads(store.engine, wrong, vn("2026-11-26T09:10")).failed == 1
        right = settings_for(server, user="bot", password="mat-khau-smtp")
        assert send_new_leads(store.engine, right, vn("2026-11-26T09:20")).sent == 1
    finally:
        server.stop()
    assert server.logins == [("bot", "mat-khau-smtp")] and len(server.received) == 1


def test_starttls_checks_the_servers_certificate_before_sending(store, tmp_path, monkeypatch):
    cert, key = self_signed_certificate(tmp_path)
    server = MailServer(port=free_port(), password="mat-khau-smtp", certificate=(cert, key))
    server.start()
    try:
        lead = add_lead(store, "Phạm Văn Hùng", "0912345678", "Nghệ An", "2026-11-26T09:00")
        settings = settings_for(server, starttls=True, user="bot", password="mat-khau-smtp")
        untrusted = send_new_leads(store.engine, settings, vn("2026-11-26T09:10"))
        assert untrusted.failed == 1 and server.received == [] and server.logins == []
        assert notice(store, lead.id).last_error == "SSLCertVerificationError"
        monkeypatch.setenv("SSL_CERT_FILE", str(cert))  # now this machine trusts it
        assert send_new_leads(store.engine, settings, vn("2026-11-26T09:20")).sent == 1
    finally:
        server.stop()
    assert server.logins == [("bot", "mat-khau-smtp")] and len(server.received) == 1


def test_the_commands_for_cron(store, mail_server, database_url, monkeypatch, capsys):
    add_lead(store, "Phạm Văn Hùng", "0912345678", "Nghệ An", (now() - timedelta(days=10)).astimezone(VIETNAM)
             .replace(tzinfo=None).isoformat())
    for name, value in {"BOT_DATABASE_URL": database_url, "BOT_SMTP_HOST": "127.0.0.1",
                        "BOT_SMTP_PORT": str(mail_server.port), "BOT_SMTP_STARTTLS": "0",
                        "BOT_MAIL_FROM": "tro-ly@example.org"}.items():
        monkeypatch.setenv(name, value)
    assert main(["notify", "send"]) == 0
    assert "1 mail(s) sent, 0 failed" in capsys.readouterr().out
    main(["notify", "reminders"])  # today may be a weekend or a holiday: then it says so
    out = capsys.readouterr().out
    assert "1 mail(s) sent" in out or "not a working day" in out
    monkeypatch.setenv("BOT_SMTP_PORT", str(free_port()))
    add_lead(store, "Lê Thị Hoa", "0987654321", "Hà Nội", "2026-11-26T09:00")
    assert main(["notify", "send"]) == 1  # a failure: cron reports it
    monkeypatch.setenv("BOT_NOTIFY_MODE", "weekly")
    assert main(["notify", "send"]) == 2
    assert "BOT_NOTIFY_MODE" in capsys.readouterr().err


def test_the_background_loop_sends_new_leads_by_itself(store, mail_server):
    add_lead(store, "Phạm Văn Hùng", "0912345678", "Nghệ An", "2026-11-26T09:00")
    stop = notify_every(store.engine, settings_for(mail_server), check_every=0.2)
    try:
        deadline = datetime.now() + timedelta(seconds=10)
        while not mail_server.received and datetime.now() < deadline:
            stop.wait(0.1)
    finally:
        stop.set()
    assert [m.subject for m in mail_server.received] == ["[BHXH tự nguyện] 1 yêu cầu gọi lại mới – Nghệ An"]
    assert not notify_every(store.engine, MailSettings(), check_every=0.2).is_set()  # off: no thread, nothing sent
