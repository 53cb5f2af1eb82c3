"""The geometry of the overview's charts (drawn as inline SVG by the templates: no script, no
library to download, readable on a phone)."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True)
class Bar:
    label: str
    value: int
    x: float
    y: float
    width: float
    height: float


BAR_HEIGHT, BAR_GAP, LABEL_WIDTH, CHART_WIDTH = 22, 8, 190, 440


def horizontal(items: list[tuple[str, int]]) -> tuple[list[Bar], int]:
    """One bar per category, longest for the largest count; returns the bars and the height."""
    top = max((v for _, v in items), default=0) or 1
    room = CHART_WIDTH - LABEL_WIDTH - 40
    bars = [Bar(label, value, LABEL_WIDTH, i * (BAR_HEIGHT + BAR_GAP), room * value / top, BAR_HEIGHT)
            for i, (label, value) in enumerate(items)]
    return bars, max(1, len(items)) * (BAR_HEIGHT + BAR_GAP)


COLUMNS_HEIGHT, COLUMN_WIDTH, COLUMN_GAP = 150, 22, 6


def per_day(days: list[tuple[date, int]]) -> list[Bar]:
    """A column per day (the template labels every fifth day so that the labels fit on a phone)."""
    top = max((v for _, v in days), default=0) or 1
    bars = []
    for i, (day, value) in enumerate(days):
        height = COLUMNS_HEIGHT * value / top
        bars.append(Bar(day.strftime("%d/%m"), value, i * (COLUMN_WIDTH + COLUMN_GAP), COLUMNS_HEIGHT - height,
                        COLUMN_WIDTH, height))
    return bars
