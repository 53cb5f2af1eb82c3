"""The mail settings, from the environment. Without BOT_SMTP_HOST (or with BOT_NOTIFY_MODE=off)
nothing is sent; a wrong value stops the start with a message naming the variable."""
from __future__ import annotations

import ipaddress
import os
import re
from dataclasses import dataclass
from typing import Mapping

EACH, DIGEST, OFF = "each", "digest", "off"
MODES = (EACH, DIGEST, OFF)
_ADDRESS = re.compile(r"[^@\s,;<>\"]+@[^@\s,;<>\"]+")


@dataclass(frozen=True)
class MailSettings:
    host: str | None = None
    port: int = 587
    user: str | None = None
    password: str | None = None
    starttls: bool = True
    mail_from: str = ""
    mode: str = OFF
    digest_minutes: int = 60
    fallback_to: tuple[str, ...] = ()  # where the mail of a province without a sourced address goes
    staff_url: str | None = None  # the staff pages as officers reach them, for the links in the mails
    reminder_hour: int = 8  # the background job sends the day's reminders from this hour (Vietnam)

    @property
    def enabled(self) -> bool:
        return self.mode != OFF

    @classmethod
    def from_env(cls, env: Mapping[str, str] = os.environ) -> "MailSettings":
        host = (env.get("BOT_SMTP_HOST") or "").strip() or None
        mode = (env.get("BOT_NOTIFY_MODE") or EACH).strip().lower()
        if mode not in MODES:
            raise ValueError(f"BOT_NOTIFY_MODE must be one of {', '.join(MODES)}, not {mode!r}")
        starttls = _flag(env, "BOT_SMTP_STARTTLS", True)
        settings = cls(
            host=host,
            port=_whole(env, "BOT_SMTP_PORT", 587 if starttls else 25, 1, 65535),
            user=(env.get("BOT_SMTP_USER") or "").strip() or None,
            password=env.get("BOT_SMTP_PASSWORD") or None,
            starttls=starttls,
            mail_from=(env.get("BOT_MAIL_FROM") or "").strip(),
            mode=mode if host else OFF,
            digest_minutes=_whole(env, "BOT_NOTIFY_DIGEST_MINUTES", 60, 1, 24 * 60),
            fallback_to=tuple(a.strip() for a in (env.get("BOT_NOTIFY_FALLBACK_TO") or "").split(",") if a.strip()),
            staff_url=(env.get("BOT_STAFF_URL") or "").strip().rstrip("/") or None,
            reminder_hour=_whole(env, "BOT_NOTIFY_REMINDER_HOUR", 8, 0, 23),
        )
        if settings.enabled:
            settings._check()
        return settings

    def _check(self) -> None:
        if not _ADDRESS.fullmatch(self.mail_from):
            raise ValueError("BOT_MAIL_FROM must be the sender's mail address when BOT_SMTP_HOST is set")
        for address in self.fallback_to:
            if not _ADDRESS.fullmatch(address):
                raise ValueError(f"BOT_NOTIFY_FALLBACK_TO: {address!r} is not a mail address")
        if self.user and not self.starttls and not _loopback(self.host or ""):
            raise ValueError("BOT_SMTP_USER without BOT_SMTP_STARTTLS would send the password in clear text "
                             "to another machine: turn STARTTLS on")


def _flag(env: Mapping[str, str], name: str, default: bool) -> bool:
    raw = (env.get(name) or "").strip().lower()
    if not raw:
        return default
    if raw in ("1", "true", "yes", "on"):
        return True
    if raw in ("0", "false", "no", "off"):
        return False
    raise ValueError(f"{name} must be 1 or 0, not {raw!r}")


def _whole(env: Mapping[str, str], name: str, default: int, low: int, high: int) -> int:
    raw = (env.get(name) or "").strip() or str(default)
    if not raw.isdigit() or not low <= int(raw) <= high:
        raise ValueError(f"{name} must be a whole number from {low} to {high}, not {raw!r}")
    return int(raw)


def _loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False
