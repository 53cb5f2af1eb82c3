"""'My situation': what the law means for one person, from whatever they have said about themselves.

`assess(facts, on)` puts the calculators together: when they reach retirement age (general rule or
the transitional rule of Law 41/2024 Art 141(9); from an age alone, a range), whether they have
reached it, how many months they miss to 15 years, and then the routes the law gives them in order:
the pension (rate, and amount when an income is known), keep paying (and when they reach 15 years
paying monthly), the make-up payment (at most 5 years missing, from the month before retirement
age, with its rough cost), the Art 23 monthly allowance, and the one-time withdrawal ONLY where Art
102 allows it (retirement age reached with fewer than 15 years). Typed data for the dialogue; the
`formatted` dict gives the figures written the Vietnamese way (bot.policy.formatting).
"""
from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date

from bot.language.target_groups import groups
from bot.policy.benefits import MonthlyAllowance, monthly_allowance
from bot.policy.calculators import (Contribution, MakeUpCost, Pension, Retirement, add_months, average_income_range,
                                    contribution, income_range, make_up_cost, pension, retirement)
from bot.policy.formatting import age, money, percent, years_months
from bot.policy.rules import distinct_sources, params_on

STATUSES = ("entitled_now", "entitled_now_or_soon", "entitled_later", "short_of_years", "incomplete")
OPTIONS = ("pension", "keep_paying", "make_up", "monthly_allowance", "withdrawal")
POOR_GROUPS = ("poor", "near_poor")  # target groups whose social pension age is the lower one


@dataclass(frozen=True)
class Facts:
    """What the person said; every field optional."""

    gender: str | None = None  # "male" or "female"
    age: int | None = None  # in years, used when the year of birth is not known
    birth_year: int | None = None
    birth_month: int | None = None
    contribution_months: int | None = None  # every month paid, compulsory ones included (they add up)
    compulsory_months: int | None = None  # of which compulsory
    joined_voluntary_year: int | None = None
    income: int | None = None  # the income chosen to pay on; for the pension, the average income base
    target_group: str | None = None  # a key of bot/data/target_groups.yml


@dataclass(frozen=True)
class RetirementWindow:
    """Retirement for the earliest and the latest birth month the facts allow (the same when the
    month and year of birth are known)."""

    exact: bool
    earliest: Retirement
    latest: Retirement
    reached: bool | None  # the rule that applies is met by `on` (age, and the years for Art 141(9)); None: cannot tell
    general_reached: bool | None  # the general retirement age (make-up, Art 23 allowance, withdrawal) is reached


@dataclass(frozen=True)
class Situation:
    status: str  # one of STATUSES
    rule: str | None  # "general" or "transitional" (Art 141(9)); None without birth and gender
    retirement: RetirementWindow | None  # None without gender and birth year or age
    contribution_months: int | None
    missing_months: int | None  # to 15 years, now (0 when enough)
    fifteen_years_by: date | None  # month the last missing month is paid, paying every month from `on`
    missing_at_retirement: int | None  # still missing on reaching retirement age if paying monthly until then
    make_up_opens: date | None  # the month before the (earliest possible) month retirement age is reached
    make_up_open_now: bool
    make_up: MakeUpCost | None  # when at most 5 years are missing at retirement age
    keep_paying: Contribution | None  # one month's contribution at the income given (else the floor)
    allowance: MonthlyAllowance | None  # Art 23, when short of years
    withdrawal_case: str | None  # "retirement_age" where Art 102(1)(a) allows a one-time withdrawal
    pension: Pension | None  # at the months they will have when entitled; amount only with an income
    options: tuple[str, ...]  # what the person can do, in order; keys of OPTIONS
    missing_facts: tuple[str, ...]  # what would make the answer exact: "gender", "birth", "birth_month",
    # "contribution_months", "joined_voluntary_year"
    notes: tuple[str, ...]  # codes of bot.policy.notes.NOTES
    sources: tuple[str, ...]
    formatted: dict[str, str] = field(default_factory=dict)


