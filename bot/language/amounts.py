"""Money amounts as citizens type them ("5tr", "4,5 triệu", "2 triệu rưỡi", "500k", "năm triệu",
"3.000.000") resolved to an integer number of đồng."""
from __future__ import annotations

import re
from dataclasses import dataclass

from bot.language.spans import TakenSpans
from bot.language.text import fold

MILLION = 1_000_000
THOUSAND = 1_000
# Far above any income or contribution: a larger figure is a slip or an attack, not an amount.
MAX_AMOUNT = 100_000 * MILLION

# A figure before a unit: "1.500" with three-digit groups, or a decimal "4,5" / "4.5". Digit runs
# are bounded: "9" * 400 + " triệu" is no amount (and no overflow), and no run is scanned twice.
_NUM = r"\d{1,3}(?:[.,]\d{3}){1,3}|\d{1,6}(?:[.,]\d{1,3})?"
_MILLION_UNIT = r"(?:trieu|tr|cu|m)"
_THOUSAND_UNIT = r"(?:nghin|ngan|k)"
# "2tr5", "2 triệu rưỡi", "1 triệu 500 nghìn", "1tr500k"
_WITH_MILLIONS = re.compile(
    rf"(?<![\w.,])(?P<num>{_NUM})\s*{_MILLION_UNIT}(?![a-z])\.?"
    rf"(?:\s*(?P<half>ruoi)\b|\s*(?P<tail>\d{{1,3}})(?:\s*{_THOUSAND_UNIT}\b)?(?!\s*(?:nam|tuoi|thang)\b))?"
)
_WITH_THOUSANDS = re.compile(rf"(?<![\w.,])(?P<num>{_NUM})\s*{_THOUSAND_UNIT}\b")
# Plain figures: "3.000.000", "3,000,000", "1500000", optionally followed by đồng/vnd.
_PLAIN = re.compile(r"(?<![\w.,])(?P<num>[1-9]\d{0,2}(?:[.,]\d{3}){1,3}|[1-9]\d{5,9})(?![\w.,]*\d)")

_DIGIT_WORDS = {
    "khong": 0, "mot": 1, "hai": 2, "ba": 3, "bon": 4, "tu": 4, "nam": 5, "lam": 5,
    "sau": 6, "bay": 7, "tam": 8, "chin": 9,
}
# "củ" (slang for a million) is accepted only after digits: folded, it is also "cũ" (old).
_WORD_UNITS = {"trieu": MILLION, "nghin": THOUSAND, "ngan": THOUSAND}
_NUMBER_WORDS = set(_DIGIT_WORDS) | {"muoi", "tram", "linh", "le", "ruoi"} | set(_WORD_UNITS)


@dataclass(frozen=True)
class Amount:
    value: int
    start: int  # offsets in the NFC text
    end: int


def _number(raw: str) -> float:
    """'4,5' and '4.5' are decimals; '1.500' with a three-digit group is a thousands separator."""
    if re.fullmatch(r"\d{1,3}(?:[.,]\d{3})+", raw):
        return float(re.sub(r"[.,]", "", raw))
    return float(raw.replace(",", "."))


def _tail_value(tail: str) -> int:
    """'1tr5' = 1.500.000, '1tr50' = 1.500.000, '1tr500' = 1.500.000: digits after the
    million unit are the leading digits of the remainder."""
    return int(round(int(tail) * MILLION / 10 ** len(tail)))


def _digit_amounts(folded: str, taken: TakenSpans) -> list[Amount]:
    found: list[Amount] = []
    for m in _WITH_MILLIONS.finditer(folded):
        value = _number(m["num"]) * MILLION
        if m["half"]:
            value += MILLION / 2
        elif m["tail"]:
            value += _tail_value(m["tail"])
        found.append(Amount(int(round(value)), m.start(), m.end()))
        taken.take(m.start(), m.end())
    for pattern, factor in ((_WITH_THOUSANDS, THOUSAND), (_PLAIN, 1)):
        for m in pattern.finditer(folded):
            if not taken.overlaps(m.start(), m.start() + 1):
                found.append(Amount(int(round(_number(m["num"]) * factor)), m.start(), m.end()))
                taken.take(m.start(), m.end())
    return found


def _word_amounts(folded: str) -> list[Amount]:
    """Amounts written in words: "năm triệu", "hai triệu rưỡi", "một triệu năm trăm nghìn"."""
    found: list[Amount] = []
    words = list(re.finditer(r"[a-z]+", folded))
    i = 0
    while i < len(words):
        j = i
        while j < len(words) and words[j].group() in _NUMBER_WORDS:
            j += 1
        span = [w.group() for w in words[i:j]]
        value = _words_value(span)
        if value:
            found.append(Amount(value, words[i].start(), words[j - 1].end()))
        i = max(j, i + 1)
    return found


def _words_value(words: list[str]) -> int | None:
    """Value of a run of number words, or None when it names no money unit."""
    total, group, last_unit = 0, 0, 0
    for w in words:
        if max(total, group) > MAX_AMOUNT:  # "mười mười mười..." would grow without end
            return None
        if w in _WORD_UNITS:
            if not group:  # a unit with no number before it ("triệu phú") is no amount
                return None
            total += group * _WORD_UNITS[w]
            group, last_unit = 0, _WORD_UNITS[w]
        elif w == "ruoi" and last_unit:
            total += last_unit // 2
        elif w == "tram":
            group = max(group, 1) * 100
        elif w == "muoi":
            group = group * 10 if group else 10
        elif w in _DIGIT_WORDS:
            group += _DIGIT_WORDS[w]
    if not last_unit:
        return None
    if group:  # "ba triệu hai" = 3.200.000: a trailing digit counts in tenths of the last unit
        total += group * last_unit // 10 if group < 10 else group * last_unit // 1000
    return total


def find_amounts(text: str) -> list[Amount]:
    """All money amounts in a message, left to right (none above MAX_AMOUNT)."""
    folded = fold(text)
    taken = TakenSpans(len(folded))
    amounts = _digit_amounts(folded, taken)
    amounts += [a for a in _word_amounts(folded) if not taken.overlaps(a.start, a.end)]
    return sorted((a for a in amounts if a.value <= MAX_AMOUNT), key=lambda a: a.start)


def parse_amount(text: str) -> int | None:
    """The first amount in the text, in đồng, or None."""
    amounts = find_amounts(text)
    return amounts[0].value if amounts else None
