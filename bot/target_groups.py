"""Target groups of the campaign (farmer, trader, poor household...) recognised from what people
say, using the editable keyword lists in bot/data/target_groups.yml."""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml

from bot.text import fold

DATA_FILE = Path(__file__).parent / "data" / "target_groups.yml"


@dataclass(frozen=True)
class TargetGroup:
    key: str
    label: str
    support: str  # the state-support group of policy.yml


@dataclass(frozen=True)
class GroupMatch:
    group: TargetGroup
    start: int
    end: int


@lru_cache(maxsize=1)
def _load() -> tuple[dict[str, TargetGroup], list[tuple[re.Pattern[str], str]], list[str]]:
    data = yaml.safe_load(DATA_FILE.read_text(encoding="utf-8"))
    groups = {k: TargetGroup(k, g["label"], g["support"]) for k, g in data["groups"].items()}
    patterns = []
    for key, g in data["groups"].items():
        for keyword in g["keywords"]:
            words = re.findall(r"\w+", fold(keyword))
            patterns.append((re.compile(r"(?<!\w)" + r"[\W_]+".join(words) + r"(?!\w)"), key))
    return groups, patterns, data["priority"]


def groups() -> dict[str, TargetGroup]:
    return _load()[0]


def find_groups(text: str) -> list[GroupMatch]:
    """Every target-group keyword in the text, at most one match per group, by priority."""
    all_groups, patterns, priority = _load()
    folded = fold(text)
    found: dict[str, GroupMatch] = {}
    for pattern, key in patterns:
        m = pattern.search(folded)
        if m and key not in found:
            found[key] = GroupMatch(all_groups[key], m.start(), m.end())
    return sorted(found.values(), key=lambda g: priority.index(g.group.key))
