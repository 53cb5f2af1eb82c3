"""Sets the intent of a message that is a request about the conversation itself (bot/language/
requests.py: stop, withdraw_consent, show_my_data, empty_message, too_long), whatever the classifier
said. It runs after the classifiers; rules answer these intents (data/rules/)."""
from __future__ import annotations

from typing import Any, Dict, List, Text

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import INTENT, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message

from bot.language.requests import special_request


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=False)
class SpecialRequestClassifier(GraphComponent):
    @classmethod
    def create(cls, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource,
               execution_context: ExecutionContext) -> "SpecialRequestClassifier":
        return cls()

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            intent = special_request(message.get(TEXT))
            if intent:
                predicted = {"name": intent, "confidence": 1.0}
                ranking = [r for r in message.get(INTENT_RANKING_KEY) or [] if r.get("name") != intent]
                message.set(INTENT, predicted, add_to_output=True)
                message.set(INTENT_RANKING_KEY, [predicted, *ranking], add_to_output=True)
        return messages
