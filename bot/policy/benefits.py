"""What the fund pays besides the pension: the one-time withdrawal (Art 102), the one-time survivor
allowance and the funeral allowance (Art 109-111) and the Art 23 monthly allowance for people at
retirement age without enough years.

Pure Python on the dated policy data, like bot.policy.calculators: every result names its sources and, in
`notes`, codes of what it assumes (bot.policy.notes.NOTES).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from bot.policy.calculators import InvalidInput, add_months, counted_years, retirement
from bot.policy.rules import PolicySnapshot, params_on, weakest

# The cases of Art 102(1) in which a one-time withdrawal is allowed, with their letter in the law.
WITHDRAWAL_CASES = {
    "retirement_age": "a",  # reached retirement age with fewer than 15 years of contributions
    "emigrating": "b",  # leaving to settle abroad
    "serious_illness": "c",  # cancer, polio, decompensated cirrhosis, severe tuberculosis, AIDS
    "severe_disability": "d",  # at least 81 % loss of working capacity, or a very severe disability
    "stopped_12_months": "đ",  # contributed before 1/7/2025, 12 months without contributing, < 20 years
}
WITHDRAWAL_CASE_LABELS = {
    "retirement_age": "đủ tuổi nghỉ hưu mà chưa đủ số năm đóng để hưởng lương hưu",
    "emigrating": "ra nước ngoài để định cư",
    "serious_illness": "mắc bệnh ung thư, bại liệt, xơ gan mất bù, lao nặng hoặc AIDS",
    "severe_disability": "suy giảm khả năng lao động nặng hoặc khuyết tật đặc biệt nặng",
    "stopped_12_months": "đã đóng trước ngày luật mới có hiệu lực, sau một năm không đóng và chưa đủ số năm quy định",
}
# What a person who may not withdraw (or who has another route) can do instead.
ALTERNATIVE_LABELS = {
    "pension": "hưởng lương hưu khi đủ tuổi nghỉ hưu",
    "keep_paying": "tiếp tục đóng cho đủ số năm để hưởng lương hưu",
    "make_up": "khi đủ tuổi nghỉ hưu, đóng một lần cho những năm còn thiếu (nếu thiếu không quá số năm quy định)",
    "monthly_allowance": "khi đủ tuổi nghỉ hưu, nhận trợ cấp hằng tháng từ chính số tiền đã đóng",
}


def split_years(months_before_2014: int, months_from_2014: int) -> tuple[int, float, bool]:
    """Whole years before 2014, counted years from 2014 (the spare months before 2014 join them)."""
    if months_before_2014 < 0 or months_from_2014 < 0:
        raise InvalidInput("Số tháng đã đóng không thể âm.")
    years_before, spare = divmod(months_before_2014, 12)
    return years_before, counted_years(months_from_2014 + spare), spare > 0


def _per_year_amount(multiples: dict, years_before: float, years_from: float, average_income: int) -> int:
    return round((multiples["before"] * years_before + multiples["after"] * years_from) * average_income)


@dataclass(frozen=True)
class Withdrawal:
    allowed: bool
    case: str | None  # a key of WITHDRAWAL_CASES
    refusal: str | None  # why not: "no_case", "enough_for_pension", "twenty_years_or_more",
    # "joined_from_july_2025", "not_12_months_stopped"
    years_before_2014: float
    years_from_2014: float
    gross: int  # 1.5 / 2 months of the average income base per year, before any deduction (0 if refused)
    support_deducted: bool  # the law deducts the state support received in this case
    state_support_received: int | None
    amount: int | None  # what is paid; None when the support to deduct is unknown or the withdrawal refused
    alternatives: tuple[str, ...]  # keys of ALTERNATIVE_LABELS
    notes: tuple[str, ...]
    sources: tuple[str, ...]


def one_time_withdrawal(case: str | None, months_before_2014: int, months_from_2014: int, average_income: int,
                        on: date, *, state_support_received: int | None = None,
                        joined_before_july_2025: bool | None = None,
                        months_without_contributing: int | None = None) -> Withdrawal:
    """One-time withdrawal (Art 102): ONLY in the cases of WITHDRAWAL_CASES. 1.5 months of the
    average income base per year paid before 2014, 2 months per year from 2014; the state support
    received is deducted except for a serious illness or a severe disability. A person in no case is
    refused, with the alternatives (keep paying, make-up at retirement age, the Art 23 allowance)."""
    if case is not None and case not in WITHDRAWAL_CASES:
        raise InvalidInput("Trường hợp rút BHXH một lần không có trong luật.")
    if state_support_received is not None and state_support_received < 0:
        raise InvalidInput("Số tiền Nhà nước đã hỗ trợ không thể âm.")
    p = params_on(on)
    years_before, years_from, spare_before = split_years(months_before_2014, months_from_2014)
    total = months_before_2014 + months_from_2014
    conditions = p.value("lump_sum_conditions")
    pension_months = p.value("pension_min_years") * 12
    sources = (p["lump_sum_conditions"].source,)
    notes: tuple[str, ...] = ()
    refusal = None
    if case is None:
        refusal = "no_case"
    elif case == "retirement_age" and total >= pension_months:
        refusal = "enough_for_pension"
    elif case == "stopped_12_months":
        if total >= conditions["transition_max_years"] * 12:
            refusal = "twenty_years_or_more"
        elif joined_before_july_2025 is False:
            refusal = "joined_from_july_2025"
        elif months_without_contributing is not None and months_without_contributing < conditions["transition_months_unpaid"]:
            refusal = "not_12_months_stopped"
        else:
            notes += (("assumed_joined_before_july_2025",) if joined_before_july_2025 is None else ()) + \
                     (("assumed_12_months_stopped",) if months_without_contributing is None else ())
    if refusal:
        alternatives = ("pension",) if total >= pension_months else ("keep_paying", "make_up", "monthly_allowance")
        return Withdrawal(False, case, refusal, years_before, years_from, 0, False, state_support_received, None,
                          alternatives, (), sources)
    multiples = p["lump_sum_multiples"]
    gross = _per_year_amount(multiples.value, years_before, years_from, average_income)
    deducted = case not in p.value("lump_sum_support_kept")
    if not deducted:
        amount, notes = gross, notes + ("support_not_deducted",)
    elif state_support_received is None:
        amount, notes = None, notes + ("support_deducted_unknown",)
    else:
        amount = max(0, gross - state_support_received)
    notes += ("average_income_revalued",) + (("spare_months_before_2014",) if spare_before else ())
    alternatives = ("make_up", "monthly_allowance") if case == "retirement_age" else ()
    sources += (multiples.source, p["lump_sum_support_kept"].source)
    return Withdrawal(True, case, None, years_before, years_from, gross, deducted, state_support_received, amount,
                      alternatives, notes, tuple(dict.fromkeys(sources)))


@dataclass(frozen=True)
class SurvivorAllowance:
    deceased: str  # "contributor" or "pensioner"
    amount: int | None  # one-time survivor allowance; None when it is what was paid in and that is unknown
    refund_of_contributions: bool  # under 60 months of contributions: what was paid in
    minimum: int  # the least the law gives (mixed career: 3 × average; pensioner: 3 months of pension)
    months_of_pension: float | None  # pensioner: 48 - 0.5 per month drawn, at least 3
    funeral: int  # 10 × reference level, or 0 when not entitled (under 60 months)
    monthly_possible: bool  # enough COMPULSORY years for the monthly survivor allowance (Art 111)
    notes: tuple[str, ...]
    sources: tuple[str, ...]


def survivor_of_contributor(months_before_2014: int, months_from_2014: int, average_income: int, on: date, *,
                            compulsory_months: int = 0, paid_in: int | None = None) -> SurvivorAllowance:
    """A contributor who dies (Art 109-111): 1.5 × the average income base per year before 2014,
    2 × per year from 2014; under 60 months the relatives get what was paid in (`paid_in`, if known);
    a career with both compulsory and voluntary years gets at least 3 × the average income base.
    Funeral allowance with at least 60 months. The monthly survivor allowance needs 15 years of
    compulsory contributions: never on voluntary ones alone."""
    total = months_before_2014 + months_from_2014
    if not 0 <= compulsory_months <= total:
        raise InvalidInput("Số tháng đóng bắt buộc phải từ 0 đến tổng số tháng đã đóng.")
    if paid_in is not None and paid_in < 0:
        raise InvalidInput("Số tiền đã đóng không thể âm.")
    p = params_on(on)
    years_before, years_from, spare_before = split_years(months_before_2014, months_from_2014)
    mixed = 0 < compulsory_months < total
    minimum = round(p.value("survivor_mixed_career_min") * average_income) if mixed else 0
    refund = total < p.value("survivor_refund_below_months")
    notes: tuple[str, ...] = ("average_income_revalued",)
    if refund:
        amount = None if paid_in is None else max(paid_in, minimum)
        notes += ("refund_of_contributions",)
    else:
        amount = max(_per_year_amount(p.value("survivor_lump_sum_multiples"), years_before, years_from,
                                      average_income), minimum)
        notes += ("spare_months_before_2014",) if spare_before else ()
    if mixed:
        notes += ("mixed_career_minimum",)
    funeral = 0 if total < p.value("funeral_min_months") else _funeral(p)
    monthly = compulsory_months >= p.value("survivor_monthly_min_compulsory_months")
    notes += ("monthly_survivor_possible",) if monthly else ("monthly_survivor_not_on_voluntary",)
    names = ("survivor_lump_sum_multiples", "survivor_refund_below_months", "survivor_mixed_career_min",
             "funeral_multiple", "survivor_monthly_min_compulsory_months")
    return SurvivorAllowance("contributor", amount, refund, minimum, None, funeral, monthly, notes,
                             tuple(dict.fromkeys(p[n].source for n in names)))


def survivor_of_pensioner(monthly_pension: int, months_drawn: int, on: date, *,
                          compulsory_months: int = 0) -> SurvivorAllowance:
    """A pensioner who dies (Art 110(4), Art 109): 48 months of pension minus 0.5 month per month
    already drawn, at least 3 months; funeral allowance; monthly survivor allowance only with 15
    years of compulsory contributions (Art 111)."""
    if monthly_pension <= 0 or months_drawn < 0 or compulsory_months < 0:
        raise InvalidInput("Lương hưu phải lớn hơn 0; số tháng đã nhận không thể âm.")
    p = params_on(on)
    rule = p.value("survivor_pensioner")
    months = max(rule["min_months"], rule["months"] - rule["per_month_drawn"] * months_drawn)
    monthly = compulsory_months >= p.value("survivor_monthly_min_compulsory_months")
    notes = ("monthly_survivor_possible",) if monthly else ("monthly_survivor_not_on_voluntary",)
    names = ("survivor_pensioner", "funeral_multiple", "survivor_monthly_min_compulsory_months")
    return SurvivorAllowance("pensioner", round(months * monthly_pension), False,
                             rule["min_months"] * monthly_pension, months, _funeral(p), monthly, notes,
                             tuple(dict.fromkeys(p[n].source for n in names)))


def _funeral(p: PolicySnapshot) -> int:
    return p.value("funeral_multiple") * p.value("reference_level")


@dataclass(frozen=True)
class MonthlyAllowance:
    status: str  # "open" (retirement age reached, fewer than 15 years), "before_retirement_age",
    # "enough_for_pension"
    opens: date  # the month retirement age is reached
    minimum: int  # per month: the social pension level
    social_pension_age: int  # years (70 for poor and near-poor households, else 75)
    social_pension_from: date  # the month that age is reached: the allowance is paid at most until then
    duration_computed_by: str  # BHXH computes the duration from the person's own contributions
    top_up_lump_sum: bool  # if the money runs out earlier, a lump sum may be paid for the rest
    health_insurance_paid_by: str
    notes: tuple[str, ...]
    sources: tuple[str, ...]
    certain: bool


def monthly_allowance(gender: str, birth_year: int, birth_month: int, total_months: int, on: date, *,
                      poor_or_near_poor: bool = False) -> MonthlyAllowance:
    """The Art 23 monthly allowance (Decree 159/2025 Art 14) for a person at retirement age with
    fewer than 15 years who does not withdraw: at least the social pension level a month, paid from
    their own contributions for a time BHXH computes (no formula here), at most until the social pension
    age; health insurance paid by the state meanwhile."""
    if total_months < 0:
        raise InvalidInput("Số tháng đã đóng không thể âm.")
    p = params_on(on)
    reached = retirement(gender, birth_year, birth_month, on, joined_before_2021=False).general_reached
    if total_months >= p.value("pension_min_years") * 12:
        status = "enough_for_pension"
    else:
        status = "open" if reached <= on else "before_retirement_age"
    age = p.value("social_pension_age")["poor" if poor_or_near_poor else "other"]
    duration = p.value("monthly_allowance_duration")
    minimum, coverage = p["monthly_allowance_min"], p["monthly_allowance_health_insurance"]
    names = ("monthly_allowance_min", "monthly_allowance_duration", "social_pension_age",
             "monthly_allowance_health_insurance")
    return MonthlyAllowance(
        status=status,
        opens=reached,
        minimum=minimum.value,
        social_pension_age=age,
        social_pension_from=add_months(date(birth_year, birth_month, 1), 12 * age),
        duration_computed_by=duration["computed_by"],
        top_up_lump_sum=duration["top_up_lump_sum"],
        health_insurance_paid_by=coverage.value,
        notes=("allowance_duration_by_bhxh", "allowance_top_up", "allowance_instead_of_withdrawal"),
        sources=tuple(dict.fromkeys(p[n].source for n in names)),
        certain=weakest(minimum, p["monthly_allowance_duration"]) == "H",
    )
