"""Whitespace tokenizer whose lemmas are diacritic-free and abbreviation-expanded.

Tokens keep the original text and character offsets (for entities); the featurizers read the
lemma ("bảo"/"bao" -> "bao", "đc" -> "duoc", "bn" -> "bao nhieu"), so a message typed without
diacritics gets the same features as one typed with them.
"""
from __future__ import annotations

from typing import List

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.nlu.tokenizers.tokenizer import Token
from rasa.nlu.tokenizers.whitespace_tokenizer import WhitespaceTokenizer
from rasa.shared.nlu.training_data.message import Message

from bot.text import expand_tokens


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.MESSAGE_TOKENIZER, is_trainable=False)
class VietnameseTokenizer(WhitespaceTokenizer):
    def tokenize(self, message: Message, attribute: str) -> List[Token]:
        tokens = super().tokenize(message, attribute)
        for token, lemma in zip(tokens, expand_tokens([t.text for t in tokens])):
            token.lemma = lemma
        return tokens
