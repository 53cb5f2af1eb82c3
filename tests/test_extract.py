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
        ("nam nay toi 50 tuoi", {("age", 50), ("subject", "self")}),
        ("ma phai dong bao nhieu nam thi moi duoc luong huu", set()),  # "bao nhiêu năm": how many years
        ("dong nhieu nam roi", set()),
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


@pytest.mark.parametrize(
    "text, expected",
    [
        # the year the person joined voluntary insurance
        ("tham gia BHXH tự nguyện từ năm 2003", {("joined_year", 2003)}),
        ("tham gia bhxh tu nguyen tu nam 2003", {("joined_year", 2003)}),
        ("tôi đóng từ 2003", {("joined_year", 2003)}),
        ("tham gia từ năm 2003", {("joined_year", 2003)}),
        ("bắt đầu đóng bhxh vào năm 2010", {("joined_year", 2010)}),
        ("bat dau dong bhxh vao nam 2010", {("joined_year", 2010)}),
        ("Tôi là nữ, 56 tuổi, tham gia BHXH tự nguyện từ năm 2003, đã đóng 22 năm, đã được nhận lương hưu chưa?",
         {("gender", "female"), ("age", 56), ("joined_year", 2003), ("duration_months", 264)}),
        ("Toi la nu, 56 tuoi, tham gia BHXH tu nguyen tu nam 2003, da dong 22 nam, da duoc nhan luong huu chua?",
         {("gender", "female"), ("age", 56), ("joined_year", 2003), ("duration_months", 264)}),
        ("tôi sinh năm 1968, đóng từ năm 2005", {("birth_year", 1968), ("joined_year", 2005), ("subject", "self")}),
        # years of compulsory insurance
        ("làm công ty được 9 năm", {("compulsory_months", 108)}),
        ("lam cong ty duoc 9 nam", {("compulsory_months", 108)}),
        ("đóng bắt buộc 9 năm", {("compulsory_months", 108)}),
        ("dong bat buoc 9 nam", {("compulsory_months", 108)}),
        ("có 9 năm bhxh bắt buộc", {("compulsory_months", 108)}),
        ("co 9 nam bhxh bat buoc", {("compulsory_months", 108)}),
        ("9 năm ở công ty", {("compulsory_months", 108)}),
        ("tôi làm công nhân 7 năm 6 tháng", {("compulsory_months", 90)}),
        # voluntary years said apart, and years missing
        ("làm công ty 9 năm, sau đó đóng tự nguyện được 6 năm", {("compulsory_months", 108), ("voluntary_months", 72)}),
        ("lam cong ty 9 nam, sau do dong tu nguyen duoc 6 nam", {("compulsory_months", 108), ("voluntary_months", 72)}),
        ("còn thiếu 3 năm có đóng bù được không", {("missing_months", 36)}),
        ("con thieu 2 nam ruoi", {("missing_months", 30)}),
        # how often one pays is no time paid
        ("mẹ tôi đóng 12 tháng một lần", {("subject", "mother"), ("gender", "female")}),
        ("dong 6 thang 1 lan", set()),
        ("đóng 3 tháng/lần, đã đóng 4 năm", {("duration_months", 48)}),
        # a month's name is no count of years
        ("đóng trước tới tháng 4 năm sau", set()),
        ("dong tu thang 10 nam 2024, da dong 2 nam", {("duration_months", 24)}),
        # a total with its compulsory part
        ("đã đóng 20 năm, trong đó 9 năm bắt buộc", {("duration_months", 240), ("compulsory_months", 108)}),
    ],
)
def test_career_entities(text, expected):
    assert entities(text) == expected


@pytest.mark.parametrize("text", [
    "tôi làm công ty, năm nay 50 tuổi, đã đóng 9 năm",  # the company and the years are in different clauses
    "đóng 22 năm tự nguyện",
    "tham gia 5 năm",
])
def test_years_are_not_read_as_compulsory_nor_as_a_join_year_without_their_words(text):
    kinds = {kind for kind, _ in entities(text)}
    assert "compulsory_months" not in kinds and "joined_year" not in kinds


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


def test_a_correction_of_the_name_is_not_a_name():
    assert entities("sai tên rồi") == set() and entities("tên bị nhầm") == set()
