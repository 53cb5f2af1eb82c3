"""The staff pages through Flask's test client, on SQLite and on PostgreSQL: sign-in (rate limit,
lock-out, sessions, cookies), roles, province isolation on every route, filters, the follow-up
workflow, exports (web and command line), the overview and the trainers' story export."""
from __future__ import annotations

import csv
import io
import logging
import os
import re
import secrets
from datetime import datetime, timedelta, timezone

import pytest
import redis
import yaml
from openpyxl import load_workbook
from sqlalchemy import update
from sqlalchemy.orm import Session

from bot.cli.main import main
from bot.leads.models import CONTACTED, NEW, NOT_INTERESTED, REGISTERED, UNREACHABLE, Consent
from bot.outbox import Outbox
from bot.privacy import erasure, retention
from bot.staff.accounts import AccountError
from bot.staff.app import PUBLIC_ENDPOINTS, create_app
from bot.staff.queries import local
from bot.staff.server import app_for, secure_cookies
from bot.storage import db
from bot.storage.orm import now
from bot.training.review import Inbox, Withdrawn
from staff_fixtures import PASSWORD, StaffClient, lead_request, site  # noqa: F401 (fixture)
from tracker_fixtures import action, bot, slot, store_events, user

TOTAL = re.compile(r'<strong id="total">(\d+)</strong>')


def total(response) -> int:
    return int(TOTAL.search(response.text).group(1))


def route_urls(lead_id: int, user_id: int = 1) -> list[tuple[str, str]]:
    """(method, URL) of every route of the site but the public ones, with these ids."""
    values = {"lead_id": lead_id, "user_id": user_id, "kind": "xlsx", "action": "unlock", "handoff_id": 1}
    rules = create_app(db.make_engine("sqlite://")).url_map.iter_rules()
    routes = []
    for rule in rules:
        if rule.endpoint in PUBLIC_ENDPOINTS:
            continue
        url = rule.rule
        for name in rule.arguments:
            url = re.sub(rf"<(?:\w+:)?{name}>", str(values[name]), url)
        routes += [(method, url) for method in sorted(rule.methods - {"HEAD", "OPTIONS"})]
    return routes


# Sign-in, sessions, CSRF


def test_every_page_but_sign_in_and_health_needs_a_session(site):
    client = site.client()
    routes = route_urls(site.leads["Phạm Văn Hùng"])
    assert len(routes) >= 12
    for method, url in routes:
        response = client.http.open(url, method=method)
        assert response.status_code == 303 and response.location.startswith("/login"), (method, url)
    assert client.get("/health").text == "ok"
    assert client.get("/login").status_code == 200


def test_sign_in_sets_a_protected_cookie_and_sign_out_ends_the_session(site):
    client = site.client()
    response = client.sign_in("nghean", PASSWORD)
    cookie = next(c for c in response.headers.getlist("Set-Cookie") if c.startswith("staff_session="))
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert client.get("/leads").status_code == 200
    token = re.search(r"staff_session=([^;]+)", cookie).group(1)
    assert client.post("/logout").status_code == 303
    replay = site.client()
    replay.http.set_cookie("staff_session", token)
    assert replay.get("/leads").status_code == 303, "a signed-out session must not come back"


REFUSED = "Tên đăng nhập hoặc mật khẩu không đúng, hoặc tài khoản đang tạm khóa."


def test_a_wrong_password_is_refused_politely_and_five_lock_the_account(site):
    client = site.client()
    for _ in range(5):
        response = client.sign_in("nghean", "sai-mat-khau")
        assert response.status_code == 401 and REFUSED in response.text
    response = site.client().sign_in("nghean", PASSWORD)
    assert response.status_code == 401 and REFUSED in response.text, "a browser new to the account is locked out"
    admin = site.signed_in("quantri")
    user_id = next(u.id for u in site.accounts.users() if u.username == "nghean")
    assert "tạm khóa đến" in admin.get("/users").text
    assert admin.post(f"/users/{user_id}/unlock").status_code == 303
    assert client.sign_in("nghean", PASSWORD).status_code == 303


