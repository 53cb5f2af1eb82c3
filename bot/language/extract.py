"""Entities in a citizen's message, found by rules rather than learned: money amounts, ages,
birth years and months, durations, gender, phone numbers, names, provinces, target groups and the
person whose situation it is (bot/language/family.py)."""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from bot.language.amounts import find_amounts
from bot.language.family import find_subject
from bot.language.phones import find_phones
from bot.language.provinces import find_provinces
from bot.language.spans import TakenSpans
from bot.language.target_groups import find_groups
from bot.language.text import fold, nfc, strip_diacritics

_AGE = re.compile(r"(?<!\d)(?P<n>[1-9]\d)\s*(?:tuoi|t)\b")
_BIRTH = re.compile(
    r"\b(?:sinh|sn|ns|nam sinh)\b\D{0,20}?"
    r"(?:(?:thang|t)\s*(?P<month>1[0-2]|0?[1-9])\D{1,10}?"  # "sinh tháng 1 năm 1966"
    r"|(?:\d{1,2}\s*[/.-]\s*)?(?P<slash_month>1[0-2]|0?[1-9])\s*[/.-]\s*)?"  # "sinh 5/1/1966", "sn 01/1966"
    r"(?:nam\s*)?(?P<year>19[3-9]\d|20[0-2]\d)\b"
)
_FEMALE = re.compile(r"\b(?:nu|nu gioi|phu nu|dan ba|con gai|gioi tinh nu)\b")
_MALE = re.compile(r"\b(?:nam gioi|dan ong|con trai|gioi tinh nam)\b")
# A bare "nam" is male, but folded it is also "năm" (year, five): it counts only when typed without
# the breve, not next to a number or a time word, and not inside a place name ("Quảng Nam").
_BARE_NAM = re.compile(r"\bnam\b")
# The words before are looked for in a window that ends at "nam" (searching all the text before each
# "nam" would make a message made of "5 nam " repeated quadratic); the words after are matched at it,
# across a bounded gap (an unbounded one is rescanned from every space of a long run of spaces).
_NOT_GENDER_BEFORE = re.compile(r"(?:\d|\b(?:viet|mien|phia|ha|quang|hang|moi|cac|may|vai|nhieu|nua|muoi|mot|hai|ba|bon|sau|bay|tam|chin|tu))\s*$")
_BEFORE_WINDOW = 40  # characters: the longest of those words and the spaces after it
_NOT_GENDER_AFTER = re.compile(r"\s{0,20}(?:\d|(?:nay|sau|truoc|toi|ngoai|roi|nua|dinh|bo|trieu|nghin|ngan|tram|muoi|lan|thang|ruoi|qua)\b)")
# Without any diacritics in the message, "nam sinh 1966" is "năm sinh" (year of birth).
_YEAR_OF_BIRTH = re.compile(r"\s{0,20}sinh\s*(?:cua\s*\w+\s*)?(?:la\s*)?\d")
_DURATION_CORE = (
    r"(?<![\w.,])(?P<years>\d{1,2})\s*nam(?:\s*(?P<months>\d{1,2})\s*thang|\s*(?P<half>ruoi))?\b"
    r"|(?<![\w.,])(?P<only_months>\d{1,3})\s*thang\b(?!\s*(?:nam|\d))"
)
_DURATION = re.compile(_DURATION_CORE)
# "đóng 12 tháng một lần", "6 tháng/lần": how often one pays, not how long one has paid.
_PER_PAYMENT = re.compile(r"\s{0,3}(?:/\s{0,3}|(?:mot|1)\s{1,3})lan\b")
# "tháng 4 năm sau", "tháng 10 năm 2024": a month's name, not "4 năm" of a duration.
_MONTH_NAME_BEFORE = re.compile(r"\bthang\s{1,3}$")


def _not_a_duration(folded: str, start: int, end: int) -> bool:
    return bool(_PER_PAYMENT.match(folded, end) or _MONTH_NAME_BEFORE.search(folded[max(0, start - 9):start]))
