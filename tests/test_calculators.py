from datetime import date

import pytest
from hypothesis import given, strategies as st

from bot.policy.calculators import (InvalidInput, advance_payment, average_income_range, contribution, counted_years,
                                    make_up, make_up_cost, pension, retirement)
from bot.policy.rules import params_on

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


def test_contribution_is_not_certain_while_the_support_rates_are_medium_confidence():
    assert not contribution(5_000_000, ["other"], 1, TODAY).certain


# --- issue 14 -------------------------------------------------------------------------------------
ON = date(2026, 11, 26)


@pytest.mark.parametrize("gender, born, age_months, reached, pension_from", [
    # before the schedule (Labour Code 2019 Art 169(2); Decree 135/2020 Appendix I starts at 01/1966 for
    # women, 01/1961 for men): 55 y 0 m / 60 y 0 m
    ("female", (1964, 3), 55 * 12, date(2019, 3, 1), date(2019, 4, 1)),  # 1964 + 55 = 2019, March
    ("female", (1965, 12), 55 * 12, date(2020, 12, 1), date(2021, 1, 1)),  # 1965 + 55 = 2020, December
    ("male", (1960, 12), 60 * 12, date(2020, 12, 1), date(2021, 1, 1)),  # 1960 + 60 = 2020, December
    # the first steps: 1/1966 + 55 y 4 m = 5/2021 (the 2021 age); 1/1961 + 60 y 3 m = 4/2021
    ("female", (1966, 1), 55 * 12 + 4, date(2021, 5, 1), date(2021, 6, 1)),
    ("male", (1961, 1), 60 * 12 + 3, date(2021, 4, 1), date(2021, 5, 1)),
    # 11/1969 + 57 y = 11/2026, the age required in 2026
    ("female", (1969, 11), 57 * 12, date(2026, 11, 1), date(2026, 12, 1)),
])
def test_retirement_of_cohorts_before_and_at_the_start_of_the_schedule(gender, born, age_months, reached, pension_from):
    r = retirement(gender, *born, ON, joined_before_2021=False)
    assert (r.rule, r.age_months, r.reached, r.pension_from) == ("general", age_months, reached, pension_from)


def test_transitional_rule_with_twenty_years_already_paid():
    """Art 141(9): joined 2003 (before 1/1/2021), 22 years: pension at 55 for a woman."""
    r = retirement("female", 1970, 6, ON, joined_voluntary_year=2003, contribution_months=22 * 12)
    # 6/1970 + 55 y = 6/2025; pension from the month after
    assert (r.rule, r.age_months, r.reached, r.pension_from) == ("transitional", 55 * 12, date(2025, 6, 1), date(2025, 7, 1))
    # the general rule would have been 57 y 4 m (2027): 6/1970 + 57 y 4 m = 10/2027
    assert (r.general_age_months, r.general_reached) == (57 * 12 + 4, date(2027, 10, 1))
    assert r.transitional.missing_months == 0 and r.transitional.years_complete is None
    assert r.sources[0] == "Luật BHXH 2024, Điều 141 khoản 9"


def test_transitional_rule_for_a_man():
    r = retirement("male", 1965, 5, ON, joined_voluntary_year=2010, contribution_months=240)
    # 5/1965 + 60 y = 5/2025 -> pension 6/2025; general: 61 y 6 m in 2026 -> 11/2026
    assert (r.rule, r.reached, r.pension_from, r.general_reached) == (
        "transitional", date(2025, 5, 1), date(2025, 6, 1), date(2026, 11, 1))


def test_transitional_rule_when_the_twenty_years_are_reached_later_by_paying_monthly():
    r = retirement("female", 1972, 1, ON, joined_voluntary_year=2005, contribution_months=200)
    # 240 - 200 = 40 months missing, paid 11/2026 .. 2/2030 (11/2026 + 39 months)
    assert (r.transitional.missing_months, r.transitional.years_complete) == (40, date(2030, 2, 1))
    # 55 reached in 1/2027, but the pension waits for the 20 years: from 3/2030
    assert (r.rule, r.reached, r.pension_from) == ("transitional", date(2027, 1, 1), date(2030, 3, 1))
    # the general rule gives 58 y 4 m: 1/1972 + 58 y = 1/2030 is under the 2030 age, 1/1972 + 58 y 4 m = 5/2030
    assert (r.general_age_months, r.general_reached) == (58 * 12 + 4, date(2030, 5, 1))
    assert "paying_monthly_from_now" in r.notes


