"""Province names as citizens write them (current, old before the 1/7/2025 merger, informal,
with or without diacritics) resolved to one of the 34 current provinces."""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from bot.language.text import fold, nfc

DATA_FILE = Path(__file__).parents[1] / "data" / "provinces.yml"
OFFICES_FILE = Path(__file__).parents[1] / "data" / "offices.yml"


@dataclass(frozen=True)
class Province:
    name: str  # "Tuyên Quang"
    kind: str  # "tỉnh" or "thành phố"
    old: tuple[str, ...]

    @property
    def office(self) -> str:
        """The provincial social insurance office that serves it (bot/data/offices.yml)."""
        return _offices()[self.name]["name"]


@dataclass(frozen=True)
class ProvinceMatch:
    """A place name found in a message. `candidates` has one province, or several when the
    name is ambiguous ("ĐN"); `old_name` is set when the user named a merged province."""

    candidates: tuple[Province, ...]
    said: str
    old_name: str | None
    start: int
    end: int

    @property
    def province(self) -> Province | None:
        return self.candidates[0] if len(self.candidates) == 1 else None


@dataclass(frozen=True)
class _Gazetteer:
    provinces: tuple[Province, ...]
    pattern: re.Pattern[str]
    # folded name -> (provinces it may mean, the old province's name when it is one)
    index: dict[str, tuple[tuple[Province, ...], str | None]]


def _name_pattern(folded_name: str) -> str:
    return r"[\W_]*".join(re.escape(w) for w in re.findall(r"\w+", folded_name))


@lru_cache(maxsize=1)
def _gazetteer() -> _Gazetteer:
    data = yaml.safe_load(DATA_FILE.read_text(encoding="utf-8"))
    provinces = tuple(
        Province(name=p["name"], kind=p["kind"], old=tuple(p["old"])) for p in data["provinces"]
    )
    index: dict[str, tuple[tuple[Province, ...], str | None]] = {}
    for p, raw in zip(provinces, data["provinces"]):
        for old in p.old:
            index[_key(old)] = ((p,), None if fold(old) == fold(p.name) else old)
        for name in [p.name, *raw.get("aliases", [])]:
            index.setdefault(_key(name), ((p,), None))
    by_name = {p.name: p for p in provinces}
    for short, names in (data.get("ambiguous") or {}).items():
        index[_key(short)] = (tuple(by_name[n] for n in names), None)
    alternatives = sorted(index, key=len, reverse=True)
    pattern = re.compile(r"(?<!\w)(" + "|".join(_name_pattern(k) for k in alternatives) + r")(?!\w)")
    return _Gazetteer(provinces, pattern, index)


def _key(name: str) -> str:
    return " ".join(re.findall(r"\w+", fold(name)))


@lru_cache(maxsize=1)
def _offices() -> dict[str, dict[str, Any]]:
    return yaml.safe_load(OFFICES_FILE.read_text(encoding="utf-8"))["offices"]


def office_data(name: str) -> dict[str, Any]:
    """The entry of bot/data/offices.yml for a current province's name."""
    return _offices()[name]


def all_provinces() -> tuple[Province, ...]:
    return _gazetteer().provinces


def find_provinces(text: str) -> list[ProvinceMatch]:
    """Every province name in the text, longest names first, left to right."""
    gaz = _gazetteer()
    text = nfc(text)
    matches = []
    for m in gaz.pattern.finditer(fold(text)):
        candidates, old_name = gaz.index[_key(m.group())]
        matches.append(ProvinceMatch(candidates, text[m.start():m.end()], old_name, m.start(), m.end()))
    return matches


def resolve_province(text: str) -> ProvinceMatch | None:
    """The first province named in the text (possibly ambiguous), or None."""
    matches = find_provinces(text)
    return matches[0] if matches else None


def province_by_name(name: str) -> Province | None:
    """A current province by its exact name, ignoring case and diacritics."""
    key = _key(name)
    return next((p for p in all_provinces() if _key(p.name) == key), None)
