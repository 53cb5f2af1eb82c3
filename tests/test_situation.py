"""'My situation': the assessment from the facts a person gave. Expected values are worked out by
hand from the law (Labour Code Art 169, Decree 135/2020, Law 41/2024); the arithmetic is in the
comments. Today is 26/11/2026."""
from datetime import date

from hypothesis import given, strategies as st

from bot.policy.situation import OPTIONS, Facts, assess

ON = date(2026, 11, 26)


def test_woman_56_joined_2003_with_22_years_is_entitled_now_under_the_transitional_rule():
    """'Tôi là nữ, 56 tuổi, tham gia BHXH tự nguyện từ năm 2003, đã đóng 22 năm' (Art 141(9))."""
    s = assess(Facts(gender="female", age=56, joined_voluntary_year=2003, contribution_months=22 * 12), ON)
    assert (s.status, s.rule, s.options) == ("entitled_now", "transitional", ("pension",))
    # aged 56 on 26/11/2026: born 11/1969 .. 11/1970; 55 reached 11/2024 .. 11/2025, all before today
    window = s.retirement
    assert (window.earliest.reached, window.latest.reached, window.reached) == (date(2024, 11, 1), date(2025, 11, 1), True)
    assert s.formatted["retirement_age"] == "55 tuổi" and s.formatted["reached"] == "11/2024 – 11/2025"
    # 22 years: 45 % + (22 - 15) × 2 % = 59 %
    assert s.pension.rate == 0.59 and "monthly" not in s.formatted
    assert s.withdrawal_case is None and s.make_up is None
    assert "Luật BHXH 2024, Điều 141 khoản 9" in s.sources
    with_income = assess(Facts(gender="female", age=56, joined_voluntary_year=2003, contribution_months=264,
                               income=3_000_000), ON)
    assert with_income.formatted["monthly"] == "1.770.000 đồng"  # 59 % × 3.000.000


def test_woman_57_with_10_years_can_make_up_the_5_missing_years_now():
    """'tôi 57 tuổi, là nữ, mới đóng được 10 năm thì sao'."""
    s = assess(Facts(gender="female", age=57, contribution_months=10 * 12), ON)
    assert (s.status, s.rule, s.missing_months) == ("short_of_years", "general", 60)  # 15 - 10 = 5 years
    # born 11/1968 .. 11/1969. The latest: 11/1969 + 57 y 0 m (the age required in 2026) = 11/2026;
    # the earliest: 11/1968 + 56 y 8 m (the 2025 age) = 7/2025. Both reached by today.
    latest, earliest = s.retirement.latest, s.retirement.earliest
    assert (latest.general_age_months, latest.general_reached) == (57 * 12, date(2026, 11, 1))
    assert (earliest.general_age_months, earliest.general_reached) == (56 * 12 + 8, date(2025, 7, 1))
    assert s.retirement.general_reached is True
    # 5 years missing = the most that may be made up; open from the month before retirement age
    assert s.make_up_open_now and s.missing_at_retirement == 60
    # at the floor: 60 months × 22 % × 1.500.000 = 60 × 330.000 = 19.800.000 (before the fund's interest)
    assert (s.make_up.income, s.make_up.uncompounded) == (1_500_000, 19_800_000)
    assert s.formatted["make_up_cost"] == "19.800.000 đồng"
    assert s.options == ("make_up", "keep_paying", "monthly_allowance", "withdrawal")
    assert s.withdrawal_case == "retirement_age"  # Art 102(1)(a): at retirement age with < 15 years
    assert (s.allowance.status, s.allowance.minimum) == ("open", 500_000)
    # paying monthly instead: 60 months from 11/2026 -> the last one in 10/2031
    assert s.fifteen_years_by == date(2031, 10, 1)
    assert "make_up_uncompounded" in s.notes and "make_up_support_unsettled" in s.notes
    assert "birth" in s.missing_facts  # from an age alone the dates are a range


def test_man_50_with_8_years_keeps_paying():
    s = assess(Facts(gender="male", age=50, contribution_months=8 * 12), ON)
    # 84 months missing, paid 11/2026 .. 10/2033 (11/2026 + 83 months)
    assert (s.status, s.missing_months, s.fifteen_years_by) == ("entitled_later", 84, date(2033, 10, 1))
    # born 11/1975 .. 11/1976: 62 y from 2028 -> 11/2037 .. 11/2038, after the 15 years
    assert (s.retirement.earliest.reached, s.retirement.latest.reached) == (date(2037, 11, 1), date(2038, 11, 1))
    assert (s.missing_at_retirement, s.options) == (0, ("keep_paying", "pension"))
    assert s.withdrawal_case is None and "withdrawal" not in s.options  # never a general offer
    assert s.keep_paying.net_monthly == 264_000  # at the floor: 330.000 - 20 % support (66.000)
    assert s.pension.rate == 0.40  # a man with 15 years: 40 %


def test_woman_born_march_1964_retired_at_55():
    s = assess(Facts(gender="female", birth_year=1964, birth_month=3, contribution_months=200), ON)
    window = s.retirement
    assert window.exact and (window.latest.age_months, window.latest.reached) == (55 * 12, date(2019, 3, 1))
    assert s.formatted["retirement_age"] == "55 tuổi" and s.formatted["pension_from"] == "4/2019"
    # 200 months = 16 years 8 months -> 17 years: 45 % + 2 × 2 % = 49 %
    assert (s.status, s.rule, s.pension.rate) == ("entitled_now", "general", 0.49)


