"""The callback request turn by turn through the form's actions (tests/callback_chat.py drives them
as Rasa does), storing into a real SQLite database through the same Desk the action server uses.
The intents are what the NLU gives: bot/nlu/special.py turns "hủy", "xóa thông tin của tôi" and
"thông tin của tôi" into stop, withdraw_consent and show_my_data."""
import json
import re

import pytest

import actions.common
from bot.cli.main import main
from bot.dialogue.callback import CONSENT_VERSION, consent_sha256
from bot.language.requests import wants_my_data, wants_withdrawal
from bot.leads.store import LeadStore, lead_as_dict
from bot.outbox import Desk
from bot.storage import db
from bot.policy.figures import figures_on
from callback_chat import Chat
from conftest import TODAY

# Fingerprint of the consent text CONSENT_VERSION names: a changed text needs a new version.
RECORDED_SHA256_PREFIX = "f5788c12aa86"
UNREACHABLE = "postgresql://postgres@127.0.0.1:1/unreachable"  # nothing listens


@pytest.fixture
def desk(tmp_path, monkeypatch):
    url = f"sqlite:///{tmp_path / 'bot.db'}"
    db.upgrade(url)
    monkeypatch.setenv("BOT_DATABASE_URL", url)
    monkeypatch.setenv("BOT_OUTBOX_DIR", str(tmp_path / "outbox"))
    monkeypatch.setenv("BOT_TODAY", "2026-11-24")
    the_desk = Desk(url, tmp_path / "outbox")
    monkeypatch.setattr(actions.common, "_desk", the_desk)
    return the_desk


@pytest.fixture
def chat(domain, desk):
    return Chat(domain)


def stored(desk):
    return [lead_as_dict(lead) for lead in desk.store.leads()]


def test_a_complete_request_with_a_correction(chat, desk):
    chat.say("ask_contribution", "thu nhập 5 triệu đóng bao nhiêu")
    assert chat.names("request_callback", "gọi lại cho tôi") == ["utter_consent_notice", "utter_ask_consent"]
    assert chat.names("affirm", "đồng ý") == ["utter_ask_full_name"]
    assert chat.names("inform", "nguyễn thị lan") == ["utter_ask_phone"]
    replies = chat.say("inform", "0123")
    assert [r["response"] for r in replies] == ["utter_invalid_value", "utter_ask_phone"]
    assert "ví dụ 0912 345 678" in replies[0]["message"]
    assert chat.names("inform", "+84 912.345.678") == ["utter_ask_province"]
    assert chat.names("inform", "ha giang") == ["utter_ask_commune"]
    assert chat.names("inform", "xã Tân Trào") == ["utter_ask_preferred_time"]
    (summary,) = chat.say("inform", "bỏ qua")
    assert summary["response"] == "utter_callback_summary"
    assert "Nguyễn Thị Lan" in summary["summary"] and "Tuyên Quang" in summary["summary"]
    assert chat.names("inform", "/inform", [{"entity": "field", "value": "phone"}]) == ["utter_ask_phone"]
    assert chat.names("inform", "0987 654 321") == ["utter_callback_summary"]
    assert stored(desk) == []  # nothing before the final yes
    (done,) = chat.say("affirm", "đúng rồi")
    assert done["response"] == "utter_callback_recorded"
    assert done["office"] == "Bảo hiểm xã hội tỉnh Tuyên Quang"
    (lead,) = stored(desk)
    assert done["reference"] == lead["reference"]  # the code the citizen quotes to follow it up
    assert (lead["full_name"], lead["phone"], lead["province"], lead["commune"]) == (
        "Nguyễn Thị Lan", "0987654321", "Tuyên Quang", "xã Tân Trào")
    assert lead["preferred_time"] is None and lead["income"] == 5_000_000
    assert lead["interests"] == ["mức đóng"] and (lead["channel"], lead["conversation_id"]) == ("zalo", "zalo-123")
    assert chat.active is None and chat.slots["consent_at"] is None and chat.slots["callback_confirmed"] is None


