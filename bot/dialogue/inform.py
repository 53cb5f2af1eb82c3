"""The answer to a message that only tells something about the user ("tôi 45 tuổi, ở Hà Nội"): what
was understood, said back so a wrong reading can be corrected, and a button to the advice on their
own situation when the facts are enough for it. Pure Python; actions/answers.py hands it to Rasa."""
from __future__ import annotations

from typing import Any

from bot.dialogue.calculations import ask_which_province
from bot.dialogue.replies import GENDER_LABELS, Reply
from bot.language.provinces import resolve_province
from bot.language.target_groups import groups
from bot.policy.formatting import money, years_months

_DURATION_LABELS = {"compulsory_months": "đóng bắt buộc", "voluntary_months": "đóng tự nguyện",
                    "missing_months": "còn thiếu"}
ADVICE_BUTTON = {"title": "Tôi nên làm gì?", "payload": '/inform{"calculator": "situation"}'}


def inform_replies(entities: list[dict[str, Any]], figures: dict[str, str], own_facts: bool = False) -> list[Reply]:
    details: list[str] = []
    for e in entities:
        kind, value = e.get("entity"), e.get("value")
        if kind == "province":
            match = resolve_province(str(e.get("text") or value))
            if match is None:
                continue
            if match.province is None:
                return [ask_which_province(match, figures)]
            detail = f"{match.province.kind} {match.province.name}"
            if match.old_name:
                detail += f" (trước đây là {match.old_name})"
            details.append(detail)
        else:
            detail = _describe(kind, value)
            if detail:
                details.append(detail)
    if not details:
        return [Reply("utter_inform_unparsed", figures)]
    return [Reply("utter_inform", {**figures, "details": "; ".join(details)}, [ADVICE_BUTTON] if own_facts else [])]


def _describe(kind: str | None, value: Any) -> str | None:
    try:
        if kind == "person_name":
            return f"tên {value}"
        if kind == "phone":
            return f"số điện thoại {value}"
        if kind == "amount":
            return f"thu nhập {money(int(value))}"
        if kind == "age":
            return f"{int(value)} tuổi"
        if kind == "birth_year":
            return f"sinh năm {int(value)}"
        if kind == "birth_month":
            return f"sinh tháng {int(value)}"
        if kind == "gender" and value in GENDER_LABELS:
            return f"giới tính {GENDER_LABELS[value].lower()}"
        if kind == "duration_months":
            return f"thời gian {years_months(int(value))}"
        if kind in _DURATION_LABELS:
            return f"{_DURATION_LABELS[kind]} {years_months(int(value))}"
        if kind == "joined_year" and isinstance(value, int):
            return f"tham gia từ năm {value}"
        if kind == "target_group" and value in groups():
            return f"đối tượng {groups()[value].label}"
    except (TypeError, ValueError):  # a hand-typed payload entity with a wrong type
        return None
    return None
