"""The log settings of the processes the project starts (the action server, the staff pages and the
Rasa server), from the environment:

    BOT_LOG_FORMAT     text (default): `time LEVEL logger: message`; json: one JSON object a line
                       with time (ISO 8601, UTC), level, logger, message (and exception, when any)
    BOT_LOG_FILE       unset (default): standard error; else this file, rotated by size
    BOT_LOG_MAX_BYTES  size at which the file is rotated (default 10 MiB)
    BOT_LOG_BACKUPS    rotated files kept: FILE.1 ... FILE.N (default 5)

One file per process: RotatingFileHandler rotates safely only within one process (scripts/run.sh
gives each server its own). Both formats write the message as the code wrote it: names and phones
are masked where they are logged (e.g. bot.language.phones.mask_phone), never by the formatter."""
from __future__ import annotations

import json
import logging
import logging.handlers
import os
from datetime import datetime, timezone
from typing import Mapping

TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
DEFAULT_MAX_BYTES = 10 * 1024 * 1024
DEFAULT_BACKUPS = 5
# Sanic's loggers do not propagate to the root logger (Sanic and the Rasa SDK set it so): they get
# the same handler, so that the server's own errors are in the same file and format.
SANIC_LOGGERS = ("sanic.root", "sanic.error", "sanic.access")


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": datetime.fromtimestamp(record.created, timezone.utc).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False)


def handler_from(environ: Mapping[str, str]) -> logging.Handler:
    """The handler the settings ask for; ValueError on a setting it cannot use (the server then
    refuses to start rather than log somewhere unexpected)."""
    kind = (environ.get("BOT_LOG_FORMAT") or "text").lower()
    if kind not in ("text", "json"):
        raise ValueError(f"BOT_LOG_FORMAT must be text or json, not {kind!r}")
    path = environ.get("BOT_LOG_FILE")
    handler: logging.Handler
    if path:
        handler = logging.handlers.RotatingFileHandler(
            path, maxBytes=_count(environ, "BOT_LOG_MAX_BYTES", DEFAULT_MAX_BYTES),
            backupCount=_count(environ, "BOT_LOG_BACKUPS", DEFAULT_BACKUPS), encoding="utf-8")
    else:
        handler = logging.StreamHandler()
    handler.setFormatter(JsonFormatter() if kind == "json" else logging.Formatter(TEXT_FORMAT))
    return handler


def configure(level: int | str = logging.INFO, environ: Mapping[str, str] = os.environ) -> logging.Handler:
    """Send the root logger's and Sanic's records to the one handler of the settings, replacing the
    handlers they had. Call it after the Sanic app is created (creating one may configure Sanic's
    loggers again)."""
    handler = handler_from(environ)
    root = logging.getLogger()
    for old in root.handlers[:]:
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level)
    for name in SANIC_LOGGERS:
        logging.getLogger(name).handlers = [handler]
    return handler


def _count(environ: Mapping[str, str], name: str, default: int) -> int:
    raw = environ.get(name) or str(default)
    if not raw.isdigit():
        raise ValueError(f"{name} must be a whole number, not {raw!r}")
    return int(raw)
