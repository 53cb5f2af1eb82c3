"""The officers' calendar (bot/handoff/hours.py) on hand-picked moments: the default hours of the
data file, a province with its own hours and day off, the national days off, the override."""
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from bot.handoff.hours import CalendarError, OfficeHours

VN = ZoneInfo("Asia/Ho_Chi_Minh")


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=VN)


@pytest.fixture(scope="module")
def hours():
    return OfficeHours.load(env={})


@pytest.mark.parametrize("moment, open_", [
    ("2026-11-24 07:29", False),   # a Tuesday, before the morning
    ("2026-11-24 07:30", True),
    ("2026-11-24 11:29", True),
    ("2026-11-24 11:30", False),   # lunch
    ("2026-11-24 13:30", True),
    ("2026-11-24 16:59", True),
    ("2026-11-24 17:00", False),
    ("2026-11-28 09:00", False),   # Saturday
    ("2026-11-29 09:00", False),   # Sunday
    ("2026-09-02 09:00", False),   # Quốc khánh, a Wednesday
    ("2026-09-01 09:00", False),   # the day next to it
    ("2026-08-31 09:00", False),   # exchanged for Saturday 22/8
    ("2026-08-22 08:00", True),    # that Saturday, worked
    ("2026-02-16 09:00", False),   # inside the Tết break
    ("2026-02-23 09:00", True),    # the Monday after it
    ("2026-04-27 09:00", False),   # the day in lieu of 10/3 lunar
    ("2027-05-03 09:00", False),   # the day in lieu of 1/5/2027, a Saturday
])
def test_default_calendar(hours, moment, open_):
    assert hours.is_open("Nghệ An", at(moment)) is open_
    assert hours.is_open(None, at(moment)) is open_


def test_a_moment_in_another_zone_is_read_in_vietnam_time(hours):
    utc = datetime(2026, 11, 24, 1, 0, tzinfo=ZoneInfo("UTC"))  # 08:00 in Hà Nội
    assert hours.is_open("Hà Nội", utc)
    assert not hours.is_open("Hà Nội", datetime(2026, 11, 24, 10, 0, tzinfo=ZoneInfo("UTC")))  # 17:00


def test_next_opening(hours):
    assert hours.next_opening(None, at("2026-11-24 12:00")) == at("2026-11-24 13:30")
    assert hours.next_opening(None, at("2026-11-27 17:30")) == at("2026-11-30 07:30")  # Friday evening
    assert hours.next_opening(None, at("2026-02-13 18:00")) == at("2026-02-23 07:30")  # over Tết
    assert hours.next_opening(None, at("2026-08-21 18:00")) == at("2026-08-22 07:30")  # a Saturday worked
    assert hours.next_opening(None, at("2026-08-28 18:00")) == at("2026-09-03 07:30")  # National Day
    assert hours.next_opening(None, at("2026-11-24 09:00")) == at("2026-11-24 09:00")


HOLIDAYS = {"days_off": [{"date": datetime(2026, 12, 1).date(), "name": "x"}],
            "working_weekend_days": [{"date": datetime(2026, 12, 6).date(), "name": "a Sunday worked"}]}
DATA = {
    "default": {"weekly": {"monday": ["07:30-11:30", "13:30-17:00"], "tuesday": ["07:30-11:30"],
                           "wednesday": [], "thursday": [], "friday": [], "saturday": [], "sunday": []}},
    "provinces": {"Nghệ An": {"weekly": {"saturday": ["08:00-11:00"]},
                              "days_off": [{"date": datetime(2026, 11, 30).date(), "name": "local"}]}},
}


def test_a_province_replaces_the_days_it_lists_and_adds_its_days_off():
    hours = OfficeHours(DATA, HOLIDAYS)
    assert hours.is_open("Nghệ An", at("2026-11-28 09:00"))        # its Saturday
    assert not hours.is_open("Hà Tĩnh", at("2026-11-28 09:00"))
    assert hours.is_open("Nghệ An", at("2026-11-23 14:00"))        # Monday kept from the default
    assert not hours.is_open("Nghệ An", at("2026-11-30 09:00"))    # its own day off
    assert hours.is_open("Hà Tĩnh", at("2026-11-30 09:00"))
    assert not hours.is_open("Hà Tĩnh", at("2026-12-01 09:00"))    # national day off
    assert hours.is_open("Hà Tĩnh", at("2026-12-06 14:00"))        # a Sunday worked: Monday's hours
    assert hours.open_anywhere(at("2026-11-28 09:00"))             # Nghệ An's officers work
    assert not hours.open_anywhere(at("2026-11-29 09:00"))


@pytest.mark.parametrize("override, open_", [("always", True), ("never", False), ("ALWAYS", True)])
def test_the_override_wins(override, open_):
    hours = OfficeHours(DATA, HOLIDAYS, override)
    for moment in ("2026-11-23 09:00", "2026-11-29 03:00"):
        assert hours.is_open("Nghệ An", at(moment)) is open_
        assert hours.open_anywhere(at(moment)) is open_
    assert hours.next_opening("Nghệ An", at("2026-11-29 03:00")) == (at("2026-11-29 03:00") if open_ else None)


@pytest.mark.parametrize("change, problem", [
    ({"provinces": {"Atlantis": {}}}, "unknown province"),
    ({"provinces": {"nghe an": {}}}, "unknown province"),
    ({"default": {"weekly": {"monday": ["07:30-11:30"]}}}, "every day"),
    ({"default": {"weekly": {**DATA["default"]["weekly"], "monday": ["11:30-07:30"]}}}, "not after"),
    ({"default": {"weekly": {**DATA["default"]["weekly"], "monday": ["7h30-11h"]}}}, "HH:MM"),
    ({"provinces": {"Nghệ An": {"days_off": [{"name": "no date"}]}}}, "day off"),
])
def test_mistakes_in_the_data_are_refused(change, problem):
    with pytest.raises(CalendarError, match=problem):
        OfficeHours({**DATA, **change}, HOLIDAYS)


def test_a_wrong_override_is_refused():
    with pytest.raises(CalendarError, match="always, never"):
        OfficeHours(DATA, HOLIDAYS, "sometimes")