def assess(facts: Facts, on: date) -> Situation:
    """The person's situation on `on` from the facts known (see the module's docstring)."""
    p = params_on(on)
    month = on.replace(day=1)
    notes: list[str] = []
    missing_facts: list[str] = []
    total = facts.contribution_months if facts.contribution_months is not None else facts.compulsory_months
    if facts.contribution_months is None and facts.compulsory_months is not None:
        notes.append("total_is_compulsory")
    if total is None:
        missing_facts.append("contribution_months")
    if facts.compulsory_months:
        notes.append("compulsory_other_rules")
    window = _window(facts, on, total, missing_facts, notes)
    chosen_income = _within(facts.income, income_range(p), notes)
    average_income = _within(facts.income, average_income_range(p), notes)
    needed = p.value("pension_min_years") * 12
    draft = _Draft(facts, on, window, total)

    if total is None or (window is None and total >= needed):
        status = "incomplete"
    elif window and window.latest.rule == "transitional":
        status = draft.entitled([r.transitional.pension_from for r in (window.earliest, window.latest)], month)
        still = window.latest.transitional.missing_months
        draft.options = ("keep_paying", "pension") if still else ("pension",)
        draft.pension_at(total + still, average_income)
    elif total >= needed:
        status = draft.entitled([add_months(r.general_reached, 1) for r in (window.earliest, window.latest)], month)
        draft.options = ("pension",)
        draft.pension_at(total, average_income)
    else:
        status = draft.short(needed - total, chosen_income)
        if status == "entitled_later":
            draft.pension_at(needed, average_income)
    if "keep_paying" in draft.options:
        draft.keep_paying = _monthly_contribution(chosen_income, facts.target_group, on)
    situation = Situation(
        status=status,
        rule=window.latest.rule if window else None,
        retirement=window,
        contribution_months=total,
        missing_months=None if total is None else max(0, needed - total),
        fifteen_years_by=draft.fifteen_years_by,
        missing_at_retirement=draft.missing_at_retirement,
        make_up_opens=draft.make_up_opens,
        make_up_open_now=draft.make_up_open_now,
        make_up=draft.make_up,
        keep_paying=draft.keep_paying,
        allowance=draft.allowance,
        withdrawal_case=draft.withdrawal_case,
        pension=draft.pension,
        options=draft.options,
        missing_facts=tuple(missing_facts),
        notes=tuple(n for n in dict.fromkeys(notes + draft.notes(needed))
                    if n != "transitional_join_unknown" or "joined_voluntary_year" in missing_facts),
        sources=draft.sources(),
    )
    return _with_formatted(situation, average_income is not None)


