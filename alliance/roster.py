"""The roster sheet coordinators keep in Excel: its columns, and reading a filled one.

The sheet speaks the staff's language: Chinese headers, the Chinese labels of 统战身份 and
单位角色 (never codes), units by name. Reading writes nothing: ``read_sheet`` turns the
workbook's rows into RosterRow values, each with the errors a person can fix in Excel, and
``plan`` says what confirming would do to each row (new / update / unchanged), in three
queries whatever the number of rows. alliance.services.import_roster writes what ``plan``
says, after planning again inside its transaction.
"""

import datetime
import re
import zipfile
from dataclasses import asdict, dataclass, field

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db.models import Q, Value
from django.db.models.functions import Lower, Replace
from django.template.defaultfilters import filesizeformat
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from alliance.models import Member, Membership, Unit

# The sheet's columns, in the template's order: (RosterRow attribute, header).
COLUMNS = (
    ("name", "姓名"),
    ("identity", "统战身份"),
    ("phone", "手机号"),
    ("email", "电子邮箱"),
    ("unit", "所在单位"),
    ("role", "单位角色"),
    ("joined", "入盟日期"),
)
HEADERS = tuple(header for _attr, header in COLUMNS)
SHEET_TITLE = "名册"
OPTIONS_TITLE = "选项"

MAX_BYTES = 2 * 1024 * 1024
# What the zip may unpack to: a 2 MB upload of repeated text could otherwise unpack to
# gigabytes of shared strings, which openpyxl reads whole.
MAX_UNPACKED_BYTES = 40 * 1024 * 1024
# Rows of one import: a sub-district's roster is hundreds; the preview and the session that
# keeps it between preview and confirm stay small.
MAX_ROWS = 2000
# Lines read at most, blank ones included (a sheet formatted far down reads as blank lines).
MAX_LINES = 20 * MAX_ROWS

