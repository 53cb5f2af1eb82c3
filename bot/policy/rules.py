"""Policy parameters with effective dates and legal sources (bot/data/policy.yml).

`params_on(day)` gives the rows in force that day; nothing else in the project states a figure.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

DATA_FILE = Path(__file__).parents[1] / "data" / "policy.yml"
CONFIDENCE_ORDER = "LMH"


class PolicyDataError(LookupError):
    """No row of a parameter is in force on the requested date."""


@dataclass(frozen=True)
class Param:
    name: str
    value: Any
    start: date
    end: date | None
    source: str
    confidence: str  # H, M or L

    def in_force(self, day: date) -> bool:
        return self.start <= day and (self.end is None or day <= self.end)

    @property
    def certain(self) -> bool:
        return self.confidence == "H"


@dataclass(frozen=True)
class PolicySnapshot:
    """The parameters in force on one day."""

    day: date
    params: dict[str, Param]

    def __getitem__(self, name: str) -> Param:
        return self.params[name]

    def value(self, name: str) -> Any:
        return self.params[name].value


@lru_cache(maxsize=1)
def load_rows() -> dict[str, tuple[Param, ...]]:
    raw = yaml.safe_load(DATA_FILE.read_text(encoding="utf-8"))["parameters"]
    return {
        name: tuple(
            Param(name, r["value"], r["from"], r.get("until"), r["source"], r["confidence"])
            for r in rows
        )
        for name, rows in raw.items()
    }


def params_on(day: date) -> PolicySnapshot:
    """Every parameter as in force on `day`; PolicyDataError if one has no row for that day."""
    chosen: dict[str, Param] = {}
    for name, rows in load_rows().items():
        in_force = [r for r in rows if r.in_force(day)]
        if len(in_force) != 1:
            raise PolicyDataError(f"{name}: {len(in_force)} rows in force on {day.isoformat()}")
        chosen[name] = in_force[0]
    return PolicySnapshot(day, chosen)


def distinct_sources(*sources: str) -> tuple[str, ...]:
    """Each legal source once, in order: ("A; B", "A", "C") -> ("A", "B", "C")."""
    return tuple(dict.fromkeys(part.strip() for source in sources for part in source.split(";") if part.strip()))


def weakest(*params: Param) -> str:
    """The confidence of a figure derived from several parameters."""
    return min((p.confidence for p in params), key=CONFIDENCE_ORDER.index)


def compact_sources(sources: tuple[str, ...] | list[str]) -> str:
    """Sources grouped by document, for a phone screen: ("Luật BHXH 2024, Điều 23", "Luật BHXH 2024,
    Điều 31") -> "Luật BHXH 2024, Điều 23, 31"."""
    parts: dict[str, list[str]] = {}
    for source in distinct_sources(*sources):
        document, _, where = source.partition(", ")
        listed = parts.setdefault(document, [])
        for part in where.split(", ") if where else []:
            if part not in listed:
                listed.append(part)
    texts = []
    for document, listed in parts.items():
        articles = sorted((p.removeprefix("Điều ") for p in listed if p.startswith("Điều ")), key=_article_order)
        others = [p for p in listed if not p.startswith("Điều ")]
        where = ([f"Điều {', '.join(articles)}"] if articles else []) + others
        texts.append(", ".join([document, *where]))
    return "; ".join(texts)


def _article_order(article: str) -> tuple[int, str]:
    number = re.match(r"\d+", article)
    return (int(number.group()) if number else 0, article)
