"""`bot calc ...`: the calculators for staff. Each prints its result, the legal basis and what it
assumes (bot.policy.notes). bot.cli.main adds these subcommands and calls `run`.

    bot calc contribution --income 5000000 --group other --period 3
    bot calc advance --income 5000000 --years 5 [--monthly-return 0.004]
    bot calc pension --gender female --months 240 --income 5000000 [--months-after-age 24]
    bot calc retirement --gender male --born 1966-01 [--joined 2003 --months 264]
    bot calc make-up --months 120 [--income 3tr] [--gender female --born 1969-11]
    bot calc withdrawal --case retirement_age --months-from-2014 120 --income 3tr [--support-received 5tr]
    bot calc allowance --gender female --born 1966-05 --months 100 [--poor]
    bot calc survivor --months-before-2014 30 --months-from-2014 90 --income 3tr [--compulsory-months 24]
    bot calc survivor --pension 3tr --drawn 10
    bot calc situation --gender female --age 57 --months 120 [--joined 2003] [--income 3tr]
"""
from __future__ import annotations

import argparse
from datetime import date
from typing import Callable

from bot.language.amounts import parse_amount
from bot.policy.benefits import (ALTERNATIVE_LABELS, WITHDRAWAL_CASE_LABELS, WITHDRAWAL_CASES, monthly_allowance,
                                 one_time_withdrawal, survivor_of_contributor, survivor_of_pensioner)
from bot.policy.calculators import (SUPPORT_GROUP_LABELS, InvalidInput, advance_payment, contribution, make_up,
                                    make_up_cost, pension, retirement)
from bot.policy.formatting import age, money, percent, years_months
from bot.policy.notes import NOTES
from bot.policy.rules import distinct_sources, params_on
from bot.policy.situation import Facts, assess

GENDERS = ["male", "female"]
Result = tuple[list[str], tuple[str, ...], tuple[str, ...]]  # lines, sources, notes


def amount(text: str) -> int:
    value = parse_amount(text)
    if value is None:
        raise argparse.ArgumentTypeError(f"không đọc được số tiền: {text}")
    return value


def month(text: str) -> tuple[int, int]:
    year, month_ = text.split("-")
    return int(year), int(month_)


def add_parsers(calc: argparse._SubParsersAction) -> None:
    c = calc.add_parser("contribution")
    c.add_argument("--income", type=amount, required=True)
    c.add_argument("--group", action="append", choices=list(SUPPORT_GROUP_LABELS))
    c.add_argument("--period", type=int, default=1, choices=[1, 3, 6, 12])
    a = calc.add_parser("advance")
    a.add_argument("--income", type=amount, required=True)
    a.add_argument("--group", action="append", choices=list(SUPPORT_GROUP_LABELS))
    a.add_argument("--years", type=int, required=True)
    a.add_argument("--monthly-return", type=float, default=None,
                   help="the fund's monthly return (default: the policy data's, if known)")
    p = calc.add_parser("pension")
    p.add_argument("--gender", choices=GENDERS, required=True)
    p.add_argument("--months", type=int, required=True, help="months of contributions")
    p.add_argument("--income", type=amount, required=True, help="average monthly income base")
    p.add_argument("--months-after-age", type=int, default=0,
                   help="of which paid after reaching retirement age (Art 100(2))")
    r = calc.add_parser("retirement")
    r.add_argument("--gender", choices=GENDERS, required=True)
    r.add_argument("--born", type=month, required=True, help="YYYY-MM")
    r.add_argument("--joined", type=int, help="year the person joined voluntary insurance (Art 141(9))")
    r.add_argument("--months", type=int, help="months of contributions so far")
    m = calc.add_parser("make-up", help="paying the years missing to 15 at once")
    m.add_argument("--months", type=int, required=True, help="months of contributions so far")
    m.add_argument("--income", type=amount, help="income chosen for the payment (default: the floor)")
    m.add_argument("--gender", choices=GENDERS, help="with --born: from when it may be paid")
    m.add_argument("--born", type=month, help="YYYY-MM")
    w = calc.add_parser("withdrawal", help="one-time withdrawal (Art 102)")
    w.add_argument("--case", choices=list(WITHDRAWAL_CASES), help="the case of Art 102 (none: not allowed)")
    w.add_argument("--months-before-2014", type=int, default=0)
    w.add_argument("--months-from-2014", type=int, default=0)
    w.add_argument("--income", type=amount, required=True, help="average monthly income base")
    w.add_argument("--support-received", type=amount, help="state support received (deducted except c, d)")
    w.add_argument("--joined-from-2025-07", action="store_true", help="first contribution on or after 1/7/2025")
    w.add_argument("--months-stopped", type=int, help="months without contributing (case stopped_12_months)")
    al = calc.add_parser("allowance", help="Art 23 monthly allowance")
    al.add_argument("--gender", choices=GENDERS, required=True)
    al.add_argument("--born", type=month, required=True, help="YYYY-MM")
    al.add_argument("--months", type=int, required=True, help="months of contributions")
    al.add_argument("--poor", action="store_true", help="poor or near-poor household")
    s = calc.add_parser("survivor", help="survivor and funeral allowances (Art 109-111)")
    s.add_argument("--months-before-2014", type=int, default=0)
    s.add_argument("--months-from-2014", type=int, default=0)
    s.add_argument("--income", type=amount, help="average monthly income base (a contributor who dies)")
    s.add_argument("--paid-in", type=amount, help="what was paid in (under 60 months)")
    s.add_argument("--pension", type=amount, help="monthly pension (a pensioner who dies)")
    s.add_argument("--drawn", type=int, default=0, help="months of pension already drawn")
    s.add_argument("--compulsory-months", type=int, default=0)
    si = calc.add_parser("situation", help="what the law means for one person")
    si.add_argument("--gender", choices=GENDERS)
    si.add_argument("--age", type=int)
    si.add_argument("--born", help="YYYY or YYYY-MM")
    si.add_argument("--months", type=int, help="months of contributions, compulsory included")
    si.add_argument("--compulsory-months", type=int)
    si.add_argument("--joined", type=int, help="year the person joined voluntary insurance")
    si.add_argument("--income", type=amount)
    si.add_argument("--group", help="target group (bot/data/target_groups.yml)")


