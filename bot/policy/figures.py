"""The figures responses may quote, computed from the policy data in force on a day and
formatted for Vietnamese readers. Responses in domain.yml refer to them as {name}. A figure that
rests on a row that is not certain (confidence M or L) is marked "(*)" and listed in
`Figures.uncertain`, so the answer can add one note asking to confirm it with the hotline."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Callable

from bot.policy.formatting import age, money, percent
from bot.policy.rules import Param, PolicySnapshot, load_rows, params_on, weakest

UNCERTAIN_MARK = " (*)"


@dataclass(frozen=True)
class Figures:
    values: dict[str, str]
    uncertain: frozenset[str]


def retirement_age_months(snapshot: PolicySnapshot, gender: str, year: int) -> int:
    """Age in months required of someone reaching retirement age in `year` (Labour Code 2019 Art
    169(2), Decree 135/2020 Appendix I). The schedule starts in 2021: whoever reached 60 (men) / 55
    (women) before it retired at that age, not at the schedule's first step."""
    rule = snapshot.value("retirement_age")[gender]
    if year < rule["start_year"]:
        return rule["before_start_months"]
    months = rule["start_months"] + rule["step_months"] * (year - rule["start_year"])
    return min(months, rule["final_months"])


def final_retirement_year(snapshot: PolicySnapshot, gender: str) -> int:
    rule = snapshot.value("retirement_age")[gender]
    steps = -(-(rule["final_months"] - rule["start_months"]) // rule["step_months"])
    return rule["start_year"] + steps


def figures_on(day: date) -> Figures:
    """Template variables for the responses, as in force on `day`."""
    p = params_on(day)

    def fig(text: str, *params: Param) -> str:
        return text if weakest(*params) == "H" else text + UNCERTAIN_MARK

    rate, floor, ref = p["contribution_rate"], p["income_floor"], p["reference_level"]
    multiple, support = p["income_ceiling_multiple"], p["support_rate"]
    ceiling = ref.value * multiple.value
    floor_contribution = rate.value * floor.value
    pension, lump, survivor = p.value("pension_rate"), p["lump_sum_multiples"], p["survivor_lump_sum_multiples"]
    deadlines = p.value("payment_deadline_months")
    maternity = p.value("maternity_conditions")
    lump_conditions = p.value("lump_sum_conditions")
    retirement = p.value("retirement_age")
    transitional = p.value("transitional_retirement")
    pensioner_survivor = p.value("survivor_pensioner")
    figures = {
        "hotline": p.value("hotline"),
        "hotline_hours": p.value("hotline_hours"),
        "today_year": str(day.year),
        "contribution_rate": percent(rate.value),
        "income_floor": fig(money(floor.value), floor),
        "min_contribution": fig(money(floor_contribution), rate, floor),
        "reference_level": money(ref.value),
        "income_ceiling": money(ceiling),
        "max_contribution": money(rate.value * ceiling),
        "support_max_years": fig(str(p.value("support_max_months") // 12), p["support_max_months"]),
        "min_join_age": str(p.value("min_join_age")),
        "pension_min_years": str(p.value("pension_min_years")),
        "pension_female_base": percent(pension["female"]["base"]),
        "pension_female_base_years": str(pension["female"]["base_years"]),
        "pension_male_base": percent(pension["male"]["base"]),
        "pension_male_base_years": str(pension["male"]["base_years"]),
        "pension_step": percent(pension["male"]["step"]),
        "pension_male_short_base": percent(pension["male_under_20_years"]["base"]),
        "pension_male_short_step": percent(pension["male_under_20_years"]["step"]),
        "pension_max": percent(pension["max"]),
        "pension_female_max_years": str(_years_to_cap(pension["female"], pension["max"])),
        "pension_male_max_years": str(_years_to_cap(pension["male"], pension["max"])),
        "pension_extra_multiple": _decimal(p.value("pension_extra_payment")),
        "pension_extra_after_age_multiple": _decimal(p.value("pension_extra_after_retirement_age")),
        "average_income_min": fig(money(p.value("average_income_min")), p["average_income_min"]),
        "make_up_max_years": str(p.value("make_up_max_years")),
        "make_up_opens": _months_before_retirement_age(p.value("make_up_opens_months_before")),
        "advance_max_years": str(p.value("advance_max_years")),
        "deadline_quarter": str(deadlines[3]),
        "deadline_half_year": str(deadlines[6]),
        "deadline_year": str(deadlines[12]),
        "maternity_allowance": money(p.value("maternity_allowance")),
        "maternity_min_months": str(maternity["min_months"]),
        "maternity_window_months": str(maternity["window_months"]),
        "maternity_claim_days": str(maternity["claim_days"]),
        "funeral_allowance": money(p.value("funeral_multiple") * ref.value),
        "funeral_multiple": str(p.value("funeral_multiple")),
        "funeral_min_months": str(p.value("funeral_min_months")),
        "lump_sum_before": _decimal(lump.value["before"]),
        "lump_sum_after": _decimal(lump.value["after"]),
        "lump_sum_split_year": str(lump.value["split_year"]),
        "lump_sum_min_disability": percent(lump_conditions["min_disability"]),
        "lump_sum_transition_date": _date(lump_conditions["transition_joined_before"]),
        "lump_sum_transition_months": str(lump_conditions["transition_months_unpaid"]),
        "lump_sum_transition_years": str(lump_conditions["transition_max_years"]),
        "survivor_before": _decimal(survivor.value["before"]),
        "survivor_after": _decimal(survivor.value["after"]),
        "survivor_split_year": str(survivor.value["split_year"]),
        "survivor_refund_below_months": str(p.value("survivor_refund_below_months")),
        "survivor_mixed_career_min": _decimal(p.value("survivor_mixed_career_min")),
        "survivor_pensioner_months": str(pensioner_survivor["months"]),
        "survivor_pensioner_per_month_drawn": _decimal(pensioner_survivor["per_month_drawn"]),
        "survivor_pensioner_min_months": str(pensioner_survivor["min_months"]),
        "survivor_monthly_min_compulsory_years": str(p.value("survivor_monthly_min_compulsory_months") // 12),
        "pensioner_health_insurance": p.value("pensioner_health_insurance"),
        "form_paper": p.value("registration_forms")["paper"],
        "form_online": p.value("registration_forms")["online"],
        "income_ceiling_multiple": str(multiple.value),
        "monthly_allowance_min": money(p.value("monthly_allowance_min")),
        "monthly_allowance_health_insurance": p.value("monthly_allowance_health_insurance"),
        "social_pension_age": str(p.value("social_pension_age")["other"]),
        "social_pension_age_poor": str(p.value("social_pension_age")["poor"]),
        "book_issue_days": str(p.value("book_issue_days")),
        "retirement_step_male": f'{retirement["male"]["step_months"]} tháng',
        "retirement_step_female": f'{retirement["female"]["step_months"]} tháng',
        "retirement_age_male_now": age(retirement_age_months(p, "male", day.year)),
        "retirement_age_female_now": age(retirement_age_months(p, "female", day.year)),
        "retirement_age_male_final": age(retirement["male"]["final_months"]),
        "retirement_age_female_final": age(retirement["female"]["final_months"]),
        "retirement_final_year_male": str(final_retirement_year(p, "male")),
        "retirement_final_year_female": str(final_retirement_year(p, "female")),
        "retirement_schedule_start_year": str(retirement["male"]["start_year"]),
        "retirement_age_male_before_schedule": age(retirement["male"]["before_start_months"]),
        "retirement_age_female_before_schedule": age(retirement["female"]["before_start_months"]),
        "transitional_joined_before": _date(transitional["joined_before"]),
        "transitional_min_years": str(transitional["min_months"] // 12),
        "transitional_age_male": age(transitional["age_months"]["male"]),
        "transitional_age_female": age(transitional["age_months"]["female"]),
        "retirement_born_before_male": _born_before(retirement["male"]),
        "retirement_born_before_female": _born_before(retirement["female"]),
        "maternity_stillbirth_min_weeks": str(maternity["stillbirth_min_weeks"]),
        "law_effective_date": _date(p.value("law_in_force")),
        "electronic_book_from": fig(_date(p.value("electronic_book")), p["electronic_book"]),
        "social_pension_amount": money(p.value("social_pension_amount")),
        "spare_months_half_min": str(p.value("spare_months")["half"][0]),
        "spare_months_half_max": str(p.value("spare_months")["half"][1]),
        "spare_months_full_min": str(p.value("spare_months")["full"][0]),
        "spare_months_full_max": str(p.value("spare_months")["full"][1]),
        **_next_floor(day, rate, fig),
    }
    for group, share in support.value.items():
        figures[f"support_{group}"] = fig(percent(share), support)
        figures[f"support_{group}_amount"] = fig(money(share * floor_contribution), support, rate, floor)
        figures[f"pays_{group}_at_floor"] = fig(money((1 - share) * floor_contribution), support, rate, floor)
    for name, param in p.params.items():  # src_<parameter>: the legal basis of every parameter
        figures[f"src_{name}"] = param.source
    return Figures(figures, frozenset(k for k, v in figures.items() if v.endswith(UNCERTAIN_MARK)))


def _born_before(rule: dict) -> str:
    """The last birth month of the cohort that retired at the age before the schedule: they reached
    it in the year before the schedule started ("12/1965" for women)."""
    return f"12/{rule['start_year'] - 1 - rule['before_start_months'] // 12}"


def _next_floor(day: date, rate: Param, fig: Callable[..., str]) -> dict[str, str]:
    """The income floor of the next dated row (the 2027 floor while 2026 lasts), or the row in force
    once no later row exists; with the lowest contribution on it."""
    rows = load_rows()["income_floor"]
    later = [r for r in rows if r.start > day]
    row = min(later, key=lambda r: r.start) if later else next(r for r in rows if r.in_force(day))
    return {
        "income_floor_next": fig(money(row.value), row),
        "income_floor_next_from": _date(row.start),
        "min_contribution_next": fig(money(rate.value * row.value), rate, row),
    }


def _years_to_cap(rule: dict, cap: float) -> int:
    return rule["base_years"] + round((cap - rule["base"]) / rule["step"])


def _months_before_retirement_age(months: int) -> str:
    """1 -> 'tháng liền trước tháng đủ tuổi nghỉ hưu'."""
    before = "tháng liền trước" if months == 1 else f"{months} tháng trước"
    return f"{before} tháng đủ tuổi nghỉ hưu"


def _date(day: date) -> str:
    """date(2025, 7, 1) -> '1/7/2025'."""
    return f"{day.day}/{day.month}/{day.year}"


def _decimal(value: float) -> str:
    """1.5 -> '1,5'; 2.0 -> '2'."""
    return f"{value:g}".replace(".", ",")
