"""The results of the calculations: the contribution, the pension, the retirement date, and (from
bot.dialogue.advice, benefits and directory) the personal situation, the make-up payment, the Art 23
allowance, the one-time withdrawal, the survivor allowances and the office of a province. Each takes
the facts the form collected and gives the domain's responses with their figures."""
from __future__ import annotations

from datetime import date
from typing import Any, Callable, Mapping

from bot.dialogue import advice, benefits, directory
from bot.dialogue.facts import joined_year, total_months
from bot.dialogue.replies import GENDER_LABELS, Reply
from bot.language.target_groups import groups
from bot.policy.calculators import SUPPORT_GROUP_LABELS, InvalidInput, contribution, pension, retirement
from bot.policy.figures import Figures, figures_on
from bot.policy.formatting import age, money, percent, years_months


def contribution_result(income: int, target_groups: list[str | None], day: date) -> list[Reply]:
    """The user's own contribution for the income they gave, for every payment period."""
    figures = figures_on(day)
    known = groups()
    support_groups = [known[g].support for g in target_groups if g in known] or ["other"]
    try:
        results = {period: contribution(income, support_groups, period, day) for period in (1, 3, 6, 12)}
    except InvalidInput as error:
        return [Reply("utter_income_out_of_range", {**figures.values, "message": error.message})]
    monthly = results[1]
    variables = {
        **figures.values,
        "income": money(income),
        "gross": money(monthly.gross_monthly),
        "support": money(monthly.support_monthly),
        "support_label": SUPPORT_GROUP_LABELS[monthly.support_group],
        "net": money(monthly.net_monthly),
        "net_quarter": money(results[3].net_period),
        "net_half_year": money(results[6].net_period),
        "net_year": money(results[12].net_period),
    }
    replies = [Reply("utter_contribution_result", variables)]
    if not monthly.certain:
        replies.append(Reply("utter_uncertain_note", figures.values))
    return replies


def _contribution(facts: Mapping[str, Any], day: date, figures: Figures) -> list[Reply]:
    return contribution_result(int(facts["income"]), [facts.get("target_group")], day)


def _pension_variables(facts: Mapping[str, Any], day: date, figures: Figures) -> dict[str, str]:
    months = total_months(facts, day) or 0
    return {**figures.values, "gender_label": GENDER_LABELS[facts["gender"]], "duration": years_months(months)}


def pension_rate(facts: Mapping[str, Any], day: date, figures: Figures) -> list[Reply]:
    """Once gender and years are known, the rate alone (it does not depend on the income)."""
    result = pension(facts["gender"], total_months(facts, day) or 0, 0, day)
    if not result.eligible:
        return []
    return [Reply("utter_pension_rate", {**_pension_variables(facts, day, figures),
                                         "counted_years": _years(result.counted_years), "rate": percent(result.rate)})]


def _pension(facts: Mapping[str, Any], day: date, figures: Figures) -> list[Reply]:
    months, income = total_months(facts, day) or 0, int(facts.get("income") or 0)
    result = pension(facts["gender"], months, income, day)
    variables = {**_pension_variables(facts, day, figures), "sources": "; ".join(result.sources)}
    if not result.eligible:
        return [Reply("utter_pension_short", {**variables, "missing": years_months(result.missing_months)})]
    extra = f"\n• Trợ cấp một lần khi nghỉ hưu: {money(result.extra_one_time)}" if result.extra_one_time else ""
    variables.update(counted_years=_years(result.counted_years), rate=percent(result.rate),
                     monthly=money(result.monthly), income=money(income), extra=extra)
    return [Reply("utter_pension_result", variables), Reply("utter_estimate_note", figures.values)]


def _retirement(facts: Mapping[str, Any], day: date, figures: Figures) -> list[Reply]:
    """The retirement date; the transitional rule (Art 141(9)) when the user said when they joined."""
    joined = joined_year(facts.get("joined_voluntary_year"), day)
    result = retirement(facts["gender"], int(facts["birth_year"]), int(facts["birth_month"]), day,
                        joined_voluntary_year=joined, contribution_months=total_months(facts, day))
    variables = {
        **figures.values,
        "gender_label": GENDER_LABELS[facts["gender"]],
        "birth": f'{int(facts["birth_month"])}/{int(facts["birth_year"])}',
        "retirement_age": age(result.age_months),
        "reached": f"{result.reached.month}/{result.reached.year}",
        "pension_from": f"{result.pension_from.month}/{result.pension_from.year}",
        "src_retirement_age": result.source,
    }
    if result.rule == "transitional":
        return [Reply("utter_retirement_result_transitional", variables)]
    replies = [Reply("utter_retirement_result", variables)]
    if "transitional_join_unknown" in result.notes:
        replies.append(Reply("utter_retirement_transitional_hint", {
            **figures.values, "transitional_age": figures.values[f"transitional_age_{facts['gender']}"]}))
    return replies


def _years(value: float) -> str:
    """20.0 -> '20'; 20.5 -> '20,5'."""
    return f"{value:g}".replace(".", ",")


RESULTS: dict[str, Callable[[Mapping[str, Any], date, Figures], list[Reply]]] = {
    "contribution": _contribution, "pension": _pension, "retirement": _retirement,
    "situation": advice.situation_replies, "make_up": benefits.make_up_replies,
    "allowance": benefits.allowance_replies, "withdrawal": benefits.withdrawal_replies,
    "survivor": benefits.survivor_replies, "contact": directory.contact_result}
