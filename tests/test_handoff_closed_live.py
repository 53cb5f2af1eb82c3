"""Outside office hours (BOT_OFFICE_HOURS=never) the same request for an officer, on Zalo, starts the
callback request (consent first) and queues nothing; on the REST channel, where an officer cannot
write to the citizen, too, whatever the hours."""
from __future__ import annotations

import sqlite3

import pytest

from launcher import running_assistant
from test_handoff_live import Citizen, providers, zalo_env  # noqa: F401 (fixture)

pytestmark = pytest.mark.live

ROOT = __import__("conftest").ROOT
CONSENT = "để cán bộ BHXH gọi lại tư vấn, em cần lưu họ tên"


@pytest.fixture(scope="module")
def assistant(tmp_path_factory, providers):  # noqa: F811
    if not (ROOT / "models" / "current.tar.gz").exists():
        pytest.skip("no trained model: run `make train` (make test trains before running pytest)")
    _, base = providers
    db = tmp_path_factory.mktemp("db") / "bot.db"
    with running_assistant(f"sqlite:///{db}", {**zalo_env(base), "BOT_OFFICE_HOURS": "never"}) as running:
        running.db = db
        yield running


def queued(db) -> list:  # type: ignore[no-untyped-def]
    with sqlite3.connect(db) as connection:
        return connection.execute("select conversation_id from handoffs").fetchall()


def test_outside_office_hours_the_callback_request_starts(assistant, providers):  # noqa: F811
    fake, _ = providers
    citizen = Citizen(assistant, fake, "u-closed")
    said = citizen.ask("cho tôi gặp cán bộ", messages=3)  # closed, then the consent text in two
    assert "ngoài giờ làm việc" in said and "1900 9068" in said and CONSENT in said, said
    assert "Đồng ý" in str([c.body for c in fake.zalo_messages("u-closed")]), "the consent question with its buttons"
    assert not queued(assistant.db)


def test_on_the_rest_channel_the_callback_request_starts(assistant):
    said = "\n".join(m.get("text", "") for m in assistant.say("tôi muốn nói chuyện với cán bộ", sender="rest-closed"))
    assert "trên kênh này cán bộ chưa trò chuyện trực tiếp" in said and CONSENT in said, said
    assert not queued(assistant.db)
