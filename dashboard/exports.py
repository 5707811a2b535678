"""Exports of the dashboard: the statistics workbook and the filtered suggestion list.

The suggestion list is streamed: rows come from ``values().iterator(chunk_size=...)``; the
CSV goes out row by row through a StreamingHttpResponse, the workbook is written by
openpyxl in write-only mode to a temporary file and sent from there. Neither holds the
whole list in memory. Cells never become formulas (titles are typed by members).
"""

import csv
import datetime
import tempfile

from django.http import FileResponse, StreamingHttpResponse
from django.utils import timezone
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

from proposals.models import Suggestion

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CHUNK = 2000
BOLD = Font(bold=True)
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")

RATE_COLUMNS = [
    ("total", "提交数"), ("accepted", "受理数"), ("replied", "已答复"), ("reply_rate", "回复率%"),
    ("progressed", "已推进"), ("progress_rate", "推进率%"), ("implemented", "已落实"),
    ("not_implemented", "答复未落实"), ("implementation_rate", "落实率%"),
    ("feedback_given", "已反馈"), ("feedback_rate", "反馈率%"),
    ("satisfaction_rate", "满意率%"), ("on_time_reply_rate", "按时答复率%"),
    ("on_time_handling_rate", "按时办理率%"), ("overdue", "当前逾期"),
    ("declined", "不予受理"), ("merged", "已合并"), ("withdrawn", "已撤回"),
    ("reopened", "二次办理"), ("closed_no_response", "无反馈办结"), ("golden", "金点子"),
]

SUGGESTION_FIELDS = [
    ("tracking_number", "编号"), ("title", "标题"), ("category__name", "类别"),
    ("channel", "渠道"), ("state", "状态"), ("lead_unit__name", "牵头单位"),
    ("submitted_at", "提交时间"), ("accepted_at", "受理时间"), ("replied_at", "答复时间"),
    ("implemented_at", "落实时间"), ("closed_at", "办结时间"), ("reply_due", "答复期限"),
    ("outcome_grade", "办理结果"), ("not_implemented", "暂不落实"),
    ("closed_no_response", "无反馈办结"), ("reopened_count", "二次办理次数"),
    ("is_golden", "金点子"),
]


def _plain(value):
    """Excel has no time zones: datetimes are written as local wall-clock time."""
    if isinstance(value, datetime.datetime) and timezone.is_aware(value):
        return timezone.localtime(value).replace(tzinfo=None)
    if isinstance(value, bool):
        return "是" if value else "否"
    return value


def _cell(sheet, value, *, bold=False):
    cell = WriteOnlyCell(sheet, value=_plain(value))
    if isinstance(value, str) and value.startswith(FORMULA_START):
        cell.data_type = "s"
    if isinstance(cell.value, datetime.datetime):
        cell.number_format = "yyyy-mm-dd hh:mm"
    elif isinstance(cell.value, datetime.date):
        cell.number_format = "yyyy-mm-dd"
    if bold:
        cell.font = BOLD
    return cell


def _row(sheet, values, *, bold=False):
    sheet.append([_cell(sheet, v, bold=bold) for v in values])


def _choice_labels():
    labels = {"state": dict(Suggestion.State.choices)}
    for field in ("channel", "outcome_grade"):
        choices = Suggestion._meta.get_field(field).choices or []
        labels[field] = {k: str(v) for k, v in choices}
    return labels


def _suggestion_rows(suggestions):
    labels = _choice_labels()
    names = [name for name, _header in SUGGESTION_FIELDS]
    for row in suggestions.order_by("pk").values(*names).iterator(chunk_size=CHUNK):
        for field, mapping in labels.items():
            row[field] = str(mapping.get(row[field], row[field] or ""))
        yield [row[name] for name in names]


def _workbook_response(workbook, filename):
    spool = tempfile.TemporaryFile()
    workbook.save(spool)
    spool.seek(0)
    return FileResponse(spool, as_attachment=True, filename=filename, content_type=XLSX)


def suggestions_xlsx(suggestions, *, filename):
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("建言列表")
    _row(sheet, [header for _name, header in SUGGESTION_FIELDS], bold=True)
    for values in _suggestion_rows(suggestions):
        _row(sheet, values)
    return _workbook_response(workbook, filename)


class _Echo:
    def write(self, value):
        return value


