"""The project's own checks of the training data and the domain, run by `make check-data` after
`rasa data validate`: what Rasa does not see but breaks a Vietnamese assistant.

- the same example twice in one intent (duplicate) or in two intents (conflict);
- two examples of two intents that differ only by diacritics or case ("nghỉ hưu" / "nghi huu"):
  the assistant reads both the same way, so one of them is always wrong;
- an intent without its response `utter_<intent>`;
- a response that states a figure of its own (digits) or a placeholder that is neither a policy
  figure (bot/data/policy.yml) nor a value the calculators fill in;
- a held-out test example (tests/nlu) that is also a training example (the evaluation would flatter).

    python -m bot.datacheck [--data data/nlu] [--test-set tests/nlu] [--domain domain.yml]
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

from bot import clock
from bot.figures import figures_on
from bot.text import fold, nfc

# Placeholders that bot/answers.py, bot/flows.py and bot/callback.py fill from the user's message
# or from a calculator's result (every other placeholder must be a policy figure).
CALCULATED_PLACEHOLDERS = frozenset({
    "details", "said", "options", "message", "support_label", "gender_label", "duration", "counted_years",
    "rate", "missing", "birth", "birth_year", "office", "summary", "retirement_age", "reached", "pension_from",
    "extra", "sources", "income", "gross", "support", "net", "net_quarter", "net_half_year", "net_year", "monthly",
})
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


def load_examples(folder: Path) -> list[Example]:
    """Every example of every intent in the folder's YAML files, entity annotations removed."""
    found = []
    for path in sorted(folder.glob("*.yml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        for block in data.get("nlu") or []:
            if "intent" not in block:
                continue
            for line in str(block.get("examples", "")).splitlines():
                text = line.strip().removeprefix("- ").strip()
                if text:
                    found.append(Example(block["intent"], _ANNOTATION.sub(r"\1", text), path.name))
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


def check_domain(domain: dict) -> list[Problem]:
    responses = domain.get("responses") or {}
    problems = [Problem("missing-response", "domain.yml", f"intent {intent} has no response utter_{intent}")
                for intent in domain.get("intents") or [] if f"utter_{intent}" not in responses]
    figures = set(figures_on(clock.today()).values)
    for name, variations in responses.items():
        for variation in variations or []:
            text = variation.get("text") or ""
            literal = re.sub(r"\{[a-z_0-9]+\}", "", text)
            if re.search(r"\d", literal):
                problems.append(Problem("literal-figure", name, f"states a figure not from the policy data: {literal!r}"))
            fields = {f for _, f, _, _ in string.Formatter().parse(text) if f}
            for unknown in sorted(fields - figures - CALCULATED_PLACEHOLDERS):
                problems.append(Problem("unknown-placeholder", name, f"{{{unknown}}} is not a policy figure"))
    return problems


def check_all(data: Path, test_set: Path, domain_file: Path) -> list[Problem]:
    training = load_examples(data)
    domain = yaml.safe_load(domain_file.read_text(encoding="utf-8")) or {}
    return check_examples(training) + check_leaks(training, load_examples(test_set)) + check_domain(domain)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", type=Path, default=Path("data/nlu"))
    parser.add_argument("--test-set", type=Path, default=Path("tests/nlu"))
    parser.add_argument("--domain", type=Path, default=Path("domain.yml"))
    args = parser.parse_args(argv)
    problems = check_all(args.data, args.test_set, args.domain)
    for problem in problems:
        print(problem)
    print(f"{len(problems)} problem(s) in the training data and the domain" if problems
          else "Training data and domain: no problem found")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
