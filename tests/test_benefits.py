"""One-time withdrawal (Art 102), survivor and funeral allowances (Art 109-111), Art 23 monthly
allowance. Expected values are worked out by hand from the law; the arithmetic is in the comments."""
from datetime import date

import pytest
from hypothesis import given, strategies as st

from bot.policy.benefits import (WITHDRAWAL_CASES, monthly_allowance, one_time_withdrawal, survivor_of_contributor,
                                 survivor_of_pensioner)
from bot.policy.calculators import InvalidInput
from bot.policy.rules import params_on

ON = date(2026, 11, 26)
SHORT_OF_YEARS = ("keep_paying", "make_up", "monthly_allowance")

# 30 months before 2014 = 2 years + 6 spare months, carried to the years from 2014: 90 + 6 = 96 = 8 years.
# Average 3.000.000: 1,5 × 2 × 3.000.000 + 2 × 8 × 3.000.000 = 9.000.000 + 48.000.000 = 57.000.000
BEFORE, FROM, AVERAGE, GROSS = 30, 90, 3_000_000, 57_000_000


def test_no_withdrawal_outside_the_cases_of_the_law():
    w = one_time_withdrawal(None, 0, 100, AVERAGE, ON)
    assert (w.allowed, w.refusal, w.amount, w.gross) == (False, "no_case", None, 0)
    assert w.alternatives == SHORT_OF_YEARS


@given(st.integers(0, 400), st.integers(0, 400), st.integers(700_000, 50_000_000))
def test_a_withdrawal_is_never_allowed_without_a_case(before, after, average):
    assert not one_time_withdrawal(None, before, after, average, ON).allowed


def test_retirement_age_case_deducts_the_state_support():
    w = one_time_withdrawal("retirement_age", BEFORE, FROM, AVERAGE, ON, state_support_received=5_000_000)
    assert (w.allowed, w.years_before_2014, w.years_from_2014, w.gross) == (True, 2, 8, GROSS)
    assert (w.support_deducted, w.amount) == (True, 52_000_000)  # 57.000.000 - 5.000.000
    assert w.alternatives == ("make_up", "monthly_allowance")
    assert "spare_months_before_2014" in w.notes


@pytest.mark.parametrize("case", ["serious_illness", "severe_disability"])
def test_serious_illness_and_disability_keep_the_state_support(case):
    w = one_time_withdrawal(case, BEFORE, FROM, AVERAGE, ON, state_support_received=5_000_000)
    assert (w.allowed, w.support_deducted, w.amount) == (True, False, GROSS)


def test_unknown_support_is_not_silently_ignored():
    w = one_time_withdrawal("emigrating", BEFORE, FROM, AVERAGE, ON)
    assert (w.gross, w.amount) == (GROSS, None) and "support_deducted_unknown" in w.notes


def test_retirement_age_case_is_for_those_short_of_fifteen_years():
    w = one_time_withdrawal("retirement_age", 0, 180, AVERAGE, ON)
    assert (w.allowed, w.refusal, w.alternatives) == (False, "enough_for_pension", ("pension",))


@pytest.mark.parametrize("months, joined_before, stopped, refusal", [
    (240, True, 12, "twenty_years_or_more"),  # 20 years or more: no
    (100, False, 12, "joined_from_july_2025"),  # started under the 2024 law: no
    (100, True, 11, "not_12_months_stopped"),  # not yet a year without contributing
])
def test_stopped_for_twelve_months_case_and_its_limits(months, joined_before, stopped, refusal):
    w = one_time_withdrawal("stopped_12_months", 0, months, AVERAGE, ON, joined_before_july_2025=joined_before,
                            months_without_contributing=stopped)
    assert (w.allowed, w.refusal) == (False, refusal)


def test_stopped_for_twelve_months_case_amount():
    w = one_time_withdrawal("stopped_12_months", 0, 100, 2_000_000, ON, joined_before_july_2025=True,
                            months_without_contributing=12, state_support_received=3_000_000)
    # 100 months = 8 years 4 months -> 8,5 years; 2 × 8,5 × 2.000.000 = 34.000.000; minus 3.000.000
    assert (w.allowed, w.gross, w.amount) == (True, 34_000_000, 31_000_000)


def test_an_unknown_case_is_refused():
    with pytest.raises(InvalidInput):
        one_time_withdrawal("tired_of_paying", 0, 100, AVERAGE, ON)
    assert set(WITHDRAWAL_CASES.values()) == {"a", "b", "c", "d", "đ"}
    assert set(params_on(ON).value("lump_sum_support_kept")) == {"serious_illness", "severe_disability"}


