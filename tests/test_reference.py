"""Reference codes and the follow-up lookup on SQLite and PostgreSQL: every lead gets a short code of
unambiguous characters, distinct from every other lead's (leads stored before the codes existed get
one from the migration), and a conversation finds where its request stands."""
from __future__ import annotations

import re
import uuid

import pytest
from sqlalchemy import create_engine, select, text

from bot.leads.checks import LeadRequest
from bot.leads.follow_up import (CONTACTED_STAGE, NOT_REACHED_STAGE, RECEIVED_STAGE, REGISTERED_STAGE, FollowUp,
                                 stage_of)
from bot.leads.models import CONTACTED, NEW, NOT_INTERESTED, REGISTERED, UNREACHABLE, Lead
from bot.leads.reference import ALPHABET, normalise_reference
from bot.leads.store import LeadStore
from bot.notify.models import LeadNotice
from bot.storage import db
from bot.storage.orm import now
from db_fixtures import database_url  # noqa: F401 (fixture)

CODE = re.compile(r"[A-Z0-9]{6}")


def request_for(phone: str, conversation_id: str | None = None) -> LeadRequest:
    return LeadRequest(
        submission_id=uuid.uuid4().hex, full_name="Nguyễn Thị Lan", phone=phone, province="Nghệ An",
        office="Bảo hiểm xã hội tỉnh Nghệ An", channel="rest", conversation_id=conversation_id or "c-" + phone,
        consent_version="2026-11-v2", consent_sha256="ab" * 32, consent_given_at=now().isoformat())


@pytest.fixture
def store(database_url):
    engine = db.make_engine(database_url)
    yield LeadStore(engine)
    engine.dispose()


def test_the_alphabet_has_none_of_the_look_alikes():
    for confusable in "0O1IL2Z5S8B":
        assert confusable not in ALPHABET
    assert len(set(ALPHABET)) == len(ALPHABET) == 25


@pytest.mark.parametrize("typed, code", [
    ("K7MPQX", "K7MPQX"), (" k7m-pqx ", "K7MPQX"), ("k7m pqx", "K7MPQX"), ("K7M.PQX", "K7MPQX"),
    ("K7MPQ", None), ("K7MPQXA", None), ("K0MPQX", None), ("KOMPQX", None), ("", None),
])
def test_a_typed_code_is_read_without_regard_to_case_and_separators(typed, code):
    assert normalise_reference(typed) == code


def test_every_lead_gets_its_own_code(store):
    ids = [store.submit(request_for(f"09123456{i:02d}")) for i in range(40)]
    with store.engine.connect() as connection:
        codes = connection.execute(select(Lead.reference).where(Lead.id.in_(ids))).scalars().all()
    assert len(set(codes)) == 40
    assert all(len(code) == 6 and set(code) <= set(ALPHABET) for code in codes)
    # a digit and a letter in each: a code quoted without "mã" is told from a word ("nguyen")
    assert all(set(code) & set("34679") and set(code) - set("34679") for code in codes)


def test_the_same_conversation_keeps_its_code_when_it_asks_again(store):
    first = store.submit(request_for("0912345678"))
    code = store.follow_up("c-0912345678").reference
    assert store.submit(request_for("0912345678")) == first
    assert store.follow_up("c-0912345678").reference == code


def test_the_stages_a_citizen_is_told():
    assert [stage_of(s) for s in (NEW, UNREACHABLE, CONTACTED, NOT_INTERESTED, REGISTERED)] == [
        "received", "not_reached", "contacted", "contacted", "registered"]


def test_a_conversation_follows_its_request_from_received_to_registered(store):
    lead_id = store.submit(request_for("0912345678"))
    received = store.follow_up("c-0912345678")
    assert received.stage == RECEIVED_STAGE and CODE.fullmatch(received.reference)
    store.change_status(lead_id, UNREACHABLE, "hoa")
    assert store.follow_up("c-0912345678").stage == NOT_REACHED_STAGE
    store.change_status(lead_id, CONTACTED, "hoa")
    assert store.follow_up("c-0912345678").stage == CONTACTED_STAGE
    store.change_status(lead_id, REGISTERED, "hoa")
    assert store.follow_up("c-0912345678") == FollowUp(
        received.reference, REGISTERED_STAGE, received.received_at, "Bảo hiểm xã hội tỉnh Nghệ An")


def test_no_request_or_an_erased_one_has_no_follow_up(store):
    assert store.follow_up("c-nobody") is None
    store.submit(request_for("0912345678"))
    store.withdraw("c-0912345678")
    assert store.follow_up("c-0912345678") is None


def test_another_conversation_with_the_same_phone_does_not_see_the_first_request(store):
    store.submit(request_for("0912345678"))
    assert store.follow_up("c-someone-else") is None
    store.submit(request_for("0912345678", conversation_id="c-someone-else"))
    assert store.follow_up("c-someone-else").reference != store.follow_up("c-0912345678").reference


def test_the_migration_gives_the_leads_already_stored_a_code_and_never_mails_them(tmp_path):
    url = f"sqlite:///{tmp_path / 'old.db'}"
    db.upgrade(url, "0007")
    engine = create_engine(url, future=True)
    with engine.begin() as connection:
        for i in range(5):
            connection.execute(text(
                "INSERT INTO leads (created_at, updated_at, status, province, office, interests, channel, "
                "conversation_id) VALUES (:at, :at, 'mới', 'Nghệ An', 'BHXH', '[]', 'rest', :c)"),
                {"at": now(), "c": f"c-{i}"})
    db.upgrade(url)
    with engine.connect() as connection:
        codes = connection.execute(select(Lead.reference)).scalars().all()
        states = connection.execute(select(LeadNotice.state)).scalars().all()
    engine.dispose()
    assert len(set(codes)) == 5 and all(CODE.fullmatch(c) and set(c) <= set(ALPHABET) for c in codes)
    assert states == ["before"] * 5
