"""Whose situation a message tells: citizens ask for a parent, a spouse or a child as often as for
themselves ("Mẹ tôi năm nay 58 tuổi...", "con đóng cho bố được không", "ông xã em làm công ty 9
năm"). The person is the one the message's facts belong to, so the answer and the forms speak of
them ("mẹ của anh/chị") and their gender is known when the word for them says it.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from bot.language.text import fold, nfc

# The kinship words, folded, with the person they name. Order matters: longer phrases first.
_KIN: tuple[tuple[str, str], ...] = (
    (r"bo me|ba me|cha me|ba ma|bo ma|ong ba", "parents"),
    (r"me chong|me vo|me de|me ruot|me", "mother"),
    (r"bo chong|bo vo|bo de|bo ruot|cha ruot|cha|bo|ba", "father"),
    (r"ong xa|chong", "husband"),
    (r"ba xa|vo", "wife"),
    (r"con trai", "son"),
    (r"con gai", "daughter"),
    (r"con", "child"),
    (r"ong noi|ong ngoai|ong", "grandfather"),
    (r"ba noi|ba ngoai", "grandmother"),
    (r"anh trai|em trai", "brother"),
    (r"chi gai|em gai", "sister"),
)
# Every phrase, longest first, so that "bà xã" is read before "bà" and "con gái" before "con".
_PHRASES = "|".join(sorted((w for words, _ in _KIN for w in words.split("|")), key=len, reverse=True))
# Folded words that mean something else as often: "bỏ" (to quit) is not "bố", "chả" (not) is not
# "cha", "vô" is not "vợ". Written with diacritics they must be the kinship word; without any
# diacritics in the message they count only when owned or paid for ("bo toi", "cho bo").
_AMBIGUOUS = {"bo": "bố", "me": "mẹ", "vo": "vợ", "cha": "cha", "ba": "ba", "ma": "má"}
_UNREADABLE_WITHOUT_MARKS = {"ba", "ma"}  # "ba tôi" / "bà tôi", "má tôi" / "mà tôi": no reading to trust
_OWNER = r"(?:toi|tui|em|e|minh|chau|anh|chi)"
# The kinship word is about the person when it is owned ("mẹ tôi"), the object of paying for
# ("đóng cho mẹ", "mua cho bố"), or followed by the person's facts ("bố năm nay 60 tuổi").
_FACTS_AFTER = r"(?:nam nay|sinh nam|sinh|\d{2}\s*tuoi|da dong|dang dong|di lam|lam cong ty)"
_PATTERN = re.compile(
    r"\b(?:(?P<for>cho|giup|ho|thay)\s+)?(?P<kin>" + _PHRASES + r")\b"
    r"(?:\s+(?P<owner>" + _OWNER + r")\b|\s+(?P<facts>" + _FACTS_AFTER + r")\b)?"
)
_KIN_OF = [(re.compile(rf"^(?:{words})$"), person) for words, person in _KIN]
GENDER_OF = {
    "mother": "female", "wife": "female", "daughter": "female", "grandmother": "female", "sister": "female",
    "father": "male", "husband": "male", "son": "male", "grandfather": "male", "brother": "male",
}
# The writer gives their own facts: "tôi năm nay 45 tuổi", "em sinh năm 1980", "mình đã đóng 5 năm".
_SELF = re.compile(r"\b(?:toi|tui|em|minh)\s+(?:nam nay|sinh|da dong|dong duoc|\d{2}\s*tuoi|da lam|lam cong ty)\b")

_OWNED = re.compile(r"\b(?:" + _PHRASES + r")\s+$")  # "mẹ tôi ...": the pronoun owns


@dataclass(frozen=True)
class Subject:
    person: str  # "self", "mother", "father", "parents", "husband", "wife", "child", "son", ...
    start: int
    end: int

    @property
    def gender(self) -> str | None:
        return GENDER_OF.get(self.person)


def find_subject(text: str) -> Subject | None:
    """The person whose situation the message tells: whoever comes first of a family member spoken
    of as the one concerned and the writer giving their own facts; None when neither is said."""
    text = nfc(text)
    folded = fold(text)
    marked = fold(text) != text.lower()
    kin = next((s for s in (_kin(m, text, marked) for m in _PATTERN.finditer(folded)) if s), None)
    own = next((o for o in _SELF.finditer(folded) if not _OWNED.search(folded, 0, o.start())), None)
    if own and (kin is None or own.start() < kin.start):
        return Subject("self", own.start(), own.end())
    return kin


def _kin(m: re.Match[str], text: str, marked: bool) -> Subject | None:
    words = m["kin"]
    if not (m["for"] or m["owner"] or m["facts"]):
        return None
    if m["for"] and re.match(r"\s+hoi\b", m.string[m.end("kin"):]):
        return None  # "cho con hỏi", "cho mẹ hỏi": the writer asks leave to ask
    if words == "con" and not (m["for"] or m["owner"]):
        return None  # "con năm nay 25 tuổi": a young writer speaking of themselves
    if words == "ba" and marked and text[m.start("kin"):m.end("kin")].lower() == "bà":
        return Subject("grandmother", m.start("kin"), m.end("kin"))
    if words in _AMBIGUOUS:
        if marked and text[m.start("kin"):m.end("kin")].lower() != _AMBIGUOUS[words]:
            return None
        if not marked and (words in _UNREADABLE_WITHOUT_MARKS or m["facts"]):
            return None
    person = next(p for pattern, p in _KIN_OF if pattern.match(words))
    return Subject(person, m.start("kin"), m.end("kin"))
