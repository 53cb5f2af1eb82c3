"""The outbox on SQLite and PostgreSQL: only an outage queues; what is refused is set aside as a dead
letter and never blocks the queue; the order is the sequence of the names; files are private;
replays are serialised across threads and processes."""
from __future__ import annotations

import fcntl
import json
import os
import shutil
import stat
import subprocess
import sys
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict

import pytest
from sqlalchemy import text

from bot.cli.main import main
from bot.leads.checks import InvalidLead
from bot.leads.store import LeadStore
from bot.outbox import Desk, Outbox, record
from bot.storage import db
from db_fixtures import fresh_sqlite
from test_leads import request_for, store, url  # noqa: F401 (fixtures)

UNREACHABLE = "postgresql://postgres@127.0.0.1:1/unreachable"  # nothing listens: connection refused
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


@pytest.fixture
def down():
    store = LeadStore(db.make_engine(UNREACHABLE))
    yield store
    store.engine.dispose()


def write_entry(directory, name, content):
    """A file put in the outbox by hand, as a bug or an older build could have written it."""
    directory.mkdir(parents=True, exist_ok=True)
    (directory / name).write_text(content, encoding="utf-8")


def test_a_poisoned_file_does_not_block_the_next_ten_leads_and_is_reported(store, url, tmp_path, monkeypatch, capsys):
    directory = tmp_path / "outbox"
    write_entry(directory, "000000000001-lead.json", json.dumps(asdict(request_for(income=10 ** 26))))
    write_entry(directory, "000000000002-lead.json", json.dumps(asdict(request_for(phone="0" * 21))))
    outbox = Outbox(directory)
    for i in range(10):
        outbox.put(request_for(phone=f"09{i:08d}"))
    assert outbox.replay(store) == 10
    assert sorted(lead.phone for lead in store.leads()) == [f"09{i:08d}" for i in range(10)]
    assert outbox.pending() == []
    assert [(d.name, d.reason) for d in outbox.dead_letters()] == [
        ("000000000001-lead.json", "invalid: income: outside the law's range on the day of the consent"),
        ("000000000002-lead.json", "invalid: phone: longer than 20 characters"),
    ]
    monkeypatch.setenv("BOT_DATABASE_URL", url)
    monkeypatch.setenv("BOT_OUTBOX_DIR", str(directory))
    assert main(["leads", "replay"]) == 1  # dead letters wait for a person
    report = capsys.readouterr().out
    assert report.splitlines() == [
        "0 entries applied from the outbox, 0 waiting",
        f"2 dead letter(s) in {directory / 'dead'}",
        "  1 × invalid: income: outside the law's range on the day of the consent",
        "  1 × invalid: phone: longer than 20 characters",
    ]
    assert "Nguyễn" not in report and "0912345678" not in report


def refuse_commune(engine) -> None:
    """A rule of the database that the checks do not know: it refuses the commune "xã Cấm"."""
    with engine.begin() as c:
        if engine.dialect.name == "sqlite":
            c.execute(text("CREATE TRIGGER refuse_commune BEFORE INSERT ON leads WHEN NEW.commune = 'xã Cấm' "
                           "BEGIN SELECT RAISE(ABORT, 'commune refused'); END"))
        else:
            c.execute(text("CREATE FUNCTION refuse_commune() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
                           "IF NEW.commune = 'xã Cấm' THEN RAISE EXCEPTION 'commune refused' "
                           "USING ERRCODE = 'check_violation'; END IF; RETURN NEW; END $$"))
            c.execute(text("CREATE TRIGGER refuse_commune BEFORE INSERT ON leads "
                           "FOR EACH ROW EXECUTE FUNCTION refuse_commune()"))


def test_what_the_database_itself_refuses_is_set_aside_not_queued(store, tmp_path):
    refuse_commune(store.engine)
    reason = {"sqlite": "IntegrityError (commune refused)",
              "postgresql": "IntegrityError (CheckViolation, SQLSTATE 23514)"}[store.engine.dialect.name]
    outbox = Outbox(tmp_path / "outbox")
    outbox.put(request_for(phone="0911111111", commune="xã Cấm"))
    outbox.put(request_for(phone="0922222222"))
    assert outbox.replay(store) == 1 and [lead.phone for lead in store.leads()] == ["0922222222"]
    with pytest.raises(InvalidLead) as refused:  # the same when the conversation records it
        record(request_for(phone="0933333333", commune="xã Cấm"), store, outbox)
    assert refused.value.problems == {"request": f"refused by the database: {reason}"}
    assert [d.reason for d in outbox.dead_letters()] == [reason, reason]
    assert outbox.pending() == [] and store.count() == 1


def test_an_outage_queues_and_the_queue_replays_in_the_written_order_whatever_the_mtimes(store, down, tmp_path):
    outbox = Outbox(tmp_path / "outbox")
    assert record(request_for(phone="0911111111", conversation_id="c-1"), down, outbox) is False
    outbox.put_withdrawal("c-1")
    assert record(request_for(phone="0922222222", conversation_id="c-2"), down, outbox) is False
    written = ["000000000001-lead.json", "000000000002-withdraw.json", "000000000003-lead.json"]
    for age, name in enumerate(written):  # restored from a backup: the newest file now looks the oldest
        os.utime(outbox.directory / name, (1_000_000_000 - age * 1000,) * 2)
    assert [p.name for p in outbox.pending()] == written
    assert record(request_for(phone="0933333333", conversation_id="c-3"), store, outbox) is True
    phones = {lead.conversation_id: lead.phone for lead in store.leads()}
    assert phones == {"c-1": None, "c-2": "0922222222", "c-3": "0933333333"}, "the withdrawal came after its lead"
    assert outbox.pending() == [] and outbox.dead_letters() == []


