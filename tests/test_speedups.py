"""The Rasa server's speed-ups (bot/servers/speedups.py) keep Rasa's behaviour: an action server's
answer is accepted or refused exactly as Rasa's own check does, with Rasa's message."""
import pytest
from jsonschema import ValidationError
from rasa.core.actions.action import RemoteAction
from rasa.utils.endpoints import EndpointConfig

from bot.servers import speedups

VALID = {"events": [{"event": "slot", "name": "income", "value": 5_000_000}],
         "responses": [{"response": "utter_result", "amount": "1.100.000 đồng"}]}
INVALID = {"events": [{"event": "no_such_event"}], "responses": []}


@pytest.fixture
def action():
    speedups.install()
    yield RemoteAction("action_calculation_result", EndpointConfig("http://127.0.0.1:1/webhook"))
    RemoteAction._validate_action_result = speedups._RASA_VALIDATE
    RemoteAction._action_call_format = speedups._RASA_CALL_FORMAT


def test_a_valid_answer_is_accepted(action):
    assert action._validate_action_result(VALID) is True
    assert speedups._RASA_VALIDATE(action, VALID) is True


def test_an_invalid_answer_is_refused_with_rasas_message(action):
    with pytest.raises(ValidationError) as ours:
        action._validate_action_result(INVALID)
    with pytest.raises(ValidationError) as rasas:
        speedups._RASA_VALIDATE(action, INVALID)
    assert ours.value.message == rasas.value.message and "Failed to validate Action server response" in ours.value.message


def test_the_response_selectors_labels_get_the_keys_rasas_scan_finds():
    from rasa.nlu.selectors.response_selector import ResponseSelector

    selector = ResponseSelector.__new__(ResponseSelector)
    selector.responses = {
        "utter_faq/pension_age": [{"text": "Dạ, nam 62 tuổi"}, {"text": "Nam 62, nữ 60 ạ"}],
        "utter_faq/pension_years": [{"text": "Dạ, 15 năm"}],
        "utter_chitchat/thanks": [{"text": "Dạ, 15 năm"}, {"image": "x.png"}],  # a text twice: the first key wins
    }
    labels = ["faq/pension_age", "Nam 62, nữ 60 ạ", "Dạ, 15 năm", "chitchat/thanks", "", "unknown"]
    expected = [speedups._RASA_RESOLVE(selector, {"name": name}) for name in labels]
    assert expected == ["faq/pension_age", "faq/pension_age", "faq/pension_years", "chitchat/thanks",
                        "chitchat/thanks", None]
    assert [speedups._resolve_intent_response_key(selector, {"name": name}) for name in labels] == expected


def test_events_are_read_as_the_classes_rasa_finds():
    from rasa.shared.core.events import ActionExecuted, Event, SlotSet, UserUttered

    for name, cls in (("slot", SlotSet), ("user", UserUttered), ("action", ActionExecuted), ("slot", SlotSet)):
        assert speedups._resolve_by_type(name) is cls is speedups._RASA_EVENT_CLASS(name)
    assert speedups._resolve_by_type("no_such_event", SlotSet) is SlotSet
    assert speedups._resolve_by_type("topic") is None
    with pytest.raises(ValueError):
        speedups._resolve_by_type("no_such_event")
    assert isinstance(Event.from_parameters({"event": "slot", "name": "income", "value": 1}), SlotSet)


def test_the_action_server_gets_the_rankings_of_the_latest_message_only(action):
    from rasa.shared.core.domain import Domain
    from rasa.shared.core.events import ActionExecuted, UserUttered
    from rasa.shared.core.trackers import DialogueStateTracker

    def message(text, intent, entities=()):
        parse = {"intent": {"name": intent, "confidence": 0.9}, "entities": list(entities),
                 "intent_ranking": [{"name": intent, "confidence": 0.9}, {"name": "greet", "confidence": 0.1}],
                 "response_selector": {"default": {"ranking": [{"intent_response_key": "ask_pension/general"}]}}}
        return UserUttered(text, parse["intent"], parse["entities"], parse)

    province = {"entity": "province", "value": "Hà Nội", "start": 0, "end": 6}
    tracker = DialogueStateTracker.from_events("s", [
        ActionExecuted("action_listen"), message("hà nội", "inform", [province]),
        ActionExecuted("action_listen"), message("lương hưu", "ask_pension")])
    call = action._action_call_format(tracker, Domain.empty())
    earlier, latest = [e["parse_data"] for e in call["tracker"]["events"] if e["event"] == "user"]
    assert earlier["intent"]["name"] == "inform" and earlier["entities"][0]["value"] == "Hà Nội"
    assert "intent_ranking" not in earlier and "response_selector" not in earlier
    assert latest["intent_ranking"][1]["name"] == "greet" and "response_selector" in latest
    assert call["tracker"]["latest_message"]["intent_ranking"][1]["name"] == "greet"
    # the tracker itself keeps them (the tracker store writes them)
    assert tracker.events[1].parse_data["intent_ranking"]


def test_the_rules_checked_by_previous_action_are_those_rasa_finds():
    import json
    from itertools import product
    from rasa.core.policies.rule_policy import RulePolicy

    listen, greet = {"action_name": "action_listen"}, {"intent": "greet"}
    rules = [
        [{"prev_action": listen, "user": greet}],
        [{}, {"prev_action": listen, "user": greet}],  # at the conversation's start
        [{"prev_action": {"action_name": "utter_greet"}, "user": greet}],
        [{"prev_action": {"action_name": "pension_form"}, "active_loop": {"name": "pension_form"}}],
        [{"slots": {"calculator": (1.0,)}}],  # a conversation's start only
        [{"prev_action": {"action_name": "should_not_be_set"}}],
        [{"prev_action": {"action_text": "xin chào"}}],
        [{"prev_action": listen, "user": {"intent": "ask_pension"}, "slots": {"calculator": "should_not_be_set"}}],
    ]
    lookup = {json.dumps(rule): "some_action" for rule in rules}
    states = [{}, {"slots": {"calculator": (1.0,)}}, {"prev_action": listen, "user": greet},
              {"prev_action": listen, "user": {"intent": "ask_pension"}},
              {"prev_action": {"action_name": "utter_greet"}, "user": greet},
              {"prev_action": {"action_name": "pension_form"}, "active_loop": {"name": "pension_form"}},
              {"prev_action": {"action_text": "xin chào"}}]
    policy = RulePolicy.__new__(RulePolicy)
    found = 0
    for history in [list(pair) for pair in product(states, repeat=2)] + [[state] for state in states] + [[]]:
        ours = speedups._get_possible_keys(policy, lookup, history)
        assert ours == speedups._RASA_POSSIBLE_KEYS(policy, lookup, history), history
        found += len(ours)
    assert found > 20  # the histories do match rules, of every kind