# A duration qualified by the words next to it: years of compulsory insurance ("làm công ty được 9
# năm", "có 9 năm bhxh bắt buộc"), of voluntary insurance ("đóng tự nguyện 5 năm") or years still
# missing ("còn thiếu 3 năm"), rather than the years paid in all. The words between may not hold a
# number or a sentence break, and are few (a bounded gap keeps the scan linear).
_COMPULSORY_WORDS = r"bat buoc|cong ty|doanh nghiep|nha may|xi nghiep|co quan|cong nhan"
_GAP = r"[^\d,.;:!?\n]{0,15}?"
_QUALIFIED_BEFORE = re.compile(
    rf"\b(?:(?P<compulsory>{_COMPULSORY_WORDS})|(?P<voluntary>tu nguyen)|(?P<missing>thieu))\b{_GAP}"
    rf"(?P<duration>{_DURATION_CORE})"
)
_QUALIFIED_AFTER = re.compile(
    rf"(?P<duration>{_DURATION_CORE}){_GAP}\b(?:(?P<compulsory>bat buoc|(?:o|tai|cho) cong ty)|(?P<voluntary>tu nguyen))\b"
)
QUALIFIED_KINDS = ("compulsory", "voluntary", "missing")  # entity <kind>_months
# The year the person started paying: "tham gia BHXH tự nguyện từ năm 2003", "đóng từ 2003".
_JOINED = re.compile(
    r"\b(?:tham gia|dong|bat dau)\b[^\d,.;:!?\n]{0,40}?\b(?:tu|vao|tu nam|nam)\s+(?:nam\s+)?"
    r"(?P<year>(?:19[5-9]|20[0-4])\d)\b"
)
_NAME = re.compile(
    r"\b(?:ten|toi la|em la|minh la|chau la)\s+(?:(?:toi|em|minh|chau|anh|chi)\s+)?(?:la\s+)?"
    r"(?P<name>[a-z]{1,20}(?:\s+[a-z]{1,20}){0,3})\b"  # at most four words of a sensible length
)
# Words that end a name: what usually follows it in a message.
_NAME_STOP = {
    "o", "que", "sdt", "so", "sinh", "tuoi", "dien", "thoai", "lam", "nha", "dang",
    "muon", "can", "hoi", "thu", "nhap", "va", "con", "nhe", "a", "day", "nguoi", "dan", "tinh",
    "tp", "thanh", "xa", "phuong", "khong", "ko", "co", "da", "duoc", "dc", "toi", "em", "minh",
    "roi", "sai", "sua", "bi", "nham",  # a correction: "sai tên rồi", "tên bị nhầm"
}
# "tôi là nông dân" is an occupation, not a name: only capitalised words count after "tôi là".
_NOT_NAMES = {"nong", "nguoi", "sinh", "hoc", "cong", "tieu", "ho", "dan", "lao", "tho", "ba", "me"}


@dataclass(frozen=True)
class Entity:
    entity: str
    value: Any
    start: int
    end: int
    text: str


