"""`bot handoff list|take|reply|release` (bot/cli/handoff.py) on a SQLite database, with Rasa's API and
the channels replaced by the recording fakes."""
import pytest

from bot.cli import handoff
from bot.cli.main import main
from bot.handoff.queue import HandoffQueue
from bot.handoff.takeover import RELEASED_NOTE, Takeover
from bot.storage import db
from handoff_fakes import FakeRasa, FakeSenders


@pytest.fixture
def queue(tmp_path, monkeypatch):
    url = f"sqlite:///{tmp_path / 'bot.db'}"
    db.upgrade(url)
    monkeypatch.setenv("BOT_DATABASE_URL", url)
    engine = db.make_engine(url)
    queue = HandoffQueue(engine)
    queue.rasa, queue.senders = FakeRasa(), FakeSenders(engine)
    monkeypatch.setattr(handoff, "make_takeover", lambda q: Takeover(q, queue.rasa, queue.senders))  # type: ignore[arg-type]
    yield queue
    engine.dispose()


def run(capsys, *args):
    code = main(["handoff", *args])
    out = capsys.readouterr()
    return code, out.out, out.err


def test_list_take_reply_release(queue, capsys):
    queue.request("zalo:u1", "zalo", "Nghệ An")
    queue.request("messenger:p1", "messenger", "Hà Nội")
    code, out, _ = run(capsys, "list")
    assert code == 0 and "zalo:u1 | Nghệ An | zalo | đang chờ" in out and out.rstrip().endswith("2 cuộc trò chuyện")
    code, out, _ = run(capsys, "list", "--province", "Hà Nội")
    assert "zalo:u1" not in out and "messenger:p1" in out

    assert run(capsys, "take", "zalo:u1")[0] == 0
    assert queue.open_for("zalo:u1").taken_by == "cli" and ("pause", "zalo:u1") in queue.rasa.calls
    code, out, _ = run(capsys, "list")
    assert "cán bộ đang trả lời" in out and "cli từ" in out

    code, out, _ = run(capsys, "reply", "zalo:u1", "Chào chị")
    assert code == 0 and out.startswith("Đã gửi")
    assert queue.senders.sent[-1] == ("zalo:u1", "Chào chị") and queue.rasa.calls[-1] == ("bot", "zalo:u1", "Chào chị", "cli")

    assert run(capsys, "release", "zalo:u1")[0] == 0
    assert ("resume", "zalo:u1") in queue.rasa.calls and queue.senders.sent[-1] == ("zalo:u1", RELEASED_NOTE)
    assert queue.open_for("zalo:u1") is None


def test_refusals_and_problems(queue, capsys):
    code, _, err = run(capsys, "take", "zalo:nobody")
    assert code == 2 and "không có trong hàng chờ" in err
    queue.request("zalo:u1", "zalo", "Nghệ An")
    queue.take("zalo:u1", "hoa")
    code, _, err = run(capsys, "reply", "zalo:u1", "Chào chị")
    assert code == 2 and "hoa đang phụ trách" in err
    queue.senders.problem = "Đã quá 48 giờ kể từ tin nhắn cuối của người dân."
    code, _, err = run(capsys, "reply", "zalo:u1", "Chào chị", "--officer", "hoa")
    assert code == 1 and "quá 48 giờ" in err
    queue.senders.problem = None
    assert run(capsys, "release", "zalo:u1")[0] == 0, "the command line may hand back anyone's conversation"
    queue.rasa.down = True
    queue.request("zalo:u2", "zalo", "Nghệ An")
    code, _, err = run(capsys, "take", "zalo:u2")
    assert code == 2 and "Không kết nối được với trợ lý" in err
    assert queue.open_for("zalo:u2").status == "waiting"
