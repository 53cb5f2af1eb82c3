"""The results of the benefit calculators in the dialogue: the make-up payment for the missing
years, the Art 23 monthly allowance, the one-time withdrawal and the survivor allowances. Each takes
the facts a form collected (bot.dialogue.forms) and gives the domain's responses with their figures; each
result names its article (the policy data's sources) and says what it assumes (bot.policy.notes)."""
from __future__ import annotations

from datetime import date
from typing import Any, Mapping

from bot.policy.benefits import (WITHDRAWAL_CASE_LABELS, Withdrawal, monthly_allowance, one_time_withdrawal,
                                 split_years, survivor_of_contributor, survivor_of_pensioner)
from bot.policy.calculators import add_months, income_range, make_up, make_up_cost
from bot.dialogue.facts import total_months
from bot.policy.figures import UNCERTAIN_MARK, Figures
from bot.policy.formatting import money, years_months
from bot.policy.notes import NOTES
from bot.policy.rules import compact_sources, params_on
from bot.dialogue.replies import Reply

POOR = ("poor", "near_poor")


def assumed(notes: tuple[str, ...] | list[str], figures: Figures, shown: tuple[str, ...]) -> list[Reply]:
    """One message listing what a result assumes, from the notes it carries that are to be shown."""
    said = [NOTES[n] for n in dict.fromkeys(notes) if n in shown]
    return [Reply("utter_calc_assumed", {**figures.values, "assumed": "\n".join(f"• {a}" for a in said)})] if said else []


def _years(value: float) -> str:
    return f"{value:g}".replace(".", ",")


def make_up_replies(facts: Mapping[str, Any], day: date, figures: Figures) -> list[Reply]:
    """The cost of paying the missing years at once (Art 36(3)(e); Decree 159/2025 Art 7), at the
    income the user chose or the floor, uncompounded (the fund's return is not in our sources)."""
    p = params_on(day)
    paid = total_months(facts, day) or 0
    missing = max(0, p.value("pension_min_years") * 12 - paid)
    v = {**figures.values, "duration": years_months(paid), "missing": years_months(missing) if missing else ""}
    if not missing:
        return [Reply("utter_make_up_enough", v)]
    if missing > p.value("make_up_max_years") * 12:
        return [Reply("utter_make_up_too_many", v)]
    floor, ceiling = income_range(p)
    income = facts.get("income") if facts.get("income") and floor <= facts["income"] <= ceiling else None
    cost = make_up_cost(missing, income, day)
    v.update(make_up_months=str(missing), make_up_monthly=money(cost.monthly), make_up_income=money(cost.income),
             make_up_cost=money(cost.uncompounded) + ("" if cost.certain else UNCERTAIN_MARK),
             sources=compact_sources(cost.sources))
    replies = [Reply("utter_make_up_result", v)]
    if facts.get("gender") in ("male", "female") and facts.get("birth_year") and facts.get("birth_month"):
        status = make_up(facts["gender"], facts["birth_year"], facts["birth_month"], paid, day)
        replies.append(Reply("utter_make_up_opens_on", {**v, "opens_on": f"{status.opens.month}/{status.opens.year}"}))
    note = [] if cost.certain else [Reply("utter_uncertain_note", figures.values)]
    # the conditions, with the buttons, last
    return replies + assumed(cost.notes, figures, ("make_up_at_floor", "make_up_support_unsettled")) + note + \
        [Reply("utter_make_up_result_2", v)]


def allowance_replies(facts: Mapping[str, Any], day: date, figures: Figures) -> list[Reply]:
    """The Art 23 monthly allowance: its minimum, from when, and that BHXH sets its duration."""
    birth = _latest_birth(facts, day)
    paid = total_months(facts, day) or 0
    a = monthly_allowance(facts["gender"], birth.year, birth.month, paid, day,
                          poor_or_near_poor=facts.get("target_group") in POOR)
    v = {**figures.values, "duration": years_months(paid), "allowance_min": money(a.minimum),
         "allowance_until_age": str(a.social_pension_age), "opens_on": f"{a.opens.month}/{a.opens.year}"}
    if a.status == "enough_for_pension":
        return [Reply("utter_allowance_enough_for_pension", v)]
    when = "utter_allowance_open" if a.status == "open" else "utter_allowance_from"
    exact = facts.get("birth_year") and facts.get("birth_month")
    return [Reply("utter_allowance_result", v), Reply(when, v)] + \
        ([] if exact else [Reply("utter_calc_birth_assumed", {**v, "born": f"{birth.month}/{birth.year}"})])