def extract(text: str) -> list[Entity]:
    """All entities found in the message, offsets in its NFC form."""
    text = nfc(text)
    folded = fold(text)
    found: list[Entity] = []
    taken = TakenSpans(max(len(text), len(folded)))

    def add(kind: str, value: Any, start: int, end: int) -> None:
        found.append(Entity(kind, value, start, end, text[start:end]))

    for number, start, end in find_phones(text):
        add("phone", number, start, end)
        taken.take(start, end)
    for m in _BIRTH.finditer(folded):
        add("birth_year", int(m["year"]), m.start("year"), m.end("year"))
        month = "month" if m["month"] else "slash_month" if m["slash_month"] else None
        if month:
            add("birth_month", int(m[month]), m.start(month), m.end(month))
        taken.take(m.start(month or "year"), m.end())
    for a in find_amounts(text):
        if not taken.overlaps(a.start, a.end):
            add("amount", a.value, a.start, a.end)
            taken.take(a.start, a.end)
    for m in _JOINED.finditer(folded):
        if not taken.overlaps(m.start("year"), m.end("year")):
            add("joined_year", int(m["year"]), m.start("year"), m.end("year"))
            taken.take(m.start("year"), m.end("year"))
    for pattern in (_QUALIFIED_BEFORE, _QUALIFIED_AFTER):
        for m in pattern.finditer(folded):
            start, end = m.start("duration"), m.end("duration")
            if not taken.overlaps(start, end) and not _not_a_duration(folded, start, end):
                kind = next(k for k in QUALIFIED_KINDS if m.groupdict().get(k))
                add(f"{kind}_months", _months(m), start, end)
                taken.take(start, end)
    for m in _AGE.finditer(folded):
        if not taken.overlaps(m.start(), m.end()):
            add("age", int(m["n"]), m.start(), m.end())
    for m in _DURATION.finditer(folded):
        if taken.overlaps(m.start(), m.end()) or _not_a_duration(folded, m.start(), m.end()):
            continue
        add("duration_months", _months(m), m.start(), m.end())
    provinces = find_provinces(text)
    name = _person_name(text, folded)
    if name:
        add("person_name", *name)
    places = [(p.start, p.end) for p in provinces]
    for start, end in places + ([name[1:]] if name else []):
        taken.take(start, end)  # "Quảng Nam", "Nam" in a name: not a gender
    gender = _gender(text, folded, taken)
    subject = find_subject(text)
    if subject:
        add("subject", subject.person, subject.start, subject.end)
    if gender:
        add("gender", *gender)
    elif subject and subject.gender:  # "mẹ tôi 58 tuổi": a woman, said without saying "nữ"
        add("gender", subject.gender, subject.start, subject.end)
    for p in provinces:
        value = p.province.name if p.province else p.said
        add("province", value, p.start, p.end)
    for g in find_groups(text):  # at most one match per group
        if not _overlaps(g.start, g.end, places):
            add("target_group", g.group.key, g.start, g.end)
    return sorted(found, key=lambda e: e.start)


def _months(m: re.Match[str]) -> int:
    """The months of a duration matched by _DURATION_CORE: "2 năm 6 tháng" -> 30, "3 năm rưỡi" -> 42."""
    if m["only_months"]:
        return int(m["only_months"])
    return int(m["years"]) * 12 + (int(m["months"]) if m["months"] else 0) + (6 if m["half"] else 0)


def _overlaps(start: int, end: int, spans: list[tuple[int, int]]) -> bool:
    return any(start < e and s < end for s, e in spans)


def _gender(text: str, folded: str, taken: TakenSpans) -> tuple[str, int, int] | None:
    for pattern, value in ((_FEMALE, "female"), (_MALE, "male")):
        m = pattern.search(folded)
        if m and not taken.overlaps(m.start(), m.end()):
            return value, m.start(), m.end()
    marked = strip_diacritics(text) != text
    for m in _BARE_NAM.finditer(folded):
        if (
            text[m.start(): m.end()].lower() != "nam"
            or taken.overlaps(m.start(), m.end())
            or _NOT_GENDER_BEFORE.search(folded, max(0, m.start() - _BEFORE_WINDOW), m.start())
            or _NOT_GENDER_AFTER.match(folded, m.end())
            or (not marked and _YEAR_OF_BIRTH.match(folded, m.end()))
        ):
            continue
        return "male", m.start(), m.end()
    return None


def _person_name(text: str, folded: str) -> tuple[str, int, int] | None:
    m = _NAME.search(folded)
    if not m:
        return None
    words = []
    for w in re.finditer(r"[a-z]+", m["name"]):
        rest = m["name"][w.start():]
        if w.group() in _NAME_STOP or re.match(r"nam\s+(?:nay|sinh|\d)", rest):
            break
        words.append(w)
    if not words or words[0].group() in _NOT_NAMES:
        return None
    start = m.start("name") + words[0].start()
    end = m.start("name") + words[-1].end()
    original = text[start:end]
    after_toi_la = not folded.startswith("ten", m.start())
    if after_toi_la and not original[:1].isupper():
        return None
    return " ".join(w.capitalize() for w in original.split()), start, end
