"""Whitespace tokenizer whose lemmas are diacritic-free and abbreviation-expanded.

Tokens keep the original text and character offsets (for entities); the featurizers read the
lemma ("bảo"/"bao" -> "bao", "đc" -> "duoc", "bn" -> "bao nhieu"), so a message typed without
diacritics gets the same features as one typed with them. Only the first MAX_INPUT_CHARS of a
message are tokenized (Rasa's own word pattern is slow on long runs of punctuation), so every
component after this one reads at most that much.
"""
from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any, Dict, List, Optional, Text

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.nlu.tokenizers.tokenizer import Token
from rasa.nlu.tokenizers.whitespace_tokenizer import WhitespaceTokenizer
from rasa.shared.nlu.constants import TEXT
from rasa.shared.nlu.training_data.message import Message

import bot.language.letters
import bot.language.text
from bot.language.letters import focus, is_letter
from bot.language.text import MAX_INPUT_CHARS, cut, expand_tokens

# The code that makes the lemmas: Rasa's training cache keys a component's output on its
# configuration and inputs only, so without this a changed lemma rule would reuse stale features.
_LEMMA_CODE = (Path(__file__), Path(bot.language.text.__file__), Path(bot.language.letters.__file__))


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.MESSAGE_TOKENIZER, is_trainable=False)
class VietnameseTokenizer(WhitespaceTokenizer):
    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        return {**WhitespaceTokenizer.get_default_config(), "focus_letters": True}

    @classmethod
    def fingerprint_addon(cls, config: Dict[str, Any]) -> Optional[str]:
        return hashlib.sha256(b"".join(path.read_bytes() for path in _LEMMA_CODE)).hexdigest()

    def __init__(self, config: Dict[Text, Any]) -> None:
        super().__init__(config)
        self.focus_letters = bool(config.get("focus_letters", True))

    def tokenize(self, message: Message, attribute: str) -> List[Token]:
        text = message.get(attribute)
        if isinstance(text, str) and len(text) > MAX_INPUT_CHARS:
            message = Message(data={attribute: cut(text)})  # offsets stay those of the message
        if attribute == TEXT and self.focus_letters and is_letter(message.get(TEXT)):
            # a letter's greeting and thanks left out, its question sentence counted twice; the
            # offsets are then those of the focused text (entities come from the message itself)
            message = Message(data={TEXT: focus(message.get(TEXT))})
        tokens = super().tokenize(message, attribute)
        for token, lemma in zip(tokens, expand_tokens([t.text for t in tokens])):
            token.lemma = lemma
        return tokens
