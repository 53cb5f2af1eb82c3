"""Chooses the answer within the intent the classifier found.

Question intents are Rasa retrieval intents named by the contract (`ask_pension/min_years`,
`ask_pension/general`, ...): DIETClassifier picks the intent, one ResponseSelector ranks every answer
of every intent. Its own top answer may belong to another intent than DIET's (the two models disagree
on a long letter), and then the rule `ask_pension → utter_ask_pension` would send an answer about
something else; this component keeps the best-ranked answer of DIET's intent, under that intent's
key, which Rasa's retrieval action reads first (rasa/core/actions/action.py ActionRetrieveResponse).
"""
from __future__ import annotations

from typing import Any, Dict, List, Text

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import INTENT
from rasa.shared.nlu.training_data.message import Message

SELECTOR = "response_selector"
KEPT = 5  # answers of a ranking kept in the parse data (and so in the tracker store)


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=False)
class AnswerWithinIntent(GraphComponent):
    @classmethod
    def create(cls, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource,
               execution_context: ExecutionContext) -> "AnswerWithinIntent":
        return cls()

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            intent = (message.get(INTENT) or {}).get("name")
            selectors = message.get(SELECTOR) or {}
            default = selectors.get("default")
            chosen = answer_within(intent, default)
            if default:  # the selector ranks every answer (ranking_length 0); the tracker keeps a few
                selectors = {**selectors, "default": {**default, "ranking": (default.get("ranking") or [])[:KEPT]}}
            if chosen:
                selectors[intent] = {**chosen, "ranking": chosen["ranking"][:KEPT]}
            message.set(SELECTOR, selectors, add_to_output=True)
        return messages


def answer_within(intent: str | None, selected: dict[str, Any] | None) -> dict[str, Any] | None:
    """The ResponseSelector's output narrowed to the answers of `intent`: its best-ranked one, else the
    intent's general answer; None when `intent` is not a retrieval intent the selector knows."""
    if not intent or not selected:
        return None
    prefix = f"{intent}/"
    ranking = [r for r in selected.get("ranking") or [] if str(r.get("intent_response_key", "")).startswith(prefix)]
    if ranking:
        key, confidence = ranking[0]["intent_response_key"], ranking[0].get("confidence", 0.0)
    elif str(selected.get("response", {}).get("intent_response_key", "")).startswith(prefix):
        return selected
    else:
        return None
    return {"response": {"responses": [], "confidence": confidence, "intent_response_key": key,
                         "utter_action": f"utter_{key}"},
            "ranking": ranking}
