from django import forms
from django.utils.translation import gettext_lazy as _

from volunteers.filters import YEARS


class CheckInForm(forms.Form):
    hours = forms.DecimalField(label=_("计入时长（小时，留空按活动时长）"), required=False,
                               min_value=0, max_value=24, decimal_places=1)


class CorrectionForm(forms.Form):
    hours = forms.DecimalField(label=_("更正后时长（小时）"), min_value=0, max_value=24,
                               decimal_places=1)
    reason = forms.CharField(label=_("更正原因"), max_length=200)


class SummaryYearForm(forms.Form):
    """``?year=`` of the hours summary: a year within YEARS; this year when left out."""

    year = forms.IntegerField(
        label=_("年度"), required=False, min_value=YEARS[0], max_value=YEARS[1],
        error_messages={"invalid": _("年度须是整数年份，例如 2026。"),
                        "min_value": _("年度不能早于 %(limit_value)s 年。"),
                        "max_value": _("年度不能晚于 %(limit_value)s 年。")})
