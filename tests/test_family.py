"""Whose situation a message tells (bot/language/family.py), and the gender its kinship word says."""
import pytest

from bot.dialogue.person import who
from bot.language.extract import extract
from bot.language.family import find_subject


@pytest.mark.parametrize("text, person", [
    ("Mẹ tôi năm nay 58 tuổi, trước làm công ty được 9 năm rồi nghỉ", "mother"),
    ("me toi nam nay 58 tuoi, truoc lam cong ty 9 nam", "mother"),
    ("bố em sinh năm 1965 muốn đóng tiếp cho đủ", "father"),
    ("con muốn đóng cho bố được không ạ", "father"),
    ("ba tôi 60 tuổi rồi", "father"),
    ("bà tôi 70 tuổi", "grandmother"),
    ("ba ngoai toi 70 tuoi co dong duoc khong", "grandmother"),
    ("bà xã tôi 40 tuổi ở nhà nội trợ", "wife"),
    ("ông xã em làm công ty 9 năm", "husband"),
    ("vo toi o nha noi tro", "wife"),
    ("con trai tôi 20 tuổi đi làm tự do", "son"),
    ("đóng cho con gái đang học đại học được ko", "daughter"),
    ("con tôi đang học đại học", "child"),
    ("ba má tôi đều 55 tuổi", "parents"),
    ("mẹ chồng em 60 tuổi", "mother"),
    ("tôi 45 tuổi, muốn đóng cho mẹ", "self"),  # the facts given are the writer's
    ("Chào tổng đài, em năm nay 30 tuổi", "self"),
])
def test_the_person_concerned(text, person):
    assert find_subject(text).person == person


@pytest.mark.parametrize("text", [
    "cho con hỏi đóng bao nhiêu một tháng",  # asks leave to ask
    "mà tôi muốn hỏi thêm",  # "mà" (but), not "má" (mother)
    "tôi bỏ đóng 2 năm rồi",  # "bỏ" (quit), not "bố"
    "toi bo dong 2 nam roi",
    "chả có tiền mà đóng",  # "chả" (not), not "cha"
    "ba toi 60 tuoi",  # without diacritics: "ba tôi" (father) or "bà tôi" (grandmother)
    "mức đóng thấp nhất là bao nhiêu",
])
def test_nobody_is_named(text):
    assert find_subject(text) is None


@pytest.mark.parametrize("text, gender", [
    ("mẹ tôi 58 tuổi đóng được 9 năm", "female"),
    ("bo em sinh nam 1965", "male"),
    ("ông xã em 50 tuổi", "male"),
    ("mẹ tôi là nam", "male"),  # what the message says outright wins over the kinship word
])
def test_the_kinship_word_gives_the_gender(text, gender):
    assert {(e.entity, e.value) for e in extract(text) if e.entity == "gender"} == {("gender", gender)}


def test_parents_or_a_child_give_no_gender():
    assert not [e for e in extract("bố mẹ tôi đều 55 tuổi") if e.entity == "gender"]
    assert not [e for e in extract("con tôi 20 tuổi") if e.entity == "gender"]


@pytest.mark.parametrize("subject, said", [
    (None, "Anh/chị"), ("self", "Anh/chị"), ("mother", "Mẹ của anh/chị"), ("husband", "Chồng của anh/chị"),
    ("parents", "Bố mẹ của anh/chị"),
])
def test_the_forms_name_the_person(subject, said):
    assert who(subject) == said
