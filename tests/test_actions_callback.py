"""The callback form's actions one call at a time, on rasa_sdk Trackers as Rasa sends them (the
validation's tracker ends with the form's execution and this message's slot candidates), storing
into a real SQLite database."""
from datetime import datetime

import pytest
from rasa_sdk import Tracker
from rasa_sdk.events import ActionExecutionRejected, ActiveLoop, SlotSet

from action_harness import installed_desk, run as run_action
from actions.callback import AskConfirmation, AskConsent, AskProvince, SubmitCallback, ValidateCallbackForm
from actions.privacy import ShowMyData, WithdrawConsent
from bot.dialogue.callback import CONSENT_VERSION, consent_sha256
from bot.leads.store import LeadStore, lead_as_dict
from bot.storage import db

FORM = "callback_form"
FILLED = {"consent_at": "2026-11-24T02:00:00+00:00", "full_name": "Lò Thị Mai", "phone": "0912000111",
          "province": "Lào Cai", "commune": "", "preferred_time": "buổi sáng"}


@pytest.fixture
def desk(tmp_path, monkeypatch):
    return installed_desk(tmp_path, monkeypatch)



def tracker(text="", intent="inform", entities=(), slots=None, requested=None, candidates=None,
            active=FORM, answered_by_a_rule=False, sender="zalo-1", earlier=()):
    """The tracker Rasa hands an action: `earlier` events, the user's message, what a rule ran for
    it, then (for the validation) the form's execution and the slot candidates."""
    latest = {"intent": {"name": intent}, "entities": list(entities), "text": text}
    events = [*earlier, {"event": "action", "name": "action_listen"},
              {"event": "user", "text": text, "parse_data": latest, "input_channel": "zalo"}]
    if answered_by_a_rule:
        events += [{"event": "action_execution_rejected", "name": FORM}, {"event": "action", "name": "utter_ask_pension"}]
    events += [SlotSet("requested_slot", requested), {"event": "action", "name": FORM},
               *(SlotSet(k, v) for k, v in (candidates or {}).items())]
    values = {"requested_slot": requested, **(slots or {}), **(candidates or {})}
    return Tracker(sender, values, latest, events, False, None, {"name": active} if active else {}, None)


def run(action, tracker, domain):
    outcome = run_action(action, tracker, domain)
    return outcome.events, outcome.responses, outcome.messages


# --- validation ---------------------------------------------------------------------------------

@pytest.mark.parametrize("intent, text", [
    ("ask_pension", "bao giờ thì được lương hưu"),  # a new question: the rules answer it
    ("deny", "hủy"), ("stop", "thôi không cần nữa"),  # the stop rule
    ("show_my_data", "thông tin của tôi"), ("out_of_scope", "em lưu gì về tôi"),  # the privacy rules
    ("withdraw_consent", "xóa thông tin của tôi"), ("empty_message", "👍"),
])
def test_a_message_that_answers_nothing_is_rejected(domain, intent, text):
    for requested in ("consent_at", "full_name", "commune", "callback_confirmed"):
        events, said, _ = run(ValidateCallbackForm(), tracker(text, intent, requested=requested), domain)
        assert (events, said) == ([ActionExecutionRejected(FORM)], []), requested


def test_a_rejected_message_is_rejected_even_with_a_slot_its_entities_filled(domain):
    events, said, _ = run(ValidateCallbackForm(), tracker("xóa thông tin của tôi, số 0912 000 111", "withdraw_consent",
                                                          requested="full_name", candidates={"phone": "0912000111"}),
                          domain)
    assert events[-1] == ActionExecutionRejected(FORM) and said == []


def test_back_from_a_rule_the_answered_message_is_not_read_again(domain):
    events, said, _ = run(ValidateCallbackForm(), tracker("bao giờ thì được lương hưu", "ask_pension", requested="full_name",
                                                          answered_by_a_rule=True), domain)
    assert (events, said) == ([], [])


def test_the_form_starts_a_new_request_with_what_the_user_said_before(domain):
    before = {"consent_at": "2026-11-20T01:00:00+00:00", "commune": "xã Cũ", "callback_confirmed": True}
    prefilled = {"full_name": "Lê Văn Tám", "phone": "0912 000 111", "province": "Bình Phước", **before}
    events, said, _ = run(ValidateCallbackForm(), tracker("gọi lại cho tôi", "request_callback", candidates=prefilled,
                                                          active=None), domain)
    assert said == []
    assert sorted(events, key=lambda e: e["name"]) == [
        SlotSet("callback_confirmed", None), SlotSet("commune", None), SlotSet("consent_at", None),
        SlotSet("full_name", "Lê Văn Tám"), SlotSet("phone", "0912000111"), SlotSet("province", "Đồng Nai")]