def test_sign_in_does_not_reveal_whether_a_username_exists(site):
    for _ in range(5):
        with pytest.raises(AccountError):
            site.accounts.sign_in("nghean2", "sai-mat-khau")  # locked now
    hanoi = next(u.id for u in site.accounts.users() if u.username == "hanoi")
    site.accounts.set_active(hanoi, False)
    client = site.client()
    answers = set()
    for username, password in [("khongco", PASSWORD), ("nghean", "sai-mat-khau"), ("nghean2", PASSWORD),
                               ("hanoi", PASSWORD)]:
        response = client.sign_in(username, password)
        page = response.text.replace(f'value="{username}"', 'value="…"')
        answers.add((response.status_code, page))
        assert response.status_code == 401 and REFUSED in page, username
    assert len(answers) == 1, "unknown, wrong password, locked and deactivated look the same"


def test_failed_sign_ins_are_limited_per_client_address(site):
    app = site.app()
    guesser, officer = site.client(app, "198.51.100.7"), site.client(app, "203.0.113.5")
    for i in range(10):
        assert guesser.sign_in(f"khongco{i}", "doan-mat-khau").status_code == 401
    refused = guesser.sign_in("nghean", PASSWORD)
    assert refused.status_code == 429 and int(refused.headers["Retry-After"]) > 0
    assert "Anh/chị đã đăng nhập sai nhiều lần. Xin vui lòng đợi ít phút rồi thử lại." in refused.text
    assert officer.sign_in("nghean", PASSWORD).status_code == 303, "another address is not limited"
    for _ in range(11):  # the officers of one office share an address: sign-ins that succeed do not count
        assert site.client(app, "203.0.113.5").sign_in("nghean2", PASSWORD).status_code == 303


@pytest.mark.server
def test_processes_sharing_a_redis_storage_share_the_counts(site):
    url = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
    try:
        redis.Redis.from_url(url, socket_connect_timeout=2).ping()
    except redis.exceptions.RedisError as error:
        pytest.skip(f"Redis unreachable at {url}: {error}")
    first, second = site.app(rate_limit_storage=url), site.app(rate_limit_storage=url)  # two processes
    address = f"2001:db8::{secrets.randbelow(1 << 16):x}"  # counts stay in Redis: one address per run
    for i in range(10):
        assert site.client((first, second)[i % 2], address).sign_in("khongco", "doan").status_code == 401
    assert site.client(first, address).sign_in("nghean", PASSWORD).status_code == 429
    assert site.client(second, address).sign_in("nghean", PASSWORD).status_code == 429


def test_the_client_address_comes_from_x_forwarded_for_only_behind_a_configured_proxy(site):
    def guesses(app, forwarded_for: list[str]) -> list[int]:  # type: ignore[no-untyped-def]
        client = site.client(app, "10.0.0.2")  # the proxy
        token = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/login").text).group(1)
        form = {"username": "khongco", "password": "doan-mat-khau", "csrf_token": token}
        return [client.http.post("/login", data=form, headers={"X-Forwarded-For": address}).status_code
                for address in forwarded_for]
    rotating = [f"198.51.100.{i}" for i in range(11)]
    assert guesses(site.app(), rotating)[-1] == 429, "without a trusted proxy the header is ignored"
    assert guesses(site.app(trusted_proxies=1), rotating) == [401] * 11, "one address each: none is limited"
    assert guesses(site.app(trusted_proxies=1), ["198.51.100.1"] * 11)[-1] == 429


def test_an_officer_cannot_be_locked_out_by_someone_elses_wrong_passwords(site):
    """The rule: once an officer has signed in from a browser, wrong passwords typed by anyone else,
    from any number of addresses, never stop that browser from signing in with the right password;
    a browser new to the account is refused for 15 minutes after 5 wrong passwords in a row."""
    app = site.app()
    officer = site.client(app, "203.0.113.5")
    assert officer.sign_in("nghean", PASSWORD).status_code == 303
    assert officer.post("/logout").status_code == 303
    for address in ("198.51.100.1", "198.51.100.2", "198.51.100.3"):
        guesser = site.client(app, address)
        for _ in range(4):
            assert guesser.sign_in("nghean", "doan-mat-khau").status_code == 401
    assert site.client(app, "198.51.100.4").sign_in("nghean", PASSWORD).status_code == 401, \
        "a stranger with the right password is still held by the lock-out"
    assert site.client(app, "203.0.113.5").sign_in("nghean", PASSWORD).status_code == 401, \
        "the officer's address alone is not enough"
    assert officer.sign_in("nghean", PASSWORD).status_code == 303, "the officer's browser passes"
    assert officer.get("/leads").status_code == 200


