"""Communication scenarios per target group (bot/data/scenarios.yml): once the assistant knows who
it is talking to, it says what matters to that group, a worked example with the contribution the
calculator computes for a suggested income, the objection people of the group raise with its
truthful answer, and the next step. The texts take only policy figures; the example's figures come
from bot.policy.calculators."""
from __future__ import annotations

import string
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from pathlib import Path

import yaml

from bot.policy.calculators import SUPPORT_GROUP_LABELS, Contribution, contribution
from bot.policy.figures import figures_on
from bot.dialogue.calculations import Reply
from bot.policy.formatting import money
from bot.policy.rules import params_on
from bot.language.target_groups import groups

DATA_FILE = Path(__file__).parents[1] / "data" / "scenarios.yml"
SHOWN_SLOT, ASKED_SLOT = "scenario_group", "group_asked"
SLOTS = (SHOWN_SLOT, ASKED_SLOT)
TEXT_FIELDS = ("lead", "objection", "answer", "next")
NEXT_BUTTONS = [{"title": "Nhờ cán bộ tư vấn", "payload": "/request_callback"},
                {"title": "Đăng ký ở đâu", "payload": "Đăng ký tham gia BHXH tự nguyện ở đâu?"}]


@dataclass(frozen=True)
class Scenario:
    group: str
    button: str
    lead: str
    income: int | str  # đồng a month, or "floor"
    period: int
    objection: str
    answer: str
    next: str
    buttons: tuple[dict[str, str], ...] = ()


@lru_cache(maxsize=1)
def scenarios() -> dict[str, Scenario]:
    data = yaml.safe_load(DATA_FILE.read_text(encoding="utf-8"))
    defaults = data.get("defaults") or {}
    return {key: Scenario(key, **{**defaults, **fields, "buttons": tuple(fields.get("buttons") or ())})
            for key, fields in data["scenarios"].items()}


def example_income(scenario: Scenario, day: date) -> int:
    """The suggested income, raised to the floor of the day when the floor has risen above it."""
    floor = params_on(day)["income_floor"].value
    return floor if scenario.income == "floor" else max(floor, int(scenario.income))


def worked_example(scenario: Scenario, day: date) -> Contribution:
    """The contribution for the scenario's suggested income, with its group's state support."""
    return contribution(example_income(scenario, day), [groups()[scenario.group].support], scenario.period, day)


PERIOD_LABELS = {1: "hằng tháng", 3: "theo quý", 6: "sáu tháng một lần", 12: "một năm một lần"}


def example_variables(result: Contribution) -> dict[str, str]:
    return {"income": money(result.income), "gross": money(result.gross_monthly),
            "support": money(result.support_monthly), "support_label": SUPPORT_GROUP_LABELS[result.support_group],
            "net": money(result.net_monthly), "period_label": PERIOD_LABELS[result.period_months],
            "net_period": money(result.net_period)}


def scenario_replies(group: str, day: date) -> list[Reply]:
    """The group's scenario as four short messages, figures of the day filled in."""
    scenario = scenarios()[group]
    figures = figures_on(day).values
    text = {name: getattr(scenario, name).format(**figures) for name in TEXT_FIELDS}
    return [
        Reply("utter_scenario_lead", {"lead": text["lead"]}),
        Reply("utter_scenario_example", {**figures, **example_variables(worked_example(scenario, day))}),
        Reply("utter_scenario_objection", {"objection": text["objection"], "answer": text["answer"]}),
        Reply("utter_scenario_next", {"next_step": text["next"]}, [*scenario.buttons, *NEXT_BUTTONS]),
    ]


def group_buttons() -> list[dict[str, str]]:
    return [{"title": s.button, "payload": f'/inform{{"target_group": "{s.group}"}}'} for s in scenarios().values()]


def group_question() -> list[Reply]:
    """Which group the user belongs to, one button per group."""
    return [Reply("utter_ask_which_group", {}, group_buttons())]


def placeholders(text: str) -> set[str]:
    return {f for _, f, _, _ in string.Formatter().parse(text) if f}