def test_a_yes_to_the_consent_records_when_it_was_given(domain):
    events, said, _ = run(ValidateCallbackForm(), tracker("đồng ý", "affirm", requested="consent_at"), domain)
    (consent,) = events
    assert consent["name"] == "consent_at" and said == []
    assert abs(datetime.fromisoformat(consent["value"]).timestamp() - datetime.now().timestamp()) < 60


@pytest.mark.parametrize("intent, text", [("deny", "không"), ("out_of_scope", "không đồng ý")])
def test_a_no_to_the_consent_ends_the_form(domain, intent, text):
    events, said, _ = run(ValidateCallbackForm(), tracker(text, intent, requested="consent_at"), domain)
    assert events == [SlotSet("consent_at", None), SlotSet("requested_slot", None)] and said == []


def test_an_unreadable_consent_is_asked_again(domain):
    events, said, _ = run(ValidateCallbackForm(), tracker("hả", "nlu_fallback", requested="consent_at"), domain)
    assert (events, said) == ([SlotSet("consent_at", None)], ["utter_flow_not_understood"])


def test_a_wrong_phone_is_explained_and_asked_again(domain):
    events, said, messages = run(ValidateCallbackForm(), tracker("0123", requested="phone"), domain)
    assert (events, said) == ([SlotSet("phone", None)], ["utter_invalid_value"])
    assert "ví dụ 0912 345 678" in messages[0]["message"]


def test_a_phone_is_kept_normalised(domain):
    events, said, _ = run(ValidateCallbackForm(), tracker("+84 912.345.678", requested="phone",
                                                          candidates={"phone": "+84 912.345.678"}), domain)
    assert (events, said) == ([SlotSet("phone", "0912345678")], [])


@pytest.mark.parametrize("text, value", [("bỏ qua", ""), ("không", ""), ("  xã   Tân Trào ", "xã Tân Trào")])
def test_a_commune_given_or_skipped(domain, text, value):
    events, said, _ = run(ValidateCallbackForm(), tracker(text, requested="commune"), domain)
    assert (events, said) == ([SlotSet("commune", value)], [])


def test_the_summary_confirmed(domain):
    events, said, _ = run(ValidateCallbackForm(), tracker("đúng rồi", "affirm", slots=FILLED,
                                                          requested="callback_confirmed"), domain)
    assert (events, said) == ([SlotSet("callback_confirmed", True)], [])


@pytest.mark.parametrize("text, entities, field", [
    ("sửa số điện thoại", [], "phone"), ("sai tên", [], "full_name"), ("đổi xã", [], "commune"),
    ("/inform", [{"entity": "field", "value": "province"}], "province")])
def test_a_correction_at_the_summary_asks_that_field_again(domain, text, entities, field):
    events, said, _ = run(ValidateCallbackForm(), tracker(text, "inform", entities, slots=FILLED,
                                                          requested="callback_confirmed"), domain)
    assert (events, said) == ([SlotSet(field, None)], [])


# --- the questions ------------------------------------------------------------------------------

def test_the_consent_notice_comes_once_then_the_question_alone(domain, monkeypatch):
    monkeypatch.setenv("BOT_RETENTION_CLOSED_LEAD_MONTHS", "18")
    _, said, messages = run(AskConsent(), tracker("gọi lại cho tôi", "request_callback", requested=None), domain)
    assert said == ["utter_consent_notice", "utter_ask_consent"] and messages[0]["lead_retention_months"] == "18"
    _, said, _ = run(AskConsent(), tracker("hả", requested="consent_at"), domain)
    assert said == ["utter_ask_consent"]


def test_an_ambiguous_province_is_asked_with_a_button_per_province(domain):
    _, said, messages = run(AskProvince(), tracker("ĐN", entities=[{"entity": "province", "value": "ĐN"}]), domain)
    assert said == ["utter_ask_which_province"]
    assert [b["payload"] for b in messages[0]["buttons"]] == ['/inform{"province": "Đà Nẵng"}', '/inform{"province": "Đồng Nai"}']
    _, said, _ = run(AskProvince(), tracker("0912000111"), domain)
    assert said == ["utter_ask_province"]