NAME_MAX = Member._meta.get_field("name").max_length
EMAIL_MAX = Member._meta.get_field("email").max_length
MAINLAND_MOBILE = re.compile(r"1\d{10}")
PHONE_SEPARATORS = re.compile(r"[\s\-‐‑–—－()（）]")
TYPED_DATE = re.compile(r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?")

# What each action means, for the preview.
ACTIONS = {
    "new": gettext_lazy("新增"),
    "update": gettext_lazy("更新"),
    "unchanged": gettext_lazy("不变"),
}


def _chinese_labels(choices):
    """{label in Chinese: value}: the sheet is Chinese whatever language the page is in."""
    with translation.override("zh-hans"):
        return {str(label): value for value, label in choices}


def identity_labels():
    return _chinese_labels(Member.Identity.choices)


def role_labels():
    return _chinese_labels(Membership.Role.choices)


def alliance_units(alliance):
    """The alliance's units in the roster's order (kind, order), as (id, name) pairs."""
    return list(Unit.objects.filter(alliance=alliance).order_by("kind", "order", "id")
                .values_list("id", "name"))


@dataclass
class RosterRow:
    """One person-in-a-unit row of the sheet, as read and checked."""

    line: int  # the row number Excel shows
    cells: dict  # header → the text as typed, for the preview
    name: str = ""
    identity: str = ""  # a Member.Identity value; "" where the cell is blank
    phone: str = ""  # 11 digits
    email: str = ""
    unit_id: int | None = None
    role: str = ""  # a Membership.Role value; "" where the cell is blank
    joined: datetime.date | None = None
    errors: list = field(default_factory=list)
    # Set by plan():
    action: str = ""
    member_id: int | None = None
    changes: list = field(default_factory=list)  # what an update changes, in words

    @property
    def action_label(self):
        return ACTIONS.get(self.action, "")

    @property
    def shown(self):
        """The cells as typed, in the sheet's order."""
        return [self.cells.get(header, "") for header in HEADERS]

    @property
    def key(self):
        """Who the row is: the same person on several rows (one per unit) has one key."""
        return ("phone", self.phone) if self.phone else ("email", self.email.lower())

    def to_session(self):
        """What confirming needs of the row (the typed cells and the plan are left out)."""
        data = asdict(self)
        data["joined"] = self.joined.isoformat() if self.joined else None
        for left_out in ("cells", "action", "member_id", "changes", "errors"):
            data.pop(left_out)
        return data

    @classmethod
    def from_session(cls, data):
        data = dict(data)
        data["joined"] = datetime.date.fromisoformat(data["joined"]) if data["joined"] else None
        return cls(cells={}, **data)


# --- reading the workbook -------------------------------------------------------------------

def check_upload(upload):
    """Refuse what is not an .xlsx workbook of a sane size, with a message for the field."""
    if upload.size > MAX_BYTES:
        raise ValidationError(_("文件超过 %(limit)s，请分批导入。")
                              % {"limit": filesizeformat(MAX_BYTES)}, code="too_large")
    head = upload.read(8)
    upload.seek(0)
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        raise ValidationError(
            _("这是旧版 Excel 文件（.xls），请在 Excel 中“另存为” .xlsx 格式后再上传。"),
            code="xls")
    if not head.startswith(b"PK\x03\x04") or not upload.name.lower().endswith(".xlsx"):
        raise ValidationError(_("只接受 Excel 文件（.xlsx），请使用下载的名册模板。"),
                              code="bad_type")
    try:
        with zipfile.ZipFile(upload) as archive:
            entries = archive.infolist()
            names = {entry.filename for entry in entries}
            unpacked = sum(entry.file_size for entry in entries)
    except zipfile.BadZipFile:
        entries, names, unpacked = [], set(), 0
    finally:
        upload.seek(0)
    if "xl/workbook.xml" not in names:
        raise ValidationError(_("只接受 Excel 文件（.xlsx），请使用下载的名册模板。"),
                              code="bad_type")
    if unpacked > MAX_UNPACKED_BYTES:
        raise ValidationError(_("文件内容过大，请分批导入。"), code="too_large")


def _text(value):
    """A cell as the text a person typed: numbers without a trailing .0, dates as dates."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, datetime.datetime):
        value = value.date()
    return str(value).strip()


def _blank(values):
    return all(value is None or (isinstance(value, str) and not value.strip())
               for value in values)


def _sheet_rows(upload):
    """The header and the (line, values) of the non-blank rows below it."""
    from openpyxl import load_workbook

    unreadable = ValidationError(_("无法读取这个文件，请在 Excel 中另存为 .xlsx 后再上传。"),
                                 code="unreadable")
    try:
        workbook = load_workbook(upload, read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises many kinds for a damaged file
        raise unreadable from error
    header, rows = None, []
    try:
        titles = workbook.sheetnames
        sheet = workbook[SHEET_TITLE] if SHEET_TITLE in titles else workbook.worksheets[0]
        for line, values in enumerate(sheet.iter_rows(values_only=True), start=1):
            if header is None:
                header = values
            elif not _blank(values):
                rows.append((line, values))
                if len(rows) > MAX_ROWS:
                    raise ValidationError(
                        _("一次最多导入 %(n)s 行，请分批上传。") % {"n": MAX_ROWS},
                        code="too_many")
            if line > MAX_LINES:
                break
    except ValidationError:
        raise
    except Exception as error:
        raise unreadable from error
    finally:
        workbook.close()
    return header, rows


def read_sheet(upload, *, alliance):
    """The rows of an uploaded roster, each checked; ValidationError for the file as a whole
    (not a workbook, no headers, no rows, too many rows)."""
    check_upload(upload)
    header, rows = _sheet_rows(upload)
    if header is None:
        raise ValidationError(_("表格是空的，请使用下载的名册模板填写。"), code="empty")
    header = [_text(value) for value in header]
    missing = [h for h in HEADERS if h not in header]
    if missing:
        raise ValidationError(
            _("第 1 行应是表头，缺少：%(missing)s。请使用下载的名册模板。")
            % {"missing": "、".join(missing)}, code="headers")
    position = {h: header.index(h) for h in HEADERS}
    units = _unit_names(alliance)
    identities, roles = identity_labels(), role_labels()
    read = []
    for line, values in rows:
        raw = {h: values[i] if i < len(values) else None for h, i in position.items()}
        cells = {h: _text(value) for h, value in raw.items()}
        if not any(cells.values()):
            continue  # something only in columns the roster does not read
        read.append(_check_row(line, cells, raw, units=units, identities=identities,
                               roles=roles))
    if not read:
        raise ValidationError(_("表格里没有成员行：请从第 2 行起每行填写一人。"), code="empty")
    _check_repeats(read)
    return read


def _unit_names(alliance):
    """{name: unit id} of the alliance; a name two units share maps to None (ambiguous)."""
    found = {}
    for pk, name in alliance_units(alliance):
        found[name.strip()] = None if name.strip() in found else pk
    return found


def normal_phone(text):
    """The phone as 11 digits, or None where it is no mainland mobile number."""
    digits = PHONE_SEPARATORS.sub("", text)
    if digits.startswith("+86"):
        digits = digits[3:]
    return digits if MAINLAND_MOBILE.fullmatch(digits) else None


def _date(text, raw):
    if isinstance(raw, datetime.datetime):
        return raw.date()
    if isinstance(raw, datetime.date):
        return raw
    match = TYPED_DATE.fullmatch(text)
    if not match:
        return None
    try:
        return datetime.date(*(int(part) for part in match.groups()))
    except ValueError:
        return None


def _check_row(line, cells, raw, *, units, identities, roles):
    row = RosterRow(line=line, cells=cells)
    errors = row.errors
    name = cells["姓名"]
    if not name:
        errors.append(_("请填写姓名。"))
    elif len(name) > NAME_MAX:
        errors.append(_("姓名超过 %(n)s 个字。") % {"n": NAME_MAX})
    row.name = name

    identity = cells["统战身份"]
    if identity:
        row.identity = identities.get(identity, "")
        if not row.identity:
            errors.append(_("统战身份“%(value)s”不在可选范围内，请从下拉列表中选择（见“选项”表）。")
                          % {"value": identity})

    phone = cells["手机号"]
    if phone:
        row.phone = normal_phone(phone) or ""
        if not row.phone:
            errors.append(_("手机号“%(value)s”不正确：应为 11 位手机号码，以 1 开头。")
                          % {"value": phone})

    email = cells["电子邮箱"]
    if email:
        try:
            if len(email) > EMAIL_MAX:
                raise ValidationError("too long")
            validate_email(email)
        except ValidationError:
            errors.append(_("电子邮箱“%(value)s”格式不正确。") % {"value": email})
        else:
            row.email = email
    if not phone and not email:
        errors.append(_("请至少填写手机号或电子邮箱中的一项：再次导入时靠它识别同一人。"))

    unit = cells["所在单位"]
    if unit:
        if unit not in units:
            errors.append(_("没有名为“%(value)s”的单位，请从下拉列表中选择（见“选项”表）。")
                          % {"value": unit})
        elif units[unit] is None:
            errors.append(_("有不止一个单位名为“%(value)s”，请联系管理员区分单位名称。")
                          % {"value": unit})
        else:
            row.unit_id = units[unit]

    role = cells["单位角色"]
    if role:
        row.role = roles.get(role, "")
        if not row.role:
            errors.append(_("单位角色“%(value)s”不在可选范围内，请填写：%(choices)s。")
                          % {"value": role, "choices": "、".join(roles)})
        elif not unit:
            errors.append(_("填写了单位角色，但没有填写所在单位。"))

    joined = cells["入盟日期"]
    if joined:
        row.joined = _date(joined, raw["入盟日期"])
        if row.joined is None:
            errors.append(_("入盟日期“%(value)s”无法识别，请写成 2024-03-01 这样的日期。")
                          % {"value": joined})
        elif row.joined > timezone.localdate():
            errors.append(_("入盟日期不能晚于今天。"))
            row.joined = None
    return row


# What must agree between rows of one person (a person is on one row per unit).
_PERSON_FIELDS = (("name", "姓名"), ("identity", "统战身份"), ("email", "电子邮箱"),
                  ("joined", "入盟日期"))


def _check_repeats(rows):
    """Rows of the same person (same phone, else same e-mail) must be for different units
    and agree on who the person is."""
    first_of, email_of = {}, {}
    for row in rows:
        if not (row.phone or row.email):
            continue
        first = first_of.setdefault(row.key, row)
        same_email = email_of.setdefault(row.email.lower(), row) if row.email else row
        if same_email.key != row.key:
            # Matched by e-mail, the two rows would be one person; by phone, two.
            row.errors.append(_("电子邮箱与第 %(line)s 行相同，手机号却不同：同一人请填同一个手机号。")
                              % {"line": same_email.line})
            continue
        if first is row:
            continue
        if first.unit_id == row.unit_id:
            row.errors.append(_("与第 %(line)s 行重复：同一人（手机号或邮箱相同）、同一单位。")
                              % {"line": first.line})
            continue
        for attr, header in _PERSON_FIELDS:
            mine, theirs = getattr(row, attr), getattr(first, attr)
            if mine and theirs and (mine.lower() if attr == "email" else mine) != (
                    theirs.lower() if attr == "email" else theirs):
                row.errors.append(_("与第 %(line)s 行是同一人（手机号或邮箱相同），但%(field)s不一致。")
                                  % {"line": first.line, "field": header})


# --- what confirming would do ---------------------------------------------------------------

def _normalised_phone():
    expression = "phone"
    for separator in (" ", "-"):
        expression = Replace(expression, Value(separator), Value(""))
    return expression


def existing_members(alliance, rows, *, for_update=False):
    """The alliance's members the rows name ({"phone": {...}, "email": {...}}), one query."""
    phones = {row.phone for row in rows if row.phone}
    emails = {row.email.lower() for row in rows if row.email}
    found = (Member.objects.filter(alliance=alliance)
             .annotate(plain_phone=_normalised_phone(), plain_email=Lower("email"))
             .order_by("pk"))
    if for_update:
        found = found.select_for_update()
    found = found.filter(Q(plain_phone__in=phones) | Q(plain_email__in=emails))
    by_phone, by_email = {}, {}
    for member in found:
        if member.plain_phone:
            by_phone.setdefault(member.plain_phone, member)
        if member.plain_email:
            by_email.setdefault(member.plain_email, member)
    return by_phone, by_email


def plan(alliance, rows, *, for_update=False):
    """Say, on each row, what confirming would do: ``action``, ``member_id`` and ``changes``.
    Rows that turn out to name one existing member from two people get an error. Returns
    (members by row key, memberships by (member id, unit id)) for the service to write."""
    by_phone, by_email = existing_members(alliance, rows, for_update=for_update)
    member_of = {}
    claimed = {}
    for row in rows:
        if row.errors or row.key in member_of:
            continue
        member = by_phone.get(row.phone) if row.phone else None
        if member is None and row.email:
            member = by_email.get(row.email.lower())
        if member is not None and claimed.setdefault(member.pk, row).key != row.key:
            row.errors.append(_("与第 %(line)s 行对应同一名已有成员（手机号或邮箱相同）。")
                              % {"line": claimed[member.pk].line})
            continue
        member_of[row.key] = member
    members = [m for m in member_of.values() if m is not None]
    current = Membership.objects.filter(member__in=members, unit__alliance=alliance)
    if for_update:
        current = current.select_for_update(of=("self",))
    memberships = {(ms.member_id, ms.unit_id): ms for ms in current} if members else {}
    for row in rows:
        if row.errors:
            continue
        member = member_of.get(row.key)
        row.member_id = member.pk if member else None
        if member is None:
            row.action = "new"
            continue
        row.changes = member_changes(member, row)
        if row.unit_id is not None:
            membership = memberships.get((member.pk, row.unit_id))
            if membership is None:
                row.changes.append(_("加入所在单位"))
            elif row.role and membership.role != row.role:
                row.changes.append(_("单位角色"))
        row.action = "update" if row.changes else "unchanged"
    return member_of, memberships


MEMBER_FIELDS = (("name", "姓名"), ("identity", "统战身份"), ("phone", "手机号"),
                 ("email", "电子邮箱"), ("joined", "入盟日期"))


def member_changes(member, row):
    """The headers of the member's fields the row changes; a blank cell changes nothing."""
    changed = []
    for attr, header in MEMBER_FIELDS:
        value = getattr(row, attr)
        if attr == "phone" and value and member.plain_phone == value:
            continue  # the same number, only written with spaces or dashes
        if value and value != getattr(member, attr):
            changed.append(header)
    return changed
