"""Liveness and readiness (bot/ops/health.py) as the load balancer sees them: on the staff pages
(Flask) and on a real action server process, without a token, JSON, 200 or 503, and nothing in
the answer but the checks' names and the error's class."""
import json

import pytest
import requests

from bot.ops.health import readiness
from bot.outbox import Outbox
from bot.staff.app import create_app
from bot.storage import db
from db_fixtures import fresh_sqlite
from launcher import running_action_server

UNREACHABLE_PORT = 1  # nothing listens there: connection refused at once
UNREACHABLE = f"postgresql://postgres:s3cret@127.0.0.1:{UNREACHABLE_PORT}/leads_db"


@pytest.fixture
def engine(tmp_path):
    with fresh_sqlite(tmp_path) as url:
        engine = db.make_engine(url)
        yield engine
        engine.dispose()


def blocked(tmp_path):
    """An outbox directory that cannot be created: a file stands where it should be."""
    path = tmp_path / "blocked-outbox"
    path.write_text("not a directory")
    return path


def test_ready_when_the_database_answers_and_the_outbox_takes_a_file(engine, tmp_path):
    outbox = tmp_path / "var" / "outbox"
    assert readiness(engine, outbox) == (200, {"status": "ready", "checks": {"database": "ok", "outbox": "ok"}})
    assert outbox.stat().st_mode & 0o777 == 0o700, "created as the outbox creates it"
    assert list(outbox.iterdir()) == [], "the probe leaves nothing behind"
    assert Outbox(outbox).pending() == [] and Outbox(outbox).dead_letters() == []


def test_not_ready_when_the_database_is_unreachable_and_the_answer_names_no_address(tmp_path):
    down = db.make_engine(UNREACHABLE)
    status, body = readiness(down, tmp_path / "outbox")
    assert status == 503
    assert body == {"status": "not ready", "checks": {"database": "failed: OperationalError", "outbox": "ok"}}
    text = json.dumps(body)
    for secret in ("s3cret", "127.0.0.1", "leads_db", "postgres", str(tmp_path)):
        assert secret not in text


def test_an_empty_sqlite_file_is_not_a_ready_database(tmp_path):
    empty = db.make_engine(f"sqlite:///{tmp_path / 'empty.db'}")
    status, body = readiness(empty, tmp_path / "outbox")
    assert status == 503 and body["checks"]["database"] == "failed: OperationalError"


def test_not_ready_when_the_outbox_cannot_be_written(engine, tmp_path):
    status, body = readiness(engine, blocked(tmp_path))
    assert status == 503
    assert body == {"status": "not ready", "checks": {"database": "ok", "outbox": "failed: FileExistsError"}}


def test_staff_pages_answer_the_probes_without_a_session(engine, tmp_path):
    client = create_app(engine, outbox=Outbox(tmp_path / "outbox")).test_client()
    live = client.get("/health/live")
    assert live.status_code == 200 and live.get_json() == {"status": "alive"}
    ready = client.get("/health/ready")
    assert ready.status_code == 200 and ready.mimetype == "application/json"
    assert ready.get_json() == {"status": "ready", "checks": {"database": "ok", "outbox": "ok"}}
    assert "Set-Cookie" not in ready.headers

    broken = create_app(engine, outbox=Outbox(blocked(tmp_path))).test_client().get("/health/ready")
    assert broken.status_code == 503 and broken.get_json()["checks"]["outbox"] == "failed: FileExistsError"
    down = create_app(db.make_engine(UNREACHABLE), outbox=Outbox(tmp_path / "outbox")).test_client()
    assert down.get("/health/live").status_code == 200, "alive even while the database is down"
    assert down.get("/health/ready").status_code == 503


@pytest.fixture
def action_server(tmp_path):
    """The real action server with a migrated SQLite database, its own outbox and JSON logs in a file."""
    with fresh_sqlite(tmp_path) as url:
        env = {"BOT_ACTIONS_TOKEN": "t" * 40, "BOT_DATABASE_URL": url, "BOT_OUTBOX_DIR": str(tmp_path / "outbox"),
               "BOT_LOG_FORMAT": "json", "BOT_LOG_FILE": str(tmp_path / "actions.log")}
        with running_action_server(env) as base:
            yield base, tmp_path


def test_the_action_server_answers_the_probes_without_its_token(action_server):
    base, tmp_path = action_server
    assert requests.get(f"{base}/health/live", timeout=10).json() == {"status": "alive"}
    ready = requests.get(f"{base}/health/ready", timeout=10)
    assert ready.status_code == 200
    assert ready.json() == {"status": "ready", "checks": {"database": "ok", "outbox": "ok"}}
    assert requests.get(f"{base}/actions", timeout=10).status_code == 401, "the rest still needs the token"

    outbox = tmp_path / "outbox"
    outbox.rmdir()
    outbox.write_text("a file where the outbox should be")
    not_ready = requests.get(f"{base}/health/ready", timeout=10)
    assert not_ready.status_code == 503
    assert not_ready.json() == {"status": "not ready", "checks": {"database": "ok", "outbox": "failed: FileExistsError"}}
    outbox.unlink()
    assert requests.get(f"{base}/health/ready", timeout=10).status_code == 200, "ready again once it is fixed"


def test_the_action_server_logs_json_lines_to_its_file(action_server):
    _, tmp_path = action_server
    lines = (tmp_path / "actions.log").read_text(encoding="utf-8").splitlines()
    records = [json.loads(line) for line in lines]  # every line is one JSON object
    assert all(set(r) >= {"time", "level", "logger", "message"} for r in records)
    assert any(r["logger"] == "bot.servers.action_server" and r["message"].startswith("Action server on http://127.0.0.1:")
               and r["level"] == "INFO" for r in records)