class _Draft:
    """The parts of a Situation worked out one route at a time."""

    def __init__(self, facts: Facts, on: date, window: RetirementWindow | None, total: int | None) -> None:
        self.facts, self.on, self.window, self.total = facts, on, window, total
        self.options: tuple[str, ...] = ()
        self.fifteen_years_by: date | None = None
        self.missing_at_retirement: int | None = None
        self.make_up_opens: date | None = None
        self.make_up_open_now = False
        self.make_up: MakeUpCost | None = None
        self.keep_paying: Contribution | None = None
        self.allowance: MonthlyAllowance | None = None
        self.withdrawal_case: str | None = None
        self.pension: Pension | None = None

    def entitled(self, pension_from: list[date | None], month: date) -> str:
        """entitled_now when the conditions are met at the latest possible birth month."""
        earliest, latest = (add_months(d, -1) for d in pension_from)
        if latest <= month:
            return "entitled_now"
        return "entitled_later" if earliest > month else "entitled_now_or_soon"

    def pension_at(self, months: int, average_income: int | None) -> None:
        self.pension = pension(self.facts.gender, months, average_income or 0, self.on)

    def short(self, missing: int, chosen_income: int | None) -> str:
        """Fewer than 15 years under the general rule: keep paying, make-up, Art 23, withdrawal."""
        month = self.on.replace(day=1)
        p = params_on(self.on)
        self.fifteen_years_by = add_months(month, missing - 1)
        window = self.window
        if window is None:
            self.options = ("keep_paying",)
            return "short_of_years"
        earliest = window.earliest.general_reached
        reached = window.general_reached
        paid_before = 0 if reached else max(0, _months_between(month, earliest))
        self.missing_at_retirement = at_retirement = max(0, missing - paid_before)
        if at_retirement == 0:
            self.options = ("keep_paying", "pension")
            return "entitled_later"
        opens_before = p.value("make_up_opens_months_before")
        self.make_up_opens = add_months(earliest, -opens_before)
        make_up_possible = at_retirement <= p.value("make_up_max_years") * 12
        self.make_up_open_now = make_up_possible and add_months(window.latest.general_reached, -opens_before) <= month
        if make_up_possible:
            self.make_up = make_up_cost(at_retirement, chosen_income, self.on)
        latest_birth = _birth_of(window.latest)
        self.allowance = monthly_allowance(self.facts.gender, latest_birth.year, latest_birth.month, self.total,
                                           self.on, poor_or_near_poor=self.facts.target_group in POOR_GROUPS)
        make_up = ("make_up",) if make_up_possible else ()
        if reached:
            self.withdrawal_case = "retirement_age"
            self.options = make_up + ("keep_paying", "monthly_allowance", "withdrawal")
        else:
            self.options = ("keep_paying",) + make_up + ("monthly_allowance",)
        return "short_of_years"

    def notes(self, needed: int) -> list[str]:
        found = list(self.window.latest.notes if self.window else ())
        if self.total is not None and self.total >= needed:  # the general rule's years are there
            found = [n for n in found if n != "general_needs_min_years"]
        for part in (self.make_up, self.allowance, self.pension):
            found += list(getattr(part, "notes", ()) or ())
        if self.fifteen_years_by or (self.window and self.window.latest.rule == "transitional"
                                     and self.window.latest.transitional.missing_months):
            found.append("paying_monthly_from_now")
        return found

    def sources(self) -> tuple[str, ...]:
        found = list(self.window.latest.sources if self.window else ())
        for part in (self.pension, self.make_up, self.keep_paying, self.allowance):
            found += list(getattr(part, "sources", ()) or ())
        if self.make_up_opens:
            found.append(params_on(self.on)["make_up_opens_months_before"].source)
        if self.withdrawal_case:
            found.append(params_on(self.on)["lump_sum_conditions"].source)
        return distinct_sources(*found)


def _window(facts: Facts, on: date, total: int | None, missing_facts: list[str], notes: list[str]) -> RetirementWindow | None:
    births = _birth_range(facts, on, missing_facts, notes)
    if facts.gender not in ("male", "female"):
        missing_facts.insert(0, "gender")
        return None
    if births is None:
        return None
    first, last = (retirement(facts.gender, b.year, b.month, on, joined_voluntary_year=facts.joined_voluntary_year,
                              contribution_months=total) for b in births)
    month = on.replace(day=1)
    window = RetirementWindow(
        exact=births[0] == births[1],
        earliest=first,
        latest=last,
        reached=_reached(add_months(first.pension_from, -1), add_months(last.pension_from, -1), month),
        general_reached=_reached(first.general_reached, last.general_reached, month),
    )
    transitional_could_matter = (  # the 20 years of Art 141(9) can be reached before the general age
        total is not None and not window.general_reached
        and total + max(0, _months_between(month, last.general_reached)) >= params_on(on).value(
            "transitional_retirement")["min_months"])
    if facts.joined_voluntary_year is None and transitional_could_matter:
        missing_facts.append("joined_voluntary_year")
    return window


