"""A request for a callback as the conversation collected it, and the checks it passes before it
may reach the database."""
from __future__ import annotations

import json
import re
import unicodedata
from dataclasses import asdict, dataclass, field, replace
from datetime import date, datetime
from typing import Any

from bot.language.phones import normalise_phone
from bot.language.provinces import province_by_name
from bot.language.target_groups import groups
from bot.leads.models import Consent, Lead, Submission
from bot.policy.calculators import income_range
from bot.policy.clock import VIETNAM
from bot.policy.rules import PolicyDataError, params_on


@dataclass(frozen=True)
class LeadRequest:
    """What the conversation collected, with the consent the user gave for it."""

    submission_id: str
    full_name: str
    phone: str
    province: str
    office: str
    channel: str
    conversation_id: str
    consent_version: str
    consent_sha256: str
    consent_given_at: str  # ISO 8601, when the user said yes
    commune: str | None = None
    preferred_time: str | None = None
    income: int | None = None
    target_group: str | None = None
    interests: list[str] = field(default_factory=list)

    def to_json(self) -> str:
        return json.dumps(asdict(self), ensure_ascii=False)


class InvalidLead(ValueError):
    """A request that must not reach the database. `problems` maps each wrong field to what is wrong
    with it, never to its value: the message goes to logs and dead letters."""

    def __init__(self, problems: dict[str, str]) -> None:
        super().__init__("; ".join(f"{name}: {problem}" for name, problem in problems.items()))
        self.problems = problems


# The column each text field is stored in: its length is the field's limit.
_COLUMN_OF = {
    "submission_id": Submission.id, "full_name": Lead.full_name, "phone": Lead.phone, "province": Lead.province,
    "office": Lead.office, "channel": Lead.channel, "conversation_id": Lead.conversation_id,
    "consent_version": Consent.text_version, "consent_sha256": Consent.text_sha256,
    "commune": Lead.commune, "preferred_time": Lead.preferred_time, "target_group": Lead.target_group,
}
_REQUIRED = ("submission_id", "full_name", "phone", "province", "office", "channel", "conversation_id",
             "consent_version", "consent_sha256", "consent_given_at")
_SUBMISSION_ID = re.compile(r"[A-Za-z0-9_-]+")  # it also names the file of a queued request
_SHA256 = re.compile(r"[0-9a-f]{64}")
MAX_INTERESTS, MAX_INTEREST_CHARS = 20, 60


def check(request: LeadRequest) -> LeadRequest:
    """The request as it may be stored (phone normalised, province by its current name), or
    InvalidLead naming every field that is wrong."""
    problems: dict[str, str] = {}
    for name in (*_COLUMN_OF, "consent_given_at"):
        if problem := _text_problem(name, getattr(request, name)):
            problems[name] = problem
    phone = normalise_phone(request.phone) if "phone" not in problems else None
    if phone is None:
        problems.setdefault("phone", "not a Vietnamese phone number")
    province = province_by_name(request.province) if "province" not in problems else None
    if province is None:
        problems.setdefault("province", "not one of the 34 provinces")
    if "submission_id" not in problems and not _SUBMISSION_ID.fullmatch(request.submission_id):
        problems["submission_id"] = "not letters, digits, - or _"
    if "consent_sha256" not in problems and not _SHA256.fullmatch(request.consent_sha256):
        problems["consent_sha256"] = "not a SHA-256 in hexadecimal"
    if "target_group" not in problems and request.target_group not in (None, *groups(), "other"):
        problems["target_group"] = "not a known target group"
    interests = request.interests
    if not (isinstance(interests, list) and len(interests) <= MAX_INTERESTS and all(
            isinstance(i, str) and 0 < len(i) <= MAX_INTEREST_CHARS for i in interests)):
        problems["interests"] = f"not a list of at most {MAX_INTERESTS} topics"
    day = _consent_day(request.consent_given_at) if "consent_given_at" not in problems else None
    if day is None:
        problems.setdefault("consent_given_at", "not an ISO 8601 moment with its time zone")
    elif request.income is not None and (problem := _income_problem(request.income, day)):
        problems["income"] = problem
    if problems:
        raise InvalidLead(problems)
    assert phone is not None and province is not None
    return replace(request, phone=phone, province=province.name)


def _text_problem(name: str, value: Any) -> str | None:
    if value is None or value == "":
        return "missing" if name in _REQUIRED else None
    if not isinstance(value, str):
        return "not text"
    if any(unicodedata.category(c) == "Cc" for c in value):
        return "control characters"
    limit = _COLUMN_OF[name].type.length if name in _COLUMN_OF else None
    if limit and len(value) > limit:
        return f"longer than {limit} characters"
    return "missing" if name in _REQUIRED and not value.strip() else None


def _consent_day(moment: str) -> date | None:
    """The day in Vietnam when the consent was given: the day whose law the income is checked by."""
    try:
        at = datetime.fromisoformat(moment)
    except ValueError:
        return None
    return at.astimezone(VIETNAM).date() if at.tzinfo else None


def _income_problem(income: Any, day: date) -> str | None:
    if isinstance(income, bool) or not isinstance(income, int):
        return "not a whole number"
    try:
        floor, ceiling = income_range(params_on(day))
    except PolicyDataError:
        return "no rule for the day of the consent"
    return None if floor <= income <= ceiling else "outside the law's range on the day of the consent"

