"""Nothing reachable that should not be, on the real servers that scripts/run.sh starts: every server
listens on 127.0.0.1 only; the action server runs an action only for its token; Rasa's HTTP API
answers only with its token, while the REST webhook stays open; the load balancer's probes answer
without a token; each server's Prometheus metrics answer its own token only and count a conversation
without its words. The servers log JSON lines (BOT_LOG_FORMAT=json) to their own files."""
import json
import sqlite3
from pathlib import Path

import pytest
import requests

from launcher import running_assistant
from live_helpers import metric, metric_total

pytestmark = pytest.mark.live

ROOT = __import__("conftest").ROOT
MODEL = ROOT / "models" / "current.tar.gz"
LOOPBACK = "0100007F"  # 127.0.0.1 as /proc/net/tcp writes it
LISTEN = "0A"


@pytest.fixture(scope="module")
def assistant(tmp_path_factory):
    if not MODEL.exists():
        pytest.skip("no trained model: run `make train` (make test trains before running pytest)")
    db = tmp_path_factory.mktemp("db") / "bot.db"
    with running_assistant(f"sqlite:///{db}", {"BOT_LOG_FORMAT": "json"}) as running:
        running.db = db
        yield running


SERVER_LOGS = ("actions", "rasa", "staff")


def listening_addresses(port: int) -> set[str]:
    """The local addresses of the sockets listening on `port`, over IPv4 and IPv6."""
    found = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in Path(table).read_text().splitlines()[1:]:
            fields = line.split()
            address, hex_port = fields[1].split(":")
            if fields[3] == LISTEN and int(hex_port, 16) == port:
                found.add(address)
    return found


def port_of(url: str) -> int:
    return int(url.rsplit(":", 1)[1])


def test_every_server_listens_on_loopback_only(assistant):
    for url in (assistant.url, assistant.actions_url, assistant.staff_url):
        assert listening_addresses(port_of(url)) == {LOOPBACK}, url


# The action server


def lead_count(assistant, chat: str) -> int:
    with sqlite3.connect(assistant.db) as db:
        return db.execute("select count(*) from leads where conversation_id = ?", (chat,)).fetchone()[0]


@pytest.fixture(scope="module")
def forged_confirmation(assistant, domain):
    """What an attacker would POST to the action server: the tracker of a callback request waiting at
    its summary, marked confirmed, and the call of the submit action that would record it."""
    chat = "forged-confirmation"
    for answer in ["gọi lại cho tôi", "đồng ý", "Phạm Văn Hùng", "0912 345 678", "ha giang", "bỏ qua", "buổi sáng"]:
        assistant.say(answer, sender=chat)
    tracker = assistant.api("GET", f"/conversations/{chat}/tracker").json()
    tracker["latest_message"] = {"text": "đúng", "intent": {"name": "affirm", "confidence": 1.0}, "entities": []}
    tracker["slots"]["callback_confirmed"] = True
    assert lead_count(assistant, chat) == 0
    return chat, {"next_action": "action_callback_submit", "sender_id": chat, "tracker": tracker, "domain": domain,
                  "version": "3.6.21"}


def test_the_action_server_runs_no_action_without_its_token(assistant, forged_confirmation):
    chat, call = forged_confirmation
    webhook = f"{assistant.actions_url}/webhook"
    missing = requests.post(webhook, json=call, timeout=30)
    assert missing.status_code == 401 and "responses" not in missing.json()
    for wrong in ["Bearer " + "x" * 43, "Bearer " + assistant.api_token, assistant.actions_token, ""]:
        refused = requests.post(webhook, json=call, headers={"Authorization": wrong}, timeout=30)
        assert refused.status_code == 403 and "responses" not in refused.json(), wrong
    in_query = requests.post(webhook, json=call, params={"token": assistant.actions_token}, timeout=30)
    assert in_query.status_code == 401
    assert requests.get(f"{assistant.actions_url}/actions", timeout=30).status_code == 401
    assert lead_count(assistant, chat) == 0, "no refused call created the lead"

    accepted = requests.post(webhook, json=call, headers={"Authorization": f"Bearer {assistant.actions_token}"},
                             timeout=30)
    assert accepted.status_code == 200 and accepted.json()["responses"]
    assert lead_count(assistant, chat) == 1, "the same call with the token is a working action call"


def test_the_action_server_health_check_needs_no_token(assistant):
    assert requests.get(f"{assistant.actions_url}/health", timeout=30).json() == {"status": "ok"}


# Rasa's HTTP API


def test_the_http_api_refuses_calls_without_its_token(assistant):
    assistant.say("bhxh tu nguyen dong bao nhieu", sender="api-reader")
    tracker = f"{assistant.url}/conversations/api-reader/tracker"
    parse = f"{assistant.url}/model/parse"
    for token in [None, "x" * 43, assistant.actions_token]:
        params = {"token": token} if token else {}
        assert requests.get(tracker, params=params, timeout=30).status_code == 401
        assert requests.post(parse, json={"text": "chào em"}, params=params, timeout=30).status_code == 401
        assert requests.get(f"{assistant.url}/status", params=params, timeout=30).status_code == 401
        assert requests.get(f"{assistant.url}/domain", params=params, timeout=30).status_code == 401

    served = assistant.api("GET", "/conversations/api-reader/tracker")
    assert served.status_code == 200
    assert served.json()["sender_id"] == "api-reader"
    assert any(e.get("text") == "bhxh tu nguyen dong bao nhieu" for e in served.json()["events"])
    parsed = assistant.api("POST", "/model/parse", json={"text": "chào em"})
    assert parsed.status_code == 200 and parsed.json()["intent"]["name"] == "greet"


