"""The thank-you when an officer marks a request "đã đăng ký tham gia" (bot/leads/thanks.py), end to end
from the staff pages and the command line to the fake Zalo API on loopback (real channel senders,
Rasa's API replaced by a recording fake): sent within Zalo's 48 hours, not sent outside them, nor on
the web channel, nor when turned off; the lead's notes tell the officer which."""
from __future__ import annotations

import time

import pytest

from bot.cli import handoff
from bot.cli.main import main
from bot.handoff.queue import HandoffQueue
from bot.handoff.senders import Senders
from bot.handoff.takeover import Takeover
from bot.leads import thanks
from bot.leads.models import CONTACTED, REGISTERED
from fake_providers import serve_fake_providers
from handoff_fakes import FakeRasa
from staff_fixtures import lead_request, site  # noqa: F401 (fixture)
from tracker_fixtures import store_events, user

HOUR = 3600.0


@pytest.fixture(scope="module")
def providers():
    fake, server = serve_fake_providers()
    yield fake, f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


@pytest.fixture
def office(site, providers, monkeypatch):  # noqa: F811
    """The staff site with the Zalo channel configured against the fake Zalo API."""
    monkeypatch.delenv(thanks.SETTING, raising=False)
    _, base = providers
    env = {"ZALO_APP_ID": "app", "ZALO_APP_SECRET": "s", "ZALO_OA_SECRET_KEY": "k", "ZALO_ACCESS_TOKEN": "access",
           "ZALO_REFRESH_TOKEN": "refresh", "ZALO_API_BASE": base}
    rasa = FakeRasa()
    takeover = Takeover(HandoffQueue(site.engine), rasa, Senders.from_env(site.engine, env))  # type: ignore[arg-type]
    site.rasa, site.takeover = rasa, takeover
    site.officer = site.client(site.app(takeover=lambda: takeover))
    assert site.officer.sign_in("nghean", "mat-khau-du-dai").status_code == 303
    return site


def zalo_lead(site, zalo_user: str, last_message_hours_ago: float, name: str = "Trần Thị Mai") -> tuple[int, str]:  # noqa: F811
    """A Zalo citizen's request, contacted already, their last message that many hours ago: the
    lead's id and the Zalo user id (unique to the database: the fake Zalo API serves both)."""
    user_id = f"{zalo_user}-{site.engine.dialect.name}"
    conversation = f"zalo:{user_id}"
    store_events(site.engine, conversation, [{**user("gọi lại cho tôi", "request_callback", 0.97),
                                              "timestamp": time.time() - last_message_hours_ago * HOUR}])
    lead_id = site.store.submit(lead_request(name, "0912000111", "Nghệ An", channel="zalo",
                                             conversation_id=conversation, office="Bảo hiểm xã hội tỉnh Nghệ An"))
    site.store.change_status(lead_id, CONTACTED, "nghean")
    return lead_id, user_id


def register(site, lead_id: int) -> str:  # noqa: F811
    """Mark it registered on the lead's page; the page shown afterwards."""
    response = site.officer.post(f"/leads/{lead_id}/status", {"status": REGISTERED})
    assert response.status_code == 303
    return site.officer.get(f"/leads/{lead_id}").text


def test_the_text_names_the_citizen_by_the_given_name_only():
    text = thanks.thank_you_text("Nguyễn Thị Lan", "Bảo hiểm xã hội tỉnh Nghệ An")
    assert text.startswith("Dạ, em xin thay mặt Bảo hiểm xã hội tỉnh Nghệ An cảm ơn anh/chị Lan đã đăng ký tham gia")
    assert "Nguyễn" not in text
    assert "cảm ơn anh/chị đã đăng ký" in thanks.thank_you_text(None, "Bảo hiểm xã hội tỉnh Nghệ An")


def test_the_setting_is_on_unless_turned_off():
    assert thanks.enabled({}) and thanks.enabled({"BOT_THANK_YOU": "on"}) and not thanks.enabled({"BOT_THANK_YOU": "OFF"})
    with pytest.raises(ValueError):
        thanks.enabled({"BOT_THANK_YOU": "yes please"})


def test_registered_within_zalos_window_the_citizen_is_thanked(office, providers):
    fake, _ = providers
    lead_id, user_id = zalo_lead(office, "u-thanked", last_message_hours_ago=47)
    page = register(office, lead_id)
    (call,) = fake.zalo_messages(user_id)
    text = call.body["message"]["text"]
    assert text == thanks.thank_you_text("Trần Thị Mai", "Bảo hiểm xã hội tỉnh Nghệ An") and "0912000111" not in text
    assert office.rasa.calls == [("bot", f"zalo:{user_id}", text, "nghean")]  # in the transcript too
    assert "Đã gửi tin cảm ơn cho người dân qua Zalo." in page


def test_outside_zalos_window_nothing_is_sent_and_the_page_says_so(office, providers):
    fake, _ = providers
    lead_id, user_id = zalo_lead(office, "u-late", last_message_hours_ago=49)
    page = register(office, lead_id)
    assert fake.zalo_messages(user_id) == [] and office.rasa.calls == []
    assert "Không gửi tin cảm ơn: Đã quá 48 giờ kể từ tin nhắn cuối của người dân" in page


def test_the_web_chat_cannot_be_written_to_first(office, providers):
    fake, _ = providers
    before = len(fake.zalo_messages())
    lead_id = office.leads["Phạm Văn Hùng"]  # a request from the web chat (REST)
    office.store.change_status(lead_id, CONTACTED, "nghean")
    page = register(office, lead_id)
    assert len(fake.zalo_messages()) == before
    assert "Không gửi tin cảm ơn: trên kênh web, trợ lý chỉ trả lời được khi người dân nhắn đến." in page


def test_turned_off_no_message_and_no_note(office, providers, monkeypatch):
    fake, _ = providers
    monkeypatch.setenv(thanks.SETTING, "off")
    lead_id, user_id = zalo_lead(office, "u-off", last_message_hours_ago=1)
    page = register(office, lead_id)
    assert fake.zalo_messages(user_id) == [] and "tin cảm ơn" not in page


def test_a_citizen_who_erased_their_data_gets_nothing(office, providers):
    fake, _ = providers
    lead_id, user_id = zalo_lead(office, "u-erased", last_message_hours_ago=1)
    office.store.withdraw(f"zalo:{user_id}")
    page = register(office, lead_id)
    assert fake.zalo_messages(user_id) == []
    assert "Không gửi tin cảm ơn: người dân đã xóa thông tin của mình." in page


def test_the_command_line_registers_and_thanks(office, providers, monkeypatch, capsys):
    fake, _ = providers
    monkeypatch.setenv("BOT_DATABASE_URL", str(office.engine.url.render_as_string(hide_password=False)))
    monkeypatch.setattr(handoff, "make_takeover", lambda queue: office.takeover)
    lead_id, user_id = zalo_lead(office, "u-cli", last_message_hours_ago=2)
    assert main(["leads", "status", str(lead_id), REGISTERED, "--by", "nghean"]) == 0
    out = capsys.readouterr().out
    assert f"#{lead_id}: {REGISTERED}" in out and "Đã gửi tin cảm ơn cho người dân qua Zalo." in out
    assert len(fake.zalo_messages(user_id)) == 1
    assert main(["leads", "status", str(lead_id), CONTACTED]) == 2, "a registration is final"
    assert "Không thể chuyển" in capsys.readouterr().err and len(fake.zalo_messages(user_id)) == 1
