"""The lead store on SQLite and on PostgreSQL (the same tests on both), the outbox, and an outage."""
from __future__ import annotations

import json
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
from sqlalchemy import select, update
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from bot.leads.checks import LeadRequest
from bot.leads.models import Consent, Lead, StatusChange
from bot.leads.store import LeadStore
from bot.outbox import Desk, Outbox, record
from bot.storage import db
from bot.storage.orm import now
from db_fixtures import TcpProxy, fresh_postgres, fresh_sqlite, postgres_unavailable


@pytest.fixture(params=["sqlite", "postgresql"])
def url(request, tmp_path):
    factory = fresh_sqlite(tmp_path) if request.param == "sqlite" else fresh_postgres()
    with factory as url:
        yield url


@pytest.fixture
def store(url):
    engine = db.make_engine(url)
    yield LeadStore(engine)
    engine.dispose()


def request_for(phone="0912345678", **changes):
    fields = dict(
        submission_id=uuid.uuid4().hex, full_name="Nguyễn Thị Lan", phone=phone, province="Tuyên Quang",
        office="Bảo hiểm xã hội tỉnh Tuyên Quang", channel="rest", conversation_id="c-" + phone,
        consent_version="2026-11-v1", consent_sha256="ab" * 32, consent_given_at=now().isoformat(),
        commune="xã Tân Trào", interests=["Mức đóng"], income=5_000_000, target_group="farmer",
    )
    return LeadRequest(**{**fields, **changes})


def test_a_lead_with_its_consent_and_first_status(store):
    lead_id = store.submit(request_for())
    with Session(store.engine) as s:
        lead = s.get(Lead, lead_id)
        assert (lead.full_name, lead.phone, lead.status, lead.office) == (
            "Nguyễn Thị Lan", "0912345678", "mới", "Bảo hiểm xã hội tỉnh Tuyên Quang")
        assert json.loads(lead.interests) == ["Mức đóng"]
        (consent,) = lead.consents
        assert consent.text_version == "2026-11-v1" and consent.conversation_id == "c-0912345678"
        assert [h.status for h in lead.history] == ["mới"]


def test_the_same_request_twice_is_stored_once(store):
    request = request_for()
    assert store.submit(request) == store.submit(request)
    assert store.count() == 1


def test_the_same_conversation_within_30_days_updates_its_open_lead(store):
    first = store.submit(request_for(interests=["Mức đóng"]))
    second = store.submit(request_for(interests=["Lương hưu"], preferred_time="buổi sáng"))
    assert first == second and store.count() == 1
    with Session(store.engine) as s:
        lead = s.get(Lead, first)
        assert json.loads(lead.interests) == ["Lương hưu", "Mức đóng"] and lead.preferred_time == "buổi sáng"
        assert len(lead.consents) == 2


def test_after_30_days_or_once_closed_a_new_lead_is_made(store):
    first = store.submit(request_for())
    with Session(store.engine) as s, s.begin():
        s.execute(update(Lead).values(created_at=now() - timedelta(days=31)))
    assert store.submit(request_for()) != first
    with Session(store.engine) as s, s.begin():
        s.execute(update(Lead).values(status="không quan tâm"))
    store.submit(request_for())
    assert store.count() == 3


def test_withdrawal_anonymises_and_keeps_the_event(store):
    lead_id = store.submit(request_for())
    assert store.withdraw("c-0912345678") == 1
    with Session(store.engine) as s:
        lead = s.get(Lead, lead_id)
        assert lead.full_name is None and lead.phone is None and lead.anonymised_at is not None
        assert lead.province == "Tuyên Quang"  # kept for the statistics
        assert all(c.withdrawn_at is not None for c in lead.consents)
    assert store.withdraw("c-0912345678") == 0
    assert store.withdraw("somebody-else") == 0


def test_200_concurrent_submissions_lose_nothing_and_duplicate_nothing(store):
    # 150 different people, and 50 repeats (25 phones twice at the same moment)
    requests = [request_for(phone=f"09{i:08d}") for i in range(150)]
    requests += [request_for(phone=f"08{i:08d}") for i in range(25) for _ in range(2)]
    with ThreadPoolExecutor(max_workers=16) as pool:
        ids = list(pool.map(store.submit, requests))
    assert len(ids) == 200 and store.count() == 175
    with Session(store.engine) as s:
        phones = s.execute(select(Lead.phone)).scalars().all()
        assert len(phones) == len(set(phones)) == 175
        assert s.execute(select(Consent)).scalars().all().__len__() == 200
        assert len(s.execute(select(StatusChange)).scalars().all()) == 175


def test_outbox_keeps_requests_and_replays_them_once(store, tmp_path):
    outbox = Outbox(tmp_path / "outbox")
    request = request_for()
    outbox.put(request)
    (tmp_path / "outbox" / "broken.json").write_text("{not json", encoding="utf-8")
    assert outbox.replay(store) == 1 and outbox.replay(store) == 0
    assert store.count() == 1
    assert (tmp_path / "outbox" / "dead" / "broken.json").exists()  # set aside, not lost
    assert [(d.name, d.reason) for d in outbox.dead_letters()] == [("broken.json", "unreadable: not JSON")]


