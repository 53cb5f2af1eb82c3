"""How the assistant names the person whose situation is discussed (the slot `subject`,
bot/language/family.py): the citizen themselves ("Anh/chị") or their family member ("Mẹ của anh/chị")."""
from __future__ import annotations

from typing import Optional

_OF_YOU = {
    "mother": "mẹ", "father": "bố", "parents": "bố mẹ", "wife": "vợ", "husband": "chồng",
    "child": "con", "son": "con trai", "daughter": "con gái", "grandmother": "bà",
    "grandfather": "ông", "brother": "anh/em trai", "sister": "chị/em gái",
}


def who(subject: Optional[str]) -> str:
    """The person as the start of a question: "Anh/chị", or "Mẹ của anh/chị" for a family member."""
    kin = _OF_YOU.get(subject or "")
    return f"{kin[0].upper()}{kin[1:]} của anh/chị" if kin else "Anh/chị"
