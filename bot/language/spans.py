"""The parts of a message already given to an entity, so that two parsers do not claim the same
words. Checking a span costs its length, not the number of spans taken before: a message holding
thousands of amounts is still parsed in time linear in its length."""
from __future__ import annotations


class TakenSpans:
    def __init__(self, length: int) -> None:
        self._taken = bytearray(length)  # 1 where a character belongs to an entity

    def take(self, start: int, end: int) -> None:
        end = min(end, len(self._taken))
        if start < end:
            self._taken[start:end] = b"\x01" * (end - start)

    def overlaps(self, start: int, end: int) -> bool:
        return self._taken.find(1, start, end) >= 0