def test_a_correction_in_words_and_a_new_value_at_the_summary(chat, desk):
    complete_form(chat)
    assert chat.names("inform", "sai tên rồi") == ["utter_ask_full_name"]
    assert chat.names("inform", "Lê Thị Lan") == ["utter_callback_summary"]
    (summary,) = chat.say("inform", "sửa số điện thoại 0987 654 321")
    assert "0987654321" in summary["summary"] and "Lê Thị Lan" in summary["summary"]
    assert chat.names("affirm", "đúng") == ["utter_callback_recorded"]
    (lead,) = stored(desk)
    assert (lead["full_name"], lead["phone"]) == ("Lê Thị Lan", "0987654321")


def test_no_consent_stores_nothing_and_gives_the_hotline(chat, desk, responses):
    chat.say("request_callback", "nhờ cán bộ gọi cho tôi")
    (reply,) = chat.say("deny", "không")
    assert reply["response"] == "utter_no_consent" and "{hotline}" in responses["utter_no_consent"][0]["text"]
    assert stored(desk) == [] and chat.active is None and chat.slots["consent_at"] is None


def test_cancel_during_the_form(chat, desk):
    chat.say("request_callback", "gọi lại cho tôi")
    chat.say("affirm", "ok")
    chat.say("inform", "Trần Văn Bình")
    assert chat.names("stop", "hủy") == ["utter_callback_cancelled"]
    assert stored(desk) == [] and chat.active is None
    assert chat.names("request_callback", "gọi lại cho tôi") == ["utter_consent_notice", "utter_ask_consent"]


def test_what_was_said_before_is_not_asked_again(chat):
    chat.say("inform", "tôi tên Lê Văn Tám, sđt 0912 000 111, ở Đồng Nai")
    chat.say("request_callback", "gọi lại cho tôi")
    assert chat.names("affirm", "có") == ["utter_ask_commune"]


@pytest.mark.parametrize("commune, time", [("0912 345 678", "Nghệ An"), ("12", "0987654321"), ("Hà Nội", "093 123 4567")])
def test_a_phone_digits_or_a_province_is_no_commune_and_no_time_to_call(chat, commune, time):
    chat.say("inform", "tôi tên Lê Văn Tám, sđt 0912 000 111, ở Đồng Nai")
    chat.say("request_callback", "gọi lại cho tôi")
    assert chat.names("affirm", "có") == ["utter_ask_commune"]
    assert chat.names("inform", commune) == ["utter_flow_not_understood", "utter_ask_commune"]
    assert chat.names("inform", "Phường 12") == ["utter_ask_preferred_time"]
    assert chat.names("inform", time) == ["utter_flow_not_understood", "utter_ask_preferred_time"]
    (summary,) = chat.say("inform", "sau 5 giờ chiều")
    assert "Phường 12" in summary["summary"] and "sau 5 giờ chiều" in summary["summary"]


def test_an_ambiguous_province_is_asked_again(chat):
    chat.say("request_callback", "gọi lại cho tôi")
    chat.say("affirm", "có")
    chat.say("inform", "Lan")
    chat.say("inform", "0912000111")
    (reply,) = chat.say("inform", "ĐN")
    assert reply["response"] == "utter_ask_which_province" and [b["title"] for b in reply["buttons"]] == ["Đà Nẵng", "Đồng Nai"]
    assert chat.names("inform", '/inform{"province": "Đồng Nai"}', [{"entity": "province", "value": "Đồng Nai"}]) == ["utter_ask_commune"]


def test_a_question_is_answered_and_not_taken_for_a_name(chat):
    chat.say("request_callback", "gọi lại cho tôi")
    chat.say("affirm", "có")
    assert chat.names("ask_pension", "bao giờ thì được lương hưu") == ["rule:ask_pension", "utter_ask_full_name"]
    assert chat.slots["full_name"] is None


