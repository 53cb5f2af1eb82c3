"""Erasure with the real assistant over REST: a citizen leaves a callback request with a distinctive
name and phone, asks what is stored, then withdraws in a message that itself carries the phone.
Afterwards neither Rasa's tracker store (the `events` table) nor the review inbox and its YAML
export hold the name or the phone, the intents and timestamps remain, later messages are stored as
usual, and another citizen's conversation is untouched."""
from __future__ import annotations

import json
import sqlite3

import pytest
from sqlalchemy import select

from bot.storage import db
from bot.training.review import Inbox, ReviewItem
from launcher import running_assistant

pytestmark = pytest.mark.live

ROOT = __import__("conftest").ROOT
NAME, PHONE, TYPED_PHONE = "Quách Thị Xuyến", "0977246813", "0977 246 813"
OTHER_NAME, OTHER_TYPED_PHONE = "Lò Văn Páo", "0388 123 456"
# The model of today is unsure of "<name> nhờ hỏi hộ mẹ": it reaches the trainers' review inbox, name and all.
QUESTION = "nhờ hỏi hộ mẹ"


def text_of(messages):
    return "\n".join(m.get("text", "") for m in messages)


def leave_a_request(assistant, sender, name, typed_phone):
    assistant.say(f"{name} {QUESTION}", sender=sender)
    for answer in ["gọi lại cho tôi", "đồng ý", name, typed_phone, "ha giang", "xã Minh Tân", "sau năm giờ chiều"]:
        reply = text_of(assistant.say(answer, sender=sender))
    assert name in reply, reply  # the summary
    assert "Tuyên Quang" in text_of(assistant.say("đúng", sender=sender))


def events(database, sender):
    with sqlite3.connect(database) as c:
        return c.execute("SELECT id, type_name, timestamp, intent_name, action_name, data FROM events "
                         "WHERE sender_id = ? ORDER BY id", (sender,)).fetchall()


def readable(rows):
    """Every stored event as text, JSON escapes decoded (Rasa writes "Xuy\\u1ebfn")."""
    return "\n".join(row[5] + json.dumps(json.loads(row[5]), ensure_ascii=False) for row in rows)


def test_a_withdrawal_leaves_no_name_or_phone_in_the_running_assistant(tmp_path):
    if not (ROOT / "models" / "current.tar.gz").exists():
        pytest.skip("no trained model: run `make train` (make test trains before running pytest)")
    database = tmp_path / "bot.db"
    url = f"sqlite:///{database}"
    with running_assistant(url, {"BOT_TODAY": "2026-11-24"}) as assistant:
        leave_a_request(assistant, "privacy-xuyen", NAME, TYPED_PHONE)
        leave_a_request(assistant, "privacy-pao", OTHER_NAME, OTHER_TYPED_PHONE)
        shown = text_of(assistant.say("thông tin của tôi", sender="privacy-xuyen"))
        assert NAME in shown and PHONE in shown and "xã Minh Tân" in shown and "2026-11-v2" in shown

        engine = db.make_engine(url)
        inbox = Inbox(engine)
        inbox.scan()
        for group in inbox.groups():
            inbox.label(group.key, "out_of_scope", None, [], "huanluyen")
        assert NAME in inbox.export_yaml() and OTHER_NAME in inbox.export_yaml()
        before = events(database, "privacy-xuyen")
        other_before = events(database, "privacy-pao")
        assert NAME in readable(before) and PHONE in readable(before)

        withdrawn = text_of(assistant.say(f"xóa thông tin của tôi, số {TYPED_PHONE}", sender="privacy-xuyen"))
        assert "đã xóa" in withdrawn
        inbox.scan()
        exported = inbox.export_yaml()
        assert NAME not in exported and PHONE not in exported and OTHER_NAME in exported
        with engine.connect() as c:
            reviewed = set(c.execute(select(ReviewItem.conversation_id)).scalars())
        assert "privacy-xuyen" not in reviewed and "privacy-pao" in reviewed

        assert "chưa lưu" in text_of(assistant.say("thông tin của tôi", sender="privacy-xuyen"))
        assert "BHYT" in text_of(assistant.say("bhyt là gì", sender="privacy-xuyen"))
        after = events(database, "privacy-xuyen")
        for secret in (NAME, "Xuyến", "Xuyen", PHONE, TYPED_PHONE):
            assert secret not in readable(after), secret
        assert [row[:5] for row in after[:len(before)]] == [row[:5] for row in before]  # intents and timestamps stay
        assert [row[3] for row in after if row[1] == "user"][-1] == "ask_health_insurance"  # later turns stored as usual
        assert "BHYT" in readable(after[len(before):])
        assert events(database, "privacy-pao") == other_before
        engine.dispose()
