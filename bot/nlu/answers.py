"""Chooses the answer within the intent the classifier found.

Question intents are Rasa retrieval intents named by the contract (`ask_pension/min_years`,
`ask_pension/general`, ...): DIETClassifier picks the intent, one ResponseSelector ranks every answer
of every intent. Its own top answer may belong to another intent than DIET's (the two models disagree
on a long letter), and then the rule `ask_pension → utter_ask_pension` would send an answer about
something else; this component keeps the best-ranked answer of DIET's intent, under that intent's
key, which Rasa's retrieval action reads first (rasa/core/actions/action.py ActionRetrieveResponse).

One exception, where the selector knows better: it has learnt each specific question, DIET only the
27 topics, and a letter that tells its story in one topic's words and asks another's ("she paid 12
months at once ... died in October: is the prepaid money refunded?" reads as paying, asks as survivor)
gets DIET's topic with full confidence and the selector's specific answer of the other topic. When the
selector is sure of a specific answer (`SURE`) and DIET's topic has none near it (`MARGIN`), or when
DIET fell back and the selector is sure of any answer of a topic, the topic becomes the answer's.
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
FALLBACK = "nlu_fallback"
# Measured on the held-out sets (README, "The conversation, the Rasa way"): the selector's best answer at 0.5 or
# more is right far more often than not, and three times the best answer of DIET's topic leaves out
# the letters where both topics fit.
SURE = 0.5
MARGIN = 3.0


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=False)
class AnswerWithinIntent(GraphComponent):
    @classmethod
    def create(cls, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource,
               execution_context: ExecutionContext) -> "AnswerWithinIntent":
        return cls()

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            selectors = message.get(SELECTOR) or {}
            default = selectors.get("default")
            found = message.get(INTENT) or {}
            intent = found.get("name")
            topic = selector_topic(intent, default)
            if topic:
                intent = topic[0]
                message.set(INTENT, {**found, "name": intent, "confidence": topic[1]}, add_to_output=True)
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


def selector_topic(intent: str | None, selected: dict[str, Any] | None) -> tuple[str, float] | None:
    """The intent of the selector's best answer, with its confidence, when it should replace `intent`
    (see the module's docstring); None to keep `intent`."""
    ranking = (selected or {}).get("ranking") or []
    if not intent or not ranking:
        return None
    key, confidence = str(ranking[0].get("intent_response_key", "")), float(ranking[0].get("confidence", 0.0))
    topic, _, answer = key.partition("/")
    if topic == intent or confidence < SURE:
        return None
    if intent == FALLBACK:
        return topic, confidence
    within = answer_within(intent, selected)
    if within is None or answer == "general":  # not a question intent; or no specific answer
        return None
    return (topic, confidence) if confidence >= MARGIN * within["response"]["confidence"] else None
