"""The staff pages' "Hội thoại" (bot/staff/conversations.py) through Flask's test client on SQLite and
PostgreSQL, with Rasa's API and the channels replaced by recording fakes: province scoping, roles,
CSRF, take / reply / hand back and what each asks of Rasa and the channel, the live transcript frame."""
from __future__ import annotations

import time

import pytest

from bot.handoff.queue import RELEASED, TAKEN, WAITING, HandoffQueue
from bot.handoff.takeover import RELEASED_NOTE, Takeover
from handoff_fakes import FakeRasa, FakeSenders
from staff_fixtures import site  # noqa: F401 (fixture)
from tracker_fixtures import bot, store_events, user


def later(event: dict) -> dict:
    """Written now, after the takeover (the other events of the tests are a week old)."""
    return {**event, "timestamp": time.time() + 1}


@pytest.fixture
def desk(site):  # noqa: F811
    queue = HandoffQueue(site.engine)
    rasa, senders = FakeRasa(), FakeSenders(site.engine)
    takeover = Takeover(queue, rasa, senders)  # type: ignore[arg-type]
    app = site.app(takeover=lambda: takeover)
    store_events(site.engine, "zalo:u-na", [user("cho tôi gặp cán bộ", "human_handoff", 0.98), bot("Dạ, em đã báo cán bộ.")])
    store_events(site.engine, "zalo:u-hn", [user("gặp cán bộ", "human_handoff", 0.98)])
    na, _ = queue.request("zalo:u-na", "zalo", "Nghệ An")
    hn, _ = queue.request("zalo:u-hn", "zalo", "Hà Nội")

    class Desk:
        pass
    d = Desk()
    d.site, d.queue, d.rasa, d.senders, d.app, d.na, d.hn = site, queue, rasa, senders, app, na.id, hn.id

    def signed_in(username: str):  # type: ignore[no-untyped-def]
        client = site.client(app)
        assert client.sign_in(username, "mat-khau-du-dai").status_code == 303
        return client
    d.signed_in = signed_in
    return d


def test_pages_need_a_session_and_an_officer(desk):
    anonymous = desk.site.client(desk.app)
    for url in ("/conversations", f"/conversations/{desk.na}", f"/conversations/{desk.na}/live"):
        assert anonymous.get(url).status_code == 303
    trainer = desk.signed_in("huanluyen")
    assert trainer.get("/conversations").status_code == 403
    assert trainer.post(f"/conversations/{desk.na}/take").status_code == 403
    assert desk.queue.open_for("zalo:u-na").status == WAITING


def test_an_officer_sees_the_conversations_of_the_province_only(desk):
    officer = desk.signed_in("nghean")
    inbox = officer.get("/conversations").text
    assert f"#{desk.na}" in inbox and f"#{desk.hn}" not in inbox
    assert 'http-equiv="refresh"' in inbox
    assert '<span class="count" title="đang chờ cán bộ">1</span>' in officer.get("/leads").text
    for url in (f"/conversations/{desk.hn}", f"/conversations/{desk.hn}/live"):
        assert officer.get(url).status_code == 404
    for action in ("take", "reply", "release"):
        assert officer.post(f"/conversations/{desk.hn}/{action}", {"text": "x"}).status_code == 404
    assert desk.queue.open_for("zalo:u-hn").status == WAITING and not desk.rasa.calls
    admin = desk.signed_in("quantri")
    inbox = admin.get("/conversations").text
    assert f"#{desk.na}" in inbox and f"#{desk.hn}" in inbox


def test_take_reply_and_hand_back(desk):
    officer = desk.signed_in("nghean")
    page = officer.get(f"/conversations/{desk.na}").text
    assert "Nhận trò chuyện" in page and 'src="/conversations/%d/live"' % desk.na in page
    assert officer.post(f"/conversations/{desk.na}/take", csrf=False).status_code == 400
    assert desk.queue.open_for("zalo:u-na").status == WAITING

    taken = officer.post(f"/conversations/{desk.na}/take")
    assert taken.status_code == 303 and taken.headers["Location"].endswith(f"/conversations/{desk.na}?done=taken")
    entry = desk.queue.open_for("zalo:u-na")
    assert (entry.status, entry.taken_by) == (TAKEN, "nghean")
    (note,) = desk.senders.sent
    assert note[0] == "zalo:u-na" and "cán bộ Bảo hiểm xã hội tỉnh Nghệ An đã vào cuộc trò chuyện" in note[1]
    assert desk.rasa.calls == [("pause", "zalo:u-na"), ("bot", "zalo:u-na", note[1], "nghean")]
    assert officer.post(f"/conversations/{desk.na}/take").status_code == 303
    assert len(desk.senders.sent) == 1 and len(desk.rasa.calls) == 2, "a second click tells the citizen nothing more"
    page = officer.get(f"/conversations/{desk.na}?done=taken").text
    assert "Trả lời người dân" in page and "Trả lại cho trợ lý" in page and "Nhận trò chuyện" not in page

    sent = officer.post(f"/conversations/{desk.na}/reply", {"text": "  Chào chị, em là Hoa ở BHXH Nghệ An.  "})
    assert sent.status_code == 303
    assert desk.senders.sent[-1] == ("zalo:u-na", "Chào chị, em là Hoa ở BHXH Nghệ An.")
    assert desk.rasa.calls[-1] == ("bot", "zalo:u-na", "Chào chị, em là Hoa ở BHXH Nghệ An.", "nghean")

    released = officer.post(f"/conversations/{desk.na}/release")
    assert released.status_code == 303
    assert desk.rasa.calls[-2:] == [("resume", "zalo:u-na"), ("bot", "zalo:u-na", RELEASED_NOTE, "nghean")]
    assert desk.senders.sent[-1] == ("zalo:u-na", RELEASED_NOTE)
    assert desk.queue.get(desk.na).status == RELEASED and desk.queue.open_for("zalo:u-na") is None
    assert f"#{desk.na}" not in officer.get("/conversations").text


