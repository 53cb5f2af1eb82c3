"""The citizen's own figures: contribution, advance payment, pension estimate, retirement date and
make-up payment (bot.policy.benefits has the one-time withdrawal, the survivor allowances and the Art 23
monthly allowance; bot.policy.situation puts them together for one person).

Pure Python on the dated policy data (bot.policy.rules); every result carries the legal sources used and,
in `notes`, codes of what it assumes (bot.policy.notes.NOTES gives their Vietnamese wording).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from bot.policy.figures import retirement_age_months
from bot.policy.formatting import money
from bot.policy.rules import PolicySnapshot, params_on, weakest


SUPPORT_GROUP_LABELS = {"poor": "hộ nghèo", "near_poor": "hộ cận nghèo",
                        "ethnic_minority": "người dân tộc thiểu số", "other": "người thuộc nhóm khác"}


class InvalidInput(ValueError):
    """A value outside what the law allows; `message` is a polite Vietnamese explanation."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class Contribution:
    income: int
    support_group: str
    period_months: int
    gross_monthly: int
    support_rate: float
    support_monthly: int
    net_monthly: int
    net_period: int
    deadline: date  # last day to pay a period that starts in the month of the calculation
    support_max_months: int
    sources: tuple[str, ...]
    certain: bool  # False when a figure rests on a row of confidence M or L


def income_range(p: PolicySnapshot) -> tuple[int, int]:
    """The lowest and highest monthly income a contribution may be based on (today's floor and ceiling)."""
    return p.value("income_floor"), p.value("reference_level") * p.value("income_ceiling_multiple")


def average_income_range(p: PolicySnapshot) -> tuple[int, int]:
    """The lowest and highest average income base a pension estimate accepts. The base covers the
    whole career, revalued, so it may be below today's floor (700,000 until 2021): never refuse it
    for that. The ceiling in force bounds it (past ceilings, revalued, stayed below it)."""
    return p.value("average_income_min"), income_range(p)[1]


def contribution(income: int, groups: list[str] | tuple[str, ...], period_months: int, on: date) -> Contribution:
    """22 % of the chosen income, minus the state support of the highest group, computed on the
    contribution at the income floor (never on the chosen income)."""
    p = params_on(on)
    floor, rate = p["income_floor"], p["contribution_rate"]
    ceiling = income_range(p)[1]
    if not floor.value <= income <= ceiling:
        raise InvalidInput(
            f"Mức thu nhập chọn để đóng phải từ {money(floor.value)} đến {money(ceiling)} một tháng."
        )
    deadlines = p.value("payment_deadline_months")
    if period_months not in deadlines:
        raise InvalidInput("Anh/chị có thể đóng hằng tháng, 3 tháng, 6 tháng hoặc 12 tháng một lần.")
    support_rates = p.value("support_rate")
    group = max(groups or ["other"], key=lambda g: support_rates.get(g, support_rates["other"]))
    group = group if group in support_rates else "other"
    gross = round(rate.value * income)
    support = round(support_rates[group] * rate.value * floor.value)
    net = gross - support
    return Contribution(
        income=income,
        support_group=group,
        period_months=period_months,
        gross_monthly=gross,
        support_rate=support_rates[group],
        support_monthly=support,
        net_monthly=net,
        net_period=net * period_months,
        deadline=_last_day(add_months(on.replace(day=1), deadlines[period_months] - 1)),
        support_max_months=p.value("support_max_months"),
        sources=tuple(dict.fromkeys(x.source for x in (rate, floor, p["support_rate"], p["payment_deadline_months"]))),
        certain=weakest(floor, p["support_rate"]) == "H",
    )


@dataclass(frozen=True)
class AdvancePayment:
    months: int
    net_monthly: int
    undiscounted: int
    amount: int  # discounted at `monthly_return` when it is known, else equal to `undiscounted`
    monthly_return: float | None
    sources: tuple[str, ...]