def _birth_range(facts: Facts, on: date, missing_facts: list[str], notes: list[str]) -> tuple[date, date] | None:
    """The earliest and latest month of birth the facts allow."""
    if facts.birth_year is not None and facts.birth_month is not None:
        birth = date(facts.birth_year, facts.birth_month, 1)
        return birth, birth
    if facts.birth_year is not None:
        missing_facts.append("birth_month")
        notes.append("birth_month_unknown")
        return date(facts.birth_year, 1, 1), date(facts.birth_year, 12, 1)
    if facts.age is not None:  # aged A today: born after this day A+1 years ago, at the latest A years ago
        missing_facts.append("birth")
        notes.append("age_only_approximate")
        month = on.replace(day=1)
        return add_months(month, -12 * (facts.age + 1)), add_months(month, -12 * facts.age)
    missing_facts.append("birth")
    return None


def _birth_of(result: Retirement) -> date:
    """The birth month a retirement result was computed for (general age reached minus the age)."""
    return add_months(result.general_reached, -result.general_age_months)


def _reached(earliest: date, latest: date, month: date) -> bool | None:
    if latest <= month:
        return True
    return False if earliest > month else None


def _months_between(start: date, end: date) -> int:
    return (end.year - start.year) * 12 + end.month - start.month


def _within(income: int | None, bounds: tuple[int, int], notes: list[str]) -> int | None:
    if income is None:
        return None
    if bounds[0] <= income <= bounds[1]:
        return income
    notes.append("income_ignored")
    return None


def _monthly_contribution(income: int | None, target_group: str | None, on: date) -> Contribution:
    known = groups()
    support = [known[target_group].support] if target_group in known else ["other"]
    return contribution(income or income_range(params_on(on))[0], support, 1, on)


def _month(day: date) -> str:
    return f"{day.month}/{day.year}"


def _span(first: str, last: str) -> str:
    return first if first == last else f"{first} – {last}"


def _with_formatted(s: Situation, income_known: bool) -> Situation:
    """The figures of the situation written for Vietnamese readers, by placeholder name."""
    out: dict[str, str] = {}
    if s.retirement:
        first, last = s.retirement.earliest, s.retirement.latest
        out["retirement_age"] = _span(age(first.age_months), age(last.age_months))
        out["reached"] = _span(_month(first.reached), _month(last.reached))
        if s.status != "short_of_years":  # the pension waits for the years, not only the age
            out["pension_from"] = _span(_month(first.pension_from), _month(last.pension_from))
        out["general_retirement_age"] = _span(age(first.general_age_months), age(last.general_age_months))
        out["general_reached"] = _span(_month(first.general_reached), _month(last.general_reached))
    if s.contribution_months is not None:
        out["duration"] = years_months(s.contribution_months) if s.contribution_months else "0 tháng"
    if s.missing_months:
        out["missing"] = years_months(s.missing_months)
    if s.missing_at_retirement:
        out["missing_at_retirement"] = years_months(s.missing_at_retirement)
    for name, day in (("fifteen_years_by", s.fifteen_years_by), ("make_up_opens", s.make_up_opens)):
        if day:
            out[name] = _month(day)
    if s.make_up:
        out["make_up_cost"] = money(s.make_up.uncompounded)
        out["make_up_income"] = money(s.make_up.income)
    if s.keep_paying:
        out["keep_paying_net"] = money(s.keep_paying.net_monthly)
        out["keep_paying_income"] = money(s.keep_paying.income)
    if s.allowance:
        out["allowance_min"] = money(s.allowance.minimum)
        out["allowance_until_age"] = str(s.allowance.social_pension_age)
    if s.pension and s.pension.eligible:
        out["rate"] = percent(s.pension.rate)
        out["counted_years"] = f"{s.pension.counted_years:g}".replace(".", ",")
        if income_known:
            out["monthly"] = money(s.pension.monthly)
    out["sources"] = "; ".join(s.sources)
    return replace(s, formatted=out)
