import pytest

from bot.cli import main


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
