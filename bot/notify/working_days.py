"""The callback deadline in working days: an office has until the end of the second working day
after the day a request arrived (in Vietnam) to contact the citizen. Saturdays and Sundays are not
working days, the public holidays of bot/data/holidays.yml neither, except the weekend days worked
in exchange for a day off."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from functools import lru_cache
from pathlib import Path

import yaml

from bot.policy.clock import VIETNAM

HOLIDAYS_FILE = Path(__file__).parents[1] / "data" / "holidays.yml"
DEADLINE_WORKING_DAYS = 2


@dataclass(frozen=True)
class WorkingCalendar:
    days_off: frozenset[date]
    working_weekend_days: frozenset[date]

    def is_working_day(self, day: date) -> bool:
        if day in self.working_weekend_days:
            return True
        return day.weekday() < 5 and day not in self.days_off

    def deadline(self, received: date, working_days: int = DEADLINE_WORKING_DAYS) -> date:
        """The last day to contact the citizen: the `working_days`-th working day after `received`."""
        day = received
        while working_days:
            day += timedelta(days=1)
            working_days -= self.is_working_day(day)
        return day

    def overdue_before(self, today: date, working_days: int = DEADLINE_WORKING_DAYS) -> date:
        """A request received before this day and still not contacted is overdue today: its deadline
        was before today. (The `working_days`-th working day counting back from yesterday.)"""
        day = today
        while working_days:
            day -= timedelta(days=1)
            working_days -= self.is_working_day(day)
        return day


@lru_cache(maxsize=1)
def calendar() -> WorkingCalendar:
    data = yaml.safe_load(HOLIDAYS_FILE.read_text(encoding="utf-8"))
    return WorkingCalendar(frozenset(entry["date"] for entry in data["days_off"]),
                           frozenset(entry["date"] for entry in data.get("working_weekend_days") or ()))


def local_day(at: datetime) -> date:
    return at.astimezone(VIETNAM).date()


def day_start(day: date) -> datetime:
    """Midnight in Vietnam at the start of the day, in UTC (as the database compares moments)."""
    return datetime.combine(day, time(), VIETNAM).astimezone(timezone.utc)
