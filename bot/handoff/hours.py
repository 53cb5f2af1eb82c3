"""The officers' calendar: weekly hours per province (a default for every province, replaced day by
day where a province's office works other hours, bot/data/office_hours.yml), the public holidays
and the weekend days worked in exchange (bot/data/holidays.yml). BOT_OFFICE_HOURS=always|never
overrides it (tests, demonstrations)."""
from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import lru_cache
from pathlib import Path
from typing import Any, Mapping
from zoneinfo import ZoneInfo

import yaml

from bot.language.provinces import province_by_name

DATA_FILE = Path(__file__).resolve().parents[1] / "data" / "office_hours.yml"
HOLIDAYS_FILE = Path(__file__).resolve().parents[1] / "data" / "holidays.yml"
VIETNAM = ZoneInfo("Asia/Ho_Chi_Minh")
OVERRIDE = "BOT_OFFICE_HOURS"
ALWAYS, NEVER = "always", "never"
DAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
LOOK_AHEAD_DAYS = 60  # the next opening is searched this far (the longest Tết break is ~10 days)


class CalendarError(ValueError):
    pass


@dataclass(frozen=True)
class Period:
    start: time
    end: time

    @classmethod
    def parse(cls, text: str) -> "Period":
        try:
            start, end = (time.fromisoformat(part.strip()) for part in str(text).split("-"))
        except ValueError:
            raise CalendarError(f"office hours {text!r}: expected HH:MM-HH:MM") from None
        if start >= end:
            raise CalendarError(f"office hours {text!r}: the end is not after the start")
        return cls(start, end)


@dataclass(frozen=True)
class Calendar:
    weekly: tuple[tuple[Period, ...], ...]  # Monday first
    days_off: frozenset[date]
    working_weekend_days: frozenset[date] = frozenset()

    def periods(self, day: date) -> tuple[Period, ...]:
        if day in self.working_weekend_days:
            return self.weekly[0]
        return () if day in self.days_off else self.weekly[day.weekday()]

    def open_at(self, local: datetime) -> bool:
        return any(p.start <= local.time() < p.end for p in self.periods(local.date()))

    def next_opening(self, local: datetime) -> datetime | None:
        """The first moment at or after `local` when the office is open."""
        if self.open_at(local):
            return local
        for offset in range(LOOK_AHEAD_DAYS + 1):
            day = local.date() + timedelta(days=offset)
            for period in self.periods(day):
                start = datetime.combine(day, period.start, local.tzinfo)
                if start > local:
                    return start
        return None


class OfficeHours:
    """Whether officers of a province work at a moment, and when they next do."""

    def __init__(self, data: Mapping[str, Any], holidays: Mapping[str, Any], override: str | None = None) -> None:
        override = (override or "").strip().lower()
        if override not in ("", ALWAYS, NEVER, "calendar"):
            raise CalendarError(f"{OVERRIDE} must be always, never or calendar, not {override!r}")
        self.override = override if override in (ALWAYS, NEVER) else None
        default = data["default"]
        national_off = _days_off(holidays.get("days_off") or [])
        worked = _days_off(holidays.get("working_weekend_days") or [])
        self.default = Calendar(_weekly(default["weekly"], None), national_off, worked)
        unknown = [name for name in data.get("provinces") or {} if not province_by_name(name)
                   or province_by_name(name).name != name]  # type: ignore[union-attr]
        if unknown:
            raise CalendarError(f"office hours of unknown province(s): {', '.join(unknown)} (use the current names)")
        self.provinces = {
            name: Calendar(_weekly(entry.get("weekly") or {}, self.default.weekly),
                           national_off | _days_off(entry.get("days_off") or []), worked)
            for name, entry in (data.get("provinces") or {}).items()
        }

    @classmethod
    def load(cls, env: Mapping[str, str] = os.environ, path: Path = DATA_FILE,
             holidays: Path = HOLIDAYS_FILE) -> "OfficeHours":
        return cls(_read(path), _read(holidays), env.get(OVERRIDE))

    def calendar(self, province: str | None) -> Calendar:
        return self.provinces.get(province or "", self.default)

    def is_open(self, province: str | None, at: datetime) -> bool:
        if self.override:
            return self.override == ALWAYS
        return self.calendar(province).open_at(at.astimezone(VIETNAM))

    def open_anywhere(self, at: datetime) -> bool:
        """Whether some province's officers work now (before the citizen's province is known)."""
        if self.override:
            return self.override == ALWAYS
        local = at.astimezone(VIETNAM)
        return any(c.open_at(local) for c in (self.default, *self.provinces.values()))

    def next_opening(self, province: str | None, at: datetime) -> datetime | None:
        """In Vietnam's time; None when always closed (override) or nothing in the look-ahead."""
        if self.override:
            return at.astimezone(VIETNAM) if self.override == ALWAYS else None
        return self.calendar(province).next_opening(at.astimezone(VIETNAM))


@lru_cache(maxsize=4)
def _read(path: Path) -> dict[str, Any]:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def _weekly(days: Mapping[str, Any], base: tuple[tuple[Period, ...], ...] | None) -> tuple[tuple[Period, ...], ...]:
    unknown = set(days) - set(DAYS)
    if unknown:
        raise CalendarError(f"unknown day(s) in office hours: {', '.join(sorted(unknown))}")
    if base is None and set(days) != set(DAYS):
        raise CalendarError("the default office hours must list every day of the week")
    return tuple(
        tuple(Period.parse(p) for p in days[name]) if name in days else base[i]  # type: ignore[index]
        for i, name in enumerate(DAYS)
    )


def _days_off(entries: list[Mapping[str, Any]]) -> frozenset[date]:
    days: set[date] = set()
    for entry in entries:
        first, last = (entry.get("date"), entry.get("date")) if "date" in entry else (entry.get("from"), entry.get("to"))
        if not isinstance(first, date) or not isinstance(last, date) or last < first:
            raise CalendarError(f"day off {entry!r}: give date, or from and to (YYYY-MM-DD)")
        days.update(first + timedelta(days=i) for i in range((last - first).days + 1))
    return frozenset(days)
