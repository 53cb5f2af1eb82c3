"""Whitespace tokenizer whose lemmas are diacritic-free and abbreviation-expanded.

Tokens keep the original text and character offsets (for entities); the featurizers read the
lemma ("bảo"/"bao" -> "bao", "đc" -> "duoc", "bn" -> "bao nhieu"), so a message typed without
diacritics gets the same features as one typed with them. Only the first MAX_INPUT_CHARS of a
message are tokenized (Rasa's own word pattern is slow on long runs of punctuation), so every
component after this one reads at most that much.
"""
from __future__ import annotations

from typing import List

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.nlu.tokenizers.tokenizer import Token
from rasa.nlu.tokenizers.whitespace_tokenizer import WhitespaceTokenizer
from rasa.shared.nlu.training_data.message import Message

from bot.language.text import MAX_INPUT_CHARS, cut, expand_tokens


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.MESSAGE_TOKENIZER, is_trainable=False)
class VietnameseTokenizer(WhitespaceTokenizer):
    def tokenize(self, message: Message, attribute: str) -> List[Token]:
        text = message.get(attribute)
        if isinstance(text, str) and len(text) > MAX_INPUT_CHARS:
            message = Message(data={attribute: cut(text)})  # offsets stay those of the message
        tokens = super().tokenize(message, attribute)
        for token, lemma in zip(tokens, expand_tokens([t.text for t in tokens])):
            token.lemma = lemma
        return tokens
