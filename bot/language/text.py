"""Vietnamese text handling: normalisation, diacritic folding and chat-abbreviation expansion.

Citizens type with or without diacritics and with chat abbreviations; everything the classifier
and the parsers compare goes through `fold` so that "bảo hiểm", "bao hiem" and "BẢO HIỂM" match.
"""
from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from typing import Sequence

# The longest message read as a question: a longer one is a paste, answered "please ask briefly"
# (bot.answers), since the classifier's guess on it would be noise.
MAX_QUESTION_CHARS = 1000
# Every channel (bot/channels) and both NLU components (bot/nlu) keep at most this many characters
# of a message, before anything parses it, so that no message can make parsing slow. Twice the
# question limit, so that what is left of a message cut here is still too long for a question and
# the answer says so (unless most of it was blanks or markup, which cleaning removes: then it is
# answered as what is left).
MAX_INPUT_CHARS = 2 * MAX_QUESTION_CHARS

# Only expansions that are safe in this domain (keys are folded: "đc" arrives as "dc").
ABBREVIATIONS: dict[str, str] = {
    "ko": "khong", "k0": "khong", "khg": "khong", "hok": "khong", "hong": "khong", "kg": "khong",
    "hk": "khong", "dc": "duoc",
    "j": "gi", "ji": "gi",
    "bn": "bao nhieu", "bnh": "bao nhieu", "bnhieu": "bao nhieu", "nhiu": "nhieu",
    "sdt": "so dien thoai",
    "bhxh": "bao hiem xa hoi", "bhyt": "bao hiem y te", "bhxhtn": "bao hiem xa hoi tu nguyen",
    "ntn": "nhu the nao", "mik": "minh", "mk": "minh", "mjk": "minh", "mjnh": "minh",
    "vs": "voi", "ng": "nguoi", "trc": "truoc", "cx": "cung", "cg": "cung", "thg": "thang",
    "ak": "a", "ah": "a", "uh": "u", "uk": "u", "oke": "ok", "okie": "ok",
    "r": "roi", "ns": "noi", "tks": "cam on", "thanks": "cam on", "thank": "cam on",
    "camon": "cam on", "thankyou": "cam on", "thanku": "cam on", "nvien": "nhan vien",
    "tr": "trieu", "ad": "admin", "rep": "tra loi",
}
# Left alone because they are ambiguous here: "bh" (bảo hiểm / bao giờ), "k" (không / nghìn),
# "đk" (đăng ký / điều kiện), "đt" (điện thoại / đối tượng), "tk" (cảm ơn / tài khoản).
_PAIR_EXPANSIONS: dict[tuple[str, str], tuple[str, str]] = {
    ("bh", "tn"): ("bao hiem", "tu nguyen"),
    ("bhxh", "tn"): ("bao hiem xa hoi", "tu nguyen"),
    ("bh", "xh"): ("bao hiem", "xa hoi"),
    ("bh", "yt"): ("bao hiem", "y te"),
    # a death, however it is written, reads as "qua đời" (see DIED below)
    ("tu", "tran"): ("qua", "doi"), ("tu", "vong"): ("qua", "doi"), ("ta", "the"): ("qua", "doi"),
}

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u200b-\u200f\u2028-\u202e\ufeff]")
_HTML_TAG = re.compile(r"<[^>]{0,200}>")
_SPACES = re.compile(r"\s+")


def nfc(text: str) -> str:
    """Unicode NFC: Vietnamese keyboards produce both composed and decomposed forms."""
    return unicodedata.normalize("NFC", text)


@lru_cache(maxsize=8)  # every parser of bot.language.extract folds the same message: once is enough
def strip_diacritics(text: str) -> str:
    """Remove Vietnamese diacritics, keeping case: "Đóng bảo hiểm" -> "Dong bao hiem"."""
    decomposed = unicodedata.normalize("NFD", text)
    without_marks = "".join(ch for ch in decomposed if unicodedata.category(ch) != "Mn")
    return unicodedata.normalize("NFC", without_marks.replace("đ", "d").replace("Đ", "D"))


def fold(text: str) -> str:
    """Case- and diacritic-insensitive form used for every comparison."""
    return strip_diacritics(nfc(text)).casefold()


def cut(text: str) -> str:
    """The part of a message the assistant reads (MAX_INPUT_CHARS)."""
    return text[:MAX_INPUT_CHARS]


def clean_message(text: str | None, max_chars: int = MAX_INPUT_CHARS) -> str:
    """A message as the assistant should read it: NFC, no control characters or HTML tags,
    single spaces, at most `max_chars` characters (the rest of an enormous paste is noise)."""
    if not text:
        return ""
    text = _CONTROL.sub(" ", nfc(cut(text)))
    text = _HTML_TAG.sub(" ", text)
    return _SPACES.sub(" ", text).strip()[:max_chars]


def has_words(text: str) -> bool:
    """True when the text has at least one letter or digit (not only emoji or punctuation)."""
    return any(ch.isalnum() for ch in text)


# A death, in every way citizens write it, is one lemma for the classifier. Folded, "mất" (died; also
# lost, costs) and "mặt" (tiền mặt: cash) are one token "mat": it is a death when the words after it
# say when, why or that it happened ("mất vào tháng 10", "mất vì tai nạn", "đã mất rồi", "mẹ mất"
# at the end), and not after the words of losing ("bị mất", "có mất không", "tiền mặt", "sổ mất").
DIED = "qua doi"
_DEATH_AFTER = frozenset({"vao", "hoi", "luc", "thang", "ngay", "roi", "dot", "vi", "do", "som", "thi", "nam", "di"})
_NOT_DEATH_BEFORE = frozenset({"tien", "co", "bi", "se", "so", "the", "lam", "danh", "khong", "chua", "de", "mat",
                               "lo", "ngai", "tranh"})
# After "mất năm" a year or "ngoái" (died last year), not a count ("mất năm năm": takes five years);
# after "mất đi" not what is lost ("mất đi quyền lợi").
_NOT_DEATH_AFTER_TWO = {"nam": re.compile(r"(?:nam|thang|ngay)$"), "di": re.compile(r"(?:quyen|tien|so|the|phan|khoan|nhieu|het)$")}


def _is_death(folded: Sequence[str], i: int) -> bool:
    if folded[i] == "chet":
        return True
    if folded[i] != "mat" or (i > 0 and ABBREVIATIONS.get(folded[i - 1], folded[i - 1]) in _NOT_DEATH_BEFORE):
        return False
    if i + 1 == len(folded):
        return i > 0
    after = ABBREVIATIONS.get(folded[i + 1], folded[i + 1])
    if after not in _DEATH_AFTER:
        return False
    not_after = _NOT_DEATH_AFTER_TWO.get(after)
    return not (not_after and i + 2 < len(folded) and not_after.match(folded[i + 2]))


def expand_tokens(tokens: Sequence[str]) -> list[str]:
    """Folded, abbreviation-expanded form of each token; the result has one entry per token."""
    folded = [fold(t) for t in tokens]
    expanded = [DIED if _is_death(folded, i) else ABBREVIATIONS.get(t, t) for i, t in enumerate(folded)]
    for i in range(len(folded) - 1):
        pair = _PAIR_EXPANSIONS.get((folded[i], folded[i + 1]))
        if pair:
            expanded[i], expanded[i + 1] = pair
    return expanded
