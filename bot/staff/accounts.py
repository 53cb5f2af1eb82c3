"""Staff accounts: users with a role (and a province for office staff), argon2 password hashes,
a lock-out after repeated failed sign-ins that the officer's own browsers pass (device tokens), and
server-side sessions so that signing out or an expired session really ends access (the cookie holds
only a random token)."""
from __future__ import annotations

import hashlib
import hmac
import logging
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Callable

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerifyMismatchError
from sqlalchemy import Boolean, Column, ForeignKey, Integer, String, delete, func, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from bot.language.provinces import province_by_name
from bot.storage.orm import Base, UtcDateTime, now

log = logging.getLogger(__name__)

ADMIN, OFFICE, TRAINER = "admin", "office", "trainer"
ROLES = (ADMIN, OFFICE, TRAINER)
ROLE_LABELS = {ADMIN: "Quản trị", OFFICE: "Cán bộ BHXH", TRAINER: "Huấn luyện viên"}
MAX_FAILED_SIGN_INS = 5
LOCKOUT = timedelta(minutes=15)
DEVICE_MAX_AGE = timedelta(days=90)
# One answer for a wrong password, an unknown username, a locked and a deactivated account, so that
# a sign-in never tells whether a username exists.
SIGN_IN_REFUSED = ("Tên đăng nhập hoặc mật khẩu không đúng, hoặc tài khoản đang tạm khóa. "
                   "Anh/chị thử lại sau ít phút hoặc nhờ quản trị viên.")
IDLE_TIMEOUT = timedelta(hours=2)
SESSION_MAX_AGE = timedelta(hours=12)
MIN_PASSWORD_CHARS = 8
_USERNAME = re.compile(r"[a-z0-9][a-z0-9._-]{2,39}")
_hasher = PasswordHasher()
# Verified against when the username does not exist, so that the answer takes as long.
_DUMMY_HASH = _hasher.hash(secrets.token_hex(16))


class StaffUser(Base):
    __tablename__ = "staff_users"
    id = Column(Integer, primary_key=True)
    username = Column(String(40), nullable=False, unique=True)
    password_hash = Column(String(255), nullable=False)
    role = Column(String(20), nullable=False)
    province = Column(String(60))
    active = Column(Boolean, nullable=False, default=True)
    must_change_password = Column(Boolean, nullable=False, default=False)
    failed_logins = Column(Integer, nullable=False, default=0)
    locked_until = Column(UtcDateTime)
    created_at = Column(UtcDateTime, nullable=False)
    last_login_at = Column(UtcDateTime)


class StaffSession(Base):
    __tablename__ = "staff_sessions"
    token_sha256 = Column(String(64), primary_key=True)
    user_id = Column(Integer, ForeignKey("staff_users.id"), nullable=False, index=True)
    csrf_token = Column(String(64), nullable=False)
    created_at = Column(UtcDateTime, nullable=False)
    last_seen_at = Column(UtcDateTime, nullable=False)


class AccountError(ValueError):
    """Refused: the message says why, in Vietnamese, for the page or the command line."""


@dataclass(frozen=True)
class Staff:
    """A signed-in staff member, detached from the database."""

    id: int
    username: str
    role: str
    province: str | None
    must_change_password: bool
    active: bool = True
    locked_until: datetime | None = None

    @property
    def role_label(self) -> str:
        return ROLE_LABELS[self.role]

    @property
    def sees_leads(self) -> bool:
        return self.role in (ADMIN, OFFICE)

    @property
    def province_scope(self) -> str | None:
        """The only province whose leads this person may see; None: every province."""
        return self.province if self.role == OFFICE else None

    def may_see(self, province: str) -> bool:
        return self.sees_leads and self.province_scope in (None, province)


@dataclass(frozen=True)
class SignedIn:
    staff: Staff
    token: str  # for the cookie
    csrf_token: str
    device_token: str = ""  # for the device cookie: this browser passes a lock-out of the account


def _staff(user: StaffUser) -> Staff:
    return Staff(user.id, user.username, user.role, user.province, user.must_change_password,
                 user.active, user.locked_until)


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def one_time_password() -> str:
    return secrets.token_urlsafe(12)


def check_password_rules(password: str) -> None:
    if len(password) < MIN_PASSWORD_CHARS:
        raise AccountError(f"Mật khẩu cần ít nhất {MIN_PASSWORD_CHARS} ký tự.")
    if len(password) > 200:
        raise AccountError("Mật khẩu dài quá 200 ký tự.")


