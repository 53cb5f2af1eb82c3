"""A durable local outbox for leads: when the database cannot be reached, the completed request (or
a citizen's withdrawal of consent) is written to a file (fsync'd, renamed into place) and replayed
in order once the database is back, so that a citizen who was told "recorded" or "deleted" is
never let down.

Only an outage queues. A request the database refuses (or that fails the checks) would be refused
again at every replay, so it is set aside in `dead/` with the reason, for a person to look at, and
the queue goes on. The files hold names and phone numbers: the directory is 0700, the files 0600.
Each name starts with a sequence number (the order survives a backup and restore, which mtimes do
not); replays are serialised across processes by a lock file."""
from __future__ import annotations

import fcntl
import json
import logging
import os
import re
import threading
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Iterator

from sqlalchemy.exc import DBAPIError, DisconnectionError, InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout

from bot.leads.checks import InvalidLead, LeadRequest, check
from bot.leads.follow_up import FollowUp, FollowUpUnavailable
from bot.leads.store import LeadStore
from bot.ops import metrics
from bot.privacy import erasure
from bot.privacy.stored import StoredLead, stored_about
from bot.storage import db
from bot.storage.orm import now

log = logging.getLogger(__name__)
# "The database is not there right now": connection refused or cut, server going down, pool timeout
# (psycopg2 and sqlite3 raise OperationalError for these; SQLAlchemy wraps them), or the disk.
# Everything else is about the request itself: DataError, IntegrityError, InvalidLead...
OUTAGE = (OperationalError, InterfaceError, DisconnectionError, PoolTimeout, OSError)
_NUMBERED = re.compile(r"(\d+)-")
_SEQUENCE, _REPLAY_LOCK = ".sequence", ".replay.lock"


@dataclass(frozen=True)
class DeadLetter:
    name: str
    reason: str  # no personal data: field names, error classes, SQL states
    at: str


