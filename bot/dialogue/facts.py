"""What the user said about themselves, read the way the calculators need it: the months paid in
all, and the year they joined voluntary insurance. Pure functions over the facts of the dialogue
(a mapping of slot name to value)."""
from __future__ import annotations

from datetime import date
from typing import Any, Mapping

from bot.policy.rules import params_on

# Answers to "since when have you paid voluntary insurance" given without a year (buttons): before
# or from the date of the transitional rule (Law 41/2024 Art 141(9)), not yet, or not remembered.
BEFORE_TRANSITION, FROM_TRANSITION, NOT_JOINED, JOINED_UNKNOWN = "before_transition", "from_transition", "not_joined", "unknown"


def total_months(facts: Mapping[str, Any], day: date, prefix: str = "") -> int | None:
    """All the months paid: the total said, or the compulsory and voluntary years said apart, or
    the minimum years for a pension less the years said to be missing. A total smaller than the one
    part said beside it is read as the rest of the career ("làm công ty 9 năm, đóng thêm 5 năm" =
    14 years). `prefix` "deceased_" reads the figures of a person who died."""
    said = facts.get(f"{prefix}months" if prefix else "contribution_months")
    parts = [p for p in (facts.get(f"{prefix}compulsory_months"), facts.get(f"{prefix}voluntary_months"))
             if p is not None]
    if said is None:
        if parts:
            return sum(parts)
        missing = None if prefix else facts.get("missing_months")
        return None if missing is None else max(0, params_on(day).value("pension_min_years") * 12 - missing)
    if said >= sum(parts):
        return said
    return said + parts[0] if len(parts) == 1 else sum(parts)


def joined_year(value: Any, day: date) -> int | None:
    """The year to give the calculators for an answer about when the person joined: the year said,
    or a year on the right side of the transitional date when only that side is known."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return int(value)
    start = params_on(day).value("transitional_retirement")["joined_before"].year
    return {BEFORE_TRANSITION: start - 1, FROM_TRANSITION: start, NOT_JOINED: start}.get(value)