def test_the_summary_lists_what_was_given(domain):
    _, said, messages = run(AskConfirmation(), tracker("sáng", slots=FILLED), domain)
    assert said == ["utter_callback_summary"]
    assert messages[0]["summary"] == ("• Họ tên: Lò Thị Mai\n• Số điện thoại: 0912000111\n"
                                      "• Tỉnh/thành phố: Lào Cai\n• Thời gian gọi: buổi sáng")


# --- submission ---------------------------------------------------------------------------------

ASKED_BEFORE = [{"event": "user", "text": "đóng bao nhiêu", "parse_data": {"intent": {"name": "ask_contribution"}}},
                {"event": "user", "text": "hưu", "parse_data": {"intent": {"name": "ask_pension"}}}]


def test_the_confirmed_request_is_recorded_with_its_consent(domain, desk, responses):
    slots = {**FILLED, "callback_confirmed": True, "income": 5_000_000.0, "target_group": "farmer"}
    events, said, messages = run(SubmitCallback(), tracker("đúng", "affirm", slots=slots, active=None,
                                                           earlier=ASKED_BEFORE), domain)
    assert said == ["utter_callback_recorded"] and messages[0]["office"] == "Bảo hiểm xã hội tỉnh Lào Cai"
    assert events == [SlotSet(n, None) for n in ("consent_at", "commune", "preferred_time", "callback_confirmed")]
    (lead,) = [lead_as_dict(lead) for lead in desk.store.leads()]
    assert (lead["full_name"], lead["phone"], lead["province"], lead["commune"], lead["preferred_time"]) == (
        "Lò Thị Mai", "0912000111", "Lào Cai", None, "buổi sáng")
    assert (lead["income"], lead["target_group"], sorted(lead["interests"])) == (5_000_000, "farmer", ["lương hưu", "mức đóng"])
    assert (lead["channel"], lead["conversation_id"]) == ("zalo", "zalo-1")
    with desk.store.engine.connect() as c:
        (consent,) = c.exec_driver_sql("select text_version, text_sha256, given_at from consents").fetchall()
    assert consent[:2] == (CONSENT_VERSION, consent_sha256(responses))


def test_without_consent_nothing_is_recorded(domain, desk):
    events, said, _ = run(SubmitCallback(), tracker("không", "deny", active=None), domain)
    assert said == ["utter_no_consent"] and list(desk.store.leads()) == [] and desk.outbox.pending() == []


def test_while_the_database_is_down_the_request_waits_in_the_outbox(domain, desk):
    database, desk.store = desk.store, LeadStore(db.make_engine("postgresql://postgres@127.0.0.1:1/unreachable"))
    _, said, _ = run(SubmitCallback(), tracker("đúng", "affirm", slots={**FILLED, "callback_confirmed": True},
                                               active=None), domain)
    assert said == ["utter_callback_recorded_queued"] and len(desk.outbox.pending()) == 1
    assert desk.outbox.replay(database) == 1 and len(list(database.leads())) == 1


# --- privacy ------------------------------------------------------------------------------------

def test_a_withdrawal_ends_the_form_and_clears_every_slot(domain, desk):
    slots = {**FILLED, "income": 5_000_000.0, "requested_slot": "callback_confirmed", "flow": None}
    events, said, _ = run(WithdrawConsent(), tracker("xóa thông tin của tôi", "withdraw_consent", slots=slots), domain)
    assert said == ["utter_nothing_to_withdraw"]
    assert events[0] == ActiveLoop(None)
    assert {e["name"]: e["value"] for e in events[1:]} == {name: None for name in (*FILLED, "income", "requested_slot")}


def test_my_data_sets_nothing(domain, desk):
    events, said, _ = run(ShowMyData(), tracker("thông tin của tôi", "show_my_data"), domain)
    assert (events, said) == ([], ["utter_my_data_none"])


def test_a_button_of_an_earlier_answer_is_a_new_question(domain):
    events, said, _ = run(ValidateCallbackForm(), tracker("/ask_contribution", "ask_contribution", requested="commune"),
                          domain)
    assert (events, said) == ([ActionExecutionRejected(FORM)], [])


@pytest.mark.parametrize("requested", ["consent_at", "commune", "callback_confirmed"])
def test_a_callback_request_during_the_request_asks_the_question_again(domain, requested):
    events, said, _ = run(ValidateCallbackForm(), tracker("/request_callback", "request_callback", requested=requested),
                          domain)
    assert (events, said) == ([SlotSet(requested, None)], [])