def test_a_name_the_classifier_took_for_a_question_and_a_province_given_as_a_name(chat):
    chat.say("request_callback", "gọi lại cho tôi")
    chat.say("affirm", "có")
    assert chat.names("nlu_fallback", "ha giang") == ["utter_flow_not_understood", "utter_ask_full_name"]
    assert chat.names("ask_overview", "Nguyễn Văn An") == ["utter_ask_phone"]
    assert chat.slots["full_name"] == "Nguyễn Văn An"


def test_withdrawal_anonymises_the_lead(chat, desk):
    complete_form(chat)
    chat.say("affirm", "đúng")
    assert len(stored(desk)) == 1
    assert chat.names("withdraw_consent", "xóa thông tin của tôi") == ["utter_consent_withdrawn"]
    (lead,) = stored(desk)
    assert lead["full_name"] is None and lead["phone"] is None and lead["anonymised_at"]
    assert chat.names("withdraw_consent", "tôi không muốn được gọi nữa") == ["utter_nothing_to_withdraw"]


def test_a_withdrawal_in_the_middle_of_the_form_ends_it(chat, desk):
    for intent, text in [("request_callback", "gọi lại cho tôi"), ("affirm", "có"), ("inform", "Lan")]:
        chat.say(intent, text)
    assert chat.names("withdraw_consent", "xóa thông tin của tôi, số 0912 000 111") == ["utter_nothing_to_withdraw"]
    assert chat.active is None and stored(desk) == []
    assert all(value is None for value in chat.slots.values())


@pytest.mark.parametrize("said", ["xóa thông tin của tôi", "tôi không muốn được gọi nữa", "đừng gọi cho tôi nữa"])
def test_what_asks_for_the_withdrawal(said):
    assert wants_withdrawal(said) and not wants_my_data(said)


def test_consent_text_matches_its_version(responses):
    """The consent record names the text shown: this fingerprint changes with the text, and the
    version in bot/dialogue/callback.py must change with it."""
    assert (CONSENT_VERSION, consent_sha256(responses)[:12]) == ("2026-11-v2", RECORDED_SHA256_PREFIX)


def test_the_consent_is_recorded_with_its_version_and_text(chat, desk, responses):
    complete_form(chat)
    chat.say("affirm", "đúng")
    with desk.store.engine.connect() as c:
        (row,) = c.exec_driver_sql("select text_version, text_sha256, conversation_id from consents").fetchall()
    assert tuple(row) == (CONSENT_VERSION, consent_sha256(responses), "zalo-123")


def test_a_second_request_of_the_same_phone_is_flagged_as_a_possible_duplicate(domain, desk):
    for sender in ("zalo-1", "zalo-2"):
        chat = Chat(domain, sender=sender)
        complete_form(chat)
        assert chat.names("affirm", "đúng") == ["utter_callback_recorded"]
    first, second = sorted(desk.store.leads(), key=lambda lead: lead.id)
    assert first.duplicate_of is None and second.duplicate_of == first.id


def test_export_json_and_csv(chat, desk, tmp_path, capsys):
    for intent, text in [("request_callback", "gọi lại cho tôi"), ("affirm", "có"), ("inform", "Lò Thị Mai"),
                         ("inform", "0912000111"), ("inform", "yen bai"), ("inform", "bỏ qua"),
                         ("inform", "sáng"), ("affirm", "đúng")]:
        chat.say(intent, text)
    assert main(["leads", "export", "--format", "json"]) == 0
    (lead,) = json.loads(capsys.readouterr().out)
    assert (lead["full_name"], lead["province"], lead["preferred_time"]) == ("Lò Thị Mai", "Lào Cai", "sáng")
    out = tmp_path / "leads.csv"
    assert main(["leads", "export", "--format", "csv", "--output", str(out)]) == 0
    raw = out.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf") and "Lò Thị Mai".encode() in raw
    assert main(["leads", "list"]) == 0
    listing = capsys.readouterr().out
    assert "0912000111" not in listing and "091****111" in listing and "Lò Thị Mai" not in listing