def test_changing_a_password_ends_the_other_sessions(site):
    phone, laptop = site.signed_in("nghean"), site.signed_in("nghean")
    changed = laptop.post("/password", {"old": PASSWORD, "new": "mat-khau-moi-1", "again": "mat-khau-moi-1"})
    assert changed.status_code == 303
    assert laptop.get("/leads").status_code == 200, "the session that changed it stays"
    assert phone.get("/leads").status_code == 303, "every other session ends"
    user_id = next(u.id for u in site.accounts.users() if u.username == "nghean")
    assert site.signed_in("quantri").post(f"/users/{user_id}/reset").status_code == 200
    assert laptop.get("/leads").status_code == 303, "an administrator's reset ends every session"


def test_the_session_cookie_is_secure_unless_served_on_loopback(site):
    for host, secure in [("0.0.0.0", True), ("127.0.0.1", False)]:
        response = StaffClient(app_for(site.engine, host, {}).test_client()).sign_in("nghean", PASSWORD)
        cookie = next(c for c in response.headers.getlist("Set-Cookie") if c.startswith("staff_session="))
        assert ("; Secure" in cookie) == secure, host


@pytest.mark.parametrize("host, setting, secure", [
    ("0.0.0.0", None, True), ("192.0.2.80", None, True), ("staff.example.vn", None, True),
    ("127.0.0.1", None, False), ("127.0.0.2", None, False), ("localhost", None, False), ("::1", None, False),
    ("0.0.0.0", "0", False), ("127.0.0.1", "1", True),
])
def test_secure_cookies_by_default_but_on_loopback_or_as_the_variable_says(host, setting, secure):
    assert secure_cookies(host, setting) is secure


def test_a_mistyped_cookie_or_proxy_setting_stops_the_start():
    with pytest.raises(ValueError, match="STAFF_SECURE_COOKIES"):
        secure_cookies("0.0.0.0", "yes")
    with pytest.raises(ValueError, match="STAFF_TRUSTED_PROXIES"):
        app_for(db.make_engine("sqlite://"), "127.0.0.1", {"STAFF_TRUSTED_PROXIES": "one"})


def test_forms_without_the_sessions_csrf_token_are_refused(site):
    lead_id = site.leads["Phạm Văn Hùng"]
    client, other = site.signed_in("nghean"), site.signed_in("nghean2")
    assert client.post(f"/leads/{lead_id}/status", {"status": CONTACTED}, csrf=False).status_code == 400
    forged = client.post(f"/leads/{lead_id}/status", {"status": CONTACTED, "csrf_token": other.csrf})
    assert forged.status_code == 400
    assert client.post("/logout", csrf=False).status_code == 400
    assert site.client().http.post("/login", data={"username": "nghean", "password": PASSWORD}).status_code == 400
    assert _lead(site, lead_id).status == NEW


def test_sign_in_returns_only_to_a_page_of_this_site(site):
    for target, expected in [("//evil.example/x", "/"), ("https://evil.example", "/"), ("/overview", "/overview")]:
        assert site.client().sign_in("hanoi", PASSWORD, next=target).location == expected


def test_a_one_time_password_must_be_changed_first(site):
    password = site.accounts.ensure_admin()
    assert password is None, "an admin exists already"
    user_id = next(u.id for u in site.accounts.users() if u.username == "hanoi")
    one_time = site.accounts.reset_password(user_id)
    client = site.signed_in("hanoi", one_time)
    assert client.get("/leads").location == "/password"
    assert client.post("/password", {"old": one_time, "new": "ngan", "again": "ngan"}).status_code == 400
    assert client.post("/password", {"old": one_time, "new": "mat-khau-moi-1", "again": "mat-khau-moi-1"}).status_code == 303
    assert client.get("/leads").status_code == 200


def test_pages_carry_security_headers_and_are_not_cached(site):
    response = site.signed_in("nghean").get("/leads")
    assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["Cache-Control"] == "no-store"


def test_an_oversized_request_is_refused(site):
    client = site.signed_in("nghean")
    lead_id = site.leads["Phạm Văn Hùng"]
    response = client.post(f"/leads/{lead_id}/notes", {"text": "x" * 100_000})
    assert response.status_code == 413 and "quá lớn" in response.text
    assert _lead(site, lead_id).notes == []


# Roles and province isolation


