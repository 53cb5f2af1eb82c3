from datetime import date

import pytest

from bot.figures import figures_on, retirement_age_months
from bot.policy import PolicyDataError, load_rows, params_on

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
        (TODAY, "support_poor_amount", "165.000 đồng"),
        (TODAY, "pays_poor_at_floor", "165.000 đồng"),
        (TODAY, "support_near_poor_amount", "132.000 đồng"),
        (TODAY, "pays_near_poor_at_floor", "198.000 đồng"),
        (TODAY, "support_ethnic_minority_amount", "99.000 đồng"),
        (TODAY, "pays_ethnic_minority_at_floor", "231.000 đồng"),
        (TODAY, "support_other_amount", "66.000 đồng"),
        (TODAY, "pays_other_at_floor", "264.000 đồng"),
        (TODAY, "funeral_allowance", "25.300.000 đồng"),
        (BEFORE, "funeral_allowance", "23.400.000 đồng"),
        (TODAY, "maternity_allowance", "2.000.000 đồng"),
        (TODAY, "pension_min_years", "15"),
        (TODAY, "pension_female_max_years", "30"),
        (TODAY, "pension_male_max_years", "35"),
        (TODAY, "support_max_years", "10"),
        (TODAY, "monthly_allowance_min", "500.000 đồng"),
        (TODAY, "retirement_age_male_now", "61 tuổi 6 tháng"),
        (TODAY, "retirement_age_female_now", "57 tuổi"),
        (TODAY, "retirement_final_year_male", "2028"),
        (TODAY, "retirement_final_year_female", "2035"),
        (TODAY, "hotline", "1900 9068"),
    ],
)
def test_figures_match_the_policy_file(day, name, expected):
    assert figures_on(day).values[name] == expected


def test_an_uncertain_figure_is_marked():
    figures_2027 = figures_on(date(2027, 1, 15))
    assert figures_2027.values["income_floor"] == "2.200.000 đồng (*)"
    assert {"income_floor", "min_contribution", "support_poor_amount"} <= figures_2027.uncertain
    assert "income_ceiling" not in figures_2027.uncertain
    assert not figures_on(TODAY).uncertain


def test_retirement_age_schedule():
    p = params_on(TODAY)
    assert retirement_age_months(p, "male", 2027) == 61 * 12 + 9
    assert retirement_age_months(p, "female", 2027) == 57 * 12 + 4
    assert retirement_age_months(p, "male", 2040) == 62 * 12
    assert retirement_age_months(p, "female", 2040) == 60 * 12
