"""Liveness and readiness of our servers, for a load balancer or an orchestrator.

- live: the process answers requests (nothing else is checked; restart it when this fails).
- ready: it can do its work: the database answers and the lead outbox (where leads wait while the
  database is down) can be written. Send it traffic only while this says so.

The answers name the checks and, on failure, the error's class only: no URL, path, host or personal
data (the probes need no token, so anyone who reaches the port may read them)."""
from __future__ import annotations

import os
import tempfile
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.engine import Engine

LIVE = {"status": "alive"}


def readiness(engine: Engine, outbox_dir: Path) -> tuple[int, dict]:
    """(HTTP status, JSON body): 200 when every check passes, 503 otherwise."""
    checks = {"database": _failure(_query_database, engine), "outbox": _failure(_write_probe, outbox_dir)}
    ready = all(result == "ok" for result in checks.values())
    return (200 if ready else 503), {"status": "ready" if ready else "not ready", "checks": checks}


def _failure(check, target) -> str:  # type: ignore[no-untyped-def]
    try:
        check(target)
    except Exception as error:  # any failure means: not ready; the class says which kind
        return f"failed: {type(error).__name__}"
    return "ok"


def _query_database(engine: Engine) -> None:
    """The migrated schema answers (a bare SELECT 1 would pass on an empty SQLite file)."""
    with engine.connect() as connection:
        connection.execute(text("SELECT version_num FROM alembic_version")).one()


def _write_probe(directory: Path) -> None:
    """Create the directory as the outbox would (0700) and write and delete a file in it: this
    catches a read-only or full disk and wrong permissions alike. The probe's name matches none of
    the outbox's own files."""
    directory.mkdir(mode=0o700, parents=True, exist_ok=True)
    with tempfile.NamedTemporaryFile(dir=directory, prefix=".ready-", suffix=".probe") as probe:
        probe.write(b"ok")
        probe.flush()
        os.fsync(probe.fileno())