class Outbox:
    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.dead = directory / "dead"

    def put(self, request: LeadRequest) -> Path:
        return self._write("lead", request.to_json())

    def put_withdrawal(self, conversation_id: str) -> Path:
        """Erase this conversation as soon as the database is back, as it was when the citizen asked."""
        return self._write("withdraw", json.dumps({"withdraw": conversation_id, "at": now().isoformat()}))

    def pending(self) -> list[Path]:
        """The waiting files, in the order they were written (files of an older build, without a
        sequence number, first)."""
        if not self.directory.exists():
            return []
        return sorted(self.directory.glob("*.json"), key=_order)

    def dead_letters(self) -> list[DeadLetter]:
        if not self.dead.exists():
            return []
        letters = []
        for path in sorted(self.dead.glob("*.reason.json"), key=_order):
            data = json.loads(path.read_text(encoding="utf-8"))
            letters.append(DeadLetter(path.name.removesuffix(".reason.json") + ".json", data["reason"], data["at"]))
        return letters

    def depth(self) -> tuple[int, int]:
        """How many entries wait and how many are dead letters, counted without reading them."""
        return (sum(1 for _ in self.directory.glob("*.json")),
                sum(1 for _ in self.dead.glob("*.reason.json")))

    def replay(self, store: LeadStore) -> int:
        """Apply every waiting request and withdrawal, oldest first; stop at an outage, set aside
        what is refused. Returns how many were applied. One replay at a time (a second one waits,
        then finds the files gone). Both are idempotent, so a crash between applying and deleting
        the file only repeats a no-op."""
        if not self.directory.exists():
            return 0
        stored = 0
        with self._replay_lock():
            for path in self.pending():
                try:
                    _apply(path, store)
                except OUTAGE as error:
                    log.warning("database unavailable (%s); %d entries wait in the outbox",
                                type(error).__name__, len(self.pending()))
                    break
                except Exception as error:  # refused: it would be refused again, so it must not block
                    self.set_aside(path, refusal(error))
                    continue
                path.unlink()
                stored += 1
        return stored

    def erase(self, conversation_id: str) -> int:
        """Delete this conversation's requests still waiting and its dead letters (consent
        withdrawn; a queued withdrawal stays: it erases what already reached the database).
        Returns how many."""
        if not self.directory.exists():
            return 0
        erased = 0
        with self._replay_lock():
            for path in [*self.pending(), *(self.dead.glob("*.json") if self.dead.exists() else ())]:
                try:
                    data = json.loads(path.read_text(encoding="utf-8"))
                except ValueError:
                    continue
                if isinstance(data, dict) and data.get("conversation_id") == conversation_id:
                    path.unlink()
                    path.with_name(path.name.removesuffix(".json") + ".reason.json").unlink(missing_ok=True)
                    erased += 1
        return erased

    def put_dead_letter(self, request: LeadRequest, reason: str) -> None:
        """A request refused as it was recorded: straight to the dead letters (under the replay
        lock, so that no replay picks it up on the way)."""
        with self._replay_lock():
            self.set_aside(self.put(request), reason)

    def set_aside(self, path: Path, reason: str) -> None:
        """Move a waiting file to the dead letters, with the reason and the time beside it."""
        self._prepare(self.dead)
        _write_private(self.dead / (path.name.removesuffix(".json") + ".reason.json"),
                       json.dumps({"reason": reason, "at": datetime.now(timezone.utc).isoformat()}))
        os.replace(path, self.dead / path.name)
        _sync_directory(self.dead)
        log.error("outbox entry %s set aside as a dead letter: %s", path.name, reason)

    def _write(self, kind: str, content: str) -> Path:
        self._prepare(self.directory)
        with _locked(self.directory / _SEQUENCE) as counter:
            final = self.directory / f"{self._next_number(counter):012d}-{kind}.json"
            _write_private(final, content)
        return final

    def _next_number(self, counter: int) -> int:
        """One more than the counter and than any file present (after a restore from a backup the
        counter may be older than the files), stored back in the counter."""
        raw = os.pread(counter, 32, 0).decode("ascii", "replace").strip()
        present = [int(m.group(1)) for d in (self.directory, self.dead) if d.exists()
                   for p in d.iterdir() if (m := _NUMBERED.match(p.name))]
        number = max([int(raw) if raw.isdigit() else 0, *present]) + 1
        os.ftruncate(counter, 0)
        os.pwrite(counter, str(number).encode("ascii"), 0)
        os.fsync(counter)
        return number

    @contextmanager
    def _replay_lock(self) -> Iterator[None]:
        with _locked(self.directory / _REPLAY_LOCK):
            yield

    @staticmethod
    def _prepare(directory: Path) -> None:
        directory.mkdir(mode=0o700, parents=True, exist_ok=True)
        os.chmod(directory, 0o700)  # also a directory made by an older build with the default mode


def _order(path: Path) -> tuple[int, float, str]:
    m = _NUMBERED.match(path.name)
    return (int(m.group(1)), 0.0, path.name) if m else (0, path.stat().st_mtime, path.name)


def _apply(path: Path, store: LeadStore) -> None:
    data = json.loads(path.read_text(encoding="utf-8"))
    if isinstance(data, dict) and "withdraw" in data:
        asked_at = datetime.fromisoformat(data["at"]) if data.get("at") else None  # older files: no time
        erasure.withdraw(store, str(data["withdraw"]), asked_at)
    elif isinstance(data, dict):
        store.submit(LeadRequest(**data))
    else:
        raise ValueError("not a JSON object")


def refusal(error: Exception) -> str:
    """Why a request was refused, without its values (a database's detail may quote them)."""
    if isinstance(error, InvalidLead):
        return f"invalid: {error}"
    if isinstance(error, DBAPIError):
        code = getattr(error.orig, "pgcode", None)
        if code:  # PostgreSQL: the error's class and SQL state (its message may quote a value)
            return f"{type(error).__name__} ({type(error.orig).__name__}, SQLSTATE {code})"
        return f"{type(error).__name__} ({str(error.orig).splitlines()[0][:120]})"  # SQLite quotes no value
    if isinstance(error, json.JSONDecodeError):
        return "unreadable: not JSON"
    return type(error).__name__


@contextmanager
def _locked(path: Path) -> Iterator[int]:
    """An exclusive lock on the file, across threads and processes (flock is held by the open file)."""
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield fd
    finally:
        os.close(fd)  # releases the lock


