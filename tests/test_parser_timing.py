"""Every parser of bot/ reads a hostile 64 KB message in linear time (issue 13): the channels cut a
message at bot.language.text.MAX_INPUT_CHARS, but the parsers must not depend on it.

Timed with the CPU time of this process, the best of three runs: other processes on a shared
machine only add wall-clock time, while a quadratic parser (45 s for "5 nam " * 10,000 before)
is slow on every run. Each input is a pattern repeated up to 64 KB, so the time measured is that
of a large input, far above the noise of a small one."""
from __future__ import annotations

import math
import re
import time
from datetime import date
from types import ModuleType
from typing import Callable

import pytest
from hypothesis import HealthCheck, example, given, settings, strategies as st

from bot.dialogue import advice, callback, calculations, starts
from bot.dialogue.advice import is_situation_question
from bot.language.requests import is_cancel, special_request, wants_my_data, wants_withdrawal
from bot.dialogue.calculations import deceased_in, withdrawal_case_in
from bot.dialogue.starts import calculation_asked
from bot.language import amounts, extract, phones, provinces, requests, target_groups, text
from bot.language.amounts import find_amounts
from bot.language.extract import extract as extract_entities
from bot.language.phones import find_phones
from bot.language.provinces import find_provinces
from bot.language.target_groups import find_groups
from bot.language.text import clean_message, expand_tokens, fold

SIZE = 64 * 1024
BOUND_SECONDS = 0.5
# What makes parsers work hard: numbers and their separators, units, time words, names, places,
# groups, other scripts, emoji, combining marks, markup, payload syntax, blanks.
PIECES = [
    "5 nam ", "9" * 400 + " triệu", "1", "0", "9", ".", ",", "1.", "1,", "1.000", " triệu", "tr", "k",
    "nghìn ", "mười ", "trăm ", "rưỡi ", "tháng ", "thang ", "năm ", "nam ", "nữ ", "sinh ", "tuổi ",
    "công ty ", "bắt buộc ", "tự nguyện ", "thiếu ", "tham gia ", "đóng ", "từ ", "thì sao ", "không", "chưa ",
    "tôi là ", "tên ", "An ", "Nguyễn ", "Hà Nội ", "quảng nam ", "ha giang ", "đà nẵng ", "hộ nghèo ",
    "người dân tộc ", "nông dân ", "xóa ", "thông tin ", "không ", "thôi ", "hủy ", "+84", "0912 345 678 ",
    "😀", "你好", "Привет", "مرحبا", "ﬁ", "İ", "ß", "đ", "\u0301", "\u200b", "\x00", " ", "  ", "\t", "\n",
    "!", "'", "-", "/", "<", ">", "<b>", "/inform{", '"phone": ', "}", "_",
]


# A message is a unit (drawn by hypothesis, shown when a test fails) repeated up to 64 KB.
units = st.lists(st.sampled_from(PIECES) | st.text(max_size=6), min_size=1, max_size=5).map("".join)


def grown(unit: str) -> str:
    unit = unit or "a"
    return (unit * (SIZE // len(unit) + 1))[:SIZE]


def cpu_seconds(call: Callable[[], object]) -> float:
    best = math.inf
    for _ in range(3):
        start = time.process_time()
        call()
        best = min(best, time.process_time() - start)
        if best < BOUND_SECONDS or best > 10 * BOUND_SECONDS:  # fast, or hopelessly slow
            break
    return best


PARSERS: dict[str, Callable[[str], object]] = {
    "extract": extract_entities,
    "find_amounts": find_amounts,
    "find_phones": find_phones,
    "find_provinces": find_provinces,
    "find_groups": find_groups,
    "clean_message": clean_message,
    "expand_tokens": lambda message: expand_tokens(message.split()),
    "is_cancel": is_cancel,
    "wants_withdrawal": wants_withdrawal,
    "wants_my_data": wants_my_data,
    "special_request": special_request,
    "is_situation_question": lambda message: is_situation_question("inform", message, {"age": 57}, date(2026, 11, 24)),
    "withdrawal_case_in": withdrawal_case_in,
    "deceased_in": deceased_in,
    "calculation_asked": lambda message: calculation_asked("ask_pension", message, [], date(2026, 11, 24)),
}
# Each module's own patterns, run over the message and its folded form from every position.
MODULES: list[ModuleType] = [text, extract, amounts, phones, requests, calculations, starts, callback, advice]


def patterns_of(module: ModuleType) -> list[re.Pattern[str]]:
    """The module's patterns, also those in a table of (name, pattern) pairs."""
    values = list(vars(module).values())
    values += [item for v in values if isinstance(v, tuple) for pair in v if isinstance(pair, tuple) for item in pair]
    return [value for value in values if isinstance(value, re.Pattern)]


def gazetteer_patterns() -> list[re.Pattern[str]]:
    return [provinces._gazetteer().pattern, target_groups._load().pattern]


hostile = settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@pytest.mark.parametrize("name", PARSERS)
@hostile
@given(unit=units)
@example(unit="5 nam ")
@example(unit="9" * 400 + " triệu ")
@example(unit="tháng ")
@example(unit="tôi là " + "A" * SIZE)
@example(unit="1.1,")
@example(unit="1" + " " * SIZE)
def test_parsers_are_linear(name: str, unit: str) -> None:
    parse, message = PARSERS[name], grown(unit)
    assert cpu_seconds(lambda: parse(message)) < BOUND_SECONDS


@pytest.mark.parametrize("module", MODULES, ids=lambda m: m.__name__)
@hostile
@given(unit=units)
@example(unit="5 nam ")
@example(unit="1" + " " * SIZE)
@example(unit="thoi" + " a" * SIZE)
@example(unit="chưa" + "!" * SIZE)
@example(unit="công ty 9 " + " " * SIZE)
def test_every_pattern_of_a_parser_is_linear(module: ModuleType, unit: str) -> None:
    message = grown(unit)
    for pattern in patterns_of(module):
        for subject in (message, fold(message)):
            assert cpu_seconds(lambda: list(pattern.finditer(subject))) < BOUND_SECONDS, pattern.pattern


@hostile
@given(unit=units)
@example(unit="hà nội ")
@example(unit="người dân tộc thái ")
def test_the_gazetteers_are_linear(unit: str) -> None:
    folded = fold(grown(unit))
    for pattern in gazetteer_patterns():
        assert cpu_seconds(lambda: list(pattern.finditer(folded))) < BOUND_SECONDS, pattern.pattern
