"""The roster workbook: the empty template and the current roster, in the same format.

Sheet 名册 has the columns of alliance.roster.COLUMNS, with drop-down lists for 统战身份,
所在单位 and 单位角色; sheet 选项 lists what those columns accept (the Chinese labels, the
alliance's unit names). What a person typed never becomes a formula.
"""

import tempfile

from django.http import FileResponse
from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter, quote_sheetname
from openpyxl.worksheet.datavalidation import DataValidation

from alliance import roster
from alliance.models import Member, Membership

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
BOLD = Font(bold=True)
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
WIDTHS = {"姓名": 12, "统战身份": 18, "手机号": 15, "电子邮箱": 26, "所在单位": 26,
          "单位角色": 10, "入盟日期": 12}
# Drop-downs reach this far down the sheet (the most rows one import takes).
LAST_ROW = roster.MAX_ROWS + 1


def _put(sheet, row, column, value):
    cell = sheet.cell(row=row, column=column, value=value)
    if isinstance(value, str):
        cell.data_type = "s"  # never a formula, whatever it starts with
    return cell


def _options_sheet(workbook, units):
    """Sheet 选项: one column per list; returns {header: the range the drop-down uses}."""
    sheet = workbook.create_sheet(roster.OPTIONS_TITLE)
    lists = {
        "统战身份": list(roster.identity_labels()),
        "单位角色": list(roster.role_labels()),
        "所在单位": [name for _pk, name in units],
    }
    ranges = {}
    for column, (header, values) in enumerate(lists.items(), start=1):
        _put(sheet, 1, column, header).font = BOLD
        for row, value in enumerate(values, start=2):
            _put(sheet, row, column, value)
        letter = get_column_letter(column)
        sheet.column_dimensions[letter].width = WIDTHS[header] + 4
        if values:
            ranges[header] = (f"{quote_sheetname(sheet.title)}!"
                              f"${letter}$2:${letter}${len(values) + 1}")
    return ranges


def _drop_downs(sheet, ranges):
    for column, header in enumerate(roster.HEADERS, start=1):
        if header not in ranges:
            continue
        letter = get_column_letter(column)
        validation = DataValidation(
            type="list", formula1=ranges[header], allow_blank=True, showErrorMessage=True,
            errorTitle=header, error=f"请从下拉列表中选择{header}（见“选项”表）。")
        sheet.add_data_validation(validation)
        validation.add(f"{letter}2:{letter}{LAST_ROW}")


def roster_workbook(*, alliance, with_members):
    """The roster as a workbook: the headers only (the template) or every member on the
    roster, one row per unit they are in (a member of no unit on a row of their own)."""
    units = roster.alliance_units(alliance)
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = roster.SHEET_TITLE
    for column, header in enumerate(roster.HEADERS, start=1):
        _put(sheet, 1, column, header).font = BOLD
        sheet.column_dimensions[get_column_letter(column)].width = WIDTHS[header]
    sheet.freeze_panes = "A2"
    if with_members:
        for row, values in enumerate(_member_rows(alliance, dict(units)), start=2):
            for column, value in enumerate(values, start=1):
                cell = _put(sheet, row, column, value)
                if column == 7 and value:
                    cell.number_format = "yyyy-mm-dd"
    _drop_downs(sheet, _options_sheet(workbook, units))
    return workbook


def _member_rows(alliance, unit_names):
    """The cells of each roster row; two queries whatever the number of members."""
    identities = {value: label for label, value in roster.identity_labels().items()}
    roles = {value: label for label, value in roster.role_labels().items()}
    members = (Member.objects.filter(alliance=alliance, is_active=True).order_by("pk")
               .values_list("pk", "name", "identity", "phone", "email", "joined"))
    units_of = {}
    for member_id, unit_id, role in (
            Membership.objects.filter(member__alliance=alliance, member__is_active=True,
                                      unit__alliance=alliance)
            .order_by("unit__kind", "unit__order", "unit_id")
            .values_list("member_id", "unit_id", "role")):
        units_of.setdefault(member_id, []).append((unit_names.get(unit_id, ""), roles[role]))
    for pk, name, identity, phone, email, joined in members:
        person = [name, identities.get(identity, ""), phone, email]
        for unit, role in units_of.get(pk) or [("", "")]:
            yield [*person, unit, role, joined]


def workbook_response(workbook, *, filename):
    spool = tempfile.TemporaryFile()
    workbook.save(spool)
    spool.seek(0)
    return FileResponse(spool, as_attachment=True, filename=filename, content_type=XLSX)
