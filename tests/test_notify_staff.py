"""What the staff pages show of the notifications, on SQLite and PostgreSQL: the leads past the
two-working-day deadline per province on the overview (an office sees its own province only), the
administrator's list of new-lead mails not sent and why, and the citizen's reference code on the
lead's page and in the search."""
from __future__ import annotations

import re
from datetime import date, datetime

from sqlalchemy import update
from sqlalchemy.orm import Session

from bot.leads.models import CONTACTED, Lead
from bot.notify.sender import send_new_leads
from bot.notify.settings import MailSettings
from bot.policy.clock import VIETNAM
from bot.staff.app import create_app
from staff_fixtures import PASSWORD, StaffClient, site  # noqa: F401 (fixture)
from smtp_fixtures import free_port

THURSDAY = date(2026, 11, 26)


def received(site, name: str, moment: str) -> None:
    with Session(site.engine, future=True) as session, session.begin():
        session.execute(update(Lead).where(Lead.id == site.leads[name])
                        .values(created_at=datetime.fromisoformat(moment).replace(tzinfo=VIETNAM)))


def signed_in(site, username: str) -> StaffClient:
    client = StaffClient(create_app(site.engine, today=lambda: THURSDAY).test_client())
    assert client.sign_in(username, PASSWORD).status_code == 303
    return client


def overdue_rows(page: str) -> list[tuple[str, int]]:
    section = page[page.index('id="overdue"'):]
    section = section[:section.index("</section>")]
    return [(p, int(n)) for p, n in re.findall(r'<tr><td><a href="[^"]+">([^<]+)</a></td><td>(\d+)</td></tr>', section)]


def test_the_overview_counts_the_leads_past_the_deadline_per_province(site):
    received(site, "Phạm Văn Hùng", "2026-11-23T09:00")  # Monday: deadline Wednesday, overdue on Thursday
    received(site, "Nguyễn Thị Lan", "2026-11-24T09:00")  # Tuesday: deadline Thursday, not yet
    received(site, "Lê Thị Hồng Nhung", "2026-11-20T16:00")  # Friday: deadline Tuesday
    received(site, "=HYPERLINK(\"http://x\")", "2026-11-19T09:00")
    site.store.change_status(site.leads["=HYPERLINK(\"http://x\")"], CONTACTED, "quantri")  # contacted: not overdue
    admin = signed_in(site, "quantri").get("/overview").text
    assert overdue_rows(admin) == [("Hà Nội", 1), ("Nghệ An", 1)]
    assert '<span class="big" id="overdue-total">2</span><span>quá hạn liên hệ (2 ngày làm việc)' in admin
    assert "/leads?province=Ngh%E1%BB%87+An&amp;status=m%E1%BB%9Bi" in admin
    office = signed_in(site, "nghean").get("/overview").text
    assert overdue_rows(office) == [("Nghệ An", 1)]
    assert '<span class="big" id="overdue-total">1</span>' in office


def test_no_overdue_lead_is_said(site):
    page = signed_in(site, "quantri").get("/overview").text
    assert overdue_rows(page) == [] and "Không có yêu cầu nào quá hạn." in page


def test_the_administrator_sees_which_new_lead_mails_have_not_gone_out_and_why(site):
    site.store.change_status(site.leads["=HYPERLINK(\"http://x\")"], CONTACTED, "quantri")
    nowhere = MailSettings(host="127.0.0.1", port=free_port(), starttls=False, mail_from="bot@example.org", mode="each")
    at = datetime(2026, 11, 26, 9, 0, tzinfo=VIETNAM)
    send_new_leads(site.engine, nowhere, at)  # no province has a sourced address, no fallback
    page = signed_in(site, "quantri").get("/overview").text
    assert ("Hà Nội: <strong>1</strong> (tỉnh chưa có địa chỉ email nào có nguồn, và chưa đặt BOT_NOTIFY_FALLBACK_TO); "
            "Nghệ An: <strong>2</strong> (tỉnh chưa có địa chỉ email") in page
    assert 'id="undelivered"' not in signed_in(site, "nghean").get("/overview").text
    send_new_leads(site.engine, MailSettings(**{**nowhere.__dict__, "fallback_to": ("admin@example.org",)}), at)
    page = signed_in(site, "quantri").get("/overview").text
    assert "Hà Nội: <strong>1</strong> (gửi lỗi, sẽ thử lại); Nghệ An: <strong>2</strong> (gửi lỗi, sẽ thử lại)" in page


def test_the_reference_code_is_on_the_leads_page_and_finds_it(site):
    office = signed_in(site, "nghean")
    lead_id = site.leads["Phạm Văn Hùng"]
    code = re.search(r'<code id="reference">([A-Z0-9]{6})</code>', office.get(f"/leads/{lead_id}").text).group(1)
    typed = f"{code[:3].lower()}-{code[3:].lower()}"
    listing = office.get("/leads", query_string={"q": typed}).text
    assert f'<strong id="total">1</strong>' in listing and f"/leads/{lead_id}" in listing
    other = site.leads["Lê Thị Hồng Nhung"]  # Hà Nội: another province's code finds nothing
    other_code = re.search(r'<code id="reference">([A-Z0-9]{6})</code>',
                           signed_in(site, "quantri").get(f"/leads/{other}").text).group(1)
    assert '<strong id="total">0</strong>' in office.get("/leads", query_string={"q": other_code}).text
