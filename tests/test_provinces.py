import pytest
from hypothesis import given, strategies as st

from bot.language.provinces import all_provinces, find_provinces, province_by_name, resolve_province
from bot.language.text import strip_diacritics


def test_there_are_34_provinces_with_unique_names():
    provinces = all_provinces()
    assert len(provinces) == 34
    assert len({p.name for p in provinces}) == 34
    assert sum(p.kind == "thành phố" for p in provinces) == 6


@pytest.mark.parametrize(
    "text, current, old",
    [
        ("tôi ở Hà Giang", "Tuyên Quang", "Hà Giang"),
        ("que ha giang", "Tuyên Quang", "Hà Giang"),
        ("nhà ở Bình Dương", "Hồ Chí Minh", "Bình Dương"),
        ("Bà Rịa - Vũng Tàu", "Hồ Chí Minh", "Bà Rịa - Vũng Tàu"),
        ("thua thien hue", "Huế", "Thừa Thiên Huế"),
        ("quê nam dinh", "Ninh Bình", "Nam Định"),
        ("bac kan", "Thái Nguyên", "Bắc Kạn"),
        ("Hậu Giang", "Cần Thơ", "Hậu Giang"),
        ("tôi ở Nghệ An", "Nghệ An", None),
        ("o sai gon", "Hồ Chí Minh", None),
        ("TPHCM", "Hồ Chí Minh", None),
        ("ha noi", "Hà Nội", None),
        ("quê tôi ở Hà Tây cũ", "Hà Nội", None),  # merged into Hà Nội in 2008
        ("ha tay", "Hà Nội", None),
    ],
)
def test_current_and_old_names_resolve_to_the_current_province(text, current, old):
    match = resolve_province(text)
    assert match is not None and match.province is not None
    assert match.province.name == current
    assert match.old_name == old


def test_every_old_province_resolves_with_and_without_diacritics():
    for province in all_provinces():
        for old in province.old:
            for written in (old, strip_diacritics(old).lower()):
                match = resolve_province(f"tôi ở {written}")
                assert match and match.province == province, written


def test_ambiguous_abbreviation_gives_all_candidates():
    match = resolve_province("em ở ĐN")
    assert match.province is None
    assert {p.name for p in match.candidates} == {"Đà Nẵng", "Đồng Nai"}


def test_longest_name_wins_and_words_must_be_whole():
    assert resolve_province("Hà Nam").province.name == "Ninh Bình"
    assert resolve_province("tôi ở tỉnh cũ") is None
    assert resolve_province("khanh hoa binh") .province.name == "Khánh Hòa"


def test_office_name():
    assert province_by_name("nghe an").office == "Bảo hiểm xã hội tỉnh Nghệ An"
    assert province_by_name("Hà Nội").office == "Bảo hiểm xã hội thành phố Hà Nội"


@given(st.text())
def test_never_raises(text):
    find_provinces(text)


def test_every_province_has_its_office():
    from bot.language.provinces import all_provinces
    offices = {p.name: p.office for p in all_provinces()}
    assert len(offices) == 34
    assert offices["Tuyên Quang"] == "Bảo hiểm xã hội tỉnh Tuyên Quang"
    assert offices["Hồ Chí Minh"] == "Bảo hiểm xã hội thành phố Hồ Chí Minh"
