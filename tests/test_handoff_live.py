"""Live takeover end to end (BOT_OFFICE_HOURS=always): a citizen on Zalo (the fake Zalo API on
loopback) asks for an officer and is queued; an officer of the province, in headless Chromium on the
staff pages started by run.sh, takes the conversation and replies; the fake Zalo API receives the
reply; the citizen's next messages show in the officer's page while the assistant stays silent
(Rasa paused, the messages still stored); after the hand-back the assistant answers again.
Screenshots in results/handoff-*.png; the two delays in results/handoff-timings.json."""
from __future__ import annotations

import json
import os
import sqlite3
import statistics
import subprocess
import time

import pytest
import requests

from fake_providers import ZALO_APP_ID, ZALO_OA_SECRET_KEY, serve_fake_providers, zalo_signed, zalo_text
from launcher import running_assistant
from test_staff_browser import CHROMIUM, CHROMIUM_ARGS

pytestmark = pytest.mark.live

ROOT = __import__("conftest").ROOT
RESULTS = ROOT / "results"
CITIZEN, CONVERSATION = "u-handoff", "zalo:u-handoff"


@pytest.fixture(scope="module")
def providers():
    fake, server = serve_fake_providers()
    yield fake, f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


def zalo_env(base: str) -> dict[str, str]:
    return {"BOT_TODAY": "2026-11-24", "ZALO_APP_ID": ZALO_APP_ID, "ZALO_APP_SECRET": "zalo-app-secret",
            "ZALO_OA_SECRET_KEY": ZALO_OA_SECRET_KEY, "ZALO_ACCESS_TOKEN": "access-0",
            "ZALO_REFRESH_TOKEN": "refresh-0", "ZALO_API_BASE": base, "ZALO_OAUTH_BASE": base}


@pytest.fixture(scope="module")
def assistant(tmp_path_factory, providers):
    if not (ROOT / "models" / "current.tar.gz").exists():
        pytest.skip("no trained model: run `make train` (make test trains before running pytest)")
    _, base = providers
    db = tmp_path_factory.mktemp("db") / "bot.db"
    with running_assistant(f"sqlite:///{db}", {**zalo_env(base), "BOT_OFFICE_HOURS": "always"}) as running:
        running.db = db
        subprocess.run([str(ROOT / ".venv" / "bin" / "bot"), "staff", "create-user", "--username", "nghean",
                        "--role", "office", "--province", "Nghệ An"], input="mat-khau-nghe-an\n", check=True,
                       capture_output=True, text=True, env={**os.environ, "BOT_DATABASE_URL": f"sqlite:///{db}"})
        yield running


@pytest.fixture(scope="module")
def browser():
    if not os.path.exists(CHROMIUM):
        pytest.skip(f"no Chromium at {CHROMIUM}: `apt-get install chromium` (make test installs it as root)")
    from playwright.sync_api import sync_playwright
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


class Citizen:
    """Writes to the OA as Zalo would deliver it; reads what the fake Zalo API received for them."""

    def __init__(self, assistant, fake, user_id: str) -> None:
        self.assistant, self.fake, self.user_id, self.sent = assistant, fake, user_id, 0

    def received(self) -> list[str]:
        return [c.body["message"].get("text", "") for c in self.fake.zalo_messages(self.user_id)]

    def say(self, text: str) -> float:
        """Sends; the moment it was sent (time.monotonic)."""
        self.sent += 1
        raw, headers = zalo_signed(zalo_text(self.user_id, text, f"{self.user_id}-{self.sent}"))
        at = time.monotonic()
        assert requests.post(f"{self.assistant.url}/webhooks/zalo/webhook", data=raw, headers=headers,
                             timeout=10).status_code == 200
        return at

    def ask(self, text: str, messages: int = 1) -> str:
        """Sends and waits for the assistant's answer (at least `messages` messages): the new ones, joined."""
        before = len(self.received())
        self.say(text)
        self.fake.wait_for(lambda: self.fake.zalo_messages(self.user_id), at_least=before + messages)
        return "\n".join(self.received()[before:])


def until(condition, timeout: float = 30.0, step: float = 0.05) -> float:  # type: ignore[no-untyped-def]
    """Polls until true; the moment it became true (time.monotonic)."""
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(step)
    return time.monotonic()


def stored(db, text: str) -> bool:  # type: ignore[no-untyped-def]
    with sqlite3.connect(db) as connection:
        rows = connection.execute("select data from events where sender_id = ? and type_name = 'user'",
                                  (CONVERSATION,)).fetchall()
    return any(json.loads(data).get("text") == text for (data,) in rows)