def test_a_request_while_the_database_is_down_waits_in_the_outbox(chat, desk):
    database = desk.store
    desk.store = LeadStore(db.make_engine(UNREACHABLE))
    complete_form(chat)
    assert chat.names("affirm", "đúng") == ["utter_callback_recorded_queued"]  # no code before it is stored
    assert len(desk.outbox.pending()) == 1
    desk.store = database
    assert desk.outbox.replay(database) == 1
    (lead,) = stored(desk)
    assert (lead["full_name"], lead["phone"], lead["conversation_id"]) == ("Lan", "0912000111", "zalo-123")


def test_a_withdrawal_while_the_database_is_down_waits_in_the_outbox(chat, desk):
    complete_form(chat)
    chat.say("affirm", "đúng")
    database = desk.store
    desk.store = LeadStore(db.make_engine(UNREACHABLE))
    assert chat.names("withdraw_consent", "xóa thông tin của tôi") == ["utter_withdrawal_queued"]
    assert len(desk.outbox.pending()) == 1
    desk.store = database  # the database is back
    assert stored(desk)[0]["phone"] == "0912000111", "not erased before the database is back"
    assert desk.outbox.replay(database) == 1
    (lead,) = stored(desk)
    assert lead["full_name"] is None and lead["phone"] is None and lead["anonymised_at"]


def complete_form(chat, name="Lan"):
    """Consent, name, phone, province, no commune, no time: the summary is on screen."""
    for intent, text in [("request_callback", "gọi lại cho tôi"), ("affirm", "có"), ("inform", name),
                         ("inform", "0912000111"), ("inform", "Nghệ An"), ("inform", "bỏ qua")]:
        chat.say(intent, text)
    assert chat.names("inform", "bỏ qua") == ["utter_callback_summary"]


def test_a_phone_that_cannot_be_stored_is_asked_again_before_anything_is_stored(chat, desk):
    for intent, text in [("request_callback", "gọi lại cho tôi"), ("affirm", "có"), ("inform", "Lan")]:
        chat.say(intent, text)
    replies = chat.say("inform", "/inform", [{"entity": "phone", "value": "0" * 20 + "1"}])  # a payload typed by hand
    assert [r["response"] for r in replies] == ["utter_invalid_value", "utter_ask_phone"]
    assert "ví dụ 0912 345 678" in replies[0]["message"]
    assert chat.names("inform", "0912 000 111") == ["utter_ask_province"]
    assert stored(desk) == [] and desk.outbox.pending() == [] and desk.outbox.dead_letters() == []


def test_a_name_that_cannot_be_stored_is_asked_again_at_the_summary(chat, desk):
    for intent, text in [("request_callback", "gọi lại cho tôi"), ("affirm", "có")]:
        chat.say(intent, text)
    chat.say("inform", "/inform", [{"entity": "person_name", "value": "Lan " * 40}])  # a payload typed by hand
    for text in ("0912000111", "Nghệ An", "bỏ qua", "bỏ qua"):
        chat.say("inform", text)
    replies = chat.say("affirm", "đúng")
    assert [r["response"] for r in replies] == ["utter_invalid_value", "utter_ask_full_name"]
    assert replies[0]["message"].startswith("họ tên vừa nhập chưa đúng")
    assert stored(desk) == [] and desk.outbox.pending() == [] and desk.outbox.dead_letters() == []
    assert chat.names("inform", "Lan") == ["utter_callback_summary"]
    assert chat.names("affirm", "đúng") == ["utter_callback_recorded"]
    (lead,) = stored(desk)
    assert (lead["full_name"], lead["phone"]) == ("Lan", "0912000111")


def test_an_income_or_group_the_law_does_not_know_is_left_out_of_the_lead(chat, desk):
    chat.slots.update(income=1e26, target_group="pirate")  # any amount said fills the income slot
    complete_form(chat)
    assert chat.names("affirm", "đúng") == ["utter_callback_recorded"]
    (lead,) = stored(desk)
    assert (lead["phone"], lead["income"], lead["target_group"]) == ("0912000111", None, None)


