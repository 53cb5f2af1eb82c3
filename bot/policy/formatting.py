"""Numbers the Vietnamese way: "1.034.000 đồng", "4,5 triệu", "22%"."""
from __future__ import annotations


def group_thousands(n: int) -> str:
    return f"{n:,}".replace(",", ".")


def money(amount: int | float) -> str:
    """1034000 -> '1.034.000 đồng'."""
    return f"{group_thousands(int(round(amount)))} đồng"


def millions(amount: int | float) -> str:
    """4500000 -> '4,5 triệu'; 1500000 -> '1,5 triệu'; 10000000 -> '10 triệu'."""
    value = round(amount / 1_000_000, 2)
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return f"{text.replace('.', ',')} triệu"


def percent(rate: float) -> str:
    """0.22 -> '22%'; 0.025 -> '2,5%'."""
    value = round(rate * 100, 2)
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return f"{text.replace('.', ',')}%"


def years_months(total_months: int) -> str:
    """150 -> '12 năm 6 tháng'; 180 -> '15 năm'."""
    years, months = divmod(total_months, 12)
    return f"{years} năm {months} tháng" if months else f"{years} năm"


def age(total_months: int) -> str:
    """741 -> '61 tuổi 9 tháng'; 720 -> '60 tuổi'."""
    years, months = divmod(total_months, 12)
    return f"{years} tuổi {months} tháng" if months else f"{years} tuổi"