def run(args: argparse.Namespace, on: date) -> str:
    """The text printed for `bot calc <what>`; InvalidInput propagates."""
    lines, sources, notes = CALCULATORS[args.what](args, on)
    text = lines + ["Căn cứ: " + "; ".join(distinct_sources(*sources))]
    return "\n".join(text + [f"• {NOTES[n]}" for n in dict.fromkeys(notes)])


def _month_text(day: date) -> str:
    return f"{day:%m/%Y}"


def _contribution(args: argparse.Namespace, on: date) -> Result:
    c = contribution(args.income, args.group or ["other"], args.period, on)
    return [
        f"Thu nhập {money(c.income)}: đóng {money(c.gross_monthly)}/tháng",
        f"Nhà nước hỗ trợ ({SUPPORT_GROUP_LABELS[c.support_group]}, {percent(c.support_rate)}): {money(c.support_monthly)}/tháng",
        f"Còn phải nộp: {money(c.net_monthly)}/tháng, {money(c.net_period)} cho {c.period_months} tháng",
        f"Hạn nộp: {c.deadline:%d/%m/%Y}",
    ], c.sources, ()


def _advance(args: argparse.Namespace, on: date) -> Result:
    ad = advance_payment(args.income, args.group or ["other"], args.years, on, args.monthly_return)
    lines = [f"Đóng trước {years_months(ad.months)}: {money(ad.net_monthly)}/tháng × {ad.months} tháng"
             f" = {money(ad.undiscounted)}"]
    if ad.monthly_return is None:
        lines.append("Chưa có lãi suất của quỹ: số trên chưa được giảm trừ (là mức tối đa)")
    else:
        lines.append(f"Giảm trừ theo lãi suất tháng {percent(ad.monthly_return)}: khoảng {money(ad.amount)}")
    lines.append("Số tiền chính thức do cơ quan BHXH tính")
    return lines, ad.sources, ()


def _pension(args: argparse.Namespace, on: date) -> Result:
    pe = pension(args.gender, args.months, args.income, on, args.months_after_age)
    if not pe.eligible:
        return [f"Chưa đủ điều kiện lương hưu: còn thiếu {years_months(pe.missing_months)}"], pe.sources, pe.notes
    lines = [f"Tỷ lệ hưởng {percent(pe.rate)}: lương hưu ước tính {money(pe.monthly)}/tháng"]
    if pe.extra_one_time:
        lines.append(f"Trợ cấp một lần khi nghỉ hưu: {money(pe.extra_one_time)} ({_years(pe.extra_years)} năm vượt, "
                     f"trong đó {_years(pe.extra_after_age_years)} năm đóng sau tuổi nghỉ hưu)")
    return lines, pe.sources, pe.notes


def _retirement(args: argparse.Namespace, on: date) -> Result:
    year, month_ = args.born
    rt = retirement(args.gender, year, month_, on, joined_voluntary_year=args.joined,
                    contribution_months=args.months)
    rule = "quy định chuyển tiếp" if rt.rule == "transitional" else "lộ trình chung"
    lines = [f"Tuổi nghỉ hưu ({rule}): {age(rt.age_months)}, đủ tuổi vào {_month_text(rt.reached)}",
             f"Hưởng lương hưu từ {_month_text(rt.pension_from)}"]
    if rt.transitional and rt.transitional.years_complete:
        lines.append(f"Đủ {years_months(rt.transitional.missing_months)} còn thiếu (đóng hằng tháng) vào "
                     f"{_month_text(rt.transitional.years_complete)}")
    if rt.rule == "transitional":
        lines.append(f"Theo lộ trình chung: {age(rt.general_age_months)}, {_month_text(rt.general_reached)}")
    return lines, rt.sources, rt.notes


