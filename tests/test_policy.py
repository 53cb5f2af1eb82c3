from datetime import date

import pytest

from bot.policy.figures import figures_on, retirement_age_months
from bot.policy.rules import PolicyDataError, load_rows, params_on

BEFORE = date(2026, 6, 30)
AFTER = date(2026, 7, 1)
TODAY = date(2026, 11, 24)


def test_every_row_has_a_source_and_confidence():
    for rows in load_rows().values():
        for row in rows:
            assert row.source and row.confidence in "HML"


def test_rows_of_a_parameter_do_not_overlap():
    for name, rows in load_rows().items():
        ordered = sorted(rows, key=lambda r: r.start)
        for earlier, later in zip(ordered, ordered[1:]):
            assert earlier.end is not None and earlier.end < later.start, name


def test_base_salary_changes_on_1_july_2026():
    assert params_on(BEFORE).value("reference_level") == 2_340_000
    assert params_on(AFTER).value("reference_level") == 2_530_000


def test_no_data_before_the_2024_law():
    with pytest.raises(PolicyDataError):
        params_on(date(2024, 1, 1))


@pytest.mark.parametrize(
    "day, name, expected",
    [
        (TODAY, "contribution_rate", "22%"),
        (TODAY, "income_floor", "1.500.000 đồng"),
        (TODAY, "min_contribution", "330.000 đồng"),
        (TODAY, "income_ceiling", "50.600.000 đồng"),
        (TODAY, "max_contribution", "11.132.000 đồng"),
        (BEFORE, "income_ceiling", "46.800.000 đồng"),
        (BEFORE, "max_contribution", "10.296.000 đồng"),
        # support rates are confidence M (the decree's own text was not read): marked "(*)"
        (TODAY, "support_poor", "50% (*)"),
        (TODAY, "support_poor_amount", "165.000 đồng (*)"),
        (TODAY, "pays_poor_at_floor", "165.000 đồng (*)"),
        (TODAY, "support_near_poor_amount", "132.000 đồng (*)"),
        (TODAY, "pays_near_poor_at_floor", "198.000 đồng (*)"),
        (TODAY, "support_ethnic_minority_amount", "99.000 đồng (*)"),
        (TODAY, "pays_ethnic_minority_at_floor", "231.000 đồng (*)"),
        (TODAY, "support_other_amount", "66.000 đồng (*)"),
        (TODAY, "pays_other_at_floor", "264.000 đồng (*)"),
        (TODAY, "funeral_allowance", "25.300.000 đồng"),
        (BEFORE, "funeral_allowance", "23.400.000 đồng"),
        (TODAY, "maternity_allowance", "2.000.000 đồng"),
        (TODAY, "pension_min_years", "15"),
        (TODAY, "pension_female_max_years", "30"),
        (TODAY, "pension_male_max_years", "35"),
        (TODAY, "support_max_years", "10 (*)"),
        (TODAY, "monthly_allowance_min", "500.000 đồng"),
        (TODAY, "retirement_age_male_now", "61 tuổi 6 tháng"),
        (TODAY, "retirement_age_female_now", "57 tuổi"),
        (TODAY, "retirement_final_year_male", "2028"),
        (TODAY, "retirement_final_year_female", "2035"),
        (TODAY, "hotline", "1900 9068"),
        # issue 14: the figures the corrected answers quote
        (TODAY, "retirement_age_male_before_schedule", "60 tuổi"),
        (TODAY, "retirement_age_female_before_schedule", "55 tuổi"),
        (TODAY, "transitional_joined_before", "1/1/2021"),
        (TODAY, "transitional_min_years", "20"),
        (TODAY, "transitional_age_male", "60 tuổi"),
        (TODAY, "transitional_age_female", "55 tuổi"),
        (TODAY, "src_transitional_retirement", "Luật BHXH 2024, Điều 141 khoản 9"),
        (TODAY, "pension_extra_multiple", "0,5"),
        (TODAY, "pension_extra_after_age_multiple", "2"),
        (TODAY, "src_pension_extra_after_retirement_age", "Luật BHXH 2024, Điều 100 khoản 2"),
        (TODAY, "average_income_min", "700.000 đồng (*)"),
        (TODAY, "make_up_opens", "tháng liền trước tháng đủ tuổi nghỉ hưu"),
        (TODAY, "src_make_up_opens_months_before",
         "Luật BHXH 2024, Điều 36 khoản 3 điểm e; Nghị định 159/2025/NĐ-CP, Điều 7"),
        (TODAY, "survivor_pensioner_months", "48"),
        (TODAY, "survivor_pensioner_per_month_drawn", "0,5"),
        (TODAY, "survivor_pensioner_min_months", "3"),
        (TODAY, "src_survivor_pensioner", "Luật BHXH 2024, Điều 110 khoản 4"),
        (TODAY, "survivor_mixed_career_min", "3"),
        (TODAY, "src_survivor_mixed_career_min", "Luật BHXH 2024, Điều 110 khoản 3"),
        (TODAY, "survivor_monthly_min_compulsory_years", "15"),
        (TODAY, "src_survivor_monthly_min_compulsory_months", "Luật BHXH 2024, Điều 111"),
        (TODAY, "monthly_allowance_health_insurance", "ngân sách nhà nước"),
        (TODAY, "social_pension_age", "75"),
        (TODAY, "social_pension_age_poor", "70"),
        (TODAY, "src_lump_sum_support_kept", "Luật BHXH 2024, Điều 102"),
    ],
)
def test_figures_match_the_policy_file(day, name, expected):
    assert figures_on(day).values[name] == expected


