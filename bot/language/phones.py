"""Vietnamese phone numbers: mobiles (10 digits, 03/05/07/08/09) and landlines (11 digits, 02x),
accepting +84/84 prefixes, spaces, dots and dashes."""
from __future__ import annotations

import re

_CANDIDATE = re.compile(r"(?<![\w+])(?:\+?84|0)[\d .\-]{8,14}\d(?!\w)")
_MOBILE = re.compile(r"0[35789]\d{8}")
_LANDLINE = re.compile(r"02\d{9}")


def normalise_phone(raw: str) -> str | None:
    """'+84 912.345.678' -> '0912345678'; None when it is not a valid Vietnamese number."""
    digits = re.sub(r"[\s.\-()]", "", raw)
    if digits.startswith("+"):
        digits = digits[1:]
    if not digits.isdigit():
        return None
    if digits.startswith("84") and len(digits) in (11, 12):
        digits = "0" + digits[2:]
    if _MOBILE.fullmatch(digits) or _LANDLINE.fullmatch(digits):
        return digits
    return None


def find_phones(text: str) -> list[tuple[str, int, int]]:
    """(normalised number, start, end) for each valid phone number in the text."""
    found = []
    for m in _CANDIDATE.finditer(text):
        number = normalise_phone(m.group())
        if number:
            found.append((number, m.start(), m.end()))
    return found


def mask_phone(number: str) -> str:
    """For logs: '0912345678' -> '091****678'."""
    return number[:3] + "*" * (len(number) - 6) + number[-3:] if len(number) > 6 else "***"
