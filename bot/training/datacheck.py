"""The project's own checks of the training data and the domain, run by `make check-data` after
`rasa data validate`: what Rasa does not see but breaks a Vietnamese assistant.

- the same example twice in one intent (duplicate) or in two intents (conflict);
- two examples of two intents that differ only by diacritics or case ("nghỉ hưu" / "nghi huu"):
  the assistant reads both the same way, so one of them is always wrong;
- an intent that no rule or story answers (data/rules/, data/stories/), and an answer of a retrieval
  intent (ask_pension/min_years) without its response utter_ask_pension/min_years;
- a response that states a figure of its own (digits; a FAQ answer may cite its legal basis with
  article and decree numbers on its last line, after "Căn cứ:") or a placeholder that is neither a
  policy figure (bot/data/policy.yml) nor a value the calculators fill in;
- a held-out test example (tests/nlu) that is also a training example (the evaluation would flatter);
- a communication scenario (bot/data/scenarios.yml) missing for a target group, stating a figure of
  its own, naming a placeholder that is not a policy figure, with an example income outside the range
  in force, a payment period the law does not have, or a button title over 20 characters.

    python -m bot.training.datacheck [--data data] [--test-set tests/nlu] [--domain domain.yml]
"""
from __future__ import annotations

import argparse
import re
import string
import sys
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable

import yaml

from bot.language.target_groups import groups
from bot.language.text import fold, nfc
from bot.policy import clock
from bot.policy.calculators import income_range
from bot.policy.figures import figures_on
from bot.policy.rules import params_on

SCENARIOS = Path(__file__).parents[1] / "data" / "scenarios.yml"

# Placeholders that bot/answers.py, bot/flows.py and bot/callback.py fill from the user's message
# or from a calculator's result (every other placeholder must be a policy figure).
CALCULATED_PLACEHOLDERS = frozenset({
    "details", "said", "options", "message", "support_label", "gender_label", "duration", "counted_years",
    "rate", "missing", "birth", "birth_year", "office", "summary", "retirement_age", "reached", "pension_from",
    "extra", "sources", "income", "gross", "support", "net", "net_quarter", "net_half_year", "net_year", "monthly",
    "lead", "objection", "answer", "next_step", "period_label", "net_period",
    "stored_contact", "stored_request", "conversation_days", "lead_retention_months",  # bot/callback.py, bot/privacy/retention.py
    # bot/advice.py, bot/benefit_replies.py, bot/directory.py
    "facts", "rate_detail", "general_retirement_age", "general_reached", "missing_at_retirement", "fifteen_years_by",
    "make_up_months", "make_up_cost", "make_up_income", "make_up_monthly", "keep_paying_net", "keep_paying_income",
    "allowance_min", "allowance_until_age", "born", "assumed", "situation_sources", "opens_on", "case_label",
    "years_before", "years_from", "minimum", "amount", "pension", "drawn", "months_of_pension", "transitional_age",
    "office_details",
    "wait_note", "reopens",  # bot/handoff/offer.py
    "reference", "code", "received_at",  # bot/dialogue/follow_up.py, bot/dialogue/callback.py
    "Who",  # bot/dialogue/nlg.py: the person concerned (bot/dialogue/person.py)
})
# The last line of a FAQ answer, its legal basis: article and decree numbers are not figures.
_LEGAL_BASIS = re.compile(r"(?:^|\n)Căn cứ:[^\n]*$")
_ANNOTATION = re.compile(r"\[([^\]]+)\](?:\([^)]*\)|\{[^}]*\})")


@dataclass(frozen=True)
class Example:
    intent: str
    text: str
    file: str


@dataclass(frozen=True)
class Problem:
    kind: str
    where: str
    detail: str

    def __str__(self) -> str:
        return f"[{self.kind}] {self.where}: {self.detail}"


def _nlu_files(folder: Path) -> list[Path]:
    """The NLU files of a folder: data/ holds them in data/nlu/ and data/faq/ (rules and stories aside)."""
    return sorted(path for path in folder.rglob("*.yml") if "nlu" in (yaml.safe_load(path.read_text(encoding="utf-8")) or {}))