class Accounts:
    def __init__(self, engine: Engine, clock: Callable[[], datetime] = now) -> None:
        self.engine = engine
        self.clock = clock

    def _session(self) -> Session:
        return Session(self.engine, future=True, expire_on_commit=False)

    def create_user(self, username: str, password: str, role: str, province: str | None = None,
                    must_change_password: bool = False) -> Staff:
        username = username.strip().lower()
        if not _USERNAME.fullmatch(username):
            raise AccountError("Tên đăng nhập gồm 3–40 ký tự: chữ thường không dấu, số, dấu chấm, gạch ngang.")
        if role not in ROLES:
            raise AccountError(f"Vai trò phải là một trong: {', '.join(ROLES)}.")
        if role == OFFICE:
            found = province_by_name(province or "")
            if found is None:
                raise AccountError("Tài khoản cán bộ cần một trong 34 tỉnh, thành phố (ví dụ --province \"Nghệ An\").")
            province = found.name
        elif province:
            raise AccountError("Chỉ tài khoản cán bộ (office) gắn với một tỉnh.")
        check_password_rules(password)
        with self._session() as session, session.begin():
            if session.execute(select(StaffUser.id).where(StaffUser.username == username)).first():
                raise AccountError(f"Tên đăng nhập “{username}” đã có.")
            user = StaffUser(username=username, password_hash=_hasher.hash(password), role=role,
                             province=province, active=True, must_change_password=must_change_password,
                             failed_logins=0, created_at=self.clock())
            session.add(user)
            session.flush()
            log.info("staff user %s created (%s)", username, role)
            return _staff(user)

    def ensure_admin(self) -> str | None:
        """With no administrator yet, create "admin" with a one-time password and return it."""
        with self._session() as session:
            if session.execute(select(StaffUser.id).where(StaffUser.role == ADMIN)).first():
                return None
        password = one_time_password()
        self.create_user("admin", password, ADMIN, must_change_password=True)
        return password

    def sign_in(self, username: str, password: str,
                device_token: Callable[[int], str | None] = lambda user_id: None) -> SignedIn:
        """A new session, or AccountError(SIGN_IN_REFUSED) whatever the reason.

        The lock-out: after MAX_FAILED_SIGN_INS wrong passwords in a row the account refuses, for
        LOCKOUT, every browser but those where this person signed in before (a device token, see
        `_device_token`; `device_token(user_id)` reads it from the request). Guessing from anywhere is
        thus held to a few passwords an account per quarter hour, while someone typing wrong
        passwords cannot keep the officer out of their usual browser (guessing per client address is
        limited by the pages' rate limit, bot.staff.app). A failure during a lock-out does not extend it."""
        at = self.clock()
        refused = AccountError(SIGN_IN_REFUSED)
        with self._session() as session, session.begin():
            user = session.execute(
                select(StaffUser).where(StaffUser.username == username.strip().lower()[:40])
                .with_for_update()
            ).scalar_one_or_none()
            # One argon2 verification in every case, so that the answer takes as long whatever the reason.
            correct = _verify(user.password_hash if user else _DUMMY_HASH, password)
            if user is None or not user.active:
                raise refused
            locked = user.locked_until is not None and user.locked_until > at
            if correct and (not locked or _trusted_device(user, device_token(user.id), at)):
                user.failed_logins, user.last_login_at = 0, at
                token, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
                session.add(StaffSession(token_sha256=_digest(token), user_id=user.id, csrf_token=csrf,
                                         created_at=at, last_seen_at=at))
                log.info("staff user %s signed in", user.username)
                return SignedIn(_staff(user), token, csrf, _device_token(user, at))
            if not locked:
                user.failed_logins += 1  # committed, then refused
                if user.failed_logins >= MAX_FAILED_SIGN_INS:
                    user.failed_logins, user.locked_until = 0, at + LOCKOUT
                    log.warning("staff user %s locked after %d failed sign-ins", user.username, MAX_FAILED_SIGN_INS)
        raise refused

    def current(self, token: str | None) -> SignedIn | None:
        """The session of this cookie token, if it is still valid (and then it is renewed)."""
        if not token:
            return None
        at = self.clock()
        with self._session() as session, session.begin():
            row = session.get(StaffSession, _digest(token))
            if row is None:
                return None
            user = session.get(StaffUser, row.user_id)
            expired = row.last_seen_at + IDLE_TIMEOUT <= at or row.created_at + SESSION_MAX_AGE <= at
            if expired or user is None or not user.active:
                session.delete(row)
                return None
            row.last_seen_at = at
            return SignedIn(_staff(user), token, row.csrf_token)

    def sign_out(self, token: str) -> None:
        with self._session() as session, session.begin():
            session.execute(delete(StaffSession).where(StaffSession.token_sha256 == _digest(token)))

    def change_password(self, user_id: int, old: str, new: str, current_token: str) -> str:
        """Change the password and end every other session of this user (the one of `current_token`
        stays); returns a new device token for this browser (the old ones no longer count)."""
        check_password_rules(new)
        with self._session() as session, session.begin():
            user = session.get(StaffUser, user_id)
            if user is None or not _verify(user.password_hash, old):
                raise AccountError("Mật khẩu hiện tại không đúng.")
            if old == new:
                raise AccountError("Mật khẩu mới cần khác mật khẩu cũ.")
            user.password_hash, user.must_change_password = _hasher.hash(new), False
            session.execute(delete(StaffSession).where(StaffSession.user_id == user_id,
                                                       StaffSession.token_sha256 != _digest(current_token)))
            log.info("staff user %s changed the password; other sessions ended", user.username)
            return _device_token(user, self.clock())

    def reset_password(self, user_id: int) -> str:
        """A new one-time password, to be changed at the next sign-in; ends every session."""
        password = one_time_password()
        with self._session() as session, session.begin():
            user = self._user(session, user_id)
            user.password_hash, user.must_change_password = _hasher.hash(password), True
            user.failed_logins, user.locked_until = 0, None
            session.execute(delete(StaffSession).where(StaffSession.user_id == user_id))
        return password

    def set_active(self, user_id: int, active: bool) -> None:
        with self._session() as session, session.begin():
            user = self._user(session, user_id)
            if not active and user.role == ADMIN and self._active_admins(session) <= 1:
                raise AccountError("Không thể khóa quản trị viên cuối cùng.")
            user.active = active
            if not active:
                session.execute(delete(StaffSession).where(StaffSession.user_id == user_id))

    def unlock(self, user_id: int) -> None:
        with self._session() as session, session.begin():
            user = self._user(session, user_id)
            user.failed_logins, user.locked_until = 0, None

    def users(self) -> list[Staff]:
        with self._session() as session:
            return [_staff(u) for u in session.execute(select(StaffUser).order_by(StaffUser.username)).scalars()]

    def officers(self, province: str) -> list[str]:
        """Who a lead of this province may be assigned to: its office staff, then the admins."""
        with self._session() as session:
            rows = session.execute(
                select(StaffUser.username)
                .where(StaffUser.active.is_(True),
                       ((StaffUser.role == OFFICE) & (StaffUser.province == province)) | (StaffUser.role == ADMIN))
                .order_by(StaffUser.role.desc(), StaffUser.username)
            ).scalars()
            return list(rows)

    def has_office_staff(self, province: str) -> bool:
        """Whether an active office account of this province exists (someone to take its conversations)."""
        with self._session() as session:
            return session.execute(select(StaffUser.id).where(
                StaffUser.active.is_(True), StaffUser.role == OFFICE, StaffUser.province == province).limit(1)
            ).first() is not None

    @staticmethod
    def _user(session: Session, user_id: int) -> StaffUser:
        user = session.get(StaffUser, user_id)
        if user is None:
            raise AccountError("Không tìm thấy tài khoản này.")
        return user

    @staticmethod
    def _active_admins(session: Session) -> int:
        return session.execute(
            select(func.count(StaffUser.id)).where(StaffUser.role == ADMIN, StaffUser.active.is_(True))
        ).scalar_one()


def _device_token(user: StaffUser, at: datetime) -> str:
    """"issued.nonce.mac": proof that this browser signed in as this user. The MAC key is the
    user's password hash (secret, salted, server-side), so a new password revokes every device token
    and no other key has to be kept."""
    issued = f"{int(at.timestamp())}.{secrets.token_urlsafe(16)}"
    return f"{issued}.{_device_mac(user, issued)}"


def _trusted_device(user: StaffUser, token: str | None, at: datetime) -> bool:
    issued, _, mac = (token or "").rpartition(".")
    seconds = issued.split(".")[0]
    if not seconds.isdigit() or not same_token(mac, _device_mac(user, issued)):
        return False
    return at.timestamp() - int(seconds) < DEVICE_MAX_AGE.total_seconds()


def _device_mac(user: StaffUser, issued: str) -> str:
    return hmac.new(user.password_hash.encode(), f"{user.id}.{issued}".encode(), hashlib.sha256).hexdigest()


def _verify(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerifyMismatchError, InvalidHashError):
        return False


def same_token(a: str | None, b: str) -> bool:
    return bool(a) and hmac.compare_digest(a.encode(), b.encode())
