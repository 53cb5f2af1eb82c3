"""The officers' exports of a filtered list: CSV with a BOM (Excel then reads UTF-8) and XLSX,
Vietnamese headers, times in Vietnam's time, and text cells that a spreadsheet never runs as a
formula (a name typed in the chat could start with "=")."""
from __future__ import annotations

import csv
import io
from datetime import datetime
from typing import Callable, Iterable

from openpyxl import Workbook
from openpyxl.styles import Font

from bot.leads.models import Lead
from bot.staff.labels import channel_label, group_label, interests_label
from bot.staff.queries import local

COLUMNS: list[tuple[str, Callable[[Lead], object], int]] = [
    ("Mã", lambda l: l.id, 8),
    ("Ngày tạo", lambda l: local(l.created_at).replace(tzinfo=None), 18),
    ("Trạng thái", lambda l: l.status, 20),
    ("Họ tên", lambda l: l.full_name or "(đã xóa theo yêu cầu)", 24),
    ("Điện thoại", lambda l: l.phone or "", 14),
    ("Tỉnh, thành phố", lambda l: l.province, 18),
    ("Xã, phường", lambda l: l.commune or "", 18),
    ("Thời gian gọi", lambda l: l.preferred_time or "", 16),
    ("Nhóm đối tượng", lambda l: group_label(l.target_group), 22),
    ("Thu nhập (đồng/tháng)", lambda l: l.income, 14),
    ("Quan tâm", lambda l: interests_label(l.interests), 30),
    ("Kênh", lambda l: channel_label(l.channel), 12),
    ("Cán bộ phụ trách", lambda l: l.assigned_to or "", 16),
    ("Cơ quan BHXH", lambda l: l.office, 30),
    ("Cập nhật", lambda l: local(l.updated_at).replace(tzinfo=None), 18),
    ("Mã tra cứu", lambda l: l.reference, 10),
]
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _rows(leads: list[Lead]) -> list[list[object]]:
    return [[value(lead) for _, value, _ in COLUMNS] for lead in leads]


def to_csv(leads: list[Lead]) -> bytes:
    return csv_text([title for title, _, _ in COLUMNS], _rows(leads)).encode("utf-8")


def csv_text(header: Iterable[str], rows: Iterable[Iterable[object]]) -> str:
    """CSV for Excel: a BOM (then it reads UTF-8), times as dd/mm/yyyy hh:mm, and no text cell that
    a spreadsheet would run as a formula. The staff pages' export and `bot leads export` both."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    for row in rows:
        writer.writerow([_csv_cell(v) for v in row])
    return "\ufeff" + out.getvalue()


def _csv_cell(value: object) -> object:
    if isinstance(value, datetime):
        return value.strftime("%d/%m/%Y %H:%M")
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return "" if value is None else value


def to_xlsx(leads: list[Lead]) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = "Yêu cầu tư vấn"
    sheet.append([title for title, _, _ in COLUMNS])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row_index, row in enumerate(_rows(leads), start=2):
        for column_index, value in enumerate(row, start=1):
            cell = sheet.cell(row=row_index, column=column_index, value=value)
            if isinstance(value, str):
                cell.data_type = "s"  # never a formula, whatever the text starts with
            elif isinstance(value, datetime):
                cell.number_format = "dd/mm/yyyy hh:mm"
    for index, (_, _, width) in enumerate(COLUMNS, start=1):
        sheet.column_dimensions[sheet.cell(1, index).column_letter].width = width
    sheet.freeze_panes = "A2"
    sheet.auto_filter.ref = sheet.dimensions
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
