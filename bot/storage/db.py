"""The project's SQL database: the engine for BOT_DATABASE_URL (SQLite under var/ by default,
PostgreSQL in production) and its Alembic migrations (bot/storage/migrations)."""
from __future__ import annotations

import os
import sqlite3
import time
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import create_engine, event
from sqlalchemy.engine import Engine
from sqlalchemy.pool import QueuePool

ROOT = Path(__file__).resolve().parents[2]
MIGRATIONS = Path(__file__).resolve().parent / "migrations"


# SQLAlchemy 1.4 opens and closes a connection per transaction on an SQLite file (NullPool), and the
# last connection closing checkpoints the write-ahead log: milliseconds of disk work per transaction.
# Pooled connections stay open (a connection serves one thread at a time, whichever it is).
SQLITE_POOL = {"poolclass": QueuePool, "pool_size": 5, "max_overflow": 10,
               "connect_args": {"timeout": 30, "check_same_thread": False}}


def database_url() -> str:
    return os.environ.get("BOT_DATABASE_URL") or f"sqlite:///{ROOT / 'var' / 'bot.db'}"


def make_engine(url: str | None = None) -> Engine:
    url = url or database_url()
    if url.startswith("sqlite"):
        path = url.split("///", 1)[-1]
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, future=True, **SQLITE_POOL)
        _serialise_sqlite_writes(engine)
        return engine
    return create_engine(url, future=True, pool_pre_ping=True, pool_size=10, max_overflow=20)


def _serialise_sqlite_writes(engine: Engine) -> None:
    """SQLite allows one writer: take the write lock when a transaction begins (BEGIN IMMEDIATE),
    so that concurrent read-then-write transactions wait instead of failing half-way."""

    @event.listens_for(engine, "connect")
    def _no_implicit_begin(dbapi_connection, _record):  # type: ignore[no-untyped-def]
        dbapi_connection.isolation_level = None
        _use_wal(dbapi_connection)
        dbapi_connection.execute("PRAGMA foreign_keys=ON")

    @event.listens_for(engine, "begin")
    def _begin_immediate(connection):  # type: ignore[no-untyped-def]
        connection.exec_driver_sql("BEGIN IMMEDIATE")


WAL_ATTEMPTS, WAL_PAUSE_SECONDS = 100, 0.05


def _use_wal(dbapi_connection: sqlite3.Connection) -> None:
    """Write-ahead log mode. Switching to it needs the database to itself (only when it is not WAL
    yet: asking first takes no lock), and SQLite refuses at once, without waiting, when another process
    switches it at the same moment, as two processes opening a new database do: ask again until the
    other one has switched it (5 s at most)."""
    for attempt in range(WAL_ATTEMPTS):
        try:
            if dbapi_connection.execute("PRAGMA journal_mode").fetchone()[0] != "wal":
                dbapi_connection.execute("PRAGMA journal_mode=WAL")
            return
        except sqlite3.OperationalError:
            if attempt == WAL_ATTEMPTS - 1:
                raise
            time.sleep(WAL_PAUSE_SECONDS)


def upgrade(url: str | None = None, revision: str = "head") -> None:
    """Apply every migration not yet applied, up to `revision` (what `make run` and the tests do first)."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", (url or database_url()).replace("%", "%%"))
    make_engine(url).dispose()  # creates the SQLite directory
    command.upgrade(config, revision)
