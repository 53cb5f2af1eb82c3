"""Letter-style messages are read for their question (bot/language/letters.py). Examples written by
hand in the register of readers' letters."""
from bot.language.letters import focus, question_sentence


def test_the_greeting_the_request_to_ask_and_the_thanks_are_left_out():
    letter = ("Kính gửi BHXH. Cho tôi hỏi, mẹ tôi năm nay 56 tuổi, đã đóng tự nguyện 12 năm ở Nghệ An. "
              "Giờ mẹ muốn đóng một lần cho đủ năm thì có được không? Xin cảm ơn!")
    read = focus(letter)
    assert not read.startswith("kinh gui") and "cho toi hoi" not in read and "cam on" not in read
    assert read.startswith("me toi nam nay 56 tuoi")
    assert read.endswith("gio me muon dong mot lan cho du nam thi co duoc khong? gio me muon dong mot lan cho du nam thi co duoc khong?")


def test_without_diacritics_and_in_chat_abbreviations():
    letter = "chao tong dai, e 35t lam cty may 10 nam roi nghi, gio dong tiep tu nguyen thi 10 nam do co dc tinh ko a. e cam on"
    read = focus(letter)
    body = "e 35t lam cty may 10 nam roi nghi, gio dong tiep tu nguyen thi 10 nam do co dc tinh ko a"
    assert read == f"{body} {body}", "one sentence: it is the question"


def test_the_question_is_the_sentence_that_asks():
    assert question_sentence("toi 50 tuoi. da dong 10 nam. bao gio toi duoc nghi huu? toi o ha noi.") == \
        "bao gio toi duoc nghi huu?"
    assert question_sentence("toi 50 tuoi. da dong 10 nam. gio dong tiep thi bao nhieu tien 1 thang") == \
        "gio dong tiep thi bao nhieu tien 1 thang"


def test_a_short_message_is_read_as_it_is():
    assert focus("Chào em, lương hưu bao nhiêu?") == "chao em, luong huu bao nhieu?"
    assert focus("cảm ơn em nhiều") == "cam on em nhieu"
