"""Databases for the store tests: a fresh SQLite file, and a fresh PostgreSQL database on the server
named by TEST_POSTGRES_URL (default: the CI machine's), skipped with the reason when none is reachable;
whether Redis answers at TEST_REDIS_URL."""
from __future__ import annotations

import functools
import os
import shutil
import socket
import sqlite3
import tempfile
import threading
import uuid
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import closing, contextmanager
from pathlib import Path
from typing import Iterator

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from bot.storage import db

POSTGRES_URL = os.environ.get("TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")
REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")  # a database of its own


@functools.cache  # asked by every PostgreSQL test: one answer a session
def postgres_unavailable() -> str | None:
    try:
        engine = create_engine(POSTGRES_URL, future=True, connect_args={"connect_timeout": 3})
        with engine.connect():
            pass
        engine.dispose()
        return None
    except Exception as error:  # any failure to connect means: no server here
        return f"no PostgreSQL server at {make_url(POSTGRES_URL).render_as_string(hide_password=True)} ({type(error).__name__}); set TEST_POSTGRES_URL"


def redis_unavailable() -> str | None:
    import redis

    try:
        redis.Redis.from_url(REDIS_URL, socket_timeout=2).ping()
        return None
    except redis.RedisError as error:
        return f"no Redis server at {REDIS_URL} ({type(error).__name__}); set TEST_REDIS_URL"


# The migrations run once per test session into a template (each test used to run them: a few hundred
# upgrades); each test then gets its own copy, which is what an upgrade to head would have made.
# tests/test_migrations.py checks that copy against the models, so the migrations are still run.
_templates: dict[str, str] = {}


def _postgres_template(admin) -> str:  # type: ignore[no-untyped-def]
    if "postgresql" not in _templates:
        name = f"bot_template_{uuid.uuid4().hex[:12]}"
        with admin.connect() as c:
            c.execute(text(f'CREATE DATABASE "{name}"'))
        db.upgrade(make_url(POSTGRES_URL).set(database=name).render_as_string(hide_password=False))
        _templates["postgresql"] = name
    return _templates["postgresql"]


def _sqlite_template() -> Path:
    if "sqlite" not in _templates:
        path = Path(tempfile.mkdtemp(prefix="bot-template-")) / "bot.db"
        db.upgrade(f"sqlite:///{path}")
        with closing(sqlite3.connect(path)) as c:  # everything into the main file, which is what is copied
            c.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        _templates["sqlite"] = str(path)
    return Path(_templates["sqlite"])


def drop_templates() -> None:
    """At the end of the session (tests/conftest.py)."""
    _background.shutdown(wait=True)  # the drops still queued; nothing copies the template then
    if _prepared:
        _drop(_prepared.pop().result())
    if "postgresql" in _templates:
        _drop(_templates.pop("postgresql"))
    if "sqlite" in _templates:
        shutil.rmtree(Path(_templates.pop("sqlite")).parent, ignore_errors=True)


# Copying the template and dropping a test's database take 0.1-0.3 s each, mostly the server's disk:
# one thread of this process copies the next test's database while a test runs and drops the
# databases of the tests that ended.
_background = ThreadPoolExecutor(max_workers=1)
_prepared: list[Future[str]] = []  # the next test's database, being copied


def _copy_template() -> str:
    name = f"bot_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(POSTGRES_URL, future=True, isolation_level="AUTOCOMMIT")
    with admin.connect() as c:
        c.execute(text(f'CREATE DATABASE "{name}" TEMPLATE "{_postgres_template(admin)}"'))
    admin.dispose()
    return name


def _drop(name: str) -> None:
    admin = create_engine(POSTGRES_URL, future=True, isolation_level="AUTOCOMMIT")
    with admin.connect() as c:
        c.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@contextmanager
def fresh_postgres() -> Iterator[str]:
    """A new database on the server, migrated to head, dropped afterwards."""
    reason = postgres_unavailable()
    if reason:
        pytest.skip(reason)
    name = _prepared.pop().result() if _prepared else _copy_template()
    _prepared.append(_background.submit(_copy_template))
    try:
        yield make_url(POSTGRES_URL).set(database=name).render_as_string(hide_password=False)
    finally:
        _background.submit(_drop, name)


@contextmanager
def fresh_sqlite(tmp_path) -> Iterator[str]:
    """A new SQLite file under tmp_path, migrated to head."""
    path = tmp_path / "bot.db"
    shutil.copyfile(_sqlite_template(), path)
    yield f"sqlite:///{path}"


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request, tmp_path) -> Iterator[str]:
    """Each test using it runs on a fresh SQLite database and on a fresh PostgreSQL one."""
    factory = fresh_sqlite(tmp_path) if request.param == "sqlite" else fresh_postgres()
    with factory as url:
        yield url


class TcpProxy:
    """A loopback TCP proxy in front of a database: stopping it is, for the application, the
    database going away (open connections are cut, new ones refused); starting it brings it back."""

    def __init__(self, target_host: str, target_port: int) -> None:
        self.target = (target_host, target_port)
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port = s.getsockname()[1]
        self._server: socket.socket | None = None
        self._sockets: list[socket.socket] = []

    def start(self) -> None:
        server = socket.socket()
        server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        server.bind(("127.0.0.1", self.port))
        server.listen(64)
        self._server = server
        threading.Thread(target=self._accept, args=(server,), daemon=True).start()

    def stop(self) -> None:
        if self._server:
            try:
                self._server.shutdown(socket.SHUT_RDWR)  # wakes the accepting thread; close alone does not
            except OSError:
                pass
            self._server.close()
            self._server = None
        for s in self._sockets:
            try:
                s.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            s.close()
        self._sockets.clear()

    def _accept(self, server: socket.socket) -> None:
        while True:
            try:
                client, _ = server.accept()
            except OSError:
                return
            upstream = socket.create_connection(self.target)
            self._sockets += [client, upstream]
            for a, b in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pipe, args=(a, b), daemon=True).start()

    @staticmethod
    def _pipe(source: socket.socket, sink: socket.socket) -> None:
        try:
            while data := source.recv(65536):
                sink.sendall(data)
        except OSError:
            pass
        finally:
            for s in (source, sink):
                try:
                    s.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass
