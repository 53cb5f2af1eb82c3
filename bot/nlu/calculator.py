"""NLU component that adds the entity `calculator` when a message asks for a calculation
(bot.dialogue.starts): the rules then start that calculation's form. It runs after the intent
classifiers (it reads the intent) and the entity extractor (it reads the figures)."""
from __future__ import annotations

from typing import Any, Dict, List, Text

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.extractors.extractor import EntityExtractorMixin
from rasa.shared.nlu.constants import ENTITIES, INTENT, TEXT
from rasa.shared.nlu.training_data.message import Message

from bot.dialogue.starts import calculation_asked
from bot.language.text import cut
from bot.policy import clock


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR, is_trainable=False)
class CalculationRequest(GraphComponent, EntityExtractorMixin):
    @classmethod
    def create(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> "CalculationRequest":
        return cls()

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            text = message.get(TEXT)
            if not text:
                continue
            entities = message.get(ENTITIES, [])
            name = calculation_asked((message.get(INTENT) or {}).get("name"), cut(text), entities, clock.today())
            if name:
                found = self.add_extractor_name([{"entity": "calculator", "value": name, "start": 0, "end": len(text)}])
                message.set(ENTITIES, entities + found, add_to_output=True)
        return messages
