""""Yêu cầu của tôi thế nào rồi" (bot/dialogue/follow_up.py, action_request_status) on a real SQLite
database through the Desk the action server uses: each stage of the request as the citizen is told
it, the code they may quote, and nothing of another conversation's request, whatever code is typed."""
from __future__ import annotations

import uuid
from datetime import datetime, timezone

import pytest
from sqlalchemy import update
from sqlalchemy.orm import Session

from action_harness import installed_desk, run, tracker
from actions.callback import RequestStatus
from bot.dialogue.follow_up import request_status
from bot.dialogue.replies import Reply
from bot.leads.checks import LeadRequest
from bot.leads.models import CONTACTED, NOT_INTERESTED, REGISTERED, UNREACHABLE, Lead
from bot.leads.reference import typed_reference
from bot.leads.store import LeadStore
from bot.outbox import Desk
from bot.storage import db
from bot.storage.orm import now

UNREACHABLE_DB = "postgresql://postgres@127.0.0.1:1/unreachable"  # nothing listens
RECEIVED = datetime(2026, 11, 23, 7, 5, tzinfo=timezone.utc)  # 14:05 in Vietnam


@pytest.fixture
def desk(tmp_path, monkeypatch):
    the_desk = installed_desk(tmp_path, monkeypatch)
    yield the_desk
    the_desk.store.engine.dispose()



def lead_of(desk: Desk, conversation_id: str, phone: str = "0912345678", province: str = "Nghệ An") -> tuple[int, str]:
    """A request stored for the conversation, received at 14:05 on 23/11/2026; its id and code."""
    desk.record(LeadRequest(
        submission_id=uuid.uuid4().hex, full_name="Nguyễn Thị Lan", phone=phone, province=province,
        office=f"Bảo hiểm xã hội tỉnh {province}", channel="zalo", conversation_id=conversation_id,
        consent_version="2026-11-v2", consent_sha256="ab" * 32, consent_given_at=now().isoformat()))
    with Session(desk.store.engine, future=True) as session, session.begin():
        lead = session.query(Lead).filter_by(conversation_id=conversation_id).one()
        session.execute(update(Lead).where(Lead.id == lead.id).values(created_at=RECEIVED))
        return lead.id, lead.reference


@pytest.mark.parametrize("text, code", [
    ("ma so ABC123 den dau roi", "ABC123"),  # not a valid code, but one the citizen typed
    ("yêu cầu K7MPQX thế nào rồi", "K7MPQX"),
    ("mã yêu cầu: k7m-pqx", "K7MPQX"),
    ("mã số ACDEFG", "ACDEFG"),  # letters only: a code after "mã"
    ("yêu cầu của tôi thế nào rồi", None),
    ("em dang ky goi lai hom qua sao chua thay ai goi", None),
    ("nguyen van an hoi yeu cau", None),  # a word without diacritics is no code
    ("chuyen khoan 500000 roi", None),
    ("số tôi 0912345678 gọi chưa", None),
])
def test_the_code_a_message_quotes(text, code):
    assert typed_reference(text) == code


def test_no_request_in_this_conversation_offers_the_callback_form(desk):
    assert request_status("zalo:nobody", "yeu cau cua toi the nao roi", desk) == [
        Reply("utter_request_status_none"), Reply("utter_request_status_offer")]


@pytest.mark.parametrize("statuses, response", [
    ((), "utter_request_status_received"),
    ((UNREACHABLE,), "utter_request_status_not_reached"),
    ((CONTACTED,), "utter_request_status_contacted"),
    ((CONTACTED, NOT_INTERESTED), "utter_request_status_contacted"),
    ((CONTACTED, REGISTERED), "utter_request_status_registered"),
])
def test_each_status_is_told_with_the_code_and_when_it_was_received(desk, statuses, response):
    lead_id, code = lead_of(desk, "zalo:lan")
    for status in statuses:
        desk.store.change_status(lead_id, status, "hoa")
    assert request_status("zalo:lan", "yêu cầu của tôi thế nào rồi", desk) == [Reply(response, {
        "reference": code, "office": "Bảo hiểm xã hội tỉnh Nghệ An", "received_at": "14:05 ngày 23/11/2026"})]