def test_an_officer_takes_a_zalo_conversation_over_and_hands_it_back(assistant, providers, browser):
    fake, _ = providers
    citizen = Citizen(assistant, fake, CITIZEN)
    RESULTS.mkdir(exist_ok=True)

    assert "tỉnh/thành phố nào" in citizen.ask("cho tôi gặp cán bộ")
    queued = citizen.ask("tôi ở nghệ an")
    assert "cán bộ Bảo hiểm xã hội tỉnh Nghệ An" in queued and "chưa có đủ số liệu" in queued, queued
    assert "22%" in citizen.ask("bhxh tu nguyen dong bao nhieu 1 thang"), "the assistant answers while the citizen waits"

    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="vi-VN")
    page = context.new_page()
    page.goto(f"{assistant.staff_url}/login")
    page.fill("input[name=username]", "nghean")
    page.fill("input[name=password]", "mat-khau-nghe-an")
    page.click("button:has-text('Đăng nhập')")
    page.goto(f"{assistant.staff_url}/conversations")
    assert "Nghệ An" in page.text_content("table.conversations") and "đang chờ" in page.text_content("table.conversations")
    page.screenshot(path=RESULTS / "handoff-01-inbox.png", full_page=True)

    page.click("table.conversations a:has-text('đang chờ')")
    frame = page.frame_locator("iframe.live")
    frame.get_by_text("tôi ở nghệ an").wait_for()
    page.screenshot(path=RESULTS / "handoff-02-waiting.png", full_page=True)

    before = len(citizen.received())
    page.click("button:has-text('Nhận trò chuyện')")
    until(lambda: len(citizen.received()) > before)
    assert "cán bộ Bảo hiểm xã hội tỉnh Nghệ An đã vào cuộc trò chuyện" in citizen.received()[-1]
    tracker = assistant.api("GET", f"/conversations/{CONVERSATION}/tracker").json()
    assert tracker["paused"] is True
    page.screenshot(path=RESULTS / "handoff-03-taken.png", full_page=True)

    reply_delays, page_delays, store_delays = [], [], []
    exchanges = [("Chào chị, em là cán bộ BHXH tỉnh Nghệ An. Chị cần hỗ trợ gì ạ?", "tôi muốn hỏi về đóng bù cho mẹ tôi"),
                 ("Mẹ chị còn thiếu mấy năm ạ?", "mẹ tôi còn thiếu ít năm thôi"),
                 ("Dạ, mẹ chị đóng bù được, em gửi chị hướng dẫn nhé.", "cảm ơn em")]
    for reply, answer in exchanges:
        page.fill("textarea[name=text]", reply)
        clicked = time.monotonic()
        page.click("button:has-text('Gửi')")
        reply_delays.append(until(lambda: reply in citizen.received()) - clicked)
        page.wait_for_url("**/conversations/*?done=sent")

        heard = len(citizen.received())
        sent = citizen.say(answer)
        store_delays.append(until(lambda: stored(assistant.db, answer)) - sent)
        page_delays.append(until(lambda: frame.get_by_text(answer).count() > 0) - sent)
        time.sleep(2)
        assert len(citizen.received()) == heard, "the assistant stays silent while the officer holds it"
    frame.get_by_text("Cán bộ nghean").first.wait_for()
    page.screenshot(path=RESULTS / "handoff-04-talking.png", full_page=True)

    before = len(citizen.received())
    page.click("button:has-text('Trả lại cho trợ lý')")
    until(lambda: len(citizen.received()) > before)
    assert "kết thúc cuộc trò chuyện" in citizen.received()[-1]
    tracker = assistant.api("GET", f"/conversations/{CONVERSATION}/tracker").json()
    assert tracker["paused"] is False
    page.screenshot(path=RESULTS / "handoff-05-released.png", full_page=True)
    assert "15 năm" in citizen.ask("Điều kiện để được hưởng lương hưu là gì?"), "the assistant answers again"
    page.goto(f"{assistant.staff_url}/conversations")
    assert "Không có cuộc trò chuyện nào đang chờ" in page.text_content("main")
    context.close()

    timings = {
        "citizen_message_to_officer_page_seconds": sorted(round(d, 2) for d in page_delays),
        "citizen_message_to_tracker_store_seconds": sorted(round(d, 2) for d in store_delays),
        "officer_reply_to_fake_zalo_api_seconds": sorted(round(d, 2) for d in reply_delays),
        "officer_page_refresh_seconds": 3,
    }
    timings["median"] = {k: statistics.median(v) for k, v in timings.items() if isinstance(v, list)}
    (RESULTS / "handoff-timings.json").write_text(json.dumps(timings, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(timings, indent=2))
    assert max(reply_delays) < 5 and max(page_delays) < 10