def test_a_withdrawal_while_the_database_is_down_deletes_the_queued_request_at_once(store, tmp_path):
    desk = Desk(UNREACHABLE, tmp_path / "outbox")
    assert desk.record(request_for(phone="0944444444", conversation_id="c-4")) is False
    assert desk.record(request_for(phone="0955555555", conversation_id="c-5")) is False
    assert desk.withdraw("c-4") is None
    contents = [p.read_text(encoding="utf-8") for p in desk.outbox.pending()]
    assert len(contents) == 2 and "0944444444" not in "".join(contents) and json.loads(contents[1])["withdraw"] == "c-4"
    assert desk.outbox.replay(store) == 2
    assert [(lead.conversation_id, lead.phone) for lead in store.leads()] == [("c-5", "0955555555")]
    desk.store.engine.dispose()


def test_a_withdrawal_also_deletes_the_conversations_dead_letters(url, tmp_path):
    desk = Desk(url, tmp_path / "outbox")
    write_entry(desk.outbox.directory, "000000000001-lead.json",
                json.dumps(asdict(request_for(conversation_id="c-6", income=10 ** 26))))
    write_entry(desk.outbox.directory, "000000000002-lead.json",
                json.dumps(asdict(request_for(conversation_id="c-7", income=10 ** 26))))
    desk.outbox.replay(desk.store)
    assert desk.withdraw("c-6") == 1, "its dead letter was erased"
    assert [d.name for d in desk.outbox.dead_letters()] == ["000000000002-lead.json"]
    assert sorted(p.name for p in desk.outbox.dead.iterdir()) == ["000000000002-lead.json", "000000000002-lead.reason.json"]
    desk.store.engine.dispose()


def test_outbox_files_are_readable_by_their_owner_only(tmp_path):
    previous = os.umask(0)  # the modes must not depend on the process's umask
    try:
        outbox = Outbox(tmp_path / "outbox")
        waiting = outbox.put(request_for())
        assert stat.S_IMODE(waiting.stat().st_mode) == 0o600
        assert stat.S_IMODE(outbox.directory.stat().st_mode) == 0o700
        outbox.set_aside(outbox.put_withdrawal("c-8"), "test")
        assert stat.S_IMODE(outbox.dead.stat().st_mode) == 0o700
        modes = {p.name: stat.S_IMODE(p.stat().st_mode) for d in (outbox.directory, outbox.dead) for p in d.iterdir()
                 if p.is_file()}
        assert modes == {"000000000001-lead.json": 0o600, "000000000002-withdraw.json": 0o600,
                         "000000000002-withdraw.reason.json": 0o600, ".sequence": 0o600}
    finally:
        os.umask(previous)


def test_sequence_numbers_keep_growing_even_after_a_restore_without_the_counter(tmp_path):
    outbox = Outbox(tmp_path / "outbox")
    for phone in ("0911111111", "0922222222", "0933333333"):
        outbox.put(request_for(phone=phone))
    backup = tmp_path / "backup"
    backup.mkdir()
    for path in outbox.pending()[:2]:  # the backup was taken when two files waited
        shutil.copy(path, backup / path.name)
    for path in outbox.pending():  # since then everything was replayed
        path.unlink()
    assert outbox.put_withdrawal("c-9").name == "000000000004-withdraw.json", "a number is never reused"
    restored = Outbox(backup)
    assert restored.put_withdrawal("c-9").name == "000000000003-withdraw.json"
    assert [p.name for p in restored.pending()] == [
        "000000000001-lead.json", "000000000002-lead.json", "000000000003-withdraw.json"]


def test_concurrent_replays_in_threads_apply_each_file_once(store, tmp_path):
    directory = tmp_path / "outbox"
    for i in range(30):
        Outbox(directory).put(request_for(phone=f"09{i:08d}"))
    start = threading.Barrier(4)

    def replay(_: int) -> int:
        outbox = Outbox(directory)  # each its own handle on the lock, as another process would have
        start.wait()
        return outbox.replay(store)

    with ThreadPoolExecutor(max_workers=4) as pool:
        applied = list(pool.map(replay, range(4)))
    assert sum(applied) == 30 and store.count() == 30 and Outbox(directory).pending() == []


REPLAY = """
import sys
from bot.leads.store import LeadStore
from bot.outbox import Outbox
from bot.storage import db
print("ready", flush=True)
print(Outbox(__import__("pathlib").Path(sys.argv[1])).replay(LeadStore(db.make_engine(sys.argv[2]))))
"""


def test_concurrent_replays_in_two_processes_apply_each_file_once(tmp_path):
    with fresh_sqlite(tmp_path) as url:
        directory = tmp_path / "outbox"
        for i in range(30):
            Outbox(directory).put(request_for(phone=f"09{i:08d}"))
        lock = os.open(directory / ".replay.lock", os.O_RDWR | os.O_CREAT, 0o600)
        fcntl.flock(lock, fcntl.LOCK_EX)  # both processes start, then wait on the lock together
        processes = [subprocess.Popen([sys.executable, "-c", REPLAY, str(directory), url], cwd=ROOT,
                                      stdout=subprocess.PIPE, text=True) for _ in range(2)]
        for process in processes:
            assert process.stdout.readline() == "ready\n"
        os.close(lock)
        applied = [int(process.communicate(timeout=120)[0]) for process in processes]
        assert sorted(applied) == [0, 30]
        store = LeadStore(db.make_engine(url))
        assert store.count() == 30 and Outbox(directory).pending() == []
        store.engine.dispose()
