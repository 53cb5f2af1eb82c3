"""The log settings (bot/ops/logs.py): JSON lines with time, level, logger and message; the file
rotated by size; a wrong setting refused; names and phones stay masked as the code logs them."""
import json
import logging
import re
from datetime import datetime, timedelta

import pytest

from bot.leads.store import LeadStore
from bot.ops import logs
from bot.storage import db
from db_fixtures import fresh_sqlite
from staff_fixtures import lead_request


@pytest.fixture
def restore_logging():
    """Put back the handlers (pytest's own among them) and levels configure() replaces."""
    root = logging.getLogger()
    saved = root.handlers[:], root.level, {name: logging.getLogger(name).handlers[:] for name in logs.SANIC_LOGGERS}
    yield
    for handler in root.handlers:
        if handler not in saved[0]:
            handler.close()
    root.handlers[:], root.level = saved[0], saved[1]
    for name, handlers in saved[2].items():
        logging.getLogger(name).handlers = handlers


def lines(path):
    return path.read_text(encoding="utf-8").splitlines()


def test_json_lines_carry_time_level_logger_and_message(tmp_path, restore_logging):
    log_file = tmp_path / "bot.log"
    logs.configure(logging.INFO, {"BOT_LOG_FORMAT": "json", "BOT_LOG_FILE": str(log_file)})
    logging.getLogger("bot.example").warning("đã nhận %d yêu cầu", 3)
    logging.getLogger("bot.example").debug("below the level")
    (line,) = lines(log_file)
    record = json.loads(line)
    assert {k: record[k] for k in ("level", "logger", "message")} == \
        {"level": "WARNING", "logger": "bot.example", "message": "đã nhận 3 yêu cầu"}
    assert "đã nhận" in line, "Vietnamese as written, not \\u escapes"
    written = datetime.fromisoformat(record["time"])
    assert written.utcoffset() == timedelta(0)
    assert abs((datetime.now(written.tzinfo) - written).total_seconds()) < 60


def test_an_exception_stays_inside_its_one_json_line(tmp_path, restore_logging):
    log_file = tmp_path / "bot.log"
    logs.configure(logging.INFO, {"BOT_LOG_FORMAT": "json", "BOT_LOG_FILE": str(log_file)})
    try:
        raise KeyError("missing")
    except KeyError:
        logging.getLogger("bot.example").exception("outbox replay failed")
    (line,) = lines(log_file)
    record = json.loads(line)
    assert record["level"] == "ERROR" and record["message"] == "outbox replay failed"
    assert record["exception"].startswith("Traceback") and "KeyError: 'missing'" in record["exception"]


def test_text_is_the_default_format(tmp_path, restore_logging):
    log_file = tmp_path / "bot.log"
    logs.configure(logging.INFO, {"BOT_LOG_FILE": str(log_file)})
    logging.getLogger("bot.example").info("xin chào")
    (line,) = lines(log_file)
    assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3} INFO bot.example: xin chào", line)


def test_sanics_own_records_reach_the_same_file(tmp_path, restore_logging):
    log_file = tmp_path / "bot.log"
    logs.configure(logging.INFO, {"BOT_LOG_FORMAT": "json", "BOT_LOG_FILE": str(log_file)})
    sanic_error = logging.getLogger("sanic.error")
    sanic_error.propagate = False  # as Sanic and the Rasa SDK set it
    sanic_error.error("Exception occurred while handling uri")
    (line,) = lines(log_file)
    assert json.loads(line)["logger"] == "sanic.error"


def test_the_file_is_rotated_by_size_keeping_the_backups_asked(tmp_path, restore_logging):
    log_file = tmp_path / "bot.log"
    logs.configure(logging.INFO, {"BOT_LOG_FORMAT": "json", "BOT_LOG_FILE": str(log_file),
                                  "BOT_LOG_MAX_BYTES": "1000", "BOT_LOG_BACKUPS": "2"})
    for number in range(100):  # about 120 bytes a line: 12 kB in all
        logging.getLogger("bot.example").info("message number %03d", number)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bot.log", "bot.log.1", "bot.log.2"]
    for path in tmp_path.iterdir():
        assert path.stat().st_size <= 1000
    assert json.loads(lines(log_file)[-1])["message"] == "message number 099", "the newest in the file itself"
    kept = [json.loads(line)["message"] for name in ("bot.log.2", "bot.log.1", "bot.log")
            for line in lines(tmp_path / name)]
    assert kept == [f"message number {n:03d}" for n in range(100 - len(kept), 100)], "in order, the oldest dropped"


@pytest.mark.parametrize("setting", [{"BOT_LOG_FORMAT": "xml"}, {"BOT_LOG_MAX_BYTES": "10MB"},
                                     {"BOT_LOG_BACKUPS": "-1"}])
def test_a_setting_it_cannot_use_is_refused(setting, tmp_path):
    with pytest.raises(ValueError, match=next(iter(setting))):
        logs.handler_from({"BOT_LOG_FILE": str(tmp_path / "bot.log"), **setting})


def test_a_stored_lead_is_logged_with_its_phone_masked_and_no_name(tmp_path, restore_logging):
    log_file = tmp_path / "bot.log"
    logs.configure(logging.INFO, {"BOT_LOG_FORMAT": "json", "BOT_LOG_FILE": str(log_file)})
    with fresh_sqlite(tmp_path) as url:
        engine = db.make_engine(url)
        lead_id = LeadStore(engine).submit(lead_request("Phạm Văn Hùng", "0912345678", "Nghệ An"))
        engine.dispose()
    text = log_file.read_text(encoding="utf-8")
    stored = [json.loads(line) for line in text.splitlines() if json.loads(line)["logger"] == "bot.leads.store"]
    assert [r["message"] for r in stored] == [f"lead {lead_id} stored for 091****678 (Nghệ An)"]
    assert "0912345678" not in text and "Hùng" not in text
