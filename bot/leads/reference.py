"""The short reference code a citizen is given for a callback request ("mã yêu cầu"), to quote when
following it up. Six characters from an alphabet without the look-alikes a phone screen or a voice
confuses (0/O, 1/I/L, 2/Z, 5/S, 8/B): 25 symbols; with a letter and a digit in each, about 180
million codes."""
from __future__ import annotations

import re
import secrets

from bot.language.text import fold

ALPHABET = "ACDEFGHJKMNPQRTUVWXY34679"
LENGTH = 6
_SEPARATORS = re.compile(r"[\s.\-_]+")


def new_reference() -> str:
    """A random code with a letter and a digit (unique per lead: the store draws again when it is
    taken). The digit is what tells a code from a word written without diacritics ("nguyen"), so a
    code quoted without "mã" before it is still recognised (`typed_reference`)."""
    while True:
        code = "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))
        if any(c.isdigit() for c in code) and any(c.isalpha() for c in code):
            return code


def normalise_reference(text: str) -> str | None:
    """A code as a citizen may type it ("k7m-pqx", " K7MPQX "), or None when it cannot be one."""
    code = _SEPARATORS.sub("", text or "").upper()
    return code if len(code) == LENGTH and all(c in ALPHABET for c in code) else None


_WORD = re.compile(r"[^\W_]+")
_JOINED = re.compile(r"[.\-_]")  # "K7M-PQX"
_AFTER_CODE_WORD = re.compile(
    r"\b(?:ma|code)(?:\s+(?:so|yeu cau|tra cuu|ho so|cua (?:em|toi|minh|anh|chi)|la))*[\s:#]*$")


def typed_reference(text: str) -> str | None:
    """The reference code a message quotes ("mã số K7M-PQX đến đâu rồi"), upper case without
    separators; it may be no valid code at all ("ma so ABC123": still a code the citizen typed).
    Words without diacritics can look like codes ("nguyen"), so six letters and digits count when
    they have a digit and a letter and are a valid code, or follow "mã". None when none is quoted."""
    words = list(_WORD.finditer(text or ""))
    candidates = [(w.start(), w.group()) for w in words if len(w.group()) == LENGTH]
    candidates += [(w.start(), w.group() + after.group()) for w, after in zip(words, words[1:])
                   if len(w.group()) == len(after.group()) == LENGTH // 2
                   and _JOINED.fullmatch(text[w.end():after.start()])]
    for start, candidate in sorted(candidates):
        if not (candidate.isascii() and any(c.isalpha() for c in candidate)):
            continue
        after_code_word = bool(_AFTER_CODE_WORD.search(fold(text[:start])))
        if after_code_word or (normalise_reference(candidate) and any(c.isdigit() for c in candidate)):
            return candidate.upper()
    return None