def test_an_office_account_cannot_reach_another_provinces_lead_by_any_route(site):
    hanoi_lead = site.leads["Lê Thị Hồng Nhung"]
    client = site.signed_in("nghean")
    for method, url in route_urls(hanoi_lead):
        if f"/leads/{hanoi_lead}" not in url:
            continue
        response = client.http.open(url, method=method, data={"csrf_token": client.csrf, "status": CONTACTED,
                                                               "assigned_to": "nghean", "text": "ghi chú"})
        assert response.status_code == 404, (method, url)
        assert "Lê Thị Hồng Nhung" not in response.text
    lead = _lead(site, hanoi_lead)
    assert (lead.status, lead.assigned_to, lead.notes) == (NEW, None, [])


def test_an_office_account_sees_and_exports_only_its_province_whatever_the_url_says(site):
    client = site.signed_in("nghean")
    for url in ["/leads", "/leads?province=Hà+Nội", "/leads?q=nhung", "/leads?q=0909",
                "/leads/export.csv?province=Hà+Nội", "/leads/export.xlsx", "/overview"]:
        body = client.get(url).data
        if url.endswith(".xlsx"):
            body = _xlsx_text(body).encode()
        assert "Nhung".encode() not in body and b"0909123123" not in body and "Hà Nội".encode() not in body, url
    assert total(client.get("/leads?province=Hà+Nội")) == 3


def test_the_administrator_sees_every_province(site):
    client = site.signed_in("quantri")
    assert total(client.get("/leads")) == 4
    assert total(client.get("/leads?province=ha+noi")) == 1


def test_a_trainer_sees_the_overview_but_no_lead(site):
    client = site.signed_in("huanluyen")
    assert client.get("/").location == "/review"
    assert client.get("/overview").status_code == 200
    for url in ["/leads", f"/leads/{site.leads['Phạm Văn Hùng']}", "/leads/export.csv", "/users"]:
        assert client.get(url).status_code == 403, url


def test_only_the_administrator_manages_users(site):
    assert site.signed_in("nghean").get("/users").status_code == 403
    admin = site.signed_in("quantri")
    created = admin.post("/users", {"username": "vinh.office", "role": "office", "province": "Nghệ An"})
    assert created.status_code == 200 and "Mật khẩu dùng một lần" in created.text
    one_time = re.search(r"Mật khẩu dùng một lần: (\S+)</p>", created.text).group(1)
    assert site.signed_in("vinh.office", one_time).get("/leads").location == "/password"
    refused = admin.post("/users", {"username": "x", "role": "office", "province": ""})
    assert refused.status_code == 400
    admin_id = next(u.id for u in site.accounts.users() if u.username == "quantri")
    assert "quản trị viên cuối cùng" in admin.post(f"/users/{admin_id}/deactivate").text


def test_a_deactivated_account_loses_its_session(site):
    office = site.signed_in("hanoi")
    user_id = next(u.id for u in site.accounts.users() if u.username == "hanoi")
    assert site.signed_in("quantri").post(f"/users/{user_id}/deactivate").status_code == 303
    assert office.get("/leads").status_code == 303
    assert office.sign_in("hanoi", PASSWORD).status_code == 401


# Lists and filters


def test_filters_search_and_counts(site):
    client = site.signed_in("nghean")
    assert total(client.get("/leads")) == 3
    assert total(client.get("/leads?channel=zalo")) == 1
    assert total(client.get("/leads?target_group=farmer")) == 1
    assert total(client.get("/leads?q=hung")) == 1, "a search ignores diacritics"
    assert total(client.get("/leads?q=PHẠM")) == 1
    assert total(client.get("/leads?q=654")) == 1, "any part of the phone number"
    assert total(client.get("/leads?q=%2B84+987+654+321")) == 1
    assert total(client.get("/leads?q=%25")) == 0, "LIKE wildcards are literal"
    page = client.get("/leads?status=mới").text
    assert "mới: 3" in page and "đã liên hệ: 0" in page


def test_the_date_range_uses_vietnams_days(site):
    client = site.signed_in("nghean")
    site.backdate(site.leads["Nguyễn Thị Lan"], days=10)
    from bot.storage.orm import now
    from bot.staff.queries import local
    today = local(now()).date()
    ten_days_ago = today.fromordinal(today.toordinal() - 10)
    assert total(client.get(f"/leads?date_from={today}")) == 2
    assert total(client.get(f"/leads?date_to={ten_days_ago}")) == 1
    assert total(client.get(f"/leads?date_from={ten_days_ago}&date_to={ten_days_ago}")) == 1
    assert total(client.get("/leads?date_from=not-a-date")) == 3


