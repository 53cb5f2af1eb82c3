"""Staff accounts: creation rules, password hashes, session expiry, the first administrator and the
`bot staff` command line."""
from __future__ import annotations

import os
import subprocess
from datetime import timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.staff.accounts import (DEVICE_MAX_AGE, IDLE_TIMEOUT, LOCKOUT, SESSION_MAX_AGE, AccountError, Accounts,
                                 StaffUser)
from bot.storage import db
from bot.storage.orm import now
from db_fixtures import fresh_sqlite

ROOT = __import__("conftest").ROOT
BOT = str(ROOT / ".venv" / "bin" / "bot")


class Clock:
    def __init__(self) -> None:
        self.at = now()

    def __call__(self):  # type: ignore[no-untyped-def]
        return self.at


@pytest.fixture
def url(tmp_path):
    with fresh_sqlite(tmp_path) as url:
        yield url


@pytest.fixture
def clock():
    return Clock()


@pytest.fixture
def accounts(url, clock):
    engine = db.make_engine(url)
    yield Accounts(engine, clock)
    engine.dispose()


def test_passwords_are_stored_as_argon2_hashes(accounts):
    accounts.create_user("lan", "mat-khau-rieng", "office", "nghe an")
    with Session(accounts.engine) as session:
        user = session.execute(select(StaffUser)).scalar_one()
    assert user.password_hash.startswith("$argon2id$") and "mat-khau-rieng" not in user.password_hash
    assert user.province == "Nghệ An", "the province is stored by its current name"


@pytest.mark.parametrize("username, password, role, province, reason", [
    ("lan", "ngan", "office", "Nghệ An", "ít nhất 8"),
    ("Lan Anh", "mat-khau-du-dai", "office", "Nghệ An", "Tên đăng nhập"),
    ("lan", "mat-khau-du-dai", "office", None, "34 tỉnh"),
    ("lan", "mat-khau-du-dai", "office", "Atlantis", "34 tỉnh"),
    ("lan", "mat-khau-du-dai", "admin", "Nghệ An", "Chỉ tài khoản cán bộ"),
    ("lan", "mat-khau-du-dai", "boss", None, "Vai trò"),
])
def test_invalid_accounts_are_refused_with_the_reason(accounts, username, password, role, province, reason):
    with pytest.raises(AccountError, match=reason):
        accounts.create_user(username, password, role, province)


def test_a_username_is_unique(accounts):
    accounts.create_user("lan", "mat-khau-du-dai", "trainer")
    with pytest.raises(AccountError, match="đã có"):
        accounts.create_user("LAN", "mat-khau-khac-1", "trainer")


def test_sessions_end_when_idle_too_long_and_after_the_longest_day(accounts, clock):
    accounts.create_user("lan", "mat-khau-du-dai", "trainer")
    idle = accounts.sign_in("lan", "mat-khau-du-dai")
    clock.at += IDLE_TIMEOUT - timedelta(minutes=1)
    assert accounts.current(idle.token) is not None
    clock.at += IDLE_TIMEOUT + timedelta(minutes=1)
    assert accounts.current(idle.token) is None
    busy = accounts.sign_in("lan", "mat-khau-du-dai")
    start = clock.at
    while clock.at < start + SESSION_MAX_AGE - timedelta(hours=1):
        clock.at += timedelta(hours=1)
        assert accounts.current(busy.token) is not None
    clock.at = start + SESSION_MAX_AGE
    assert accounts.current(busy.token) is None
    assert accounts.current("not-a-token") is None and accounts.current(None) is None


def test_a_lockout_ends_by_itself(accounts, clock):
    accounts.create_user("lan", "mat-khau-du-dai", "trainer")
    for _ in range(5):
        with pytest.raises(AccountError, match="không đúng"):
            accounts.sign_in("lan", "sai")
    with pytest.raises(AccountError, match="tạm khóa"):
        accounts.sign_in("lan", "mat-khau-du-dai")
    clock.at += LOCKOUT
    assert accounts.sign_in("lan", "mat-khau-du-dai").staff.username == "lan"


def lock(accounts, username: str) -> None:  # type: ignore[no-untyped-def]
    for _ in range(5):
        with pytest.raises(AccountError):
            accounts.sign_in(username, "sai")