def test_general_rule_applies_when_the_transitional_one_comes_later():
    r = retirement("female", 1970, 6, ON, joined_voluntary_year=2003, contribution_months=150)
    # 90 months missing to 20 years: paid by 4/2034 (11/2026 + 89 months), later than 10/2027
    assert r.rule == "general" and r.reached == date(2027, 10, 1)
    assert (r.transitional.years_complete, r.transitional.pension_from) == (date(2034, 4, 1), date(2034, 5, 1))


def test_no_transitional_rule_for_those_who_joined_from_2021_and_a_note_when_unknown():
    joined_2021 = retirement("female", 1970, 6, ON, joined_voluntary_year=2021, contribution_months=264)
    assert joined_2021.rule == "general" and joined_2021.transitional is None
    unknown = retirement("female", 1970, 6, ON, contribution_months=264)
    assert unknown.rule == "general" and "transitional_join_unknown" in unknown.notes
    flag = retirement("female", 1970, 6, ON, joined_before_2021=True, contribution_months=264)
    assert flag.rule == "transitional"
    months_unknown = retirement("female", 1970, 6, ON, joined_voluntary_year=2003)
    assert months_unknown.rule == "general" and "transitional_months_unknown" in months_unknown.notes


@pytest.mark.parametrize("on, status", [
    (date(2026, 9, 30), "before_retirement_age"),
    (date(2026, 10, 1), "eligible"),  # the month before 11/2026, when she reaches 57 y
    (date(2026, 11, 26), "eligible"),
])
def test_make_up_opens_the_month_before_retirement_age(on, status):
    m = make_up("female", 1969, 11, 10 * 12, on)
    assert (m.status, m.missing_months, m.opens) == (status, 60, date(2026, 10, 1))


def test_make_up_closed_beyond_five_missing_years():
    assert make_up("female", 1969, 11, 10 * 12 - 1, ON).status == "too_many_missing"


def test_make_up_cost_at_the_floor_is_an_uncompounded_lower_bound_without_support_deducted():
    cost = make_up_cost(60, None, ON)
    # 22 % × 1.500.000 = 330.000 a month; × 60 months = 19.800.000
    assert (cost.income, cost.monthly, cost.uncompounded) == (1_500_000, 330_000, 19_800_000)
    assert cost.state_support_deducted is None  # not settled by our sources: nothing deducted
    assert {"make_up_at_floor", "make_up_uncompounded", "make_up_support_unsettled"} <= set(cost.notes)
    assert not cost.certain  # the compounding formula is M
    assert "Nghị định 159/2025/NĐ-CP, Điều 7" in cost.sources


def test_make_up_cost_at_a_chosen_income():
    # 22 % × 5.000.000 = 1.100.000; × 24 months = 26.400.000
    assert make_up_cost(24, 5_000_000, ON).uncompounded == 26_400_000


@pytest.mark.parametrize("months, income", [(0, None), (61, None), (12, 1_000_000), (12, 60_000_000)])
def test_make_up_cost_refuses_what_the_law_does_not_allow(months, income):
    with pytest.raises(InvalidInput):
        make_up_cost(months, income, ON)


def test_average_income_may_be_below_todays_floor():
    assert average_income_range(params_on(ON)) == (700_000, 50_600_000)
    # a woman with 20 years: 45 % + 5 × 2 % = 55 %; 55 % × 700.000 = 385.000
    assert pension("female", 240, 700_000, ON).monthly == 385_000


@pytest.mark.parametrize("gender, months, after_age, average, extra", [
    # woman, 33 years: 3 beyond 30, of which 2 paid after retirement age:
    # 1 × 0,5 × 4.000.000 + 2 × 2 × 4.000.000 = 2.000.000 + 16.000.000
    ("female", 33 * 12, 24, 4_000_000, 18_000_000),
    # man, 37 years: 2 beyond 35, both after retirement age: 2 × 2 × 3.000.000
    ("male", 37 * 12, 60, 3_000_000, 12_000_000),
    # woman, 32 years, none after retirement age: 2 × 0,5 × 4.000.000
    ("female", 32 * 12, 0, 4_000_000, 4_000_000),
    # man, 35 years paid partly after retirement age: none beyond 35, nothing extra
    ("male", 35 * 12, 36, 3_000_000, 0),
])
def test_extra_one_time_payment_with_years_after_retirement_age(gender, months, after_age, average, extra):
    assert pension(gender, months, average, ON, months_after_retirement_age=after_age).extra_one_time == extra


def test_months_after_retirement_age_cannot_exceed_the_months_paid():
    with pytest.raises(InvalidInput):
        pension("female", 200, 3_000_000, ON, months_after_retirement_age=201)