def test_newest_first_with_pages(site):
    for i in range(30):
        site.store.submit(lead_request(f"Người thứ {i}", f"09110000{i:02d}", "Nghệ An"))
    client = site.signed_in("nghean")
    first = client.get("/leads").text
    assert total(client.get("/leads")) == 33
    assert "Trang 1/2" in first and first.index("Người thứ 29") < first.index("Người thứ 28")
    second = client.get("/leads?page=2").text
    assert "Trang 2/2" in second and "Phạm Văn Hùng" in second and "Người thứ 29" not in second
    assert "Trang 2/2" in client.get("/leads?page=99").text


# The follow-up workflow


def test_the_status_workflow_records_who_and_when(site):
    lead_id = site.leads["Phạm Văn Hùng"]
    client = site.signed_in("nghean")
    refused = client.post(f"/leads/{lead_id}/status", {"status": REGISTERED})
    assert refused.status_code == 409 and "Không thể chuyển" in refused.text
    for status in (CONTACTED, REGISTERED):
        assert client.post(f"/leads/{lead_id}/status", {"status": status}).status_code == 303
    lead = _lead(site, lead_id)
    assert lead.status == REGISTERED
    assert [(h.status, h.changed_by) for h in lead.history] == [(NEW, "trợ lý"), (CONTACTED, "nghean"), (REGISTERED, "nghean")]
    assert client.post(f"/leads/{lead_id}/status", {"status": CONTACTED}).status_code == 409, "a registration is final"
    page = client.get(f"/leads/{lead_id}").text
    assert "đã đăng ký tham gia</span> · nghean" in page


@pytest.mark.parametrize("path", [[UNREACHABLE, CONTACTED, NOT_INTERESTED], [CONTACTED, UNREACHABLE]])
def test_other_paths_of_the_workflow(site, path):
    lead_id = site.leads["Phạm Văn Hùng"]
    client = site.signed_in("nghean")
    for status in path:
        assert client.post(f"/leads/{lead_id}/status", {"status": status}).status_code == 303, status
    assert _lead(site, lead_id).status == path[-1]
    assert client.post(f"/leads/{lead_id}/status", {"status": "bịa ra"}).status_code == 409


def test_assignment_to_an_officer_of_the_province_and_notes(site):
    lead_id = site.leads["Phạm Văn Hùng"]
    client = site.signed_in("nghean")
    assert client.post(f"/leads/{lead_id}/assign", {"assigned_to": "hanoi"}).status_code == 409
    assert client.post(f"/leads/{lead_id}/assign", {"assigned_to": "nghean2"}).status_code == 303
    assert client.post(f"/leads/{lead_id}/notes", {"text": "Gọi lúc 9h, hẹn gọi lại chiều"}).status_code == 303
    assert client.post(f"/leads/{lead_id}/notes", {"text": "   "}).status_code == 409
    lead = _lead(site, lead_id)
    assert lead.assigned_to == "nghean2"
    assert [(a.assigned_to, a.changed_by) for a in lead.assignments] == [("nghean2", "nghean")]
    assert [(n.author, n.text) for n in lead.notes] == [("nghean", "Gọi lúc 9h, hẹn gọi lại chiều")]
    page = client.get(f"/leads/{lead_id}").text
    assert "giao cho nghean2 · nghean" in page and "Gọi lúc 9h, hẹn gọi lại chiều" in page


def test_the_lead_page_shows_every_field_the_consent_and_the_transcript(site):
    lead_id = site.leads["Nguyễn Thị Lan"]
    store_events(site.engine, "c-0987654321", [user("gọi lại cho tôi", "request_callback", 0.99),
                                               bot("Dạ, anh/chị đồng ý cho ... không ạ?")])
    page = site.signed_in("nghean").get(f"/leads/{lead_id}").text
    for expected in ["Nguyễn Thị Lan", "0987654321", "Nghệ An", "tiểu thương, buôn bán nhỏ", "5.000.000 đồng", "Mức đóng",
                     "Zalo", "2026-11-v1", "gọi lại cho tôi", "Dạ, anh/chị đồng ý"]:
        assert expected in page, expected


def test_text_from_citizens_is_escaped(site):
    lead_id = site.store.submit(lead_request("<script>alert(1)</script>", "0977000111", "Nghệ An"))
    page = site.signed_in("nghean").get(f"/leads/{lead_id}").text
    assert "<script>alert(1)</script>" not in page and "&lt;script&gt;" in page


