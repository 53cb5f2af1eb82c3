"""The office directory in the dialogue: "địa chỉ bảo hiểm xã hội tỉnh Nghệ An ở đâu" gets the
provincial office of that province (bot/data/offices.yml) with its address, phone and website as far
as the data has them, marked "(*)" where their source is not certain, and the national hotline. Where
the data has no address the answer says so and gives the hotline and the national website: an
address is never made up."""
from __future__ import annotations

from datetime import date
from typing import Any, Mapping

from bot.policy.figures import UNCERTAIN_MARK, Figures
from bot.language.provinces import Province, office_data, province_by_name, resolve_province
from bot.dialogue.replies import Reply

LABELS = (("address", "Địa chỉ"), ("phone", "Điện thoại"), ("website", "Trang web"))


def office_replies(province: Province, figures: Figures, old_name: str | None = None) -> list[Reply]:
    """The office of a province, with the hotline; the note on uncertain entries when one is shown."""
    office = office_data(province.name)
    lines, uncertain = [], False
    for field, label in LABELS:
        entry = office.get(field)
        if not entry:
            continue
        value = entry["value"]
        text = ", ".join(value) if isinstance(value, list) else str(value)
        mark = UNCERTAIN_MARK if entry["confidence"] != "H" else ""
        uncertain = uncertain or bool(mark)
        lines.append(f"• {label}: {text}{mark}")
    name = office["name"] + (f" (gồm cả {old_name} cũ)" if old_name else "")
    v = {**figures.values, "office": name}
    if office.get("address"):
        replies = [Reply("utter_contact_office", {**v, "office_details": "\n".join(lines)})]
    else:
        replies = [Reply("utter_contact_office_no_address", {**v, "office_details": "".join("\n" + x for x in lines)})]
    return replies + ([Reply("utter_uncertain_note", figures.values)] if uncertain else [])


def contact_result(facts: Mapping[str, Any], day: date, figures: Figures) -> list[Reply]:
    """The contact form's result: the office of the province the user gave, with the old name they
    used for it ("Hà Giang" is now part of Tuyên Quang)."""
    province = province_by_name(str(facts.get("province") or ""))
    if province is None:
        return [Reply("utter_ask_contact/general", figures.values)]
    said = resolve_province(str(facts.get("province_said") or ""))
    old_name = said.old_name if said and said.province == province else None
    return office_replies(province, figures, old_name)