def _csv_value(value):
    value = _plain(value)
    if isinstance(value, datetime.datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    if value is None:
        return ""
    value = str(value)
    # A leading apostrophe keeps a spreadsheet from running member-typed text as a formula.
    return "'" + value if value.startswith(FORMULA_START) else value


def suggestions_csv(suggestions, *, filename):
    writer = csv.writer(_Echo())

    def lines():
        yield "\ufeff"  # BOM: Excel then opens the Chinese text as UTF-8
        yield writer.writerow([header for _name, header in SUGGESTION_FIELDS])
        for values in _suggestion_rows(suggestions):
            yield writer.writerow([_csv_value(v) for v in values])

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _rates_sheet(workbook, title, first_header, rows, *, key="label"):
    sheet = workbook.create_sheet(title)
    _row(sheet, [first_header, *[header for _k, header in RATE_COLUMNS]], bold=True)
    for row in rows:
        _row(sheet, [row[key], *[row[k] for k, _h in RATE_COLUMNS]])
    return sheet


def statistics_xlsx(data, flt, *, filename):
    """The dashboard as a workbook, one sheet per view; its totals are the page's."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("筛选条件")
    _row(sheet, ["项目", "取值"], bold=True)
    _row(sheet, ["起始日期", flt.date_from])
    _row(sheet, ["截止日期", flt.date_to])
    _row(sheet, ["单位", str(flt.unit) if flt.unit else "全部单位"])
    _row(sheet, ["类别", str(flt.category) if flt.category else "全部类别"])
    _row(sheet, ["统计日期", data["today"]])

    overview = dict(data["overview"], label="合计")
    _rates_sheet(workbook, "总览", "范围", [overview])
    _rates_sheet(workbook, "按类别", "类别", data["by_category"])
    _rates_sheet(workbook, "按牵头单位", "牵头单位", data["by_lead_unit"])
    _rates_sheet(workbook, "按月份", "月份", data["by_month"], key="group")

    sheet = workbook.create_sheet("志愿服务")
    _row(sheet, ["单位", "类别", "组织活动数", "签到人次", "志愿服务时长（小时）", "服务人数"],
         bold=True)
    for row in data["volunteers"]:
        _row(sheet, [row["label"], row["kind"], row["events"], row["attendances"],
                     float(row["hours"]), row["volunteers"]])
    _row(sheet, ["合计", "", data["volunteer_totals"]["events"], "",
                 float(data["volunteer_totals"]["hours"]), ""], bold=True)

    sheet = workbook.create_sheet("联盟组成")
    _row(sheet, ["类别", "目标", "现有", "是否达标"], bold=True)
    for row in data["composition"]:
        _row(sheet, [str(row["label"]), row["target"], row["actual"], row["complete"]])

    sheet = workbook.create_sheet("金点子")
    _row(sheet, ["编号", "标题", "类别", "牵头单位", "办结时间", "简介"], bold=True)
    for idea in data["golden"]:
        _row(sheet, [idea.tracking_number, idea.title,
                     idea.category.name if idea.category_id else "",
                     str(idea.lead_unit) if idea.lead_unit_id else "", idea.closed_at,
                     idea.golden_summary])
    return _workbook_response(workbook, filename)


DISTRICT_VOLUNTEER_COLUMNS = [("events", "组织活动数"), ("hours", "志愿服务时长（小时）"),
                              ("volunteers", "服务人数")]


def district_xlsx(data, flt, *, filename):
    """/district/ as a workbook: each alliance's row of the four 有 and the rates, and its
    volunteer figures; the district's totals last. Counts only."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("筛选条件")
    _row(sheet, ["项目", "取值"], bold=True)
    _row(sheet, ["起始日期", flt.date_from])
    _row(sheet, ["截止日期", flt.date_to])
    _row(sheet, ["统计日期", data["today"]])
    rows = [*data["rows"], data["total"]]
    _rates_sheet(workbook, "各联盟直通车", "联盟", rows)
    sheet = workbook.create_sheet("各联盟志愿服务")
    _row(sheet, ["联盟", *[header for _k, header in DISTRICT_VOLUNTEER_COLUMNS]], bold=True)
    for row in rows:
        _row(sheet, [row["label"], row["events"], float(row["hours"]), row["volunteers"]])
    return _workbook_response(workbook, filename)
