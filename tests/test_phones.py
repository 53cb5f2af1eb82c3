import pytest

from bot.language.phones import find_phones, mask_phone, normalise_phone


@pytest.mark.parametrize(
    "raw, expected",
    [
        ("0912345678", "0912345678"),
        ("0912 345 678", "0912345678"),
        ("0912.345.678", "0912345678"),
        ("091-234-5678", "0912345678"),
        ("+84 912 345 678", "0912345678"),
        ("84912345678", "0912345678"),
        ("0351234567", "0351234567"),
        ("0243 8256 789", "02438256789"),
    ],
)
def test_valid_numbers_are_normalised(raw, expected):
    assert normalise_phone(raw) == expected


@pytest.mark.parametrize("raw", ["012345678", "0112345678", "09123456789", "1234567890", "091234567a", "", "+1 555 0100"])
def test_invalid_numbers_are_rejected(raw):
    assert normalise_phone(raw) is None


def test_found_in_a_sentence():
    assert find_phones("sdt cua toi la 0912 345 678 nhe") == [("0912345678", 15, 27)]


def test_mask():
    assert mask_phone("0912345678") == "091****678"
