"""What the dialogue hands to Rasa: the responses to send, with their variables and buttons, and the
slots to set. Plain data shared by the modules of bot/dialogue/."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

GENDER_LABELS = {"male": "Nam", "female": "Nữ"}


@dataclass(frozen=True)
class Reply:
    response: str
    variables: dict[str, str] = field(default_factory=dict)
    buttons: list[dict[str, str]] = field(default_factory=list)


@dataclass(frozen=True)
class Step:
    """The replies to one message and the slots to set (None clears a slot)."""

    replies: list[Reply]
    slots: dict[str, Any] = field(default_factory=dict)
