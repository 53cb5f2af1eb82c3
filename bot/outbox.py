"""A durable local outbox for leads: when the database cannot be reached, the completed request (or
a citizen's withdrawal of consent) is written to a file (fsync'd, renamed into place) and replayed
in order once the database is back, so that a citizen who was told "recorded" or "deleted" is
never let down."""
from __future__ import annotations

import json
import logging
import os
import threading
import uuid
from datetime import datetime
from pathlib import Path

from sqlalchemy.exc import DBAPIError, OperationalError

from bot import db, privacy
from bot.leads import LeadRequest, LeadStore, now

log = logging.getLogger(__name__)
# Errors that mean "the database is not there right now", as opposed to a bug in our data.
UNAVAILABLE = (OperationalError, DBAPIError, OSError)


class Outbox:
    def __init__(self, directory: Path) -> None:
        self.directory = directory

    def put(self, request: LeadRequest) -> Path:
        return self._write(f"{request.submission_id}.json", request.to_json())

    def put_withdrawal(self, conversation_id: str) -> Path:
        """Erase this conversation as soon as the database is back, as it was when the citizen asked."""
        return self._write(f"withdraw-{uuid.uuid4().hex}.json",
                           json.dumps({"withdraw": conversation_id, "at": now().isoformat()}))

    def _write(self, name: str, content: str) -> Path:
        self.directory.mkdir(parents=True, exist_ok=True)
        final = self.directory / name
        partial = final.with_suffix(".tmp")
        with open(partial, "w", encoding="utf-8") as f:
            f.write(content)
            f.flush()
            os.fsync(f.fileno())
        os.replace(partial, final)
        directory = os.open(self.directory, os.O_RDONLY)
        try:
            os.fsync(directory)  # the rename itself survives a crash
        finally:
            os.close(directory)
        return final

    def pending(self) -> list[Path]:
        return sorted(self.directory.glob("*.json"), key=lambda p: p.stat().st_mtime) if self.directory.exists() else []

    def replay(self, store: LeadStore) -> int:
        """Apply every waiting request and withdrawal, oldest first; stop at the first database
        failure. Returns how many were applied. Both are idempotent, so a crash between applying
        and deleting the file only repeats a no-op."""
        stored = 0
        for path in self.pending():
            try:
                data = json.loads(path.read_text(encoding="utf-8"))
                withdrawal = data.get("withdraw") if isinstance(data, dict) else None
                asked_at = datetime.fromisoformat(data["at"]) if withdrawal and data.get("at") else None
                request = None if withdrawal else LeadRequest(**data)
            except (ValueError, TypeError):
                log.error("outbox file %s is unreadable; kept aside as .bad for a person to look at", path.name)
                path.rename(path.with_suffix(".bad"))
                continue
            try:
                if request is None:
                    privacy.withdraw(store, str(withdrawal), asked_at)
                else:
                    store.submit(request)
            except UNAVAILABLE:
                log.warning("database still unavailable; %d lead(s) wait in the outbox", len(self.pending()))
                break
            path.unlink()
            stored += 1
        return stored


def record(request: LeadRequest, store: LeadStore, outbox: Outbox) -> bool:
    """Store the request, or keep it in the outbox when the database is down. True when it went
    to the database now. Either way it is recorded."""
    try:
        outbox.replay(store)
        store.submit(request)
        return True
    except UNAVAILABLE as error:
        log.warning("database unavailable (%s); lead kept in the outbox", type(error).__name__)
        outbox.put(request)
        return False


class Desk:
    """Where the conversation hands a lead: the store on BOT_DATABASE_URL, with the outbox
    (var/outbox by default) behind it."""

    def __init__(self, url: str | None = None, outbox_dir: Path | None = None) -> None:
        self.store = LeadStore(db.make_engine(url))
        self.outbox = Outbox(outbox_dir or Path(os.environ.get("BOT_OUTBOX_DIR") or db.ROOT / "var" / "outbox"))

    def record(self, request: LeadRequest) -> bool:
        return record(request, self.store, self.outbox)

    def withdraw(self, conversation_id: str) -> int | None:
        """How many leads were erased (anonymised, or dropped from the outbox before reaching the
        database); None when the database is down and the rest of the erasure waits in the outbox."""
        dropped = privacy.drop_outbox_files(self.outbox.directory, conversation_id)
        try:
            self.outbox.replay(self.store)
            return privacy.withdraw(self.store, conversation_id) + dropped
        except UNAVAILABLE as error:
            log.warning("database unavailable (%s); withdrawal kept in the outbox", type(error).__name__)
            self.outbox.put_withdrawal(conversation_id)
            return None

    def stored_about(self, conversation_id: str) -> list[privacy.StoredLead] | None:
        """What is stored about the conversation ("thông tin của tôi"); None when the database is down."""
        try:
            self.outbox.replay(self.store)  # a request still queued is stored too
            return privacy.stored_about(self.store.engine, conversation_id)
        except UNAVAILABLE as error:
            log.warning("database unavailable (%s); cannot say what is stored", type(error).__name__)
            return None

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
