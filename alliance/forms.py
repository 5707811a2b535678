"""Form fields shared by the apps that pick alliance units."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.functional import lazy
from django.utils.translation import gettext_lazy as _

from alliance import roster
from alliance.selectors import person_name

BIGINT = 2**63


class UnitsField(forms.ModelMultipleChoiceField):
    """Several units by id. An id past a 64-bit integer is refused as not a choice before
    any query: SQLite cannot even compare it and would raise instead of finding nothing."""

    def _check_values(self, value):
        for pk in value:
            try:
                out_of_range = not -BIGINT <= int(pk) < BIGINT
            except (TypeError, ValueError):
                continue  # the parent refuses it as not an id
            if out_of_range:
                raise ValidationError(self.error_messages["invalid_pk_value"],
                                      code="invalid_pk_value", params={"pk": pk})
        return super()._check_values(value)


class PersonChoiceField(forms.ModelChoiceField):
    """A person (a user account) shown by their full name, not their login name."""

    def label_from_instance(self, obj):
        return person_name(obj)


class SwitchAllianceForm(forms.Form):
    """The alliance a person with roles in several works in (the header's switcher)."""

    alliance = forms.IntegerField(min_value=1, max_value=BIGINT - 1)

    def __init__(self, *args, allowed, **kwargs):
        super().__init__(*args, **kwargs)
        self.allowed = allowed

    def clean_alliance(self):
        from alliance.models import Alliance

        found = Alliance.objects.filter(pk=self.cleaned_data["alliance"])
        if self.allowed is not None:
            found = found.filter(pk__in=self.allowed)
        alliance = found.first()
        if alliance is None:
            raise ValidationError(_("没有这个联盟。"), code="invalid_choice")
        return alliance


def formatted_lazy(text, **values):
    """``text % values`` when it is shown, in the language of that request: a class
    attribute's ``_("…") % {…}`` is formatted once, at import, in the default language."""
    return lazy(lambda: text % values, str)()


class RosterUploadForm(forms.Form):
    """A filled roster sheet; cleaning it reads and checks every row (nothing is written)."""

    sheet = forms.FileField(
        label=_("名册文件"),
        help_text=formatted_lazy(_("Excel 文件（.xlsx），不超过 %(mb)s MB，一次最多 %(n)s 行。"),
                                 mb=roster.MAX_BYTES // (1024 * 1024), n=roster.MAX_ROWS),
        error_messages={"required": _("请选择要上传的名册文件。"),
                        "empty": _("上传的文件是空的。")},
        widget=forms.ClearableFileInput(attrs={
            "accept": ".xlsx,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}))

    def __init__(self, *args, alliance, **kwargs):
        super().__init__(*args, **kwargs)
        self.alliance = alliance
        self.rows = []

    def clean_sheet(self):
        upload = self.cleaned_data["sheet"]
        self.rows = roster.read_sheet(upload, alliance=self.alliance)
        return upload
