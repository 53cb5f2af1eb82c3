import pytest
from hypothesis import given, strategies as st

from bot.language.amounts import find_amounts, parse_amount
from bot.language.extract import extract


@pytest.mark.parametrize(
    "text, expected",
    [
        ("5 triệu", 5_000_000),
        ("5tr", 5_000_000),
        ("thu nhap 5tr/thang", 5_000_000),
        ("4,5 triệu", 4_500_000),
        ("4.5tr", 4_500_000),
        ("2 triệu rưỡi", 2_500_000),
        ("2tr5", 2_500_000),
        ("1 triệu 500 nghìn", 1_500_000),
        ("1tr500k", 1_500_000),
        ("3000000", 3_000_000),
        ("3.000.000", 3_000_000),
        ("3,000,000 đồng", 3_000_000),
        ("1.500.000đ", 1_500_000),
        ("500k", 500_000),
        ("500 nghìn", 500_000),
        ("năm triệu", 5_000_000),
        ("nam trieu", 5_000_000),
        ("một triệu rưỡi", 1_500_000),
        ("hai triệu năm trăm nghìn", 2_500_000),
        ("mười lăm triệu", 15_000_000),
        ("hai mươi triệu", 20_000_000),
        ("ba triệu hai", 3_200_000),
        ("10 củ", 10_000_000),
    ],
)
def test_amounts_written_any_way(text, expected):
    assert parse_amount(text) == expected


@pytest.mark.parametrize(
    "text",
    ["0912345678", "sinh năm 1970", "tỉnh cũ", "năm cũ", "triệu phú", "đóng 5 năm", "45 tuổi", "", "ok"],
)
def test_numbers_that_are_not_amounts(text):
    assert parse_amount(text) is None


@pytest.mark.parametrize(
    "text", ["9" * 400 + " triệu", "1.2.3 triệu", "100001 triệu", "1,500,000 triệu", "mười " * 50 + "triệu"],
    ids=["400 nines", "two decimal points", "above the largest", "a million millions", "fifty tens"],
)
def test_absurd_figures_are_no_amounts_and_raise_nothing(text):
    assert find_amounts(text) == []
    assert [e for e in extract(text) if e.entity == "amount"] == []


def test_the_largest_amount_is_a_hundred_billion():
    assert parse_amount("100000 triệu") == 100_000_000_000


def test_several_amounts_in_order_with_offsets():
    text = "lương 7 triệu, vợ 4,5tr"
    amounts = find_amounts(text)
    assert [a.value for a in amounts] == [7_000_000, 4_500_000]
    assert text[amounts[0].start:amounts[0].end] == "7 triệu"


@given(st.integers(min_value=1, max_value=99), st.sampled_from(["triệu", "tr", "trieu"]))
def test_whole_millions(n, unit):
    assert parse_amount(f"thu nhập {n} {unit}") == n * 1_000_000


@given(st.integers(min_value=100_000, max_value=99_999_999))
def test_dotted_figures_round_trip(n):
    assert parse_amount(f"{n:,}".replace(",", ".") + " đồng") == n


@given(st.text())
def test_never_raises(text):
    find_amounts(text)
