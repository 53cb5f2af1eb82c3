"""`bot db backup`: a copy of the database taken while it is in use, that opens on its own and holds
the leads; owner-only; never over an existing file. PostgreSQL through pg_dump when it is there."""
import os
import shutil
import sqlite3
import subprocess
from datetime import datetime, timezone

import pytest

from bot.cli.main import main
from bot.leads.store import LeadStore
from bot.ops.backup import BackupError, backup
from bot.storage import db
from db_fixtures import fresh_postgres, fresh_sqlite, postgres_unavailable
from staff_fixtures import lead_request

AT = datetime(2026, 11, 26, 8, 30, 5, tzinfo=timezone.utc)


def test_a_backup_of_the_live_sqlite_database_opens_and_holds_the_lead(tmp_path, monkeypatch, capsys):
    with fresh_sqlite(tmp_path) as url:
        path = url.split("///", 1)[1]
        engine = db.make_engine(url)
        engine.connect().close()  # the servers' engine turns write-ahead logging on
        writer = sqlite3.connect(path, isolation_level=None)  # another process, open all along
        writer.execute("SELECT count(*) FROM leads").fetchone()
        LeadStore(engine).submit(lead_request("Phạm Văn Hùng", "0912345678", "Nghệ An"))
        assert os.path.getsize(path + "-wal") > 0, "the lead is still in the write-ahead log"
        writer.execute("BEGIN IMMEDIATE")  # and writing while the backup runs
        writer.execute("UPDATE leads SET full_name = 'Chưa lưu'")
        monkeypatch.setenv("BOT_DATABASE_URL", url)
        out = tmp_path / "backups"
        out.mkdir()

        assert main(["db", "backup", "--out", str(out)]) == 0, "not blocked by the open write"
        writer.execute("ROLLBACK")
        writer.close()
        engine.dispose()

    (copy,) = out.iterdir()  # nothing else: no partial file, no -wal beside it
    assert capsys.readouterr().out.strip() == str(copy)
    assert copy.name.startswith("bot-") and copy.suffix == ".db"
    assert copy.stat().st_mode & 0o777 == 0o600
    with sqlite3.connect(copy) as restored:
        assert restored.execute("SELECT full_name, phone, province FROM leads").fetchall() == \
            [("Phạm Văn Hùng", "0912345678", "Nghệ An")]
        assert restored.execute("PRAGMA journal_mode").fetchone() == ("delete",)
        assert restored.execute("PRAGMA integrity_check").fetchone() == ("ok",)


def test_the_file_is_named_by_the_utc_time_and_never_overwritten(tmp_path, capsys):
    with fresh_sqlite(tmp_path) as url:
        out = tmp_path / "backups"
        out.mkdir()
        assert backup(url, out, AT) == out / "bot-20261126T083005Z.db"
        with pytest.raises(BackupError, match="exists"):
            backup(url, out, AT)
        existing = tmp_path / "keep.db"
        existing.write_text("something else")
        assert main(["db", "backup", "--out", str(existing)]) == 2
        assert "exists" in capsys.readouterr().err
        assert existing.read_text() == "something else"


def test_no_database_no_backup_file(tmp_path):
    out = tmp_path / "backups"
    out.mkdir()
    with pytest.raises(BackupError, match="no SQLite database file"):
        backup(f"sqlite:///{tmp_path / 'missing.db'}", out, AT)
    assert list(out.iterdir()) == [] and not (tmp_path / "missing.db").exists()


@pytest.mark.server
def test_a_postgresql_backup_is_a_pg_dump_holding_the_lead(tmp_path):
    missing = [tool for tool in ("pg_dump", "pg_restore") if shutil.which(tool) is None]
    if missing:
        pytest.skip(f"{' and '.join(missing)} not installed (postgresql-client)")
    reason = postgres_unavailable()
    if reason:
        pytest.skip(reason)
    with fresh_postgres() as url:
        engine = db.make_engine(url)
        LeadStore(engine).submit(lead_request("Nguyễn Thị Lan", "0987654321", "Hà Nội"))
        engine.dispose()
        copy = backup(url, tmp_path, AT)
    assert copy == tmp_path / "bot-20261126T083005Z.dump"
    assert copy.stat().st_mode & 0o777 == 0o600
    data = subprocess.run(["pg_restore", "--data-only", "--table=leads", "--file=-", str(copy)],
                          capture_output=True, text=True, check=True).stdout
    assert "Nguyễn Thị Lan" in data and "0987654321" in data
