import unicodedata

import pytest
from hypothesis import given, strategies as st

from bot.language.text import clean_message, expand_tokens, fold, has_words, strip_diacritics


def test_fold_removes_diacritics_case_and_d_stroke():
    assert fold("BẢO HIỂM xã hội Đóng") == "bao hiem xa hoi dong"
    assert fold("Hoà Bình") == fold("Hòa Bình") == "hoa binh"


def test_decomposed_and_composed_input_fold_alike():
    composed = "bảo hiểm tự nguyện"
    decomposed = unicodedata.normalize("NFD", composed)
    assert composed != decomposed
    assert fold(decomposed) == fold(composed)


def test_strip_diacritics_keeps_case():
    assert strip_diacritics("Đà Nẵng") == "Da Nang"


def test_abbreviations_expand_per_token_and_keep_token_count():
    tokens = ["bhxh", "tn", "đóng", "bn", "đc", "ko", "j"]
    assert expand_tokens(tokens) == ["bao hiem xa hoi", "tu nguyen", "dong", "bao nhieu", "duoc", "khong", "gi"]


def test_ambiguous_abbreviations_are_left_alone():
    assert expand_tokens(["bh", "k", "đk"]) == ["bh", "k", "dk"]
    assert expand_tokens(["bh", "tn"]) == ["bao hiem", "tu nguyen"]


def test_clean_message_removes_control_characters_tags_and_limits_length():
    assert clean_message("a\x00b\u200b <script>alert(1)</script> c") == "a b alert(1) c"
    assert clean_message(None) == ""
    assert len(clean_message("x" * 5000, max_chars=2000)) == 2000


def test_has_words():
    assert not has_words("😀😀 !!! ...")
    assert has_words("ok 👍")
    assert not has_words("")


@given(st.text())
def test_fold_is_idempotent_and_never_raises(text):
    assert fold(fold(text)) == fold(text)


@given(st.lists(st.text(alphabet=st.characters(blacklist_categories=("Cs",)), min_size=1), max_size=8))
def test_expand_tokens_keeps_one_lemma_per_token(tokens):
    assert len(expand_tokens(tokens)) == len(tokens)


@pytest.mark.parametrize("message, died", [
    ("mẹ tôi mất vào tháng 10", True), ("me toi mat vao thang 10", True), ("bố đã mất rồi", True),
    ("bà mất năm ngoái", True), ("ông mất năm 2023", True), ("chồng tôi mất vì tai nạn", True),
    ("anh ấy mất đột ngột", True), ("bo toi mat", True), ("nếu không may mất đi thì sao", True),
    ("người cha đã chết", True), ("ông từ trần", True), ("mẹ tử vong do tai nạn", True),
    # losing, costing, cash
    ("đóng bằng tiền mặt", False), ("tien mat roi", False), ("có bị mất không", False),
    ("số năm đã đóng có mất không", False), ("sổ mất thì làm sao", False), ("mất sổ bảo hiểm", False),
    ("một tháng mất mấy trăm nghìn", False), ("mất năm năm mới đủ", False), ("mất 5 năm", False),
    ("mất đi quyền lợi", False), ("mất việc", False), ("mất thai", False), ("sợ mất tiền", False),
])
def test_a_death_is_one_lemma_and_losing_is_not_a_death(message, died):
    assert ("qua doi" in " ".join(expand_tokens(message.split()))) is died