def _latest_birth(facts: Mapping[str, Any], day: date) -> date:
    """The month of birth to compute with: the one said, else the latest the age or year allows
    (the later retirement date: nobody is told a right opens before it does)."""
    if facts.get("birth_year"):
        return date(int(facts["birth_year"]), int(facts.get("birth_month") or 12), 1)
    return add_months(day.replace(day=1), -12 * int(facts["age"]))


def withdrawal_replies(facts: Mapping[str, Any], day: date, figures: Figures) -> list[Reply]:
    """The one-time withdrawal (Art 102) in the case the user chose, or why it is not allowed and
    what they can do instead."""
    case = facts.get("withdrawal_case")
    case = case if case in WITHDRAWAL_CASE_LABELS else None
    paid = total_months(facts, day) or 0
    before = min(int(facts.get("months_before_2014") or 0), paid)
    w = one_time_withdrawal(case, before, paid - before, int(facts.get("income") or 0), day)
    v = {**figures.values, "duration": years_months(paid), "sources": compact_sources(w.sources)}
    if not w.allowed:
        return _refusal(w, v)
    v.update(case_label=WITHDRAWAL_CASE_LABELS[w.case], years_before=_years(w.years_before_2014),
             years_from=_years(w.years_from_2014), income=money(int(facts["income"])), gross=money(w.gross))
    replies = [Reply("utter_withdrawal_result", v),
               Reply("utter_withdrawal_support_deducted" if w.support_deducted else "utter_withdrawal_support_kept", v)]
    if case == "retirement_age":
        replies.append(Reply("utter_withdrawal_alternatives", v))
    return replies + assumed(w.notes, figures, ("assumed_joined_before_july_2025", "assumed_12_months_stopped",
                                                "spare_months_before_2014"))


def _refusal(w: Withdrawal, v: dict[str, str]) -> list[Reply]:
    if w.refusal == "enough_for_pension":
        return [Reply("utter_withdrawal_enough_for_pension", v)]
    if w.refusal == "twenty_years_or_more":
        return [Reply("utter_withdrawal_twenty_years", v), Reply("utter_withdrawal_not_allowed_2", v)]
    return [Reply("utter_withdrawal_not_allowed", v), Reply("utter_withdrawal_not_allowed_2", v)]


def survivor_replies(facts: Mapping[str, Any], day: date, figures: Figures) -> list[Reply]:
    """The one-time survivor allowance and the funeral allowance (Art 109-111) for the relatives of
    a contributor or of a pensioner who died."""
    if facts.get("deceased") == "pensioner":
        s = survivor_of_pensioner(int(facts["pension_amount"]), int(facts["months_drawn"]), day)
        v = {**figures.values, "pension": money(int(facts["pension_amount"])), "drawn": _drawn(int(facts["months_drawn"])),
             "months_of_pension": _years(s.months_of_pension), "amount": money(s.amount)}
        first = [Reply("utter_survivor_pensioner_result", v)]
    else:
        months = total_months(facts, day, prefix="deceased_") or 0
        compulsory = min(int(facts.get("deceased_compulsory_months") or 0), months)
        before = min(int(facts.get("deceased_before_2014") or 0), months)
        s = survivor_of_contributor(before, months - before, int(facts.get("deceased_income") or 0), day,
                                    compulsory_months=compulsory)
        v = {**figures.values, "duration": years_months(months)}
        if s.refund_of_contributions:
            first = [Reply("utter_survivor_refund", v)]
            if s.minimum:
                first.append(Reply("utter_survivor_mixed_minimum", {**v, "minimum": money(s.minimum)}))
        else:
            years_before, years_from, _ = split_years(before, months - before)
            v.update(years_before=_years(years_before), years_from=_years(years_from),
                     income=money(int(facts["deceased_income"])), amount=money(s.amount))
            first = [Reply("utter_survivor_result", v)]
            if s.minimum and s.minimum == s.amount:
                first.append(Reply("utter_survivor_mixed_minimum", {**v, "minimum": money(s.minimum)}))
    funeral = Reply("utter_survivor_funeral", v) if s.funeral else Reply("utter_survivor_no_funeral", v)
    monthly = "utter_survivor_monthly_possible" if s.monthly_possible else "utter_survivor_monthly_not_available"
    return first + [funeral, Reply(monthly, v)]


def _drawn(months: int) -> str:
    return years_months(months) if months else "0 tháng"