def advance_payment(income: int, groups: list[str] | tuple[str, ...], years: int, on: date,
                    monthly_return: float | None = None) -> AdvancePayment:
    """Paying N years at once: each month's net contribution discounted at the fund's monthly
    return, Σ net / (1 + r)^(i-1). An estimate: the official amount is computed by BHXH."""
    p = params_on(on)
    if not 1 <= years <= p.value("advance_max_years"):
        raise InvalidInput(f"Có thể đóng trước từ 1 đến {p.value('advance_max_years')} năm một lần.")
    monthly = contribution(income, groups, 1, on)
    rate = monthly_return if monthly_return is not None else p.value("fund_monthly_return")
    if rate is not None and not 0 <= rate < 1:
        raise InvalidInput("Lãi suất tháng của quỹ phải từ 0 đến dưới 1.")
    months = 12 * years
    amount = sum(monthly.net_monthly / (1 + (rate or 0)) ** i for i in range(months))
    sources = monthly.sources + (p["advance_max_years"].source, p["fund_monthly_return"].source)
    return AdvancePayment(months, monthly.net_monthly, monthly.net_monthly * months, round(amount), rate,
                          tuple(dict.fromkeys(sources)))


@dataclass(frozen=True)
class Pension:
    eligible: bool
    counted_years: float  # spare months rounded: 1-6 -> half a year, 7-11 -> a full year
    rate: float
    monthly: int
    extra_one_time: int  # Art 100: for the years beyond those that reach the maximum rate
    missing_months: int
    sources: tuple[str, ...]
    extra_years: float = 0.0  # years beyond the maximum rate
    extra_after_age_years: float = 0.0  # of which paid after reaching retirement age (2 × instead of 0.5 ×)
    notes: tuple[str, ...] = ()


def counted_years(total_months: int) -> float:
    years, spare = divmod(total_months, 12)
    return years + (0 if spare == 0 else 0.5 if spare <= 6 else 1)


def pension_rule(rules: dict, gender: str, years: float) -> dict:
    """The rate rule that applies (policy row pension_rate): men with 15-19 years have their own."""
    if gender == "male" and years < rules["male"]["base_years"]:
        return rules["male_under_20_years"]
    return rules[gender]


def pension(gender: str, total_months: int, average_income: int, on: date,
            months_after_retirement_age: int = 0) -> Pension:
    """Monthly pension estimate (Art 98-99) and the extra one-time payment (Art 100): 0.5 × the
    average income base per year beyond the years that reach 75 %, and 2 × per such year paid after
    reaching retirement age. The average income is taken as already revalued. An average of 0 gives
    the rate alone."""
    if not 0 <= months_after_retirement_age <= total_months:
        raise InvalidInput("Số tháng đóng sau tuổi nghỉ hưu phải từ 0 đến tổng số tháng đã đóng.")
    p = params_on(on)
    rules, minimum = p.value("pension_rate"), p.value("pension_min_years")
    sources = (p["pension_min_years"].source, p["pension_rate"].source, p["pension_extra_payment"].source)
    years = counted_years(total_months)
    if total_months < minimum * 12:
        return Pension(False, years, 0.0, 0, 0, minimum * 12 - total_months, sources)
    rule = pension_rule(rules, gender, years)
    rate = min(rules["max"], rule["base"] + rule["step"] * (years - rule["base_years"]))
    cap_years = rules[gender]["base_years"] + (rules["max"] - rules[gender]["base"]) / rules[gender]["step"]
    extra_years = max(0.0, years - round(cap_years))
    after_age = min(extra_years, counted_years(months_after_retirement_age))
    extra = ((extra_years - after_age) * p.value("pension_extra_payment")
             + after_age * p.value("pension_extra_after_retirement_age")) * average_income
    notes = ("average_income_revalued",) + (("extra_after_age_last_years",) if after_age else ())
    if after_age:
        sources += (p["pension_extra_after_retirement_age"].source,)
    return Pension(True, years, round(rate, 4), round(rate * average_income), round(extra), 0, sources,
                   extra_years, after_age, notes)


