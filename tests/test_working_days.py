"""The two-working-day deadline, with dates worked out by hand on the 2026 calendar: weekends,
the holidays of bot/data/holidays.yml (Labour Code Art 112 and the Prime Minister's decision for
2026) and the Saturday worked in exchange for 31/8/2026."""
from __future__ import annotations

from datetime import date, datetime, timezone

import yaml
from hypothesis import given, strategies as st

from bot.notify.working_days import HOLIDAYS_FILE, calendar, day_start, local_day

CAL = calendar()


def test_the_holiday_file_names_a_source_for_every_day():
    data = yaml.safe_load(HOLIDAYS_FILE.read_text(encoding="utf-8"))
    for entry in data["days_off"] + data["working_weekend_days"]:
        assert isinstance(entry["date"], date) and entry["name"] and entry["source"]
    for entry in data["days_off"]:
        assert entry["date"].weekday() < 5, f"{entry['date']} is a weekend day: list its weekday in lieu"
    for entry in data["working_weekend_days"]:
        assert entry["date"].weekday() >= 5


def test_fixed_holidays_weekends_and_the_exchanged_days():
    assert not CAL.is_working_day(date(2026, 9, 2))  # Quốc khánh, Wednesday
    assert not CAL.is_working_day(date(2026, 8, 31))  # Monday exchanged...
    assert CAL.is_working_day(date(2026, 8, 22))  # ...for Saturday 22/8
    assert not CAL.is_working_day(date(2026, 11, 28))  # a Saturday
    assert not CAL.is_working_day(date(2027, 5, 3))  # 1/5/2027 is a Saturday: Monday in lieu
    assert CAL.is_working_day(date(2026, 11, 26))


def test_the_deadline_is_the_second_working_day_after_the_request():
    assert CAL.deadline(date(2026, 11, 23)) == date(2026, 11, 25)  # Monday -> Wednesday
    assert CAL.deadline(date(2026, 11, 26)) == date(2026, 11, 30)  # Thursday -> Monday
    assert CAL.deadline(date(2026, 11, 28)) == date(2026, 12, 1)  # Saturday -> Tuesday
    assert CAL.deadline(date(2026, 4, 29)) == date(2026, 5, 5)  # 30/4, 1/5 and the weekend in between
    assert CAL.deadline(date(2026, 2, 12)) == date(2026, 2, 23)  # Thursday before Tết -> Friday 13, Monday 23
    assert CAL.deadline(date(2026, 8, 20)) == date(2026, 8, 22)  # Thursday -> Friday, the Saturday worked


def test_overdue_from_the_day_after_the_deadline():
    # On Thursday 26/11/2026 a request of Monday 23/11 is overdue (deadline Wednesday), one of Tuesday not.
    assert CAL.overdue_before(date(2026, 11, 26)) == date(2026, 11, 24)
    # On Monday 30/11: requests before Thursday 26/11 (deadline Friday 27 at the latest).
    assert CAL.overdue_before(date(2026, 11, 30)) == date(2026, 11, 26)
    # On Thursday 3/9/2026, after the National Day break: before Thursday 27/8.
    assert CAL.overdue_before(date(2026, 9, 3)) == date(2026, 8, 27)


@given(st.dates(min_value=date(2026, 1, 1), max_value=date(2027, 12, 20)),
       st.dates(min_value=date(2026, 1, 1), max_value=date(2027, 12, 31)))
def test_overdue_means_the_deadline_has_passed(received, today):
    assert (received < CAL.overdue_before(today)) == (CAL.deadline(received) < today)


def test_days_are_vietnams():
    late_evening_utc = datetime.fromisoformat("2026-11-25T18:30:00+00:00")  # 01:30 on the 26th in Vietnam
    assert local_day(late_evening_utc) == date(2026, 11, 26)
    assert day_start(date(2026, 11, 26)) == datetime(2026, 11, 25, 17, 0, tzinfo=timezone.utc)
