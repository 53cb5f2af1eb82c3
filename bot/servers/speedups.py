"""Work Rasa 3.6 repeats at every message for the same result, done once (found by profiling a
message: scripts/profile_message.py, README "Scaling"). `install()` puts them in place in the Rasa
server (bot/servers/rasa_server.py).

- Each answer of the action server is checked against Rasa's response schema with
  `jsonschema.validate`, which first checks the schema itself against JSON Schema's meta-schema:
  120-190 ms of a busy 2-core machine per custom action call, for a schema that never changes. Here
  the validator is built (and the schema checked) once; each answer is still validated, and an
  invalid one raises the same ValidationError with Rasa's message.
- The ResponseSelector names each label of its ranking (every FAQ answer: `ranking_length: 0`) by
  scanning all the responses, for each label: 55-75 ms a message with ~200 answers. Here the scan's
  result for every name is computed once per loaded selector, in the same order, so the same key
  comes out.
- Each call of the action server carries the conversation's events, and each message event its
  classification: the ranking of every intent and of every FAQ answer (3-4 KB an event, half of what
  a call sends). The actions read the latest message's classification only (`latest_message`, sent
  whole) and the intent and entities of earlier ones: those keep these, the rankings stay in Rasa.
- The rule policy finds the rules that may apply by checking every rule (~470 with the forms') against
  the latest state, for each of the 3-5 predictions of a message. Here the rules are grouped once
  by the previous action their last state names (a rule can only apply after that action), and only
  the rules of the conversation's previous action, and those that name none, are checked, by Rasa's
  own check: the same rules come out.
- Each event read (from the tracker store, from the action server) finds its class by scanning every
  subclass of Event (`Event.resolve_by_type`): ~0.35 ms an event, thousands of events a minute. Here
  the class found for a type name is kept."""
from __future__ import annotations

from functools import lru_cache
from typing import Any, Dict

from jsonschema import exceptions, validators
from rasa.core.actions.action import RemoteAction
from rasa.core.policies.rule_policy import RulePolicy
from rasa.nlu.selectors.response_selector import ResponseSelector
from rasa.shared.core.constants import PREVIOUS_ACTION, SHOULD_NOT_BE_SET
from rasa.shared.core.events import Event
from rasa.shared.nlu.constants import ACTION_NAME, TEXT
from rasa.shared.nlu.training_data import util

_RASA_VALIDATE = RemoteAction._validate_action_result
_RASA_CALL_FORMAT = RemoteAction._action_call_format
RANKINGS = ("intent_ranking", "response_selector")
_RASA_RESOLVE = ResponseSelector._resolve_intent_response_key
_RASA_EVENT_CLASS = Event.resolve_by_type
_RASA_POSSIBLE_KEYS = RulePolicy._get_possible_keys
_START, _ANY = object(), object()  # a rule's last state: a conversation's start; after any action
_event_classes: Dict[str, Any] = {}


@lru_cache(maxsize=1)
def _response_validator() -> Any:
    schema = RemoteAction.action_response_format_spec()
    cls = validators.validator_for(schema)
    cls.check_schema(schema)
    return cls(schema)


def _validate_action_result(self: RemoteAction, result: Dict[str, Any]) -> bool:
    error = exceptions.best_match(_response_validator().iter_errors(result))
    if error is None:
        return True
    return _RASA_VALIDATE(self, result)  # raises the error with Rasa's message


def _action_call_format(self: RemoteAction, tracker: Any, domain: Any) -> Dict[str, Any]:
    call = _RASA_CALL_FORMAT(self, tracker, domain)
    call["tracker"]["events"] = without_old_rankings(call["tracker"]["events"])
    return call


def without_old_rankings(events: list[Dict[str, Any]]) -> list[Dict[str, Any]]:
    """The events, the rankings left out of every message's classification but the latest's."""
    latest = max((i for i, event in enumerate(events) if event.get("event") == "user"), default=-1)
    return [{**event, "parse_data": {k: v for k, v in event["parse_data"].items() if k not in RANKINGS}}
            if i < latest and event.get("event") == "user" and event.get("parse_data") else event
            for i, event in enumerate(events)]


def rules_by_previous_action(lookup: Dict[str, Any]) -> Dict[Any, list]:
    """The rules of a lookup by the previous action their last state requires: _START (none: the
    conversation's start), an action's name, or _ANY (a previous action without a name)."""
    groups: Dict[Any, list] = {}
    for key in lookup:
        previous = RulePolicy._rule_key_to_state(key)[-1].get(PREVIOUS_ACTION)
        name = previous.get(ACTION_NAME) if previous else None
        group = _START if not previous else name if name and name != SHOULD_NOT_BE_SET else _ANY
        groups.setdefault(group, []).append(key)
    return groups


def _get_possible_keys(self: RulePolicy, lookup: Dict[str, Any], states: list) -> Any:
    if not states:
        return _RASA_POSSIBLE_KEYS(self, lookup, states)
    indexes = self.__dict__.setdefault("_rules_by_previous_action", {})
    index = indexes.get(id(lookup))
    if index is None or index[0] is not lookup or index[1] != len(lookup):  # built once per lookup
        index = indexes[id(lookup)] = (lookup, len(lookup), rules_by_previous_action(lookup))
    groups = index[2]
    previous = states[-1].get(PREVIOUS_ACTION)
    candidates = groups.get(_START, []) if not previous else groups.get(previous.get(ACTION_NAME), []) + groups.get(_ANY, [])
    return _RASA_POSSIBLE_KEYS(self, dict.fromkeys(candidates), states)


def response_keys(responses: Dict[str, Any]) -> Dict[str, str]:
    """What Rasa's scan finds for each name: the first response (in order) whose key is that name, or
    one of whose texts is."""
    keys: Dict[str, str] = {}
    for key, variations in responses.items():
        search_key = util.template_key_to_intent_response_key(key)
        keys.setdefault(search_key, search_key)
        for variation in variations:
            keys.setdefault(variation.get(TEXT, ""), search_key)
    return keys


def _resolve_intent_response_key(self: ResponseSelector, label: Dict[str, Any]) -> str | None:
    keys = self.__dict__.get("_response_keys")
    if keys is None:
        keys = self.__dict__["_response_keys"] = response_keys(self.responses)
    return keys.get(label.get("name"))  # type: ignore[arg-type]


def _resolve_by_type(type_name: str, default: Any = None) -> Any:
    cls = _event_classes.get(type_name)
    if cls is None:
        cls = _RASA_EVENT_CLASS(type_name, default)  # raises for an unknown name without a default
        if cls is not None and cls is not default:
            _event_classes[type_name] = cls
    return cls


def install() -> None:
    RemoteAction._validate_action_result = _validate_action_result
    RemoteAction._action_call_format = _action_call_format
    RulePolicy._get_possible_keys = _get_possible_keys
    ResponseSelector._resolve_intent_response_key = _resolve_intent_response_key
    Event.resolve_by_type = staticmethod(_resolve_by_type)  # type: ignore[assignment]
