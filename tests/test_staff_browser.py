"""End to end, in a real headless Chromium (Debian's package, driven by Playwright): a citizen asks
for a callback over REST, an officer of the province signs in to the staff pages started by
run.sh, filters, opens the lead, reads the transcript, changes the status and exports XLSX.
Screenshots are saved under results/staff/ for a reviewer."""
from __future__ import annotations

import io
import os
import shutil
import subprocess

import pytest
from openpyxl import load_workbook

from launcher import running_assistant

pytestmark = pytest.mark.live

ROOT = __import__("conftest").ROOT
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
SHOTS = ROOT / "results" / "staff"
# Chromium as root, in a sandbox with no internet: no background connections, no sandboxing.
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage"]


@pytest.fixture(scope="module")
def browser():
    if not shutil.which(CHROMIUM):
        pytest.skip(f"no Chromium at {CHROMIUM}: `apt-get install chromium` (make test installs it as root)")
    from playwright.sync_api import sync_playwright
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture(scope="module")
def assistant(tmp_path_factory):
    if not (ROOT / "models" / "current.tar.gz").exists():
        pytest.skip("no trained model: run `make train` (make test trains before running pytest)")
    db = tmp_path_factory.mktemp("db") / "bot.db"
    with running_assistant(f"sqlite:///{db}") as running:
        running.db_url = f"sqlite:///{db}"
        yield running


def _callback_by_rest(assistant, chat: str) -> None:
    assistant.say("tôi bán hàng ở chợ", sender=chat)
    for answer in ["gọi lại cho tôi", "đồng ý", "Phạm Văn Hùng", "0912 345 678", "ha giang", "bỏ qua", "buổi sáng", "đúng"]:
        assistant.say(answer, sender=chat)


def _create_officer(assistant, username: str, password: str, province: str) -> None:
    subprocess.run([str(ROOT / ".venv" / "bin" / "bot"), "staff", "create-user", "--username", username,
                    "--role", "office", "--province", province], input=password + "\n", check=True,
                   capture_output=True, text=True, env={**os.environ, "BOT_DATABASE_URL": assistant.db_url})


def test_an_officer_follows_up_a_lead_from_the_chat(assistant, browser, tmp_path):
    _callback_by_rest(assistant, "e2e-browser")
    _create_officer(assistant, "tuyenquang", "mat-khau-tuyen-quang", "Tuyên Quang")
    SHOTS.mkdir(parents=True, exist_ok=True)
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="vi-VN", accept_downloads=True)
    page = context.new_page()

    page.goto(f"{assistant.staff_url}/leads")
    assert page.url.startswith(f"{assistant.staff_url}/login")
    page.screenshot(path=SHOTS / "01-login.png")
    page.fill("input[name=username]", "tuyenquang")
    page.fill("input[name=password]", "mat-khau-tuyen-quang")
    page.click("button:has-text('Đăng nhập')")
    page.wait_for_url(f"{assistant.staff_url}/leads")
    assert page.text_content("#total") == "1"
    page.screenshot(path=SHOTS / "02-leads.png", full_page=True)

    page.fill("input[name=q]", "hung")
    page.select_option("select[name=status]", "mới")
    page.click("button:has-text('Lọc')")
    assert page.text_content("#total") == "1"
    page.screenshot(path=SHOTS / "03-filtered.png", full_page=True)

    page.click("a:has-text('Phạm Văn Hùng')")
    transcript = page.text_content(".transcript")
    assert "gọi lại cho tôi" in transcript and "0912 345 678" in transcript
    assert "Bảo hiểm xã hội tỉnh Tuyên Quang" in page.text_content(".fields")
    page.screenshot(path=SHOTS / "04-lead.png", full_page=True)

    page.select_option("select[name=status]", "đã liên hệ")
    page.click("button:has-text('Lưu trạng thái')")
    assert page.text_content("h1 .status") == "đã liên hệ"
    assert "đã liên hệ · tuyenquang" in " ".join(page.text_content(".history").split())
    page.screenshot(path=SHOTS / "05-status-changed.png", full_page=True)

    page.goto(f"{assistant.staff_url}/leads")
    with page.expect_download() as download:
        page.click("a:has-text('Excel (.xlsx)')")
    saved = tmp_path / download.value.suggested_filename
    download.value.save_as(saved)
    rows = list(load_workbook(io.BytesIO(saved.read_bytes())).active.iter_rows(values_only=True))
    assert saved.suffix == ".xlsx" and len(rows) == 2
    assert rows[1][2:6] == ("đã liên hệ", "Phạm Văn Hùng", "0912345678", "Tuyên Quang")

    page.goto(f"{assistant.staff_url}/overview")
    page.screenshot(path=SHOTS / "06-overview.png", full_page=True)
    phone = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True,
                                storage_state=context.storage_state())
    small = phone.new_page()
    small.goto(f"{assistant.staff_url}/leads")
    assert small.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1"), "no sideways scrolling"
    small.screenshot(path=SHOTS / "07-leads-on-a-phone.png", full_page=True)
    phone.close()
    context.close()
