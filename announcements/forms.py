from django import forms
from django.utils.translation import gettext_lazy as _

from alliance.forms import UnitsField
from alliance.models import Unit
from announcements.models import Announcement

PUBLISH_YEARS = (2000, 2099)


class AnnouncementForm(forms.ModelForm):
    """The coordinators' portal form; the admin offers the same fields and attachments."""

    publish_at = forms.DateTimeField(
        label=_("发布时间"), required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
        help_text=_("留空则立即发布；填写将来的时间则定时发布。"),
    )
    units = UnitsField(label=_("指定单位"), queryset=Unit.objects.none(), required=False,
                       widget=forms.CheckboxSelectMultiple)

    class Meta:
        model = Announcement
        fields = ["title", "kind", "audience", "units", "publish_at", "pinned", "body", "cover"]
        widgets = {
            "body": forms.Textarea(attrs={"rows": 10}),
            "units": forms.CheckboxSelectMultiple,
        }

    def __init__(self, *args, alliance=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["units"].queryset = Unit.objects.filter(alliance=alliance).active()

    def clean_publish_at(self):
        # Year 1 in Shanghai is year 0 in UTC, which no database column can hold.
        value = self.cleaned_data["publish_at"]
        if value is not None and not PUBLISH_YEARS[0] <= value.year <= PUBLISH_YEARS[1]:
            raise forms.ValidationError(
                _("发布时间须在 %(first)s 年至 %(last)s 年之间。"),
                params={"first": PUBLISH_YEARS[0], "last": PUBLISH_YEARS[1]}, code="out_of_range")
        return value

    def clean(self):
        cleaned = super().clean()
        if (cleaned.get("audience") == Announcement.Audience.UNITS
                and not cleaned.get("units")):
            self.add_error("units", _("发布范围为指定单位时，请至少选择一个单位。"))
        return cleaned