def test_the_rest_webhook_answers_without_the_token(assistant):
    response = requests.post(f"{assistant.url}/webhooks/rest/webhook",
                             json={"sender": "rest-open", "message": "chào em"}, timeout=60)
    assert response.status_code == 200 and response.json()[0]["text"]


# What the load balancer probes


def test_the_probes_answer_without_a_token(assistant):
    for url in (assistant.actions_url, assistant.staff_url):
        assert requests.get(f"{url}/health/live", timeout=30).json() == {"status": "alive"}, url
        ready = requests.get(f"{url}/health/ready", timeout=30)
        assert ready.status_code == 200, url
        assert ready.json() == {"status": "ready", "checks": {"database": "ok", "outbox": "ok"}}, url
    hello = requests.get(f"{assistant.url}/", timeout=30)
    assert hello.status_code == 200 and hello.text.startswith("Hello from Rasa")


# Prometheus


def test_each_servers_metrics_need_its_own_token_in_a_header(assistant):
    for url, token, other in [(assistant.url, assistant.api_token, assistant.actions_token),
                              (assistant.actions_url, assistant.actions_token, assistant.api_token)]:
        assert requests.get(f"{url}/metrics", timeout=30).status_code == 401, url
        assert requests.get(f"{url}/metrics", headers={"Authorization": f"Bearer {other}"}, timeout=30).status_code == 403
        assert requests.get(f"{url}/metrics", params={"token": token}, timeout=30).status_code == 401, "not in the URL"
        assert requests.get(f"{url}/metrics", headers={"Authorization": f"Bearer {token}"}, timeout=30).status_code == 200


def scrape(url: str, token: str) -> str:
    response = requests.get(f"{url}/metrics", headers={"Authorization": f"Bearer {token}"}, timeout=30)
    assert response.status_code == 200 and response.headers["Content-Type"].startswith("text/plain; version=0.0.4")
    return response.text


def test_the_metrics_count_a_conversation_over_rest_without_its_words(assistant):
    chat = "metrics-reader"
    servers = {"rasa": (assistant.url, assistant.api_token), "actions": (assistant.actions_url, assistant.actions_token)}
    before = {name: scrape(*server) for name, server in servers.items()}
    replies = [assistant.say(text, sender=chat) for text in
               ("chào em", "bhxh tự nguyện là gì", "tôi là Phạm Văn Hùng, số 0912 345 678")]
    after = {name: scrape(*server) for name, server in servers.items()}

    def moved(server, name, **labels):
        return metric(after[server], name, **labels) - metric(before[server], name, **labels)

    # The Rasa server: what its tracker store saved
    for intent in ("greet", "ask_overview", "inform"):
        assert moved("rasa", "bot_user_messages_total", intent=intent) == 1, intent
    assert moved("rasa", "bot_bot_messages_total", response="utter_greet") == 1
    sent = metric_total(after["rasa"], "bot_bot_messages_total") - metric_total(before["rasa"], "bot_bot_messages_total")
    # the REST channel sends an answer's paragraphs as separate messages: count the messages stored
    stored = [e for e in assistant.api("GET", f"/conversations/{chat}/tracker").json()["events"] if e["event"] == "bot"]
    assert sent == len(stored) and len(stored) <= sum(len(r) for r in replies), "every message the assistant sent is counted"
    assert moved("rasa", "bot_bot_messages_total", response="other") == 0, "every response is named in the domain"
    assert moved("rasa", "bot_user_messages_total", intent="other") == 0
    # The action server: the custom actions of the rules (data/rules/answers.yml)
    for action in ("action_offer_groups", "action_note_facts"):
        assert moved("actions", "bot_actions_total", action=action) == 1, action
        assert moved("actions", "bot_action_duration_seconds_count", action=action) == 1, action
        assert moved("actions", "bot_action_errors_total", action=action) == 0, action
    assert metric(after["actions"], "bot_outbox_pending") == 0
    for text in after.values():
        # names, labels and help, not the values (a float's digits may hold "0912")
        described = "\n".join(line.rsplit(" ", 1)[0] for line in text.splitlines())
        assert "Hùng" not in described and "0912" not in described and chat not in described


def test_each_server_logs_json_lines_to_its_own_file(assistant):
    for name in SERVER_LOGS:
        with open(assistant.var / f"{name}.log", "rb") as f:  # the assistant's own var/ (tests/launcher.py)
            records = [json.loads(line) for line in f.read().decode("utf-8").splitlines()]
        assert records, name
        assert all(set(r) >= {"time", "level", "logger", "message"} for r in records), name
        logger, start = {"actions": ("bot.servers.action_server", "Action server on http://127.0.0.1:"),
                         "rasa": ("root", "Rasa server is up and running."),
                         "staff": ("waitress", "Serving on http://127.0.0.1:")}[name]
        assert any(r["logger"] == logger and r["message"].startswith(start) for r in records), (name, records[:5])


def test_var_is_readable_by_its_owner_only(assistant):
    assert assistant.var.stat().st_mode & 0o777 == 0o700
