"""The project's SQL database: the engine for BOT_DATABASE_URL (SQLite under var/ by default,
PostgreSQL in production) and its Alembic migrations (bot/storage/migrations)."""
from __future__ import annotations

import os
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
        # Switching the mode needs a lock another process may hold, even when it is WAL already.
        if dbapi_connection.execute("PRAGMA journal_mode").fetchone()[0] != "wal":
            dbapi_connection.execute("PRAGMA journal_mode=WAL")
        dbapi_connection.execute("PRAGMA foreign_keys=ON")

    @event.listens_for(engine, "begin")
    def _begin_immediate(connection):  # type: ignore[no-untyped-def]
        connection.exec_driver_sql("BEGIN IMMEDIATE")


def upgrade(url: str | None = None, revision: str = "head") -> None:
    """Apply every migration not yet applied, up to `revision` (what `make run` and the tests do first)."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", (url or database_url()).replace("%", "%%"))
    make_engine(url).dispose()  # creates the SQLite directory
    command.upgrade(config, revision)
