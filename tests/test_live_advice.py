"""Issue 14 with the real assistant over REST (scripts/run.sh: Rasa and the action server on free
ports, a fresh SQLite database, today 24/11/2026): the citizens' own situations, the benefit
calculators and the office directory, each message typed with and without diacritics."""
import pytest

from bot.launcher import running_assistant
from test_live_conversation import MODEL, tap, text_of

pytestmark = pytest.mark.live


@pytest.fixture(scope="module")
def assistant(tmp_path_factory):
    if not MODEL.exists():
        pytest.skip("no trained model: run `make train` (make test trains before running pytest)")
    db = tmp_path_factory.mktemp("db") / "bot.db"
    with running_assistant(f"sqlite:///{db}", {"BOT_TODAY": "2026-11-24"}) as running:
        yield running


@pytest.mark.parametrize("question", [
    "Tôi là nữ, 56 tuổi, tham gia BHXH tự nguyện từ năm 2003, đã đóng 22 năm, đã được nhận lương hưu chưa?",
    "Toi la nu, 56 tuoi, tham gia BHXH tu nguyen tu nam 2003, da dong 22 nam, da duoc nhan luong huu chua?",
])
def test_a_woman_who_joined_before_2021_with_22_years_is_entitled_now(assistant, question):
    reply = text_of(assistant.say(question, sender="transitional-" + question[:3]))
    # Art 141(9): joined before 1/1/2021, at least 20 years -> pension at 55; she is 56
    assert "được hưởng lương hưu khi đủ 55 tuổi" in reply and "đã đủ điều kiện hưởng lương hưu" in reply
    assert "Luật BHXH 2024, Điều 141 khoản 9" in reply
    # 22 years: 45 % + 7 × 2 % = 59 %
    assert "59%" in reply and "45% cho 15 năm + 7 × 2%" in reply
    assert "không được nghỉ hưu trước tuổi" not in reply


@pytest.mark.parametrize("question", ["tôi 57 tuổi, là nữ, mới đóng được 10 năm thì sao",
                                      "toi 57 tuoi, la nu, moi dong duoc 10 nam thi sao"])
def test_a_woman_of_57_with_10_years_hears_her_options_with_their_figures(assistant, question):
    reply = text_of(assistant.say(question, sender="short-" + question[:3]))
    assert "em đã ghi nhận" not in reply
    assert "còn thiếu 5 năm" in reply and "đã đến tuổi nghỉ hưu" in reply and "57 tuổi" in reply
    # the make-up payment is open: 60 months × 22 % × 1.500.000 = 19.800.000, an estimate
    assert "đóng được ngay" in reply and "ước tính khoảng 19.800.000 đồng = 60 tháng × 22% × 1.500.000 đồng" in reply
    # the Art 23 allowance as the alternative
    assert "trợ cấp hằng tháng" in reply and "ít nhất 500.000 đồng/tháng" in reply and "Luật BHXH 2024, Điều 23" in reply


@pytest.mark.parametrize("question", ["địa chỉ bảo hiểm xã hội tỉnh Nghệ An ở đâu",
                                      "dia chi bao hiem xa hoi tinh Nghe An o dau"])
def test_the_nghe_an_office_as_the_data_has_it_and_the_hotline(assistant, question):
    reply = text_of(assistant.say(question, sender="office-" + question[:3]))
    assert "Bảo hiểm xã hội tỉnh Nghệ An" in reply
    assert "Số 06 đường Trường Thi, thành phố Vinh, tỉnh Nghệ An (*)" in reply and "0238 3844 888 (*)" in reply
    assert "1900 9068" in reply and "chưa được xác nhận" in reply


def test_an_office_without_an_address_is_not_given_one(assistant):
    reply = text_of(assistant.say("dia chi bhxh tinh ha giang o dau", sender="office-unknown"))
    assert "em chưa có địa chỉ của Bảo hiểm xã hội tỉnh Tuyên Quang" in reply
    assert "1900 9068" in reply and "baohiemxahoi.gov.vn" in reply and "Địa chỉ:" not in reply


def test_advice_asked_outright_asks_the_missing_facts_with_buttons(assistant):
    chat = "advice-questions"
    assert "bao nhiêu năm" in text_of(assistant.say("có nên đóng tiếp không", sender=chat))
    asked = assistant.say("12 năm", sender=chat)
    assert "nam hay nữ" in text_of(asked)
    assert "bao nhiêu tuổi" in text_of(tap(assistant, asked, "Nữ", chat))
    reply = text_of(assistant.say("58", sender=chat))
    # 36 months missing: 36 × 330.000 = 11.880.000
    assert "còn thiếu 3 năm" in reply and "11.880.000 đồng" in reply


def test_a_survivor_calculation_does_not_change_what_the_user_said_of_herself(assistant):
    chat = "survivor-then-self"
    assistant.say("tôi đã đóng được 10 năm", sender=chat)
    general = assistant.say("bố tôi mất thì được trợ cấp tuất bao nhiêu", sender=chat)
    deceased = tap(assistant, general, "Tính trợ cấp tuất", chat)
    assert "Người mất đã đóng BHXH tổng cộng bao nhiêu năm" in text_of(tap(assistant, deceased, "Đang đóng BHXH", chat))
    assert "trước năm 2014" in text_of(assistant.say("20 năm", sender=chat))
    assert "Bình quân thu nhập" in text_of(assistant.say("3", sender=chat))
    reply = text_of(assistant.say("5 triệu", sender=chat))
    # 3 × 1,5 × 5.000.000 + 17 × 2 × 5.000.000 = 22.500.000 + 170.000.000
    assert "192.500.000 đồng" in reply and "25.300.000 đồng" in reply
    own = text_of(assistant.say("tôi nữ 57 tuổi thì sao", sender=chat))
    assert "đã đóng 10 năm" in own and "còn thiếu 5 năm" in own


def test_the_withdrawal_calculator_from_the_button_under_the_general_answer(assistant):
    chat = "withdrawal-button"
    general = assistant.say("rút bhxh một lần được không", sender=chat)
    cases = tap(assistant, general, "Tính tiền rút", chat)
    refused = text_of(tap(assistant, cases, "Trường hợp khác", chat))
    assert "không thuộc trường hợp được rút BHXH một lần" in refused and "bảo lưu" in refused