def test_only_the_officer_holding_it_replies_an_admin_may_hand_it_back(desk):
    desk.signed_in("nghean").post(f"/conversations/{desk.na}/take")
    colleague = desk.signed_in("nghean2")
    assert "Cán bộ nghean đang trả lời" in colleague.get(f"/conversations/{desk.na}").text
    refused = colleague.post(f"/conversations/{desk.na}/reply", {"text": "tôi trả lời thay"})
    assert refused.status_code == 409 and "nghean đang phụ trách" in refused.text
    assert colleague.post(f"/conversations/{desk.na}/take").status_code == 409
    assert colleague.post(f"/conversations/{desk.na}/release").status_code == 409
    assert desk.queue.held("zalo:u-na") and ("zalo:u-na", "tôi trả lời thay") not in desk.senders.sent
    assert desk.signed_in("quantri").post(f"/conversations/{desk.na}/release").status_code == 303
    assert desk.queue.get(desk.na).released_by == "quantri"


def test_a_reply_the_channel_refuses_is_kept_for_the_officer_and_not_in_the_transcript(desk):
    officer = desk.signed_in("nghean")
    officer.post(f"/conversations/{desk.na}/take")
    desk.senders.problem = "Đã quá 48 giờ kể từ tin nhắn cuối của người dân."
    calls = len(desk.rasa.calls)
    refused = officer.post(f"/conversations/{desk.na}/reply", {"text": "Chị còn cần hỗ trợ không?"})
    assert refused.status_code == 409 and "Đã quá 48 giờ" in refused.text
    assert ">Chị còn cần hỗ trợ không?</textarea>" in refused.text
    assert len(desk.rasa.calls) == calls


def test_the_assistant_unreachable_leaves_the_conversation_waiting(desk):
    desk.rasa.down = True
    refused = desk.signed_in("nghean").post(f"/conversations/{desk.na}/take")
    assert refused.status_code == 502 and "Không kết nối được với trợ lý" in refused.text
    assert desk.queue.open_for("zalo:u-na").status == WAITING and not desk.senders.sent


def test_a_waiting_conversation_can_be_taken_off_the_queue_without_pausing_anything(desk):
    assert desk.signed_in("nghean").post(f"/conversations/{desk.na}/release").status_code == 303
    assert desk.queue.get(desk.na).status == RELEASED and not desk.rasa.calls and not desk.senders.sent


def test_the_live_frame(desk):
    officer = desk.signed_in("nghean")
    officer.post(f"/conversations/{desk.na}/take")
    store_events(desk.site.engine, "zalo:u-na", [{**bot("Chào chị"), "metadata": {"officer": "nghean"}},
                                                 later(user("xóa thông tin của tôi", "withdraw_consent", 1.0))])
    frame = officer.get(f"/conversations/{desk.na}/live")
    assert frame.headers["X-Frame-Options"] == "SAMEORIGIN" and "frame-ancestors 'self'" in frame.headers["Content-Security-Policy"]
    assert "script-src 'none'" in frame.headers["Content-Security-Policy"]
    assert officer.get(f"/conversations/{desk.na}").headers["X-Frame-Options"] == "DENY"
    text = frame.text
    assert 'http-equiv="refresh" content="3"' in text
    assert text.index("xóa thông tin của tôi") < text.index("Chào chị") < text.index("cho tôi gặp cán bộ"), "newest first"
    assert "Cán bộ nghean" in text and "Người dân" in text and "Trợ lý" in text
    assert "yêu cầu xem hoặc xóa thông tin cá nhân" in text


def test_a_privacy_request_made_during_the_takeover_goes_to_the_assistant_at_the_hand_back(desk):
    officer = desk.signed_in("nghean")
    store_events(desk.site.engine, "zalo:u-na", [user("xóa thông tin của tôi", "withdraw_consent", 1.0)])
    officer.post(f"/conversations/{desk.na}/take")
    assert not [c for c in desk.rasa.calls if c[0] == "trigger"], "a request made before the takeover was answered then"
    store_events(desk.site.engine, "zalo:u-na", [later(user("xóa thông tin của tôi", "withdraw_consent", 1.0)),
                                                 later(user("xoa thong tin cua toi", "withdraw_consent", 1.0))])
    desk.rasa.replies["withdraw_consent"] = ["Dạ, em đã xóa thông tin của anh/chị."]
    assert officer.post(f"/conversations/{desk.na}/release").status_code == 303
    assert [c for c in desk.rasa.calls if c[0] == "trigger"] == [("trigger", "zalo:u-na", "withdraw_consent")]
    assert desk.senders.sent[-1] == ("zalo:u-na", "Dạ, em đã xóa thông tin của anh/chị.")
