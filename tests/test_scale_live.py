"""The production profile (`make run-prod`: scripts/run.sh with two Rasa replicas and two action
servers behind HAProxy, the conversations in PostgreSQL, Rasa's locks in Redis): 20 conversations at
once, each turn sent to the other replica than the turn before, keep their form's state; one replica
is killed while messages are under way, and nothing is lost or answered twice (a message whose answer
did not arrive is sent again under its name, through HAProxy). Skipped, with the reason, without
PostgreSQL, Redis, HAProxy or a trained model."""
from __future__ import annotations

import os
import shutil
import signal
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import requests

from db_fixtures import REDIS_URL, fresh_postgres, postgres_unavailable, redis_unavailable
from launcher import free_port, running_assistant
from live_helpers import text_of

pytestmark = pytest.mark.live

ROOT = Path(__file__).resolve().parent.parent
CONVERSATIONS = 20


@pytest.fixture(scope="module")
def production():
    for reason in (postgres_unavailable(), redis_unavailable(),
                   None if shutil.which("haproxy") else "HAProxy is missing (make haproxy)",
                   None if (ROOT / "models" / "current.tar.gz").exists() else "no trained model: run `make train`"):
        if reason:
            pytest.skip(reason)
    rasa_ports, actions_ports = [free_port(), free_port()], [free_port(), free_port()]
    with fresh_postgres() as database, running_assistant(database, {
        "BOT_LOCK_STORE_URL": REDIS_URL, "RASA_REPLICAS": "2", "ACTIONS_REPLICAS": "2",
        "RASA_REPLICA_PORTS": " ".join(map(str, rasa_ports)), "ACTIONS_REPLICA_PORTS": " ".join(map(str, actions_ports)),
        "BOT_TODAY": "2026-11-24",
        "TICKET_LOCK_LIFETIME": "10",  # how long a conversation waits for a replica that died holding its lock
    }) as assistant:
        assistant.replicas = [f"http://127.0.0.1:{port}" for port in rasa_ports]
        yield assistant


def pid_listening_on(port: int) -> int:
    """The Rasa replica serving `port` (its command line names the port)."""
    for cmdline in Path("/proc").glob("[0-9]*/cmdline"):
        try:
            parts = cmdline.read_bytes().split(b"\0")
        except OSError:
            continue
        if b"bot.servers.rasa_server" in parts and str(port).encode() in parts:
            return int(cmdline.parent.name)
    raise LookupError(f"no Rasa replica on port {port}")


def say(assistant, replica: str, sender: str, message_id: str, text: str) -> list[dict]:
    """To this replica; when its answer does not arrive (the replica is gone), the same message
    again under its name, through HAProxy, until answered."""
    body = {"sender": sender, "message": text, "message_id": message_id}
    url, deadline = replica, time.monotonic() + 90
    while True:
        try:
            reply = requests.post(f"{url}/webhooks/rest/webhook", json=body, timeout=45)
            if reply.status_code == 200:
                return reply.json()
        except requests.RequestException:
            pass
        assert time.monotonic() < deadline, f"{message_id} was never answered"
        url = assistant.url
        time.sleep(0.2)


def contribution_flow(assistant, number: int, turns_done: list[int], lock: threading.Lock) -> str:
    sender = f"scale-{number}-{uuid.uuid4().hex[:6]}"
    turn = 0

    def next_turn(text: str) -> list[dict]:
        nonlocal turn
        messages = say(assistant, assistant.replicas[(number + turn) % 2], sender, f"{sender}-{turn}", text)
        turn += 1
        with lock:
            turns_done[0] += 1
        return messages

    messages = next_turn("dong bn 1 thang")
    buttons = {b["title"]: b["payload"] for m in messages for b in m.get("buttons", [])}
    assert "5 triệu" in buttons, messages
    assert "1.500.000 đồng đến 50.600.000 đồng" in text_of(next_turn("1 triệu"))  # the form asks again
    assert "nhóm nào" in text_of(next_turn(buttons["5 triệu"]))
    reply = text_of(next_turn("hộ nghèo"))
    assert "1.100.000 đồng" in reply and "935.000 đồng" in reply and "2.805.000 đồng" in reply
    return sender


def test_conversations_alternating_between_replicas_keep_their_state_when_one_is_killed(production):
    turns_done, lock = [0], threading.Lock()
    with ThreadPoolExecutor(CONVERSATIONS) as pool:
        futures = [pool.submit(contribution_flow, production, n, turns_done, lock) for n in range(CONVERSATIONS)]
        while turns_done[0] < CONVERSATIONS and not all(f.done() for f in futures):
            time.sleep(0.05)
        os.kill(pid_listening_on(int(production.replicas[1].rsplit(":", 1)[1])), signal.SIGKILL)  # messages under way
        senders = [future.result() for future in futures]
    assert turns_done[0] == 4 * CONVERSATIONS
    for sender in senders:
        events = production.api("GET", f"/conversations/{sender}/tracker").json()["events"]
        received = [e["message_id"] for e in events if e["event"] == "user"]
        assert received == [f"client:{sender}-{turn}" for turn in range(4)], "each message handled once, in order"
        last_turn = events[max(i for i, e in enumerate(events) if e["event"] == "user"):]
        assert "2.805.000 đồng" in "\n".join(e.get("text") or "" for e in last_turn if e["event"] == "bot")
