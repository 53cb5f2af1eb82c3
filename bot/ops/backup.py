"""`bot db backup`: a consistent copy of the database while the servers run.

- SQLite: SQLite's online backup (sqlite3.Connection.backup) from a read-only connection: it copies
  what is committed, including what still sits in the write-ahead log, without stopping the
  writers; the copy is a single file (journal mode DELETE), openable with any sqlite3.
- PostgreSQL: pg_dump in its custom format (restore with pg_restore). The password goes to pg_dump
  in PGPASSWORD, not on its command line, where `ps` would show it.

The copy holds citizens' names and phone numbers: it is written owner-only (0600) under a
temporary name and renamed when complete, so a file with the final name is always a whole backup."""
from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
from contextlib import closing
from datetime import datetime, timezone
from pathlib import Path

from sqlalchemy.engine import make_url

from bot.storage import db

DEFAULT_DIRECTORY = db.ROOT / "var" / "backups"


class BackupError(RuntimeError):
    pass


def backup(url: str, out: Path | None = None, at: datetime | None = None) -> Path:
    """Back the database of `url` up into `out`: a file (which must not exist), or a directory that
    gets a timestamped file (default: var/backups/). Returns the file written."""
    parsed = make_url(url)
    dialect = parsed.get_backend_name()
    if dialect not in ("sqlite", "postgresql"):
        raise BackupError(f"no backup for {dialect} databases (SQLite and PostgreSQL only)")
    target = _target(out, dialect, at or datetime.now(timezone.utc))
    partial = target.with_name(f".{target.name}.partial")
    fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    os.close(fd)
    try:
        if dialect == "sqlite":
            _sqlite(parsed.database, partial)
        else:
            _pg_dump(parsed, partial)
        os.replace(partial, target)
    finally:
        partial.unlink(missing_ok=True)
    return target


def _target(out: Path | None, dialect: str, at: datetime) -> Path:
    name = f"bot-{at.strftime('%Y%m%dT%H%M%SZ')}.{'db' if dialect == 'sqlite' else 'dump'}"
    if out is None or out.is_dir():
        directory = out or DEFAULT_DIRECTORY
        if out is None:
            directory.mkdir(mode=0o700, parents=True, exist_ok=True)
            os.chmod(directory, 0o700)  # also a directory made earlier with the default mode
        out = directory / name
    if out.exists():
        raise BackupError(f"{out} exists: choose another name")
    if not out.parent.is_dir():
        raise BackupError(f"{out.parent} is not a directory")
    return out


def _sqlite(database: str | None, partial: Path) -> None:
    if not database or database == ":memory:" or not Path(database).is_file():
        raise BackupError(f"no SQLite database file at {database or '(none)'}")
    source = sqlite3.connect(f"{Path(database).resolve().as_uri()}?mode=ro", uri=True, timeout=30)
    with closing(source), closing(sqlite3.connect(partial)) as copy:
        source.backup(copy)
        copy.execute("PRAGMA journal_mode=DELETE")  # one self-contained file, whatever the source's mode


def _pg_dump(parsed, partial: Path) -> None:  # type: ignore[no-untyped-def]
    program = shutil.which("pg_dump")
    if program is None:
        raise BackupError("pg_dump was not found: install PostgreSQL's client tools (e.g. postgresql-client)")
    env = {**os.environ}
    if parsed.password is not None:
        env["PGPASSWORD"] = str(parsed.password)
    libpq_url = parsed.set(drivername="postgresql", password=None).render_as_string(hide_password=False)
    done = subprocess.run([program, "--format=custom", f"--file={partial}", f"--dbname={libpq_url}"],
                          env=env, capture_output=True, text=True)
    if done.returncode != 0:
        raise BackupError(f"pg_dump failed ({done.returncode}): {done.stderr.strip()[-500:]}")