def load_examples(folder: Path, recursive: bool = True) -> list[Example]:
    """Every example of every intent in the folder's YAML files, entity annotations removed."""
    found = []
    for path in _nlu_files(folder) if recursive else sorted(folder.glob("*.yml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        for block in data.get("nlu") or []:
            if "intent" not in block:
                continue
            for line in str(block.get("examples", "")).splitlines():
                text = line.strip().removeprefix("- ").strip()
                if text:
                    found.append(Example(block["intent"], _ANNOTATION.sub(r"\1", text), path.name))
    return found


def load_responses(folder: Path) -> dict:
    """The responses defined in training data files (the FAQ's answers)."""
    found: dict = {}
    for path in sorted(folder.rglob("*.yml")):
        found.update((yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("responses") or {})
    return found


def answered_intents(folder: Path) -> set[str]:
    """The intents some rule or story of the folder reacts to."""
    found: set[str] = set()
    for path in sorted(folder.rglob("*.yml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        for block in (data.get("rules") or []) + (data.get("stories") or []):
            steps = list(block.get("steps") or [])
            while steps:
                step = steps.pop()
                if "intent" in step:
                    found.add(step["intent"])
                for alternative in step.get("or") or []:
                    steps.append(alternative)
    return found


def _exact(text: str) -> str:
    return " ".join(nfc(text).casefold().split())


def _folded(text: str) -> str:
    return " ".join(re.findall(r"\w+", fold(text)))


def check_examples(examples: Iterable[Example]) -> list[Problem]:
    problems = []
    by_exact: dict[str, list[Example]] = defaultdict(list)
    by_folded: dict[str, list[Example]] = defaultdict(list)
    for example in examples:
        by_exact[_exact(example.text)].append(example)
        by_folded[_folded(example.text)].append(example)
    for same in by_exact.values():
        intents = sorted({e.intent for e in same})
        if len(intents) > 1:
            problems.append(Problem("conflict", ", ".join(sorted({e.file for e in same})),
                                    f"“{same[0].text}” is an example of {' and '.join(intents)}"))
        elif len(same) > 1:
            problems.append(Problem("duplicate", same[0].file, f"“{same[0].text}” appears {len(same)} times in {intents[0]}"))
    for key, alike in by_folded.items():
        if len({e.intent for e in alike}) > 1 and len({_exact(e.text) for e in alike}) > 1:
            pairs = "; ".join(f"“{e.text}” ({e.intent})" for e in alike)
            problems.append(Problem("diacritics-conflict", ", ".join(sorted({e.file for e in alike})),
                                    f"read the same without diacritics: {pairs}"))
    return problems


def check_leaks(training: Iterable[Example], held_out: Iterable[Example]) -> list[Problem]:
    known = {_folded(e.text) for e in training}
    return [Problem("test-leak", e.file, f"held-out example “{e.text}” is also a training example")
            for e in held_out if _folded(e.text) in known]


def check_domain(domain: dict, answered: set[str] | None = None, retrieval_keys: Iterable[str] = ()) -> list[Problem]:
    responses = domain.get("responses") or {}
    problems = [Problem("unanswered-intent", "domain.yml", f"no rule or story answers the intent {intent}")
                for intent in domain.get("intents") or [] if answered is not None and intent not in answered]
    problems += [Problem("missing-response", "data", f"{key} has no response utter_{key}")
                 for key in sorted(set(retrieval_keys)) if f"utter_{key}" not in responses]
    figures = set(figures_on(clock.today()).values)
    for name, variations in responses.items():
        for variation in variations or []:
            text = variation.get("text") or ""
            literal = re.sub(r"\{[a-z_0-9]+\}", "", _LEGAL_BASIS.sub("", text) if "/" in name else text)
            if re.search(r"\d", literal):
                problems.append(Problem("literal-figure", name, f"states a figure not from the policy data: {literal!r}"))
            fields = {f for _, f, _, _ in string.Formatter().parse(text) if f}
            for unknown in sorted(fields - figures - CALCULATED_PLACEHOLDERS):
                problems.append(Problem("unknown-placeholder", name, f"{{{unknown}}} is not a policy figure"))
    return problems


def check_scenarios(scenarios_file: Path, target_groups: Iterable[str]) -> list[Problem]:
    data = yaml.safe_load(scenarios_file.read_text(encoding="utf-8")) or {}
    defaults, found = data.get("defaults") or {}, data.get("scenarios") or {}
    params = params_on(clock.today())
    floor, ceiling = income_range(params)
    figures = set(figures_on(clock.today()).values)
    problems = [Problem("missing-scenario", scenarios_file.name, f"target group {g} has no scenario")
                for g in target_groups if g not in found]
    for group, fields in found.items():
        fields = {**defaults, **fields}
        for name in ("lead", "objection", "answer", "next"):
            text = str(fields.get(name) or "")
            if not text:
                problems.append(Problem("scenario-field", group, f"{name} is missing"))
            if re.search(r"\d", re.sub(r"\{[a-z_0-9]+\}", "", text)):
                problems.append(Problem("literal-figure", group, f"{name} states a figure not from the policy data"))
            for unknown in sorted({f for _, f, _, _ in string.Formatter().parse(text) if f} - figures):
                problems.append(Problem("unknown-placeholder", group, f"{name}: {{{unknown}}} is not a policy figure"))
        income = fields.get("income")
        if income != "floor" and not (isinstance(income, int) and floor <= income <= ceiling):
            problems.append(Problem("scenario-income", group, f"income {income!r} is neither \"floor\" nor within the range in force"))
        if fields.get("period") not in params.value("payment_deadline_months"):
            problems.append(Problem("scenario-period", group, f"period {fields.get('period')!r} is not a payment period"))
        for title in [fields.get("button") or ""] + [b.get("title", "") for b in fields.get("buttons") or []]:
            if not 0 < len(title) <= 20:
                problems.append(Problem("button-title", group, f"button “{title}” must have 1 to 20 characters"))
    return problems


def check_all(data: Path, test_set: Path, domain_file: Path, scenarios_file: Path = SCENARIOS,
              target_groups: Iterable[str] | None = None) -> list[Problem]:
    training = load_examples(data)
    domain = yaml.safe_load(domain_file.read_text(encoding="utf-8")) or {}
    domain = {**domain, "responses": {**(domain.get("responses") or {}), **load_responses(data)}}
    answered = answered_intents(data) | {"nlu_fallback"}
    retrieval_keys = {e.intent for e in training if "/" in e.intent}
    return (check_examples(training) + check_leaks(training, load_examples(test_set, recursive=False))
            + check_domain(domain, answered, retrieval_keys)
            + check_scenarios(scenarios_file, groups() if target_groups is None else target_groups))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", type=Path, default=Path("data"))
    parser.add_argument("--test-set", type=Path, default=Path("tests/nlu"))
    parser.add_argument("--domain", type=Path, default=Path("domain.yml"))
    parser.add_argument("--scenarios", type=Path, default=SCENARIOS)
    args = parser.parse_args(argv)
    problems = check_all(args.data, args.test_set, args.domain, args.scenarios)
    for problem in problems:
        print(problem)
    print(f"{len(problems)} problem(s) in the training data and the domain" if problems
          else "Training data and domain: no problem found")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