def test_a_request_that_cannot_be_stored_is_declined_politely(domain, desk):
    chat = Chat(domain, sender="x" * 300)  # longer than any conversation id the store keeps
    complete_form(chat)
    (reply,) = chat.say("affirm", "đúng")
    assert reply["response"] == "utter_invalid_value"
    assert reply["message"].startswith("em chưa gửi được yêu cầu gọi lại lúc này")
    assert figures_on(TODAY).values["hotline"] in reply["message"]
    assert chat.active is None and stored(desk) == [] and desk.outbox.pending() == []


@pytest.mark.parametrize("question", ["thông tin của tôi", "thong tin cua toi", "em đang lưu gì về tôi",
                                      "cho tôi xem dữ liệu của tôi", "em dang luu j ve minh"])
def test_my_data_before_anything_is_stored(chat, question):
    assert wants_my_data(question) and not wants_withdrawal(question)
    assert chat.names("show_my_data", question) == ["utter_my_data_none"]


def test_my_data_shows_the_citizen_everything_stored_then_nothing_once_withdrawn(chat, monkeypatch):
    monkeypatch.setenv("BOT_RETENTION_CONVERSATION_DAYS", "60")
    chat.say("ask_contribution", "thu nhập 5 triệu đóng bao nhiêu")
    for intent, text in [("request_callback", "gọi lại cho tôi"), ("affirm", "có"), ("inform", "Lò Thị Mai"),
                         ("inform", "0912000111"), ("inform", "yen bai"), ("inform", "bỏ qua"),
                         ("inform", "sáng"), ("affirm", "đúng")]:
        chat.say(intent, text)
    contact, request = chat.say("show_my_data", "thông tin của tôi")
    assert (contact["response"], request["response"]) == ("utter_my_data", "utter_my_data_2")
    assert contact["stored_contact"] == ("• Họ tên: Lò Thị Mai\n• Số điện thoại: 0912000111\n"
                                         "• Tỉnh/thành phố: Lào Cai\n• Thời gian gọi: sáng")
    lines = request["stored_request"].split("\n")
    assert lines[:3] == ["• Thu nhập: 5.000.000 đồng", "• Chủ đề đã hỏi: mức đóng", "• Trạng thái: mới"]
    assert re.fullmatch(r"• Đồng ý lúc: \d\d/\d\d/\d{4} \d\d:\d\d \(nội dung phiên bản 2026-11-v2\)", lines[3])
    chat.say("withdraw_consent", "xóa thông tin của tôi")
    (none,) = chat.say("show_my_data", "em đang lưu gì về tôi")
    assert none["response"] == "utter_my_data_none" and none["conversation_days"] == "60"


def test_my_data_in_the_middle_of_a_request_asks_the_question_again(chat):
    chat.say("request_callback", "gọi lại cho tôi")
    assert chat.names("show_my_data", "thông tin của tôi") == ["utter_my_data_none", "utter_ask_consent"]
    chat.say("affirm", "đồng ý")
    assert chat.names("show_my_data", "em lưu gì về tôi") == ["utter_my_data_none", "utter_ask_full_name"]


def test_my_data_while_the_database_is_down(chat, desk):
    desk.store = LeadStore(db.make_engine(UNREACHABLE))
    assert chat.names("show_my_data", "thông tin của tôi") == ["utter_my_data_unavailable"]


def test_a_withdrawal_clears_every_slot_that_held_personal_data(chat):
    for intent, text in [("ask_contribution", "thu nhập 5 triệu đóng bao nhiêu"), ("request_callback", "gọi lại cho tôi"),
                         ("affirm", "có"), ("inform", "Lò Thị Mai"), ("inform", "0912000111")]:
        chat.say(intent, text)
    chat.say("withdraw_consent", "xóa thông tin của tôi")
    for name in ("full_name", "phone", "province", "commune", "preferred_time", "consent_at", "income", "requested_slot"):
        assert chat.slots.get(name) is None, name
    assert chat.active is None