def test_an_erased_lead_says_what_was_erased_when_and_why(site):
    withdrawn_id = site.store.submit(lead_request("Đinh Thị Hoa", "0977000222", "Nghệ An", commune="xã Nghi Phú",
                                                  preferred_time="buổi tối", conversation_id="zalo-hoa"))
    store_events(site.engine, "zalo-hoa", [user("tôi là Đinh Thị Hoa", "inform", 0.9)])
    erasure.withdraw(site.store, "zalo-hoa", datetime(2026, 11, 20, 3, 15, tzinfo=timezone.utc))
    page = site.signed_in("nghean").get(f"/leads/{withdrawn_id}").text
    for gone in ["Đinh Thị Hoa", "0977000222", "xã Nghi Phú", "buổi tối"]:
        assert gone not in page, gone
    assert "Nội dung trò chuyện <code>zalo-hoa</code> đã xóa lúc 20/11/2026 10:15 (người dân đã rút đồng ý)" in page
    assert re.search(r"Dữ liệu cá nhân</dt><dd>đã xóa lúc \d\d/\d\d/\d{4} \d\d:\d\d \(người dân đã rút đồng ý\)", page)

    expired_id = site.store.submit(lead_request("Vi Văn Tâm", "0977000333", "Nghệ An"))
    site.store.change_status(expired_id, CONTACTED, "nghean")
    site.store.change_status(expired_id, NOT_INTERESTED, "nghean")
    retention.purge(site.engine, retention.Retention(closed_lead_months=12),
                    datetime.now(timezone.utc) + timedelta(days=400))
    page = site.signed_in("nghean").get(f"/leads/{expired_id}").text
    assert "Vi Văn Tâm" not in page and "(hết thời hạn lưu trữ)" in page


def test_an_erased_message_shows_in_the_transcript_as_erased(site):
    lead_id = site.leads["Nguyễn Thị Lan"]
    store_events(site.engine, "c-0987654321", [user("tôi là Nguyễn Thị Lan", "inform", 0.9) | {"text": None},
                                               bot("Dạ, em cảm ơn")])
    page = site.signed_in("nghean").get(f"/leads/{lead_id}").text
    assert "(đã xóa)" in page and "Dạ, em cảm ơn" in page


def test_a_withdrawn_consent_hides_the_transcript(site):
    lead_id = site.leads["Phạm Văn Hùng"]
    store_events(site.engine, "c-0912345678", [user("tôi tên Phạm Văn Hùng", "inform", 0.9)])
    site.store.withdraw("c-0912345678")
    page = site.signed_in("nghean").get(f"/leads/{lead_id}").text
    assert "Phạm Văn Hùng" not in page and "đã rút đồng ý" in page


# Exports and overview


