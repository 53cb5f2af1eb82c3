"""Serve the staff pages with waitress (a production WSGI server in pure Python; it logs no
request lines, so no name or phone number from a search reaches a log). Logging follows the
BOT_LOG_* variables (bot.ops.logs)."""
from __future__ import annotations

import ipaddress
import os
from typing import Mapping

from flask import Flask
from sqlalchemy.engine import Engine
from waitress import serve as waitress_serve

from bot.ops import logs
from bot.staff.app import MAX_REQUEST_BYTES, SIGN_IN_LIMIT, create_app


def serve(engine: Engine, host: str, port: int) -> None:
    logs.configure()
    waitress_serve(app_for(engine, host), host=host, port=port, threads=8, ident="",
                   max_request_body_size=MAX_REQUEST_BYTES, max_request_header_size=32 * 1024)


def app_for(engine: Engine, host: str, environ: Mapping[str, str] = os.environ) -> Flask:
    """The pages as configured by the STAFF_* variables, for this listening address."""
    proxies = environ.get("STAFF_TRUSTED_PROXIES") or "0"
    if not proxies.isdigit():
        raise ValueError(f"STAFF_TRUSTED_PROXIES must be a number of proxies, not {proxies!r}")
    return create_app(engine, secure_cookies=secure_cookies(host, environ.get("STAFF_SECURE_COOKIES")),
                      sign_in_limit=environ.get("STAFF_SIGN_IN_LIMIT") or SIGN_IN_LIMIT,
                      rate_limit_storage=environ.get("STAFF_RATE_LIMIT_STORAGE") or "memory://",
                      trusted_proxies=int(proxies))


def secure_cookies(host: str, setting: str | None) -> bool:
    """Secure cookies unless the pages are served on loopback (then plain http://127.0.0.1 is the
    normal way in, and a Secure cookie would never come back); STAFF_SECURE_COOKIES=0/1 decides."""
    if setting in ("0", "1"):
        return setting == "1"
    if setting:
        raise ValueError(f"STAFF_SECURE_COOKIES must be 0 or 1, not {setting!r}")
    return not _loopback(host)


def _loopback(host: str) -> bool:
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False  # a host name: assume it is reachable from elsewhere