@dataclass(frozen=True)
class TransitionalRule:
    """Law 41/2024 Art 141(9) for one person who joined voluntary insurance before 1/1/2021."""

    age_months: int  # 60 years (men) / 55 years (women)
    age_reached: date  # first day of the month that age is reached
    missing_months: int | None  # to the 20 years; 0 when paid; None when the months paid are unknown
    years_complete: date | None  # month the last missing month is paid, paying every month from `on`
    pension_from: date | None  # the month after the later of the two; None when the months are unknown


@dataclass(frozen=True)
class Retirement:
    rule: str  # "general" (Labour Code Art 169) or "transitional" (Law 41/2024 Art 141(9))
    age_months: int  # of the rule that applies
    reached: date  # first day of the month that age is reached
    pension_from: date  # the month after reaching it (transitional: and after the 20 years are paid)
    general_age_months: int
    general_reached: date
    transitional: TransitionalRule | None  # None unless the person joined before 1/1/2021
    notes: tuple[str, ...]
    sources: tuple[str, ...]  # the rule that applies first

    @property
    def source(self) -> str:
        return self.sources[0]


def retirement(gender: str, birth_year: int, birth_month: int, on: date, *,
               joined_voluntary_year: int | None = None, joined_before_2021: bool | None = None,
               contribution_months: int | None = None) -> Retirement:
    """When the person may retire. General rule: the age required in the year they reach it (Labour
    Code Art 169(2), Decree 135/2020). Transitional rule (Art 141(9)): joined voluntary insurance
    before 1/1/2021 and at least 20 years of contributions -> 60 (men) / 55 (women); it applies when
    it gives an earlier pension. Months still missing to the 20 years are assumed paid every month
    from `on`."""
    if not 1 <= birth_month <= 12:
        raise InvalidInput("Tháng sinh phải từ 1 đến 12.")
    if contribution_months is not None and contribution_months < 0:
        raise InvalidInput("Số tháng đã đóng không thể âm.")
    p = params_on(on)
    birth = date(birth_year, birth_month, 1)
    general_months, general_reached = _general_retirement(p, gender, birth)
    general_from = add_months(general_reached, 1)
    sources = (p["retirement_age"].source,)
    rule = p.value("transitional_retirement")
    if joined_voluntary_year is not None:
        joined_before_2021 = joined_voluntary_year < rule["joined_before"].year
    notes: tuple[str, ...] = ()
    transitional = None
    if joined_before_2021 is None:
        notes = ("transitional_join_unknown",)
    elif joined_before_2021:
        transitional = _transitional(rule, gender, birth, contribution_months, on)
        if contribution_months is None:
            notes = ("transitional_months_unknown",)
        elif transitional.missing_months:
            notes = ("paying_monthly_from_now",)
    if transitional and transitional.pension_from and transitional.pension_from < general_from:
        return Retirement("transitional", transitional.age_months, transitional.age_reached,
                          transitional.pension_from, general_months, general_reached, transitional, notes,
                          (p["transitional_retirement"].source,) + sources)
    return Retirement("general", general_months, general_reached, general_from, general_months, general_reached,
                      transitional, notes + ("general_needs_min_years",), sources)


def _general_retirement(p: PolicySnapshot, gender: str, birth: date) -> tuple[int, date]:
    """The age required is the one in force in the year the person reaches it (Decree 135/2020)."""
    for year in range(birth.year + 50, birth.year + 70):
        required = retirement_age_months(p, gender, year)
        reached = add_months(birth, required)
        if reached.year <= year:
            return required, reached
    raise InvalidInput("Năm sinh này nằm ngoài lộ trình tuổi nghỉ hưu.")


