import pytest

from bot.cli.main import main


def run(capsys, *args):
    code = main(["--on", "2026-11-24", *args])
    out = capsys.readouterr()
    return code, out.out, out.err


def test_contribution(capsys):
    code, out, _ = run(capsys, "calc", "contribution", "--income", "5tr", "--group", "other", "--period", "3")
    assert code == 0
    assert "1.100.000 đồng/tháng" in out and "1.034.000 đồng/tháng" in out and "3.102.000 đồng" in out
    assert "Hạn nộp: 31/01/2027" in out and "Nghị định 159/2025/NĐ-CP, Điều 5" in out


def test_highest_group(capsys):
    _, out, _ = run(capsys, "calc", "contribution", "--income", "1500000", "--group", "other", "--group", "poor")
    assert "hộ nghèo, 50%" in out and "Còn phải nộp: 165.000 đồng/tháng" in out


def test_retirement(capsys):
    _, out, _ = run(capsys, "calc", "retirement", "--gender", "male", "--born", "1966-01")
    assert "61 tuổi 9 tháng" in out and "11/2027" in out


def test_pension(capsys):
    _, out, _ = run(capsys, "calc", "pension", "--gender", "female", "--months", "240", "--income", "5000000")
    assert "55%" in out and "2.750.000 đồng/tháng" in out


def test_income_out_of_range_is_a_clear_error(capsys):
    code, _, err = run(capsys, "calc", "contribution", "--income", "1000000")
    assert code == 2 and "1.500.000 đồng đến 50.600.000 đồng" in err


def test_unreadable_amount(capsys):
    with pytest.raises(SystemExit):
        run(capsys, "calc", "contribution", "--income", "nhiều lắm")


def test_advance_payment(capsys):
    code, out, _ = run(capsys, "calc", "advance", "--income", "5tr", "--years", "5")
    assert code == 0 and "62.040.000 đồng" in out and "chưa được giảm trừ" in out and "do cơ quan BHXH tính" in out
    code, out, _ = run(capsys, "calc", "advance", "--income", "5tr", "--years", "1", "--monthly-return", "0.005")
    assert code == 0 and "12.074.046 đồng" in out
    code, _, err = run(capsys, "calc", "advance", "--income", "5tr", "--years", "6")
    assert code == 2 and "từ 1 đến 5 năm" in err


def test_retirement_before_the_schedule(capsys):
    _, out, _ = run(capsys, "calc", "retirement", "--gender", "female", "--born", "1964-03")
    assert "55 tuổi, đủ tuổi vào 03/2019" in out and "từ 04/2019" in out and "Phụ lục I" in out


def test_retirement_under_the_transitional_rule(capsys):
    _, out, _ = run(capsys, "calc", "retirement", "--gender", "female", "--born", "1970-06", "--joined", "2003",
                    "--months", "264")
    assert "quy định chuyển tiếp): 55 tuổi, đủ tuổi vào 06/2025" in out and "từ 07/2025" in out
    assert "lộ trình chung: 57 tuổi 4 tháng, 10/2027" in out and "Luật BHXH 2024, Điều 141 khoản 9" in out


def test_make_up_cost_says_what_it_leaves_out(capsys):
    code, out, _ = run(capsys, "calc", "make-up", "--months", "120", "--gender", "female", "--born", "1969-11")
    assert code == 0 and "từ tháng 10/2026" in out  # 57 y reached in 11/2026
    assert "60 tháng × 330.000 đồng = 19.800.000 đồng (chưa tính lãi)" in out
    assert "cộng lãi theo lãi suất đầu tư của quỹ" in out and "Chưa rõ khoản đóng bù có được Nhà nước hỗ trợ" in out
    code, _, err = run(capsys, "calc", "make-up", "--months", "100")  # 80 months missing
    assert code == 2 and "không quá 5 năm" in err


def test_withdrawal_only_in_the_cases_of_the_law(capsys):
    _, out, _ = run(capsys, "calc", "withdrawal", "--months-from-2014", "100", "--income", "3tr")
    assert "Không thuộc trường hợp được rút BHXH một lần" in out and "đồng" not in out
    assert "tiếp tục đóng" in out and "trợ cấp hằng tháng" in out
    _, out, _ = run(capsys, "calc", "withdrawal", "--case", "retirement_age", "--months-before-2014", "30",
                    "--months-from-2014", "90", "--income", "3tr", "--support-received", "5tr")
    assert "57.000.000 đồng" in out and "nhận 52.000.000 đồng" in out and "Luật BHXH 2024, Điều 102" in out


def test_allowance(capsys):
    _, out, _ = run(capsys, "calc", "allowance", "--gender", "female", "--born", "1969-05", "--months", "100")
    assert "ít nhất 500.000 đồng/tháng" in out and "75 tuổi, 05/2044" in out and "do cơ quan BHXH tính" in out


def test_survivor(capsys):
    _, out, _ = run(capsys, "calc", "survivor", "--pension", "3tr", "--drawn", "10")
    assert "43 tháng lương hưu = 129.000.000 đồng" in out and "mai táng: 25.300.000 đồng" in out
    _, out, _ = run(capsys, "calc", "survivor", "--months-from-2014", "48", "--income", "4tr")
    assert "số tiền đã đóng" in out and "Không có trợ cấp mai táng" in out
    code, _, err = run(capsys, "calc", "survivor", "--months-from-2014", "48")
    assert code == 2 and "--income" in err


def test_pension_with_years_after_retirement_age(capsys):
    _, out, _ = run(capsys, "calc", "pension", "--gender", "female", "--months", "396", "--income", "4tr",
                    "--months-after-age", "24")
    assert "Trợ cấp một lần khi nghỉ hưu: 18.000.000 đồng" in out and "Điều 100 khoản 2" in out


def test_situation(capsys):
    _, out, _ = run(capsys, "calc", "situation", "--gender", "female", "--age", "57", "--months", "120")
    assert "short_of_years" in out and "make_up_cost: 19.800.000 đồng" in out and "Cần thêm: birth" in out