def test_a_lockout_lets_only_the_browsers_where_the_officer_signed_in_before(accounts, clock):
    accounts.create_user("lan", "mat-khau-du-dai", "trainer")
    accounts.create_user("hoa", "mat-khau-cua-hoa", "trainer")
    lans, hoas = accounts.sign_in("lan", "mat-khau-du-dai"), accounts.sign_in("hoa", "mat-khau-cua-hoa")
    lock(accounts, "lan")

    def with_device(token):  # type: ignore[no-untyped-def]
        return lambda user_id: token if user_id == lans.staff.id else None
    with pytest.raises(AccountError):
        accounts.sign_in("lan", "mat-khau-du-dai")
    altered = lans.device_token[:-1] + ("1" if lans.device_token[-1] == "0" else "0")
    for other in [hoas.device_token, altered, "1.2.3", ""]:
        with pytest.raises(AccountError):
            accounts.sign_in("lan", "mat-khau-du-dai", with_device(other))
    with pytest.raises(AccountError):  # the right password is still needed
        accounts.sign_in("lan", "sai", with_device(lans.device_token))
    assert accounts.sign_in("lan", "mat-khau-du-dai", with_device(lans.device_token)).staff.username == "lan"
    clock.at += DEVICE_MAX_AGE
    lock(accounts, "lan")
    with pytest.raises(AccountError):  # a device token expires
        accounts.sign_in("lan", "mat-khau-du-dai", with_device(lans.device_token))


def test_a_new_password_revokes_the_device_tokens(accounts):
    accounts.create_user("lan", "mat-khau-du-dai", "trainer")
    old = accounts.sign_in("lan", "mat-khau-du-dai")
    new_token = accounts.change_password(old.staff.id, "mat-khau-du-dai", "mat-khau-moi-1", old.token)
    lock(accounts, "lan")
    with pytest.raises(AccountError):
        accounts.sign_in("lan", "mat-khau-moi-1", lambda user_id: old.device_token)
    assert accounts.sign_in("lan", "mat-khau-moi-1", lambda user_id: new_token)


def test_a_good_sign_in_resets_the_failure_count(accounts):
    accounts.create_user("lan", "mat-khau-du-dai", "trainer")
    for _ in range(3):
        with pytest.raises(AccountError):
            accounts.sign_in("lan", "sai")
    accounts.sign_in("lan", "mat-khau-du-dai")
    for _ in range(4):
        with pytest.raises(AccountError, match="không đúng"):
            accounts.sign_in("lan", "sai")
    assert accounts.sign_in("lan", "mat-khau-du-dai")


def _bot(url: str, *args: str, stdin: str | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([BOT, *args], input=stdin, capture_output=True, text=True,
                          env={**os.environ, "BOT_DATABASE_URL": url})


def test_the_command_line_creates_users_with_the_password_from_stdin(url):
    done = _bot(url, "staff", "create-user", "--username", "hoa", "--role", "office", "--province", "Nghệ An",
                stdin="mat-khau-tu-stdin\n")
    assert done.returncode == 0 and "Nghệ An" in done.stdout
    assert Accounts(db.make_engine(url)).sign_in("hoa", "mat-khau-tu-stdin").staff.province == "Nghệ An"
    again = _bot(url, "staff", "create-user", "--username", "hoa", "--password", "mat-khau-khac-1", "--role", "trainer")
    assert again.returncode == 2 and "đã có" in again.stderr


def test_the_first_administrator_is_created_once_with_a_one_time_password(url):
    first = _bot(url, "staff", "ensure-admin")
    password = first.stdout.split("mật khẩu dùng một lần: ")[1].split()[0]
    assert first.returncode == 0 and len(password) >= 12
    signed = Accounts(db.make_engine(url)).sign_in("admin", password)
    assert signed.staff.role == "admin" and signed.staff.must_change_password
    second = _bot(url, "staff", "ensure-admin")
    assert second.returncode == 0 and second.stdout == ""


def test_the_staff_migration_keeps_existing_leads_searchable(tmp_path):
    from sqlalchemy import text
    url = f"sqlite:///{tmp_path / 'old.db'}"
    db.upgrade(url, "0001")
    engine = db.make_engine(url)
    with engine.begin() as connection:
        connection.execute(text(
            "INSERT INTO leads (id, created_at, updated_at, status, full_name, phone, province, office, interests,"
            " channel, conversation_id) VALUES (1, '2026-11-01 01:00:00', '2026-11-01 01:00:00', 'mới',"
            " 'Đặng Thị Hồng', '0912345678', 'Nghệ An', 'BHXH Nghệ An', '[]', 'rest', 'c1')"))
    db.upgrade(url)
    with engine.connect() as connection:
        assert connection.execute(text("SELECT name_folded FROM leads")).scalar_one() == "dang thi hong"
    engine.dispose()
