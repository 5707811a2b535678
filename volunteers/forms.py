from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from alliance.models import Unit, Venue
from alliance.roles import is_coordinator
from volunteers import services
from volunteers.filters import YEARS
from volunteers.models import Event


class CheckInForm(forms.Form):
    hours = forms.DecimalField(label=_("计入时长（小时，留空按活动时长）"), required=False,
                               min_value=0, max_value=24, decimal_places=1)


class CorrectionForm(forms.Form):
    hours = forms.DecimalField(label=_("更正后时长（小时）"), min_value=0, max_value=24,
                               decimal_places=1)
    reason = forms.CharField(label=_("更正原因"), max_length=200)


class LocalDateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%dT%H:%M")


class EventRules:
    """The services' refusals of an event, said beside the field before anything is saved
    (the services refuse them again under the event's lock). ``actor``: who saves it."""

    actor = None

    def clean_capacity(self):
        capacity = self.cleaned_data["capacity"]
        if capacity is not None:
            seated = services.seats_taken(self.instance.pk) if self.instance.pk else 0
            refusal = services.capacity_refusal(capacity, seated)
            if refusal:
                raise ValidationError(refusal)
        return capacity

    def clean(self):
        cleaned = super().clean()
        refusal = self.instance.pk and services.editing_refusal(self.instance)
        if refusal:
            raise ValidationError(refusal)
        alliance_id = (cleaned["alliance"].pk if cleaned.get("alliance")
                       else self.instance.alliance_id)
        if alliance_id and "organizers" in cleaned:
            refusals = services.parts_refusals(
                actor=self.actor, alliance_id=alliance_id, venue=cleaned.get("venue"),
                organizers=list(cleaned["organizers"]))
            for field, message in refusals.items():
                self.add_error(field, message)
        return cleaned


class EventAdminForm(EventRules, forms.ModelForm):
    class Meta:
        model = Event
        fields = ["alliance", "organizers", *services.EDITABLE]


class EventForm(EventRules, forms.ModelForm):
    """An event as coordinators and organizing units' liaisons write it, with the alliance's
    own units and venues to choose from. The services save it."""

    class Meta:
        model = Event
        fields = ["title", "kind", "organizers", *(f for f in services.EDITABLE
                                                   if f not in ("title", "kind"))]
        widgets = {
            "start": LocalDateTimeInput(), "end": LocalDateTimeInput(),
            "signup_deadline": LocalDateTimeInput(),
            "organizers": forms.CheckboxSelectMultiple,
            "description": forms.Textarea(attrs={"rows": 5}),
        }
        help_texts = {
            "capacity": _("名额已满时新的报名进入候补；增加名额会按顺序为候补人员转正。"),
            "signup_deadline": _("不能晚于开始时间。"),
            "location": _("不在联盟阵地举办时填写具体地址。"),
        }
        error_messages = {
            "title": {"required": _("请填写活动标题。")},
            "start": {"required": _("请填写开始时间。"), "invalid": _("开始时间格式不正确。")},
            "end": {"required": _("请填写结束时间。"), "invalid": _("结束时间格式不正确。")},
            "signup_deadline": {"required": _("请填写报名截止时间。"),
                                "invalid": _("报名截止时间格式不正确。")},
            "capacity": {"required": _("请填写名额。"), "invalid": _("名额须是整数。")},
        }

    def __init__(self, *args, alliance, actor, **kwargs):
        super().__init__(*args, **kwargs)
        self.actor = actor
        self.fields["organizers"].queryset = Unit.objects.filter(
            alliance=alliance).order_by("kind", "name")
        self.fields["venue"].queryset = Venue.objects.filter(alliance=alliance)
        self.fields["capacity"].min_value = 1
        self.fields["capacity"].widget.attrs.update(min=1, max=100000)
        if not is_coordinator(actor, alliance.pk):
            self.fields["organizers"].help_text = _("须包含您担任联络员的单位。")

    def event_fields(self):
        """The cleaned values the services take."""
        return {name: self.cleaned_data[name] for name in services.EDITABLE}


class CancelEventForm(forms.Form):
    reason = forms.CharField(label=_("取消原因（将告知报名和候补人员）"), max_length=200)


class SummaryYearForm(forms.Form):
    """``?year=`` of the hours summary: a year within YEARS; this year when left out."""

    year = forms.IntegerField(
        label=_("年度"), required=False, min_value=YEARS[0], max_value=YEARS[1],
        error_messages={"invalid": _("年度须是整数年份，例如 2026。"),
                        "min_value": _("年度不能早于 %(limit_value)s 年。"),
                        "max_value": _("年度不能晚于 %(limit_value)s 年。")})


# --- 志愿服务记录证明 and correction requests -------------------------------------------------

class CertificateForm(forms.Form):
    """The period a 志愿服务记录证明 covers: this year so far unless chosen."""

    period_start = forms.DateField(label=_("服务期间自"),
                                   widget=forms.DateInput(attrs={"type": "date"}))
    period_end = forms.DateField(label=_("服务期间至"),
                                 widget=forms.DateInput(attrs={"type": "date"}))

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("period_start"), cleaned.get("period_end")
        if start and end and start > end:
            self.add_error("period_end", _("截止日期不能早于起始日期。"))
        return cleaned


class RevokeCertificateForm(forms.Form):
    reason = forms.CharField(label=_("撤销原因"), max_length=200,
                             widget=forms.Textarea(attrs={"rows": 3}))


class CorrectionRequestForm(forms.Form):
    hours = forms.DecimalField(label=_("应为时长（小时）"), min_value=0, max_value=24,
                               decimal_places=1)
    reason = forms.CharField(
        label=_("更正理由"), max_length=200, widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("例如：实际服务到 12:00，比记录多 1 小时。"))


class CorrectionDecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("处理结果"), widget=forms.RadioSelect,
        choices=[("accept", _("同意更正")), ("refuse", _("不予更正"))])
    reason = forms.CharField(label=_("处理意见"), max_length=200, required=False,
                             widget=forms.Textarea(attrs={"rows": 3}),
                             help_text=_("不予更正时必须填写，成员会收到这段说明。"))

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("decision") == "refuse" and not (cleaned.get("reason") or "").strip():
            self.add_error("reason", _("不予更正时必须填写原因。"))
        return cleaned