def test_quoting_its_own_code_tells_the_status(desk):
    _, code = lead_of(desk, "zalo:lan")
    (reply,) = request_status("zalo:lan", f"mã {code.lower()} đến đâu rồi", desk)
    assert reply.response == "utter_request_status_received" and reply.variables["reference"] == code


def test_another_conversations_code_reveals_nothing_of_it(desk):
    _, other_code = lead_of(desk, "zalo:someone-else", phone="0987654321", province="Hà Nội")
    unknown_code = "ACDE34" if other_code != "ACDE34" else "ACDE36"
    for typed in (other_code, unknown_code):
        assert request_status("zalo:lan", f"ma so {typed} den dau roi", desk) == [
            Reply("utter_request_status_other_code", {"code": typed}), Reply("utter_request_status_offer")]
    _, own_code = lead_of(desk, "zalo:lan")
    replies = request_status("zalo:lan", f"yêu cầu {other_code} thế nào rồi", desk)
    assert [r.response for r in replies] == ["utter_request_status_other_code", "utter_request_status_received"]
    assert replies[1].variables["reference"] == own_code and replies[1].variables["office"] == "Bảo hiểm xã hội tỉnh Nghệ An"


def test_a_request_erased_at_the_citizens_wish_is_no_longer_found(desk):
    lead_of(desk, "zalo:lan")
    desk.withdraw("zalo:lan")
    assert [r.response for r in request_status("zalo:lan", "yêu cầu của tôi sao rồi", desk)] == [
        "utter_request_status_none", "utter_request_status_offer"]


def test_a_request_queued_while_the_database_was_down_is_found_once_it_is_back(desk):
    database = desk.store
    desk.store = LeadStore(db.make_engine(UNREACHABLE_DB))
    queued = LeadRequest(
        submission_id=uuid.uuid4().hex, full_name="Lan", phone="0912345678", province="Nghệ An",
        office="Bảo hiểm xã hội tỉnh Nghệ An", channel="zalo", conversation_id="zalo:lan",
        consent_version="2026-11-v2", consent_sha256="ab" * 32, consent_given_at=now().isoformat())
    assert desk.record(queued) is False
    assert request_status("zalo:lan", "yêu cầu của tôi sao rồi", desk) == [Reply("utter_request_status_unavailable")]
    desk.store = database
    (reply,) = request_status("zalo:lan", "yêu cầu của tôi sao rồi", desk)
    assert reply.response == "utter_request_status_received" and desk.outbox.pending() == []


def test_the_action_answers_the_conversation_that_asks(desk, domain):
    _, code = lead_of(desk, "zalo:lan")
    outcome = run(RequestStatus(), tracker(text="yeu cau cua toi the nao roi", intent="ask_request_status",
                                           sender="zalo:lan", channel="zalo"), domain)
    (text,) = outcome.texts
    assert outcome.events == [] and code in text and "14:05 ngày 23/11/2026" in text
    assert "Bảo hiểm xã hội tỉnh Nghệ An" in text and "Nguyễn Thị Lan" not in text and "0912345678" not in text
    stranger = run(RequestStatus(), tracker(text=f"ma so {code} den dau roi", intent="ask_request_status",
                                            sender="zalo:stranger", channel="zalo"), domain)
    assert stranger.responses == ["utter_request_status_other_code", "utter_request_status_offer"]
    assert "Nghệ An" not in " ".join(stranger.texts) and "14:05" not in " ".join(stranger.texts)
    offer = domain["responses"]["utter_request_status_offer"][0]
    assert offer["buttons"] == [{"title": "Nhờ cán bộ gọi lại", "payload": "/request_callback"}]  # starts the form
