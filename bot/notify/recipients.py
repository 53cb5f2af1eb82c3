"""Where a province's mail goes: the office's address from bot/data/offices.yml when the data has
one with its source, else the fallback addresses (BOT_NOTIFY_FALLBACK_TO), else nowhere. An address
is never guessed."""
from __future__ import annotations

from bot.language.provinces import office_data


def office_addresses(province: str, fallback: tuple[str, ...]) -> tuple[str, ...]:
    """The addresses, or () when the province has none: the mail is then recorded as "no address"."""
    email = office_data(province).get("email")
    if isinstance(email, dict) and email.get("value") and email.get("source"):
        return (str(email["value"]).strip(),)
    return fallback


def office_name(province: str) -> str:
    return office_data(province)["name"]
