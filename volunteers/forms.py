from django import forms
from django.utils.translation import gettext_lazy as _


class CheckInForm(forms.Form):
    hours = forms.DecimalField(label=_("计入时长（小时，留空按活动时长）"), required=False,
                               min_value=0, max_value=24, decimal_places=1)


class CorrectionForm(forms.Form):
    hours = forms.DecimalField(label=_("更正后时长（小时）"), min_value=0, max_value=24,
                               decimal_places=1)
    reason = forms.CharField(label=_("更正原因"), max_length=200)
