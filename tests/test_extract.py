import pytest

from bot.language.extract import extract


def entities(text):
    return {(e.entity, e.value) for e in extract(text)}


@pytest.mark.parametrize(
    "text, expected",
    [
        ("tôi tên Nguyễn Văn Nam, sđt 0912 345 678, ở Hà Giang",
         {("person_name", "Nguyễn Văn Nam"), ("phone", "0912345678"), ("province", "Tuyên Quang")}),
        ("toi ten lan o ha giang", {("person_name", "Lan"), ("province", "Tuyên Quang")}),
        ("thu nhập 5tr, năm nay 45 tuổi", {("amount", 5_000_000), ("age", 45)}),
        ("nam sinh tháng 1 năm 1966", {("gender", "male"), ("birth_month", 1), ("birth_year", 1966)}),
        ("nam sinh thang 1 nam 1966", {("gender", "male"), ("birth_month", 1), ("birth_year", 1966)}),
        ("nam sinh 1966", {("birth_year", 1966)}),  # no diacritics: "năm sinh 1966"
        ("Nam, sinh 1966", {("gender", "male"), ("birth_year", 1966)}),
        ("tôi là nữ, sinh 01/1970", {("gender", "female"), ("birth_month", 1), ("birth_year", 1970)}),
        ("sn 5/3/1968", {("birth_month", 3), ("birth_year", 1968)}),
        ("nữ đóng 20 năm", {("gender", "female"), ("duration_months", 240)}),
        ("dong 20 nam roi", {("duration_months", 240)}),
        ("nam nay toi 50 tuoi", {("age", 50)}),
        ("đàn ông", {("gender", "male")}),
        ("tôi ở Quảng Nam", {("province", "Đà Nẵng")}),
        ("tôi tên Nguyễn Văn Nam", {("person_name", "Nguyễn Văn Nam")}),
        ("sn 1970", {("birth_year", 1970)}),
        ("đã đóng được 12 năm 6 tháng", {("duration_months", 150)}),
        ("tôi là người Tày", {("target_group", "ethnic_minority")}),
        ("nhà tôi hộ nghèo", {("target_group", "poor")}),
        ("bán rau ngoài chợ", {("target_group", "trader")}),
        ("tôi làm ruộng", {("target_group", "farmer")}),
        ("mới nghỉ việc ở công ty", {("target_group", "former_employee")}),
    ],
)
def test_entities(text, expected):
    assert entities(text) == expected


def test_a_province_is_not_mistaken_for_an_ethnic_group():
    assert entities("người Thái Nguyên") == {("province", "Thái Nguyên")}


def test_an_occupation_after_toi_la_is_not_a_name():
    assert ("person_name", "Nông Dân") not in entities("tôi là nông dân")


def test_phone_and_birth_year_are_not_amounts():
    found = entities("0912345678 sinh năm 1980")
    assert not any(kind == "amount" for kind, _ in found)


def test_offsets_point_at_the_text():
    text = "tôi ở Hà Giang"
    (e,) = extract(text)
    assert text[e.start:e.end] == e.text == "Hà Giang"