def test_csv_export_has_a_bom_diacritics_and_no_formula(site):
    response = site.signed_in("nghean").get("/leads/export.csv?channel=rest")
    assert response.data.startswith(b"\xef\xbb\xbf")
    assert "attachment" in response.headers["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(response.data.decode("utf-8-sig"))))
    assert {r["Họ tên"] for r in rows} == {"Phạm Văn Hùng", "'=HYPERLINK(\"http://x\")"}
    assert {r["Điện thoại"] for r in rows} == {"0912345678", "0333444555"}
    assert rows[0]["Tỉnh, thành phố"] == "Nghệ An" and rows[0]["Trạng thái"] == "mới"


def test_xlsx_export_keeps_diacritics_and_phones_as_text(site):
    response = site.signed_in("quantri").get("/leads/export.xlsx?q=nguyen")
    sheet = load_workbook(io.BytesIO(response.data)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:5] == ("Mã", "Ngày tạo", "Trạng thái", "Họ tên", "Điện thoại")
    assert [r[3:6] for r in rows[1:]] == [("Nguyễn Thị Lan", "0987654321", "Nghệ An")]
    all_rows = load_workbook(io.BytesIO(site.signed_in("quantri").get("/leads/export.xlsx").data)).active
    formula = next(c for c in all_rows["D"] if str(c.value).startswith("=HYPERLINK"))
    assert formula.data_type == "s", "a name typed in the chat is never a formula"


def test_the_overview_counts_and_conversion(site):
    lead_id = site.leads["Phạm Văn Hùng"]
    client = site.signed_in("nghean")
    for status in (CONTACTED, REGISTERED):
        client.post(f"/leads/{lead_id}/status", {"status": status})
    page = client.get("/overview").text
    assert re.search(r'<span class="big">3</span><span>yêu cầu tư vấn', page)
    assert re.search(r'<span class="big">1</span><span>đã đăng ký tham gia', page)
    assert "33,3%" in page
    assert "<title>Nghệ An: 3</title>" in page and "Hà Nội" not in page
    assert "<title>Zalo: 1</title>" in page and "<title>nông dân: 1</title>" in page
    assert page.count("<rect class=\"column\"") == 30
    admin = site.signed_in("quantri").get("/overview").text
    assert "<title>Hà Nội: 1</title>" in admin


def test_no_name_or_phone_reaches_the_logs(site, caplog):
    caplog.set_level(logging.DEBUG)
    client = site.signed_in("nghean")
    lead_id = site.leads["Phạm Văn Hùng"]
    client.get("/leads?q=0912345678")
    client.get("/leads?q=Phạm Văn Hùng")
    client.get(f"/leads/{lead_id}")
    client.post(f"/leads/{lead_id}/status", {"status": CONTACTED})
    client.post(f"/leads/{lead_id}/notes", {"text": "Anh Hùng hẹn gọi lại"})
    client.get("/leads/export.xlsx")
    assert caplog.records, "the actions are logged"
    for secret in ["0912345678", "Hùng", "Hung", PASSWORD]:
        assert secret not in caplog.text


# Possible duplicates and the outbox


def test_a_possible_duplicate_is_flagged_and_linked_only_within_the_officers_province(site):
    hung = site.leads["Phạm Văn Hùng"]  # 0912345678, Nghệ An
    in_hanoi = site.store.submit(lead_request("Trần Thị Mơ", "0912345678", "Hà Nội", conversation_id="c-mo"))
    in_nghean = site.store.submit(lead_request("Lê Văn Cường", "0912345678", "Nghệ An", conversation_id="c-cuong"))
    link = f'Có thể trùng với <a href="/leads/{hung}">yêu cầu #{hung}</a> (cùng số điện thoại)'
    hanoi = site.signed_in("hanoi")
    for page in (hanoi.get(f"/leads/{in_hanoi}").text, hanoi.get("/leads").text):
        assert "Có thể trùng với một yêu cầu ở tỉnh khác (cùng số điện thoại)" in page
        assert f'/leads/{hung}"' not in page
    nghean = site.signed_in("nghean")
    assert link in nghean.get(f"/leads/{in_nghean}").text
    listing = nghean.get("/leads").text
    assert listing.count("Có thể trùng với") == 1 and link in listing
    assert "Có thể trùng" not in nghean.get(f"/leads/{hung}").text
    assert link in site.signed_in("quantri").get(f"/leads/{in_hanoi}").text


def test_the_administrators_overview_counts_what_waits_and_the_dead_letters(site, tmp_path):
    outbox = Outbox(tmp_path / "outbox")
    outbox.put(lead_request("Đỗ Văn Dũng", "0966000111", "Nghệ An"))
    outbox.set_aside(outbox.put(lead_request("Hà Văn Tú", "0966000222", "Nghệ An")), "invalid: phone: missing")
    app = create_app(site.engine, today=lambda: local(now()).date(), outbox=outbox)
    admin, office = StaffClient(app.test_client()), StaffClient(app.test_client())
    admin.sign_in("quantri", PASSWORD)
    page = admin.get("/overview").text
    assert '<strong id="waiting">1</strong>' in page and '<strong id="dead-letters">1</strong>' in page
    assert "bot leads replay" in page
    office.sign_in("nghean", PASSWORD)
    assert 'id="dead-letters"' not in office.get("/overview").text  # the server's queue, not a province's
def test_the_command_line_csv_export_neutralises_formulas_like_the_web_export(site, tmp_path, monkeypatch):
    monkeypatch.setenv("BOT_DATABASE_URL", site.engine.url.render_as_string(hide_password=False))
    monkeypatch.setenv("BOT_OUTBOX_DIR", str(tmp_path / "outbox"))
    out = tmp_path / "leads.csv"
    assert main(["leads", "export", "--format", "csv", "--output", str(out)]) == 0
    raw = out.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"))))
    assert {r["full_name"] for r in rows} == {"Phạm Văn Hùng", "Nguyễn Thị Lan", "Lê Thị Hồng Nhung",
                                              "'=HYPERLINK(\"http://x\")"}
    assert {r["phone"] for r in rows} >= {"0912345678", "0333444555"}


# The trainers' story export

CALLBACK_TALK = [
    user("đóng bao nhiêu một tháng", "ask_contribution", 0.95), action(),
    user("gọi lại cho tôi", "request_callback", 0.97), action("action_callback"), slot("flow", "callback"),
    user("có", "affirm", 0.99), action("action_callback"),
    user("Trần Văn Ba", "inform", 0.9, entities=[{"entity": "person_name", "start": 0, "end": 11,
                                                  "value": "Trần Văn Ba"}]), action("action_callback"),
    user("0912 345 678", "inform", 0.9, entities=[{"entity": "phone", "start": 0, "end": 12,
                                                   "value": "0912345678"}]), action("action_callback"),
    user("xã Hưng Lộc", "inform", 0.6), action("action_callback"),
    user("sáng thứ bảy", "inform", 0.8), action("action_callback"),
    user("đúng", "affirm", 0.99), action("action_callback"), slot("flow", None),
    user("cảm ơn em", "thank", 0.98), action(),
]


def test_a_story_keeps_only_the_intents_of_the_callback_answers(site):
    site.store.submit(lead_request("Trần Văn Ba", "0912345678", "Nghệ An", conversation_id="web:ba"))
    store_events(site.engine, "web:ba", CALLBACK_TALK)
    exported = Inbox(site.engine).story("web:ba")
    for personal in ["Trần", "Văn Ba", "0912", "345", "Hưng Lộc", "thứ bảy"]:
        assert personal not in exported, personal
    assert yaml.safe_load(exported)["stories"][0]["steps"] == [
        {"user": "đóng bao nhiêu một tháng", "intent": "ask_contribution"}, {"action": "action_answer"},
        {"user": "gọi lại cho tôi", "intent": "request_callback"}, {"action": "action_callback"},
        {"intent": "affirm"}, {"action": "action_callback"},
        {"intent": "inform"}, {"action": "action_callback"},
        {"intent": "inform"}, {"action": "action_callback"},
        {"intent": "inform"}, {"action": "action_callback"},
        {"intent": "inform"}, {"action": "action_callback"},
        {"intent": "affirm"}, {"action": "action_callback"},
        {"user": "cảm ơn em", "intent": "thank"}, {"action": "action_answer"},
    ]


def test_a_withdrawn_conversation_is_not_exported_as_a_story(site, monkeypatch, capsys):
    site.store.submit(lead_request("Trần Văn Ba", "0912345678", "Nghệ An", conversation_id="web:ba"))
    store_events(site.engine, "web:ba", CALLBACK_TALK)
    site.store.withdraw("web:ba")
    with pytest.raises(Withdrawn):
        Inbox(site.engine).story("web:ba")
    page = site.signed_in("huanluyen").get("/review/story.yml?conversation=web:ba")
    assert page.status_code == 410 and "rút lại đồng ý" in page.text and "đóng bao nhiêu" not in page.text
    monkeypatch.setenv("BOT_DATABASE_URL", site.engine.url.render_as_string(hide_password=False))
    assert main(["review", "story", "--conversation", "web:ba"]) == 2
    printed = capsys.readouterr()
    assert "rút lại đồng ý" in printed.err and "đóng bao nhiêu" not in printed.out


def test_a_consent_withdrawn_in_a_conversation_refuses_its_story(site):
    site.store.submit(lead_request("Trần Văn Ba", "0912345678", "Nghệ An", conversation_id="web:ba"))
    store_events(site.engine, "web:ba", CALLBACK_TALK)
    with Session(site.engine, future=True) as session, session.begin():  # recorded on the consent only
        session.execute(update(Consent).where(Consent.conversation_id == "web:ba").values(withdrawn_at=now()))
    with pytest.raises(Withdrawn):
        Inbox(site.engine).story("web:ba")


def _lead(site, lead_id):
    from bot.staff.accounts import Staff
    from bot.staff.queries import lead_for
    return lead_for(site.engine, lead_id, Staff(0, "test", "admin", None, False))


def _xlsx_text(data: bytes) -> str:
    sheet = load_workbook(io.BytesIO(data)).active
    return "\n".join(str(v) for row in sheet.iter_rows(values_only=True) for v in row if v is not None)
