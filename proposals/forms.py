"""Forms of the 直通车 pages: they validate input and keep it; services enforce the rules."""

import functools
import re
import uuid

import filetype
from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.urls import reverse_lazy
from django.utils.translation import gettext_lazy as _

from alliance.forms import PersonChoiceField, UnitsField, formatted_lazy
from alliance.models import Unit
from alliance.selectors import handlers
from proposals.models import Category, Feedback, Suggestion

TITLE_MAX = 120
CONTENT_MAX = 5000
ATTACHMENT_MAX_BYTES = getattr(settings, "SUGGESTION_ATTACHMENT_MAX_BYTES", 10 * 1024 * 1024)
ATTACHMENT_MAX_COUNT = 5
ATTACHMENT_NAME_MAX = 200  # Attachment.original_name keeps the name as typed

# What an attachment may be, judged by its bytes (filetype), never by its name.
ALLOWED_MIME = {
    "image/jpeg", "image/png", "image/gif", "image/webp",
    "application/pdf",
    "application/msword", "application/vnd.ms-excel", "application/vnd.ms-powerpoint",
    "application/x-ole-storage",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    "application/zip",  # OOXML without a recognised inner marker is still a zip container
}
OOXML_SUFFIXES = (".docx", ".xlsx", ".pptx")
SCRIPT_TAG = re.compile(r"<\s*/?\s*(script|iframe|object|embed)\b|javascript:|\bon\w+\s*=", re.I)


def sniff_attachment(upload):
    """The MIME type the upload's content is, or raise ValidationError with a clear message."""
    if len(upload.name) > ATTACHMENT_NAME_MAX:
        raise ValidationError(
            _("附件“%(name)s…”的文件名超过 %(n)s 个字，请改短后再上传。"),
            params={"name": upload.name[:20], "n": ATTACHMENT_NAME_MAX}, code="name_too_long")
    if upload.size > ATTACHMENT_MAX_BYTES:
        raise ValidationError(
            _("附件“%(name)s”超过 %(mb)s MB。"),
            params={"name": upload.name, "mb": ATTACHMENT_MAX_BYTES // (1024 * 1024)},
            code="too_large")
    head = upload.read(8192)
    upload.seek(0)
    kind = filetype.guess(head)
    mime = kind.mime if kind else None
    if mime == "application/zip" and not upload.name.lower().endswith(OOXML_SUFFIXES):
        mime = None
    if mime not in ALLOWED_MIME:
        raise ValidationError(
            _("附件“%(name)s”不是允许的类型：仅限图片、PDF 和 Office 文档。"),
            params={"name": upload.name}, code="bad_type")
    return mime


def check_uploads(files, *, too_many):
    """The uploads of one field, each sniffed (``upload.sniffed_mime``), or ValidationError
    naming every refused file; ``too_many`` is the message when there are over the limit.
    A browser never keeps a chosen file, so a refusal asks the person to choose again."""
    errors = []
    if len(files) > ATTACHMENT_MAX_COUNT:
        errors.append(ValidationError(too_many, params={"n": ATTACHMENT_MAX_COUNT},
                                      code="too_many"))
    else:
        for upload in files:
            try:
                upload.sniffed_mime = sniff_attachment(upload)
            except ValidationError as exc:
                errors.extend(exc.error_list)
    if errors:
        raise ValidationError([*errors, ValidationError(
            _("请重新选择要上传的文件。"), code="choose_again")])
    return files


# What the file chooser offers first (the bytes decide, sniff_attachment).
ACCEPTED_SUFFIXES = "image/*,.pdf,.doc,.docx,.xls,.xlsx,.ppt,.pptx"


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    widget = MultipleFileInput

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, (list, tuple)):
            return [single(item, initial) for item in data if item]
        return [single(data, initial)] if data else []


