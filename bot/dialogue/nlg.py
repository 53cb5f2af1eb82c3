"""Rasa's natural language generator for this assistant, loaded in the Rasa server from
endpoints.yml (`nlg: type: bot.dialogue.nlg.FiguresNLG`).

Every response of the domain (and every FAQ answer of the ResponseSelector) is rendered by Rasa's own
templated generator with the policy figures in force on the day (bot/policy/figures.py) added to its
variables, so a response quotes {income_floor} and the trainer never types a number. A response that
quotes a figure not yet confirmed gets the uncertainty note appended, once, in the same message.
In-process rather than an NLG HTTP server: no round trip and no tracker sent over HTTP per message,
and it is still Rasa's documented `nlg:` endpoint mechanism (a custom NaturalLanguageGenerator class).
"""
from __future__ import annotations

import string
from typing import Any, Dict, Optional, Text

from rasa.core.nlg import interpolator
from rasa.core.nlg.response import TemplatedNaturalLanguageGenerator
from rasa.shared.core.domain import Domain
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.utils.endpoints import EndpointConfig

from bot.dialogue.person import who
from bot.policy import clock
from bot.policy.figures import Figures, figures_on
from bot.privacy.retention import Retention

UNCERTAIN_NOTE = "utter_uncertain_note"


class FiguresNLG(TemplatedNaturalLanguageGenerator):
    def __init__(self, endpoint_config: Optional[EndpointConfig], domain: Domain) -> None:
        super().__init__(domain.responses)

    @classmethod
    def of_responses(cls, responses: Dict[Text, Any]) -> "FiguresNLG":
        nlg = cls.__new__(cls)
        TemplatedNaturalLanguageGenerator.__init__(nlg, responses)
        return nlg

    async def generate(
        self, utter_action: Text, tracker: DialogueStateTracker, output_channel: Text, **kwargs: Any
    ) -> Optional[Dict[Text, Any]]:
        return self.render(utter_action, tracker.current_slot_values(), output_channel, **kwargs)

    def render(self, utter_action: Text, slots: Dict[Text, Any], output_channel: Text = "", **kwargs: Any
               ) -> Optional[Dict[Text, Any]]:
        """The message of a response: a variation for the channel, filled with the slots, the figures
        of the day, the person concerned ({Who}) and the action's variables, with the uncertainty note
        when it needs one."""
        figures = figures_on(clock.today())
        variables = {**figures.values, **Retention.from_env().figures(), "Who": who(slots.get("subject")), **kwargs}
        message = self.generate_from_slots(utter_action, slots, output_channel, **variables)
        if message and utter_action != UNCERTAIN_NOTE and quotes_uncertain(self.responses.get(utter_action, []),
                                                                           figures, kwargs):
            note = self.generate_from_slots(UNCERTAIN_NOTE, {}, output_channel, **variables)
            if note and note.get("text"):
                message["text"] = f"{message.get('text') or ''}\n{note['text']}"
        return message

    def _fill_response(self, response: Dict[Text, Any], filled_slots: Optional[Dict[Text, Any]] = None,
                       **kwargs: Any) -> Dict[Text, Any]:
        """Only the text is filled: button payloads are JSON (`/inform{"amount": ...}`), which Rasa's
        interpolator would take for placeholders, and no slot value may ever reach a payload."""
        values = self._response_variables(filled_slots or {}, kwargs)
        if "text" in response:
            response["text"] = interpolator.interpolate_text(response["text"], values)
        return response


def quotes_uncertain(variations: list[dict[str, Any]], figures: Figures, given: dict[str, Any]) -> bool:
    """Whether a response quotes a figure not yet confirmed (one the action did not give itself)."""
    used = {field for variation in variations
            for _, field, _, _ in string.Formatter().parse(variation.get("text") or "") if field}
    return bool((used - set(given)) & figures.uncertain)
