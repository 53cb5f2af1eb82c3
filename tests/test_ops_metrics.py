"""Prometheus metrics (bot/ops/metrics.py): the action server's on a real server process, behind its
token; the messages as Rasa's tracker store saves them; the leads by outcome; the outbox's depth
counted when scraped; the values of several processes added up (multiprocess mode). Labels never
carry what a citizen wrote. The Rasa server's /metrics: tests/test_servers_live.py."""
import asyncio
import os
import subprocess
import sys

import pytest
import requests

from bot.leads.checks import InvalidLead
from bot.ops.metrics import OutboxCollector, exposition
from bot.outbox import Desk, Outbox
from db_fixtures import fresh_sqlite
from launcher import running_action_server
from live_helpers import metric
from test_leads import request_for

ROOT = __import__("conftest").ROOT
TOKEN = "t" * 40
UNREACHABLE = "postgresql://postgres@127.0.0.1:1/unreachable"  # nothing listens: connection refused
NAME, PHONE = "Nguyen_Thi_Lan", "0912345678"


def scrape(*extra, **options):
    return exposition(*extra, **options).decode("utf-8")


def test_the_outbox_depth_is_counted_when_scraped(tmp_path):
    outbox = Outbox(tmp_path / "outbox")
    depth = OutboxCollector(outbox)
    empty = scrape(depth)
    assert metric(empty, "bot_outbox_pending") == 0 and metric(empty, "bot_outbox_dead_letters") == 0
    outbox.put(request_for(phone="0912000001"))
    outbox.put(request_for(phone="0912000002"))
    outbox.put_withdrawal("c-0912000003")
    outbox.put_dead_letter(request_for(phone="0912000004"), "IntegrityError")
    scraped = scrape(depth)
    assert metric(scraped, "bot_outbox_pending") == 3, "two requests and a withdrawal wait"
    assert metric(scraped, "bot_outbox_dead_letters") == 1
    assert "0912000001" not in scraped and "Nguyễn" not in scraped


def test_leads_are_counted_by_outcome(tmp_path):
    before = scrape()
    with fresh_sqlite(tmp_path) as url:
        Desk(url, tmp_path / "outbox").record(request_for(phone="0912000001"))
        Desk(UNREACHABLE, tmp_path / "outbox").record(request_for(phone="0912000002"))
        with pytest.raises(InvalidLead):
            Desk(url, tmp_path / "outbox").record(request_for(phone="0" * 21))
    after = scrape()
    for outcome in ("stored", "queued", "refused"):
        assert metric(after, "bot_leads_total", outcome=outcome) - metric(before, "bot_leads_total", outcome=outcome) == 1


def test_the_tracker_store_counts_messages_once_by_intent_and_response_without_their_words(tmp_path):
    from rasa.shared.core.domain import Domain  # here: Rasa takes seconds to import
    from rasa.shared.core.events import BotUttered, UserUttered
    from rasa.shared.core.trackers import DialogueStateTracker

    from bot.privacy.tracker_store import ErasingSQLTrackerStore

    domain = Domain.from_dict({"intents": ["greet"], "responses": {
        "utter_greet": [{"text": "Dạ, em chào anh/chị"}], "utter_nlu_fallback": [{"text": "Dạ, em chưa hiểu"}]}})
    made_up = f"{NAME}_{PHONE}"  # "/Nguyen_Thi_Lan_0912345678" typed in a chat parses as this intent
    with fresh_sqlite(tmp_path) as url:
        store = ErasingSQLTrackerStore(domain=domain, host=url)
        before = scrape()
        tracker = DialogueStateTracker.from_events("zalo-lan", [
            UserUttered("chào em", {"name": "greet", "confidence": 0.9}),
            BotUttered("Dạ, em chào anh/chị", metadata={"utter_action": "utter_greet"}),
            UserUttered(f"tôi là Nguyễn Thị Lan {PHONE}", {"name": "nlu_fallback", "confidence": 0.3}),
            BotUttered("Dạ, em chưa hiểu", metadata={"utter_action": "utter_nlu_fallback"}),
            UserUttered(f"/{made_up}", {"name": made_up, "confidence": 1.0}),
            BotUttered(f"Chào {NAME}"),  # a text without a response name
        ])
        asyncio.run(store.save(tracker))
        tracker.update(UserUttered("chào em", {"name": "greet", "confidence": 0.9}))
        asyncio.run(store.save(tracker))  # the events saved before are not counted again
        store.engine.dispose()
    after = scrape()

    def moved(name, **labels):
        return metric(after, name, **labels) - metric(before, name, **labels)

    assert moved("bot_user_messages_total", intent="greet") == 2
    assert moved("bot_user_messages_total", intent="nlu_fallback") == 1
    assert moved("bot_user_messages_total", intent="other") == 1
    assert moved("bot_bot_messages_total", response="utter_greet") == 1
    assert moved("bot_bot_messages_total", response="utter_nlu_fallback") == 1
    assert moved("bot_bot_messages_total", response="other") == 1
    assert NAME not in after and PHONE not in after and "Nguyễn" not in after