@pytest.mark.server
@pytest.mark.skipif(postgres_unavailable() is not None, reason=postgres_unavailable() or "")
def test_a_database_outage_mid_run_loses_no_lead(tmp_path):
    """The database goes away between two leads (every connection cut) and comes back: the lead
    submitted meanwhile waits in the outbox and is replayed with the next one."""
    with fresh_postgres() as real_url:
        real = make_url(real_url)
        proxy = TcpProxy(real.host or "127.0.0.1", real.port or 5432)
        proxy.start()
        url = real.set(host="127.0.0.1", port=proxy.port).render_as_string(hide_password=False)
        store = LeadStore(db.make_engine(url))
        outbox = Outbox(tmp_path / "outbox")
        assert record(request_for(phone="0911111111"), store, outbox) is True
        proxy.stop()
        assert record(request_for(phone="0922222222"), store, outbox) is False
        assert len(outbox.pending()) == 1
        proxy.start()
        assert record(request_for(phone="0933333333"), store, outbox) is True
        assert outbox.pending() == []
        phones = sorted(lead.phone for lead in store.leads())
        assert phones == ["0911111111", "0922222222", "0933333333"]
        proxy.stop()
        store.engine.dispose()


@pytest.mark.server
@pytest.mark.skipif(postgres_unavailable() is not None, reason=postgres_unavailable() or "")
def test_waiting_leads_reach_the_database_by_themselves_when_it_is_back(tmp_path):
    with fresh_postgres() as real_url:
        real = make_url(real_url)
        proxy = TcpProxy(real.host or "127.0.0.1", real.port or 5432)
        url = real.set(host="127.0.0.1", port=proxy.port).render_as_string(hide_password=False)
        desk = Desk(url, tmp_path / "outbox")
        assert desk.record(request_for(phone="0944444444")) is False  # the database is down
        stop = desk.replay_every(0.2)
        proxy.start()
        deadline = time.monotonic() + 30
        while desk.outbox.pending() and time.monotonic() < deadline:
            time.sleep(0.1)
        stop.set()
        assert [lead.phone for lead in desk.store.leads()] == ["0944444444"]
        proxy.stop()
        desk.store.engine.dispose()


def test_a_queued_withdrawal_is_applied_after_the_queued_lead_it_erases(store, tmp_path):
    outbox = Outbox(tmp_path / "outbox")
    outbox.put(request_for(phone="0955555555", conversation_id="c-queued"))
    outbox.put_withdrawal("c-queued")
    assert outbox.replay(store) == 2 and outbox.pending() == []
    (lead,) = store.leads()
    assert lead.phone is None and lead.full_name is None and lead.anonymised_at is not None


# A lead belongs to the conversation that gave the consent


def test_another_conversation_with_the_same_phone_makes_a_flagged_lead_and_changes_nothing_of_the_first(store):
    first = store.submit(request_for(conversation_id="c-first"))
    second = store.submit(request_for(
        conversation_id="c-second", full_name="Trần Văn Bình", province="Nghệ An",
        office="Bảo hiểm xã hội tỉnh Nghệ An", commune="xã Vinh Hưng", income=2_000_000, interests=["Lương hưu"]))
    third = store.submit(request_for(conversation_id="c-third", full_name="Lò Văn Páo"))
    assert len({first, second, third}) == 3 and store.count() == 3
    with Session(store.engine) as s:
        lead = s.get(Lead, first)
        assert (lead.full_name, lead.province, lead.office, lead.conversation_id, lead.commune, lead.income) == (
            "Nguyễn Thị Lan", "Tuyên Quang", "Bảo hiểm xã hội tỉnh Tuyên Quang", "c-first", "xã Tân Trào", 5_000_000)
        assert json.loads(lead.interests) == ["Mức đóng"] and lead.duplicate_of is None
        assert [c.conversation_id for c in lead.consents] == ["c-first"]
        assert [h.status for h in lead.history] == ["mới"]
        newer = s.get(Lead, second)
        assert (newer.full_name, newer.phone, newer.province, newer.duplicate_of) == (
            "Trần Văn Bình", "0912345678", "Nghệ An", first)
        assert s.get(Lead, third).duplicate_of == first  # the first request of the phone, not the latest


def test_the_first_conversations_withdrawal_still_erases_its_own_lead_only(store):
    first = store.submit(request_for(conversation_id="c-first"))
    second = store.submit(request_for(conversation_id="c-second", full_name="Trần Văn Bình"))
    assert store.withdraw("c-first") == 1
    with Session(store.engine) as s:
        erased, kept = s.get(Lead, first), s.get(Lead, second)
        assert (erased.full_name, erased.phone, erased.conversation_id) == (None, None, "c-first")
        assert erased.anonymised_at is not None and erased.consents[0].withdrawn_at is not None
        assert (kept.full_name, kept.phone, kept.anonymised_at) == ("Trần Văn Bình", "0912345678", None)
        assert kept.consents[0].withdrawn_at is None
        assert kept.duplicate_of is None, "the link the erased phone made goes with it"
    assert store.withdraw("c-second") == 1


def test_a_new_request_of_a_conversation_after_its_withdrawal_is_a_new_lead(store):
    first = store.submit(request_for(conversation_id="c-again"))
    store.withdraw("c-again")
    assert store.submit(request_for(conversation_id="c-again")) != first
