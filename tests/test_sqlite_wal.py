"""An SQLite database opened by several processes at once (the servers of `make run`, the daily run of
two action-server processes): each connection switches it to write-ahead logging, and one that finds
the database held while it switches waits for it rather than failing (bot/storage/db.py)."""
import sqlite3
import threading

from bot.storage import db


def test_switching_to_wal_waits_until_another_connection_lets_the_database_go(tmp_path):
    path = tmp_path / "new.db"
    other = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    other.execute("CREATE TABLE t (x)")
    other.execute("BEGIN")
    other.execute("SELECT * FROM t").fetchall()  # a read transaction: the journal mode cannot change
    threading.Timer(0.3, other.execute, ["COMMIT"]).start()
    mine = sqlite3.connect(path, isolation_level=None, timeout=0)  # refused at once, as in a race
    db._use_wal(mine)
    assert mine.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    mine.close()
    other.close()
