from datetime import date

import pytest
from hypothesis import given, strategies as st

from bot.calculators import InvalidInput, advance_payment, contribution, counted_years, make_up, pension, retirement

TODAY = date(2026, 11, 24)
BEFORE = date(2026, 6, 30)
GROUPS = ["poor", "near_poor", "ethnic_minority", "other"]


def test_hand_checked_contribution():
    c = contribution(5_000_000, ["other"], 1, TODAY)
    assert (c.gross_monthly, c.support_monthly, c.net_monthly) == (1_100_000, 66_000, 1_034_000)


def test_poor_household_at_the_floor_pays_165000():
    assert contribution(1_500_000, ["poor"], 1, TODAY).net_monthly == 165_000


def test_support_is_computed_on_the_floor_not_the_chosen_income():
    assert contribution(10_000_000, ["poor"], 1, TODAY).support_monthly == 165_000


def test_highest_group_wins():
    c = contribution(3_000_000, ["ethnic_minority", "near_poor", "other"], 3, TODAY)
    assert c.support_group == "near_poor" and c.support_monthly == 132_000


@pytest.mark.parametrize("period, deadline", [(1, date(2026, 11, 30)), (3, date(2027, 1, 31)),
                                              (6, date(2027, 2, 28)), (12, date(2027, 5, 31))])
def test_payment_deadlines(period, deadline):
    c = contribution(2_000_000, ["other"], period, TODAY)
    assert c.deadline == deadline
    assert c.net_period == c.net_monthly * period


def test_income_outside_the_range_is_refused_with_the_range():
    with pytest.raises(InvalidInput, match="1.500.000 đồng đến 50.600.000 đồng"):
        contribution(1_000_000, ["other"], 1, TODAY)
    with pytest.raises(InvalidInput, match="46.800.000 đồng"):
        contribution(50_000_000, ["other"], 1, BEFORE)
    assert contribution(50_000_000, ["other"], 1, TODAY).gross_monthly == 11_000_000


@given(st.integers(1_500_000, 50_600_000), st.lists(st.sampled_from(GROUPS)), st.sampled_from([1, 3, 6, 12]))
def test_support_never_exceeds_the_contribution(income, groups, period):
    c = contribution(income, groups, period, TODAY)
    assert 0 < c.support_monthly <= c.gross_monthly and c.net_monthly >= 0


@pytest.mark.parametrize("months, years", [(180, 15), (181, 15.5), (186, 15.5), (187, 16), (191, 16)])
def test_spare_months_round_to_half_or_full_years(months, years):
    assert counted_years(months) == years


def test_hand_checked_pensions():
    assert pension("female", 240, 5_000_000, TODAY).monthly == 2_750_000
    assert pension("male", 15 * 12, 5_000_000, TODAY).rate == 0.40
    assert pension("male", 20 * 12, 5_000_000, TODAY).rate == 0.45
    assert pension("female", 30 * 12, 4_000_000, TODAY).rate == 0.75


def test_extra_one_time_payment_beyond_the_cap():
    assert pension("female", 32 * 12, 4_000_000, TODAY).extra_one_time == 2 * 0.5 * 4_000_000
    assert pension("male", 34 * 12, 4_000_000, TODAY).extra_one_time == 0


def test_under_15_years_gives_no_pension_and_the_missing_time():
    result = pension("male", 12 * 12, 5_000_000, TODAY)
    assert not result.eligible and result.missing_months == 36


@given(st.sampled_from(["male", "female"]), st.integers(180, 600), st.integers(180, 600))
def test_pension_rate_is_monotonic_and_capped(gender, a, b):
    low, high = sorted((a, b))
    r1, r2 = pension(gender, low, 3_000_000, TODAY).rate, pension(gender, high, 3_000_000, TODAY).rate
    assert r1 <= r2 <= 0.75


def test_hand_checked_retirement():
    r = retirement("male", 1966, 1, TODAY)
    assert r.age_months == 61 * 12 + 9
    assert (r.reached, r.pension_from) == (date(2027, 10, 1), date(2027, 11, 1))
    woman = retirement("female", 1970, 6, TODAY)  # 57 y in 2026 is not reached until 06/2027
    assert (woman.age_months, woman.reached) == (57 * 12 + 4, date(2027, 10, 1))


@given(st.sampled_from(["male", "female"]), st.integers(1960, 1990), st.integers(1, 12), st.integers(1, 11))
def test_later_birth_never_retires_earlier(gender, year, month, later):
    first = retirement(gender, year, month, TODAY)
    second_year, second_month = divmod(year * 12 + month - 1 + later, 12)
    second = retirement(gender, second_year, second_month + 1, TODAY)
    assert first.reached < first.pension_from and first.reached <= second.reached


def test_make_up_payment():
    assert make_up("male", 1964, 5, 12 * 12, TODAY).status == "eligible"
    assert make_up("male", 1964, 5, 9 * 12, TODAY).status == "too_many_missing"
    assert make_up("male", 1970, 5, 12 * 12, TODAY).status == "before_retirement_age"
    assert make_up("female", 1960, 5, 16 * 12, TODAY).status == "enough"


def test_advance_payment_without_a_known_fund_return_is_the_undiscounted_maximum():
    a = advance_payment(5_000_000, ["other"], 5, TODAY)
    assert a.monthly_return is None  # no published figure in the policy data: nothing invented
    assert (a.months, a.undiscounted, a.amount) == (60, 62_040_000, 62_040_000)
    assert "Nghị định 159/2025/NĐ-CP, Điều 7" in a.sources


def test_advance_payment_discounted_at_a_given_monthly_return():
    a = advance_payment(5_000_000, ["other"], 1, TODAY, monthly_return=0.005)
    # closed form of the annuity: 1.034.000 × (1 − 1,005^−12) / (0,005 / 1,005)
    assert a.amount == 12_074_046


@pytest.mark.parametrize("years", [0, 6])
def test_advance_payment_is_limited_to_five_years(years):
    with pytest.raises(InvalidInput, match="từ 1 đến 5 năm"):
        advance_payment(5_000_000, ["other"], years, TODAY)


@given(st.integers(1_500_000, 50_600_000), st.integers(1, 5), st.floats(0, 0.02))
def test_discounting_never_raises_the_amount(income, years, rate):
    a = advance_payment(income, ["other"], years, TODAY, monthly_return=rate)
    assert 0 < a.amount <= a.undiscounted