def _make_up(args: argparse.Namespace, on: date) -> Result:
    lines, sources = [], ()
    missing = max(0, params_on(on).value("pension_min_years") * 12 - args.months)
    if args.gender and args.born:
        status = make_up(args.gender, *args.born, args.months, on)
        lines.append(f"Được đóng bù từ tháng {_month_text(status.opens)} (tháng liền trước tháng đủ tuổi nghỉ hưu)")
        sources = status.sources
    if not missing:
        return ["Đã đủ số năm đóng để hưởng lương hưu, không cần đóng bù"], sources, ()
    cost = make_up_cost(missing, args.income, on)
    lines += [f"Còn thiếu {years_months(cost.missing_months)}: {cost.missing_months} tháng × {money(cost.monthly)}"
              f" = {money(cost.uncompounded)} (chưa tính lãi)"]
    return lines, sources + cost.sources, cost.notes


def _withdrawal(args: argparse.Namespace, on: date) -> Result:
    w = one_time_withdrawal(args.case, args.months_before_2014, args.months_from_2014, args.income, on,
                            state_support_received=args.support_received,
                            joined_before_july_2025=False if args.joined_from_2025_07 else None,
                            months_without_contributing=args.months_stopped)
    if not w.allowed:
        lines = ["Không thuộc trường hợp được rút BHXH một lần. Có thể:"]
        return lines + [f"- {ALTERNATIVE_LABELS[a]}" for a in w.alternatives], w.sources, w.notes
    lines = [f"Trường hợp {WITHDRAWAL_CASES[w.case]}: {WITHDRAWAL_CASE_LABELS[w.case]}",
             f"{_years(w.years_before_2014)} năm trước 2014, {_years(w.years_from_2014)} năm từ 2014: {money(w.gross)}"]
    if w.support_deducted and w.amount is not None:
        lines.append(f"Trừ {money(w.state_support_received)} Nhà nước đã hỗ trợ: nhận {money(w.amount)}")
    return lines, w.sources, w.notes


def _allowance(args: argparse.Namespace, on: date) -> Result:
    a = monthly_allowance(args.gender, *args.born, args.months, on, poor_or_near_poor=args.poor)
    if a.status == "enough_for_pension":
        return ["Đã đủ số năm đóng để hưởng lương hưu: không thuộc diện trợ cấp hằng tháng"], a.sources, ()
    when = "đã đủ tuổi nghỉ hưu" if a.status == "open" else f"từ khi đủ tuổi nghỉ hưu ({_month_text(a.opens)})"
    return [f"Trợ cấp hằng tháng ({when}): ít nhất {money(a.minimum)}/tháng",
            f"Nhận tối đa đến tuổi hưởng trợ cấp hưu trí xã hội ({a.social_pension_age} tuổi, "
            f"{_month_text(a.social_pension_from)}); thời gian nhận do cơ quan BHXH tính",
            f"Bảo hiểm y tế trong thời gian nhận: {a.health_insurance_paid_by} đóng"], a.sources, a.notes


def _survivor(args: argparse.Namespace, on: date) -> Result:
    if args.pension:
        s = survivor_of_pensioner(args.pension, args.drawn, on, compulsory_months=args.compulsory_months)
        lines = [f"Trợ cấp tuất một lần: {_years(s.months_of_pension)} tháng lương hưu = {money(s.amount)}"]
    else:
        if args.income is None:
            raise InvalidInput("Cần --income (bình quân thu nhập) hoặc --pension (lương hưu).")
        s = survivor_of_contributor(args.months_before_2014, args.months_from_2014, args.income, on,
                                    compulsory_months=args.compulsory_months, paid_in=args.paid_in)
        shown = money(s.amount) if s.amount is not None else "số tiền đã đóng"
        lines = [f"Trợ cấp tuất một lần: {shown}" + (f" (thấp nhất {money(s.minimum)})" if s.minimum else "")]
    lines.append(f"Trợ cấp mai táng: {money(s.funeral)}" if s.funeral else "Không có trợ cấp mai táng")
    return lines, s.sources, s.notes


def _situation(args: argparse.Namespace, on: date) -> Result:
    born = [int(x) for x in args.born.split("-")] if args.born else []
    facts = Facts(gender=args.gender, age=args.age, birth_year=born[0] if born else None,
                  birth_month=born[1] if len(born) > 1 else None, contribution_months=args.months,
                  compulsory_months=args.compulsory_months, joined_voluntary_year=args.joined,
                  income=args.income, target_group=args.group)
    s = assess(facts, on)
    lines = [f"Tình trạng: {s.status}; quy định: {s.rule or '-'}; lựa chọn: {', '.join(s.options) or '-'}"]
    lines += [f"{name}: {value}" for name, value in s.formatted.items() if name != "sources"]
    if s.missing_facts:
        lines.append("Cần thêm: " + ", ".join(s.missing_facts))
    return lines, s.sources, s.notes


def _years(value: float) -> str:
    return f"{value:g}".replace(".", ",")


CALCULATORS: dict[str, Callable[[argparse.Namespace, date], Result]] = {
    "contribution": _contribution, "advance": _advance, "pension": _pension, "retirement": _retirement,
    "make-up": _make_up, "withdrawal": _withdrawal, "allowance": _allowance, "survivor": _survivor,
    "situation": _situation,
}