def test_more_than_five_years_missing_at_retirement_age_closes_the_make_up():
    s = assess(Facts(gender="female", age=57, contribution_months=8 * 12), ON)  # 84 months missing
    assert s.make_up is None and not s.make_up_open_now
    assert s.options == ("keep_paying", "monthly_allowance", "withdrawal")


def test_years_missing_at_retirement_age_can_be_made_up_from_the_month_before():
    s = assess(Facts(gender="male", birth_year=1966, birth_month=1, contribution_months=10 * 12), ON)
    # 1/1966 reaches 61 y 9 m (the 2027 age) in 10/2027. Paying 11/2026 .. 9/2027 = 11 months,
    # 60 - 11 = 49 months are still missing then, at most 5 years: make-up open from 9/2027
    assert (s.status, s.missing_at_retirement, s.make_up_opens) == ("short_of_years", 49, date(2027, 9, 1))
    assert not s.make_up_open_now
    assert s.make_up.uncompounded == 16_170_000  # 49 × 330.000
    assert s.options == ("keep_paying", "make_up", "monthly_allowance")
    assert s.withdrawal_case is None  # not at retirement age yet


def test_man_56_with_13_years_reaches_15_before_retirement_age():
    s = assess(Facts(gender="male", birth_year=1970, birth_month=5, contribution_months=13 * 12), ON)
    # 24 months missing: last one in 10/2028 (11/2026 + 23); 62 y reached in 5/2032
    assert (s.status, s.fifteen_years_by, s.formatted["pension_from"]) == ("entitled_later", date(2028, 10, 1), "6/2032")


def test_from_an_age_alone_the_answer_may_be_now_or_soon():
    s = assess(Facts(gender="female", age=56, contribution_months=200), ON)
    # born 11/1969 .. 11/1970: general age reached 11/2026 (57 y) .. 7/2028 (11/1970 + 57 y 8 m)
    assert (s.status, s.retirement.general_reached) == ("entitled_now_or_soon", None)
    assert s.formatted["general_reached"] == "11/2026 – 7/2028"


def test_join_year_is_asked_when_the_transitional_rule_could_apply():
    # 6/1970 reaches 57 y 4 m in 10/2027; 230 + 11 months paid by then = 241 >= 240
    assert "joined_voluntary_year" in assess(Facts(gender="female", birth_year=1970, birth_month=6,
                                                   contribution_months=230), ON).missing_facts
    # 200 + 11 = 211 < 240: the transitional rule cannot come first
    assert "joined_voluntary_year" not in assess(Facts(gender="female", birth_year=1970, birth_month=6,
                                                       contribution_months=200), ON).missing_facts


def test_without_gender_and_birth_only_the_years_are_assessed():
    s = assess(Facts(contribution_months=100), ON)
    # 80 months missing: last one in 6/2033 (11/2026 + 79)
    assert (s.status, s.options, s.fifteen_years_by) == ("short_of_years", ("keep_paying",), date(2033, 6, 1))
    assert s.missing_facts == ("gender", "birth") and s.retirement is None


def test_without_the_years_paid_the_situation_is_incomplete():
    s = assess(Facts(gender="female", birth_year=1964, birth_month=3), ON)
    assert (s.status, s.missing_facts) == ("incomplete", ("contribution_months",))
    assert s.formatted["reached"] == "3/2019"


def test_poor_households_reach_the_social_pension_earlier_and_pay_less():
    s = assess(Facts(gender="female", birth_year=1969, birth_month=5, contribution_months=100, target_group="poor"), ON)
    assert s.allowance.social_pension_age == 70
    assert s.keep_paying.net_monthly == 165_000  # 330.000 - 50 %


def test_an_income_outside_the_range_is_set_aside_with_a_note():
    s = assess(Facts(gender="female", age=57, contribution_months=120, income=100_000_000), ON)
    assert s.make_up.income == 1_500_000 and "income_ignored" in s.notes


def test_only_compulsory_years_known():
    s = assess(Facts(gender="female", age=57, compulsory_months=120), ON)
    assert s.contribution_months == 120 and {"total_is_compulsory", "compulsory_other_rules"} <= set(s.notes)


@given(st.sampled_from(["male", "female"]), st.integers(1950, 2005), st.integers(1, 12), st.integers(0, 600),
       st.one_of(st.none(), st.integers(2008, 2026)))
def test_the_routes_offered_are_the_ones_the_law_opens(gender, year, month, months, joined):
    s = assess(Facts(gender=gender, birth_year=year, birth_month=month, contribution_months=months,
                     joined_voluntary_year=joined), ON)
    assert s.options and set(s.options) <= set(OPTIONS)
    if "withdrawal" in s.options:  # Art 102(1)(a) only: retirement age reached, fewer than 15 years
        assert s.retirement.general_reached and s.missing_months > 0
    if "make_up" in s.options:  # at most 5 years missing when retirement age is reached
        assert 0 < s.missing_at_retirement <= 60 and s.make_up.missing_months == s.missing_at_retirement
    if s.status == "entitled_now":
        assert s.options == ("pension",) and (s.missing_months == 0 or s.rule == "transitional")