def _transitional(rule: dict, gender: str, birth: date, months: int | None, on: date) -> TransitionalRule:
    age_months = rule["age_months"][gender]
    age_reached = add_months(birth, age_months)
    if months is None:
        return TransitionalRule(age_months, age_reached, None, None, None)
    missing = max(0, rule["min_months"] - months)
    complete = add_months(on.replace(day=1), missing - 1) if missing else None
    return TransitionalRule(age_months, age_reached, missing, complete,
                            add_months(max(age_reached, complete or age_reached), 1))


@dataclass(frozen=True)
class MakeUp:
    status: str  # "enough", "eligible", "too_many_missing" or "before_retirement_age"
    missing_months: int
    retirement: Retirement
    opens: date  # first month the missing years may be paid: the month before reaching retirement age
    sources: tuple[str, ...]


def make_up(gender: str, birth_year: int, birth_month: int, total_months: int, on: date) -> MakeUp:
    """Whether the missing years may be paid at once: at most 5 years missing, from the month before
    the month the person reaches retirement age (Art 36(3)(e); Decree 159/2025 Art 7)."""
    p = params_on(on)
    needed = p.value("pension_min_years") * 12
    missing = max(0, needed - total_months)
    reached = retirement(gender, birth_year, birth_month, on, joined_before_2021=False)
    opens = add_months(reached.general_reached, -p.value("make_up_opens_months_before"))
    sources = (p["make_up_max_years"].source, p["make_up_opens_months_before"].source, p["pension_min_years"].source)
    if missing == 0:
        status = "enough"
    elif missing > p.value("make_up_max_years") * 12:
        status = "too_many_missing"
    elif opens > on:
        status = "before_retirement_age"
    else:
        status = "eligible"
    return MakeUp(status, missing, reached, opens, sources)


@dataclass(frozen=True)
class MakeUpCost:
    missing_months: int
    income: int
    monthly: int  # 22 % of the income
    uncompounded: int  # missing months × monthly: a LOWER bound (the fund's interest is added)
    state_support_deducted: bool | None  # None: not settled by our sources, so nothing is deducted
    notes: tuple[str, ...]
    sources: tuple[str, ...]
    certain: bool


def make_up_cost(missing_months: int, income: int | None, on: date) -> MakeUpCost:
    """Rough cost of paying the missing months at once: each month 22 % of the chosen income (the
    floor when none is given), compounded at the fund's monthly return (Decree 159/2025 Art 7). That
    return is not in our sources, so the sum is given uncompounded, as an estimate below the official
    amount, which BHXH computes. Whether the state support applies is not settled: not deducted."""
    p = params_on(on)
    limit = p.value("make_up_max_years") * 12
    if not 1 <= missing_months <= limit:
        raise InvalidInput(f"Chỉ được đóng một lần cho những năm còn thiếu khi thiếu không quá "
                           f"{p.value('make_up_max_years')} năm.")
    floor, ceiling = income_range(p)
    notes: tuple[str, ...] = ()
    if income is None:
        income, notes = floor, ("make_up_at_floor",)
    elif not floor <= income <= ceiling:
        raise InvalidInput(f"Mức thu nhập chọn để đóng phải từ {money(floor)} đến {money(ceiling)} một tháng.")
    rate, support = p["contribution_rate"], p["make_up_state_support"]
    monthly = round(rate.value * income)
    notes += ("make_up_uncompounded",) + (("make_up_support_unsettled",) if support.value is None else ())
    sources = (p["make_up_max_years"].source, p["make_up_compounded"].source, rate.source,
               p["fund_monthly_return"].source, support.source)
    return MakeUpCost(missing_months, income, monthly, monthly * missing_months, support.value, notes,
                      tuple(dict.fromkeys(sources)),
                      weakest(rate, p["income_floor"], p["make_up_compounded"]) == "H")


def add_months(day: date, months: int) -> date:
    """The first day of the month `months` after (or before) the month of `day`."""
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def _last_day(first_of_month: date) -> date:
    return date.fromordinal(add_months(first_of_month, 1).toordinal() - 1)