def test_an_uncertain_figure_is_marked():
    figures_2027 = figures_on(date(2027, 1, 15))
    assert figures_2027.values["income_floor"] == "2.200.000 đồng (*)"
    assert {"income_floor", "min_contribution", "support_poor_amount"} <= figures_2027.uncertain
    assert "income_ceiling" not in figures_2027.uncertain
    assert figures_2027.values["src_income_floor"] == "Luật BHXH 2024, Điều 31; Nghị định 351/2025/NĐ-CP (chuẩn nghèo nông thôn 2027-2030)"
    # today: the floor is certain; the support rates (and what follows from them) and the lowest
    # average income base rest on one secondary source (M)
    support = {f"{prefix}{group}{suffix}" for group in ("poor", "near_poor", "ethnic_minority", "other")
               for prefix, suffix in (("support_", ""), ("support_", "_amount"), ("pays_", "_at_floor"))}
    next_floor = {"income_floor_next", "min_contribution_next"}  # the 2027 floor (M)
    assert figures_on(TODAY).uncertain == support | next_floor | {"support_max_years", "average_income_min",
                                                                  "electronic_book_from"}


def test_the_2027_floor_is_medium_confidence_and_the_support_rates_too():
    assert params_on(date(2027, 1, 1))["income_floor"].confidence == "M"
    assert params_on(TODAY)["support_rate"].confidence == "M"
    assert params_on(TODAY)["support_max_months"].confidence == "M"
    assert params_on(TODAY)["make_up_compounded"].confidence == "M"


def test_every_parameter_has_its_source_variable():
    figures = figures_on(TODAY).values
    assert all(figures[f"src_{name}"] for name in load_rows())


def test_whether_the_make_up_gets_state_support_is_left_open():
    """No source settles it (Decree 159/2025 Art 5 and 7 not read): the data says so with null."""
    row = params_on(TODAY)["make_up_state_support"]
    assert row.value is None and row.confidence == "L"


def test_retirement_age_schedule():
    p = params_on(TODAY)
    # before the schedule (Decree 135/2020 Appendix I starts with those reaching it in 2021)
    assert retirement_age_months(p, "female", 2019) == 55 * 12
    assert retirement_age_months(p, "female", 2020) == 55 * 12
    assert retirement_age_months(p, "male", 2020) == 60 * 12
    # 2021: men 60 y 3 m, women 55 y 4 m
    assert retirement_age_months(p, "male", 2021) == 60 * 12 + 3
    assert retirement_age_months(p, "female", 2021) == 55 * 12 + 4
    assert retirement_age_months(p, "male", 2027) == 61 * 12 + 9
    assert retirement_age_months(p, "female", 2027) == 57 * 12 + 4
    assert retirement_age_months(p, "male", 2040) == 62 * 12
    assert retirement_age_months(p, "female", 2040) == 60 * 12


# The facts the FAQ answers quote (issue 16), written by hand from ../shared/knowledge/policy-2026.md.
@pytest.mark.parametrize("name, expected", [
    ("retirement_born_before_female", "12/1965"),  # "a woman born on or before 12/1965 ... retired at 55 y 0 m"
    ("retirement_born_before_male", "12/1960"),  # "a man born on or before 12/1960 ... retired at 60 y 0 m"
    ("maternity_stillbirth_min_weeks", "22"),  # "also per stillbirth ≥22 weeks"
    ("law_effective_date", "1/7/2025"),  # "Law on Social Insurance 41/2024/QH15 (in force 1/7/2025)"
    ("electronic_book_from", "1/1/2026 (*)"),  # "it is electronic (VssID) from 1/1/2026. H/M"
    ("social_pension_amount", "500.000 đồng"),  # "at least 500,000/month (social pension level, NĐ 176/2025)"
    ("income_floor_next", "2.200.000 đồng (*)"),  # "income floor from 2027: 2,200,000 ... M"
    ("income_floor_next_from", "1/1/2027"),
    ("min_contribution_next", "484.000 đồng (*)"),  # 22 % × 2,200,000 = 484,000
    ("spare_months_half_max", "6"), ("spare_months_full_min", "7"),  # "1-6 = half year, 7-11 = full year"
    ("src_years_add_up", "Luật BHXH 2024, Điều 5 khoản 3"),  # "Compulsory and voluntary years add up (L41 Art 5(3))"
    ("src_prepaid_refund", "Nghị định 159/2025/NĐ-CP, Điều 8"),  # "unused prepayments are refunded ... (NĐ159 Art 8)"
    ("src_average_income_base", "Luật BHXH 2024, Điều 104"),
])
def test_the_faq_figures_in_november_2026(name, expected):
    assert figures_on(date(2026, 11, 26)).values[name] == expected


def test_once_2027_has_come_the_next_floor_is_the_floor_in_force():
    values = figures_on(date(2027, 3, 1)).values
    assert (values["income_floor_next"], values["income_floor_next_from"]) == ("2.200.000 đồng (*)", "1/1/2027")
    assert values["income_floor"] == "2.200.000 đồng (*)"
