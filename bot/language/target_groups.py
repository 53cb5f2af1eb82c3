"""Target groups of the campaign (farmer, trader, poor household...) recognised from what people
say, using the editable keyword lists in bot/data/target_groups.yml."""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml

from bot.language.text import fold

DATA_FILE = Path(__file__).parents[1] / "data" / "target_groups.yml"


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


@dataclass(frozen=True)
class _Keywords:
    groups: dict[str, TargetGroup]
    # Every keyword in one pattern, longest first, read in one pass over the message; a lookahead,
    # so that a keyword may start inside another one ("người dân tộc thái": two keywords).
    pattern: re.Pattern[str]
    group_of: dict[str, str]  # a keyword's words, space-separated -> its group
    priority: list[str]


@lru_cache(maxsize=1)
def _load() -> _Keywords:
    data = yaml.safe_load(DATA_FILE.read_text(encoding="utf-8"))
    groups = {k: TargetGroup(k, g["label"], g["support"]) for k, g in data["groups"].items()}
    group_of = {_key(keyword): key for key, g in data["groups"].items() for keyword in g["keywords"]}
    alternatives = "|".join(r"[\W_]+".join(map(re.escape, k.split())) for k in sorted(group_of, key=len, reverse=True))
    pattern = re.compile(r"(?<!\w)(?=(" + alternatives + r")(?!\w))")
    return _Keywords(groups, pattern, group_of, data["priority"])


def _key(text: str) -> str:
    return " ".join(re.findall(r"[^\W_]+", fold(text)))


def groups() -> dict[str, TargetGroup]:
    return _load().groups


def find_groups(text: str) -> list[GroupMatch]:
    """Every target-group keyword in the text, the first match of each group, by priority."""
    keywords = _load()
    found: dict[str, GroupMatch] = {}
    for m in keywords.pattern.finditer(fold(text)):
        key = keywords.group_of[_key(m[1])]
        if key not in found:
            found[key] = GroupMatch(keywords.groups[key], m.start(1), m.end(1))
    return sorted(found.values(), key=lambda g: keywords.priority.index(g.group.key))