def _write_private(final: Path, content: str) -> None:
    partial = final.with_name(f".{final.name}.tmp")
    fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with open(fd, "w", encoding="utf-8") as f:
        f.write(content)
        f.flush()
        os.fsync(f.fileno())
    os.replace(partial, final)
    _sync_directory(final.parent)  # the rename itself survives a crash


def _sync_directory(directory: Path) -> None:
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def record(request: LeadRequest, store: LeadStore, outbox: Outbox) -> bool:
    """Store the request, or keep it in the outbox when the database is down. True when it went
    to the database now, False when it waits in the outbox: either way it is recorded. InvalidLead
    when it cannot be recorded (refused by the checks, or by the database: then it is also kept
    as a dead letter for a person to look at)."""
    request = check(request)
    try:
        outbox.replay(store)
        store.submit(request)
        return True
    except OUTAGE as error:
        log.warning("database unavailable (%s); lead kept in the outbox", type(error).__name__)
        outbox.put(request)
        return False
    except Exception as error:  # refused by the database: kept for a person, and the citizen told
        reason = refusal(error)
        outbox.put_dead_letter(request, reason)
        raise InvalidLead({"request": f"refused by the database: {reason}"}) from error


def default_directory() -> Path:
    return Path(os.environ.get("BOT_OUTBOX_DIR") or db.ROOT / "var" / "outbox")


class Desk:
    """Where the conversation hands a lead: the store on BOT_DATABASE_URL, with the outbox
    (var/outbox by default) behind it."""

    def __init__(self, url: str | None = None, outbox_dir: Path | None = None) -> None:
        self.store = LeadStore(db.make_engine(url))
        self.outbox = Outbox(outbox_dir or default_directory())

    def record(self, request: LeadRequest) -> bool:
        try:
            stored = record(request, self.store, self.outbox)
        except InvalidLead:
            metrics.lead_recorded("refused")
            raise
        metrics.lead_recorded("stored" if stored else "queued")
        return stored

    def withdraw(self, conversation_id: str) -> int | None:
        """How many leads were erased (anonymised, or dropped from the outbox before reaching the
        database); None when the database is down and the rest of the erasure waits in the outbox.
        The conversation's requests still waiting and its dead letters are deleted first, under the
        replay lock, so that none of them reaches the database afterwards."""
        dropped = self.outbox.erase(conversation_id)
        try:
            self.outbox.replay(self.store)
            return erasure.withdraw(self.store, conversation_id) + dropped
        except OUTAGE as error:
            log.warning("database unavailable (%s); withdrawal kept in the outbox", type(error).__name__)
            self.outbox.put_withdrawal(conversation_id)
            return None

    def stored_about(self, conversation_id: str) -> list[StoredLead] | None:
        """What is stored about the conversation ("thông tin của tôi"); None when the database is down."""
        try:
            self.outbox.replay(self.store)  # a request still queued is stored too
            return stored_about(self.store.engine, conversation_id)
        except OUTAGE as error:
            log.warning("database unavailable (%s); cannot say what is stored", type(error).__name__)
            return None

    def follow_up(self, conversation_id: str) -> FollowUp | None:
        """Where the conversation's newest request stands ("yêu cầu của tôi thế nào rồi");
        FollowUpUnavailable when the database is down."""
        try:
            self.outbox.replay(self.store)  # a request still queued is stored too
            return self.store.follow_up(conversation_id)
        except OUTAGE as error:
            log.warning("database unavailable (%s); cannot tell where a request stands", type(error).__name__)
            raise FollowUpUnavailable from error

    def replay_every(self, seconds: float) -> threading.Event:
        """Replay the outbox in the background every `seconds` while leads wait, so they reach the
        database once it is back even if nobody else asks for a callback. Set the event to stop."""
        stop = threading.Event()

        def loop() -> None:
            while not stop.wait(seconds):
                if self.outbox.pending():
                    try:
                        self.outbox.replay(self.store)
                    except Exception:  # never let the background loop die; the next round retries
                        log.exception("outbox replay failed")

        threading.Thread(target=loop, name="outbox-replay", daemon=True).start()
        return stop