class SuggestionForm(forms.Form):
    """A member's suggestion; staff get two more fields to record one on a member's behalf."""

    # Typing a title asks for similar suggestions in progress (templates/proposals/form.html).
    title = forms.CharField(label=_("标题"), max_length=TITLE_MAX, widget=forms.TextInput(attrs={
        "autocomplete": "off", "hx-get": reverse_lazy("proposals:similar"),
        "hx-trigger": "input changed delay:400ms", "hx-target": "#similar",
        "hx-swap": "innerHTML"}))
    category = forms.ModelChoiceField(label=_("类别"), queryset=None,
                                      empty_label=_("请选择类别"))
    content = forms.CharField(label=_("内容"), max_length=CONTENT_MAX,
                              widget=forms.Textarea(attrs={"rows": 8}),
                              help_text=formatted_lazy(
                                  _("说明问题、原因和建议的做法，不超过 %(n)s 字。"), n=CONTENT_MAX))
    credit_publicly = forms.BooleanField(
        label=_("如被评为金点子，同意公开署名"), required=False)
    attachments = MultipleFileField(
        label=_("附件"), required=False,
        help_text=formatted_lazy(_("图片、PDF 或 Office 文档，每个不超过 %(mb)s MB，最多 %(n)s 个。"),
                                 mb=ATTACHMENT_MAX_BYTES // (1024 * 1024), n=ATTACHMENT_MAX_COUNT))
    form_token = forms.CharField(widget=forms.HiddenInput)

    def __init__(self, *args, categories, recording=False, submitters=None, channels=None,
                 events=None, **kwargs):
        kwargs.setdefault("initial", {}).setdefault("form_token", uuid.uuid4().hex)
        super().__init__(*args, **kwargs)
        self.fields["category"].queryset = categories
        self.recording = recording
        if recording:
            self.fields["submitter"] = PersonChoiceField(
                label=_("建言成员"), queryset=submitters, empty_label=_("请选择成员"))
            self.fields["channel"] = forms.ChoiceField(label=_("来源渠道"), choices=channels)
            self.fields["source_event"] = forms.ModelChoiceField(
                label=_("提出场合（活动）"), queryset=events, required=False,
                empty_label=_("不是在活动上提出的"),
                help_text=_("在汇智沙龙、座谈会等活动上收集的建言，请选择那一场活动。"))
            self.order_fields(["submitter", "channel", "source_event"])

    def _clean_text(self, name):
        value = self.cleaned_data[name].strip()
        if not value:
            raise ValidationError(self.fields[name].error_messages["required"],
                                  code="required")
        if SCRIPT_TAG.search(value):
            raise ValidationError(_("请不要输入脚本或网页代码（如 <script>）。"), code="markup")
        return value

    def clean_title(self):
        return self._clean_text("title")

    def clean_content(self):
        return self._clean_text("content")

    def clean_attachments(self):
        return check_uploads(self.cleaned_data.get("attachments") or [],
                             too_many=_("最多上传 %(n)s 个附件。"))

    def clean_form_token(self):
        token = self.cleaned_data["form_token"]
        try:
            return uuid.UUID(token).hex
        except ValueError:
            raise ValidationError(_("表单已失效，请刷新后重试。"), code="bad_token") from None


class TextForm(forms.Form):
    """The text of a reply, a progress update, an implementation, a reason or a note."""

    text = forms.CharField(label=_("内容"), max_length=CONTENT_MAX,
                           widget=forms.Textarea(attrs={"rows": 4}))

    def clean_text(self):
        value = self.cleaned_data["text"].strip()
        if not value:
            raise ValidationError(_("请填写内容。"), code="required")
        return value


class ReasonForm(TextForm):
    text = forms.CharField(label=_("理由"), max_length=CONTENT_MAX,
                           widget=forms.Textarea(attrs={"rows": 3}))


class OptionalReasonForm(forms.Form):
    text = forms.CharField(label=_("理由（可不填）"), max_length=CONTENT_MAX, required=False,
                           widget=forms.Textarea(attrs={"rows": 2}))


class AcceptForm(forms.Form):
    category = forms.ModelChoiceField(label=_("类别"), queryset=None)
    handler = PersonChoiceField(label=_("承办人"), queryset=None)
    lead_unit = forms.ModelChoiceField(label=_("牵头单位"), queryset=None)
    co_units = UnitsField(label=_("协办单位"), queryset=None, required=False)
    note = forms.CharField(label=_("交办说明（可不填）"), required=False, max_length=CONTENT_MAX,
                           widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, suggestion, **kwargs):
        kwargs.setdefault("initial", {}).update({
            "category": suggestion.category_id,
            "handler": suggestion.handler_id,
            "lead_unit": suggestion.lead_unit_id or suggestion.category.default_lead_unit_id,
        })
        super().__init__(*args, **kwargs)
        self.fields["category"].queryset = Category.objects.filter(
            alliance_id=suggestion.alliance_id, is_active=True)
        self.fields["handler"].queryset = handlers(suggestion.alliance_id)
        units = Unit.objects.filter(alliance_id=suggestion.alliance_id).order_by("kind", "name")
        self.fields["lead_unit"].queryset = units
        self.fields["co_units"].queryset = units


class MergeForm(forms.Form):
    into = forms.CharField(label=_("合并至（编号）"), max_length=20,
                           widget=forms.TextInput(attrs={"placeholder": "ZTC-2026-00001"}))
    text = forms.CharField(label=_("说明（可不填）"), required=False, max_length=CONTENT_MAX,
                           widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, suggestion, **kwargs):
        self.suggestion = suggestion
        super().__init__(*args, **kwargs)

    def clean_into(self):
        number = self.cleaned_data["into"].strip().upper()
        target = (Suggestion.objects.filter(alliance_id=self.suggestion.alliance_id,
                                            tracking_number=number)
                  .exclude(pk=self.suggestion.pk).first())
        if target is None:
            raise ValidationError(_("找不到编号为 %(n)s 的其他建言。"), params={"n": number},
                                  code="not_found")
        return target


class GradeForm(forms.Form):
    grade = forms.ChoiceField(label=_("办理结果"))
    text = forms.CharField(label=_("说明"), max_length=CONTENT_MAX,
                           widget=forms.Textarea(attrs={"rows": 3}))

    grades = ("A", "B", "C", "D")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["grade"].choices = [(v, label) for v, label in Suggestion.Grade.choices
                                        if v in self.grades]

    def clean_text(self):
        value = self.cleaned_data["text"].strip()
        if not value:
            raise ValidationError(_("请填写说明。"), code="required")
        return value


class ImplementForm(GradeForm):
    grades = ("A", "B")
    text = forms.CharField(label=_("落实情况及依据"), max_length=CONTENT_MAX,
                           widget=forms.Textarea(attrs={"rows": 3}))


class NotImplementedForm(GradeForm):
    grades = ("C", "D")
    text = forms.CharField(label=_("暂不落实的理由"), max_length=CONTENT_MAX,
                           widget=forms.Textarea(attrs={"rows": 3}))


class ProgressForm(TextForm):
    is_public = forms.BooleanField(label=_("建言人可见"), required=False, initial=True)


class EvidenceFields(forms.Form):
    """Files on the timeline entry (佐证材料: a 签收单, photos), checked as a suggestion's
    uploads are. A browser never keeps a chosen file, so a refused one is named beside the
    field and the person is asked to choose the files again; the text typed stays."""

    evidence = MultipleFileField(
        label=_("佐证材料"), required=False,
        widget=MultipleFileInput(attrs={"accept": ACCEPTED_SUFFIXES}),
        help_text=formatted_lazy(_("如签收单、现场照片：图片、PDF 或 Office 文档，每个不超过 %(mb)s MB，"
                                   "最多 %(n)s 个。"),
                                 mb=ATTACHMENT_MAX_BYTES // (1024 * 1024), n=ATTACHMENT_MAX_COUNT))
    evidence_public = forms.BooleanField(
        label=_("公开给建言人"), required=False,
        help_text=_("勾选后建言人可以查看和下载这些材料；不勾选则只有工作人员和承办、协办单位能看到。"))

    def clean_evidence(self):
        return check_uploads(self.cleaned_data.get("evidence") or [],
                             too_many=_("最多上传 %(n)s 个佐证材料。"))


@functools.cache
def with_evidence(form_class):
    """``form_class`` with the evidence fields after its own, for the actions whose
    workflow row takes evidence (workflow.Workflow.takes_evidence)."""
    return type(f"{form_class.__name__}WithEvidence", (EvidenceFields, form_class), {})


class FeedbackForm(forms.Form):
    rating = forms.ChoiceField(label=_("您对办理结果的评价"), widget=forms.RadioSelect)
    comment = forms.CharField(label=_("意见（可不填）"), required=False, max_length=2000,
                              widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["rating"].choices = Feedback.Rating.choices


class ExtendForm(forms.Form):
    working_days = forms.IntegerField(label=_("延长工作日数"), min_value=1, max_value=30)
    text = forms.CharField(label=_("延期理由"), max_length=CONTENT_MAX,
                           widget=forms.Textarea(attrs={"rows": 2}))


class GoldenForm(forms.Form):
    summary = forms.CharField(label=_("金点子公开简介"), max_length=CONTENT_MAX,
                              widget=forms.Textarea(attrs={"rows": 3}))

    def clean_summary(self):
        value = self.cleaned_data["summary"].strip()
        if not value:
            raise ValidationError(_("请填写公开简介。"), code="required")
        if SCRIPT_TAG.search(value):
            raise ValidationError(_("请不要输入脚本或网页代码（如 <script>）。"), code="markup")
        return value