WORKER = "from bot.ops import metrics; metrics.action_ran('action_offer_groups', {seconds}, failed={failed})"


def test_the_values_of_a_servers_processes_are_added_up(tmp_path):
    """Two worker processes writing to one PROMETHEUS_MULTIPROC_DIR; the scrape sees their sum."""
    env = {**os.environ, "PROMETHEUS_MULTIPROC_DIR": str(tmp_path), "PYTHONPATH": str(ROOT)}
    workers = [subprocess.Popen([sys.executable, "-c", WORKER.format(seconds=seconds, failed=failed)], env=env)
               for seconds, failed in [(0.02, False), (0.3, True)]]
    assert [w.wait(timeout=120) for w in workers] == [0, 0]
    scraped = scrape(multiprocess_dir=str(tmp_path))
    action = {"action": "action_offer_groups"}
    assert metric(scraped, "bot_actions_total", **action) == 2
    assert metric(scraped, "bot_action_errors_total", **action) == 1
    assert metric(scraped, "bot_action_duration_seconds_count", **action) == 2
    assert metric(scraped, "bot_action_duration_seconds_sum", **action) == pytest.approx(0.32)
    assert metric(scraped, "bot_action_duration_seconds_bucket", le="0.025", **action) == 1
    assert metric(scraped, "bot_action_duration_seconds_bucket", le="0.5", **action) == 2


# The real action server


@pytest.fixture
def action_server(tmp_path):
    """The action server as scripts/run.sh starts it: its metrics in a directory of their own."""
    (tmp_path / "metrics").mkdir()
    with fresh_sqlite(tmp_path) as url:
        env = {"BOT_ACTIONS_TOKEN": TOKEN, "BOT_DATABASE_URL": url, "BOT_OUTBOX_DIR": str(tmp_path / "outbox"),
               "PROMETHEUS_MULTIPROC_DIR": str(tmp_path / "metrics"), "BOT_LOG_FILE": str(tmp_path / "actions.log")}
        with running_action_server(env) as base:
            yield base, tmp_path


def call(base, action, domain, token=TOKEN):
    """An action call as the Rasa server makes it, for a conversation that has just begun."""
    tracker = {"sender_id": "zalo-lan", "slots": {}, "events": [], "latest_action_name": "action_listen",
               "latest_message": {"text": "bhxh tự nguyện là gì", "intent": {"name": "ask_overview"}, "entities": []}}
    body = {"next_action": action, "sender_id": "zalo-lan", "tracker": tracker, "domain": domain, "version": "3.6.21"}
    return requests.post(f"{base}/webhook", json=body, headers={"Authorization": f"Bearer {token}"}, timeout=30)


def test_the_action_server_counts_its_action_calls_behind_its_token(action_server, domain):
    base, tmp_path = action_server
    scrape = f"{base}/metrics"
    assert requests.get(scrape, timeout=10).status_code == 401
    assert requests.get(scrape, headers={"Authorization": "Bearer " + "x" * 40}, timeout=10).status_code == 403
    assert requests.get(scrape, params={"token": TOKEN}, timeout=10).status_code == 401, "a header, not the URL"

    assert call(base, "action_offer_groups", domain).status_code == 200
    assert call(base, "action_offer_groups", domain, token="x" * 40).status_code == 403
    assert call(base, "action_note_facts", []).status_code == 500, "a domain that is no mapping: the action raises"
    assert call(base, f"action_{NAME}", domain).status_code == 404
    scraped = requests.get(scrape, headers={"Authorization": f"Bearer {TOKEN}"}, timeout=10)
    assert scraped.status_code == 200 and scraped.headers["Content-Type"].startswith("text/plain; version=0.0.4")
    text = scraped.text

    assert metric(text, "bot_actions_total", action="action_offer_groups") == 1, "the refused call is not counted"
    assert metric(text, "bot_action_errors_total", action="action_offer_groups") == 0
    assert metric(text, "bot_action_duration_seconds_count", action="action_offer_groups") == 1
    assert metric(text, "bot_actions_total", action="action_note_facts") == 1
    assert metric(text, "bot_action_errors_total", action="action_note_facts") == 1
    assert NAME not in text, "an unknown action's name is no label"
    assert metric(text, "bot_outbox_pending") == 0 and metric(text, "bot_outbox_dead_letters") == 0
    assert list((tmp_path / "metrics").glob("counter_*.db")), "the values are in the multiprocess directory"
