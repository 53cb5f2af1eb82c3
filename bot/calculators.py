"""The citizen's own figures: contribution, advance payment, pension estimate, retirement date and
make-up payment.

Pure Python on the dated policy data (bot.policy); every result carries the legal sources used.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from bot.figures import retirement_age_months
from bot.formatting import money
from bot.policy import PolicySnapshot, params_on


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
    certain: bool


def income_range(p: PolicySnapshot) -> tuple[int, int]:
    """The lowest and highest monthly income a contribution may be based on."""
    return p.value("income_floor"), p.value("reference_level") * p.value("income_ceiling_multiple")


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
        deadline=_last_day(_add_months(on.replace(day=1), deadlines[period_months] - 1)),
        support_max_months=p.value("support_max_months"),
        sources=tuple(dict.fromkeys(x.source for x in (rate, floor, p["support_rate"], p["payment_deadline_months"]))),
        certain=floor.certain,
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
    extra_one_time: int
    missing_months: int
    sources: tuple[str, ...]


def counted_years(total_months: int) -> float:
    years, spare = divmod(total_months, 12)
    return years + (0 if spare == 0 else 0.5 if spare <= 6 else 1)


def pension(gender: str, total_months: int, average_income: int, on: date) -> Pension:
    """Monthly pension estimate; the average income is taken as already revalued."""
    p = params_on(on)
    rules, minimum = p.value("pension_rate"), p.value("pension_min_years")
    sources = (p["pension_min_years"].source, p["pension_rate"].source, p["pension_extra_payment"].source)
    years = counted_years(total_months)
    if total_months < minimum * 12:
        return Pension(False, years, 0.0, 0, 0, minimum * 12 - total_months, sources)
    rule = rules[gender]
    if gender == "male" and years < rule["base_years"]:
        rule = rules["male_under_20_years"]
    rate = min(rules["max"], rule["base"] + rule["step"] * (years - rule["base_years"]))
    cap_years = rules[gender]["base_years"] + (rules["max"] - rules[gender]["base"]) / rules[gender]["step"]
    extra = max(0.0, years - round(cap_years)) * p.value("pension_extra_payment") * average_income
    return Pension(True, years, round(rate, 4), round(rate * average_income), round(extra), 0, sources)


@dataclass(frozen=True)
class Retirement:
    age_months: int
    reached: date  # first day of the month the age is reached
    pension_from: date
    source: str


def retirement(gender: str, birth_year: int, birth_month: int, on: date) -> Retirement:
    """The age required is the one in force in the year the person reaches it (Decree 135/2020)."""
    if not 1 <= birth_month <= 12:
        raise InvalidInput("Tháng sinh phải từ 1 đến 12.")
    p = params_on(on)
    birth = date(birth_year, birth_month, 1)
    for year in range(birth_year + 50, birth_year + 70):
        required = retirement_age_months(p, gender, year)
        reached = _add_months(birth, required)
        if reached.year <= year:
            return Retirement(required, reached, _add_months(reached, 1), p["retirement_age"].source)
    raise InvalidInput("Năm sinh này nằm ngoài lộ trình tuổi nghỉ hưu.")


@dataclass(frozen=True)
class MakeUp:
    status: str  # "enough", "eligible", "too_many_missing" or "before_retirement_age"
    missing_months: int
    retirement: Retirement
    sources: tuple[str, ...]


def make_up(gender: str, birth_year: int, birth_month: int, total_months: int, on: date) -> MakeUp:
    """Whether the missing years may be paid at once (only at retirement age, at most 5 years)."""
    p = params_on(on)
    needed = p.value("pension_min_years") * 12
    missing = max(0, needed - total_months)
    reached = retirement(gender, birth_year, birth_month, on)
    sources = (p["make_up_max_years"].source, p["pension_min_years"].source)
    if missing == 0:
        status = "enough"
    elif missing > p.value("make_up_max_years") * 12:
        status = "too_many_missing"
    elif reached.reached > on:
        status = "before_retirement_age"
    else:
        status = "eligible"
    return MakeUp(status, missing, reached, sources)


def _add_months(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def _last_day(first_of_month: date) -> date:
    return date.fromordinal(_add_months(first_of_month, 1).toordinal() - 1)
