"""Letter-style messages: citizens write the way they write to a newspaper's Q&A column — a greeting
("Kính gửi BHXH", "chào tổng đài"), their background (age, years paid, a parent), then one question,
often a thank-you. The greeting and the thanks say nothing about the topic, and the question sentence
says the most; `focus` gives the classifier the message without them, its question sentence once more.
"""
from __future__ import annotations

import re

from bot.language.text import MAX_QUESTION_CHARS, fold

LETTER_WORDS = 15  # a shorter message is read as it is
# A salutation that opens the message, up to its first punctuation: "Xin chào chuyên gia.",
# "chao tong dai,", "Kính gửi quý cơ quan.", "e chào ad,".
_OPENING = re.compile(r"^\W*(?:(?:e|em|toi|minh|chau)\s+)?(?:xin\s+chao|chao|kinh\s+gui|kinh\s+thua|thua|gui)\b[^.,!?:;\n]{0,40}[.,!:;\n]+")
# Asking permission to ask: "cho tôi hỏi", "xin hỏi", "em muốn hỏi", "nhờ tư vấn giúp".
_ASKING = re.compile(r"\b(?:(?:cho|xin\s+cho)\s+(?:toi|em|minh|chau|hoi)\s+hoi(?:\s+(?:la|chut|voi|nhe|a))?|xin\s+hoi|"
                     r"(?:toi|em|minh|chau)\s+(?:muon|can)\s+hoi|nho\s+(?:\w+\s+)?tu\s+van\s+giup)\b[\s,:]*")
# The thanks that close it: "Xin cảm ơn!", "em cảm ơn ạ", "trân trọng cảm ơn".
_CLOSING = re.compile(r"(?:(?<=[.,!?\n])|^)\s*(?:(?:xin|em|e|toi|minh|chau)\s+)?(?:chan\s+thanh\s+|tran\s+trong\s+)?(?:cam\s+on|tran\s+trong)\b[^.?!]*[.!]*\s*$")
_SENTENCE = re.compile(r"[^.?!\n]+[.?!\n]*")
_QUESTION_WORDS = re.compile(r"\b(?:khong|ko|k|chua|bao nhieu|bao lau|bao gio|khi nao|the nao|nhu the nao|ra sao|"
                             r"gi|j|nao|o dau|co phai|duoc khong|dc ko|sao|lam sao|co duoc)\b")


def is_letter(text: object) -> bool:
    """A message long enough to be read for its question, not so long it is refused (too_long)."""
    return isinstance(text, str) and len(text) <= MAX_QUESTION_CHARS and len(text.split()) >= LETTER_WORDS


def focus(text: str) -> str:
    """The message without its greeting, the request to ask and its thanks, followed by its question
    sentence once more; a short message unchanged. Works on the folded text (no diacritics)."""
    folded = fold(text)
    if len(folded.split()) < LETTER_WORDS:
        return folded
    body = _CLOSING.sub(" ", _ASKING.sub(" ", _OPENING.sub(" ", folded))).strip(" ,.;:")
    question = question_sentence(body)
    return " ".join(f"{body} {question}".split())


def question_sentence(text: str) -> str:
    """The sentence that asks: the last one ending with "?", else the last one with a question word."""
    sentences = [s.strip() for s in _SENTENCE.findall(text) if s.strip()]
    asked = [s for s in sentences if s.endswith("?")] or [s for s in sentences if _QUESTION_WORDS.search(s)]
    return asked[-1] if asked else (sentences[-1] if sentences else "")