def test_survivors_of_a_voluntary_contributor():
    s = survivor_of_contributor(BEFORE, FROM, 4_000_000, ON)
    # 1,5 × 2 × 4.000.000 + 2 × 8 × 4.000.000 = 12.000.000 + 64.000.000
    assert (s.amount, s.refund_of_contributions, s.minimum) == (76_000_000, False, 0)
    assert s.funeral == 25_300_000  # 10 × 2.530.000 from 1/7/2026
    assert survivor_of_contributor(BEFORE, FROM, 4_000_000, date(2026, 6, 30)).funeral == 23_400_000  # 10 × 2.340.000
    assert not s.monthly_possible and "monthly_survivor_not_on_voluntary" in s.notes


def test_under_sixty_months_the_relatives_get_what_was_paid_in():
    s = survivor_of_contributor(0, 48, 4_000_000, ON, paid_in=10_000_000)
    assert (s.amount, s.refund_of_contributions, s.funeral) == (10_000_000, True, 0)
    assert survivor_of_contributor(0, 48, 4_000_000, ON).amount is None  # unknown: not invented


def test_a_mixed_career_gets_at_least_three_times_the_average():
    # 12 compulsory + 12 voluntary months, paid in 2.000.000: at least 3 × 3.000.000 = 9.000.000
    s = survivor_of_contributor(0, 24, 3_000_000, ON, compulsory_months=12, paid_in=2_000_000)
    assert (s.amount, s.minimum) == (9_000_000, 9_000_000) and "mixed_career_minimum" in s.notes


def test_monthly_survivor_allowance_needs_fifteen_compulsory_years():
    assert survivor_of_contributor(0, 200, 3_000_000, ON, compulsory_months=180).monthly_possible
    assert not survivor_of_contributor(0, 200, 3_000_000, ON, compulsory_months=179).monthly_possible
    with pytest.raises(InvalidInput):
        survivor_of_contributor(0, 100, 3_000_000, ON, compulsory_months=101)


@pytest.mark.parametrize("pension, drawn, months, amount", [
    (3_000_000, 0, 48, 144_000_000),  # 48 × 3.000.000
    (3_000_000, 10, 43, 129_000_000),  # 48 - 0,5 × 10 = 43; 43 × 3.000.000
    (2_000_000, 1, 47.5, 95_000_000),  # 48 - 0,5 = 47,5; 47,5 × 2.000.000
    (3_000_000, 90, 3, 9_000_000),  # 48 - 45 = 3
    (3_000_000, 91, 3, 9_000_000),  # 48 - 45,5 = 2,5: at least 3
    (3_000_000, 100, 3, 9_000_000),  # 48 - 50 < 3: at least 3
])
def test_survivors_of_a_pensioner(pension, drawn, months, amount):
    s = survivor_of_pensioner(pension, drawn, ON)
    assert (s.months_of_pension, s.amount, s.funeral) == (months, amount, 25_300_000)
    assert s.sources[0] == "Luật BHXH 2024, Điều 110 khoản 4"


def test_monthly_allowance_when_short_of_years_at_retirement_age():
    a = monthly_allowance("female", 1969, 5, 100, ON)
    # 5/1969 + 57 y (the 2026 age) = 5/2026: reached; social pension at 75: 5/2044
    assert (a.status, a.opens, a.minimum) == ("open", date(2026, 5, 1), 500_000)
    assert (a.social_pension_age, a.social_pension_from) == (75, date(2044, 5, 1))
    assert (a.duration_computed_by, a.top_up_lump_sum, a.health_insurance_paid_by) == ("BHXH", True, "ngân sách nhà nước")
    assert not a.certain  # the duration rule is confidence M
    poor = monthly_allowance("female", 1969, 5, 100, ON, poor_or_near_poor=True)
    assert (poor.social_pension_age, poor.social_pension_from) == (70, date(2039, 5, 1))


def test_monthly_allowance_before_retirement_age_and_with_enough_years():
    later = monthly_allowance("male", 1970, 5, 100, ON)
    assert (later.status, later.opens) == ("before_retirement_age", date(2032, 5, 1))  # 5/1970 + 62 y
    assert monthly_allowance("female", 1969, 5, 180, ON).status == "enough_for_pension"
