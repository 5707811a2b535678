"""The dashboard's filter: period, unit and category, validated into a StatsFilter."""

import datetime

from django import forms
from django.core.validators import MaxValueValidator, MinValueValidator
from django.utils.translation import gettext_lazy as _

from alliance.models import Unit
from dashboard.stats import StatsFilter, default_period
from proposals.models import Category

MAX_PERIOD_DAYS = 366 * 5
# The dates a period may name: the portal's data lie well inside, and the ends keep the
# day after ``date_to`` and local midnight in UTC within what a date can hold.
FIRST_DAY = datetime.date(2000, 1, 1)
LAST_DAY = datetime.date(2100, 12, 31)


def period_date_field(label):
    return forms.DateField(
        label=label, required=False,
        validators=[MinValueValidator(FIRST_DAY, _("日期不能早于 %(limit_value)s。")),
                    MaxValueValidator(LAST_DAY, _("日期不能晚于 %(limit_value)s。"))],
        widget=forms.DateInput(attrs={"type": "date", "min": FIRST_DAY.isoformat(),
                                      "max": LAST_DAY.isoformat()}))


class PeriodForm(forms.Form):
    """A period of submission dates (the district's whole filter)."""

    date_from = period_date_field(_("起始日期"))
    date_to = period_date_field(_("截止日期"))
    alliance = None

    def clean(self):
        cleaned = super().clean()
        default_from, default_to = default_period()
        date_from = cleaned.get("date_from") or default_from
        date_to = cleaned.get("date_to") or default_to
        if "date_from" in self.errors or "date_to" in self.errors:
            return cleaned
        if date_from > date_to:
            self.add_error("date_to", _("截止日期不能早于起始日期。"))
        elif (date_to - date_from).days > MAX_PERIOD_DAYS:
            self.add_error("date_to", _("统计区间最长五年。"))
        cleaned["date_from"], cleaned["date_to"] = date_from, date_to
        return cleaned

    def stats_filter(self):
        """The filter to apply: the valid choice, or the default period when invalid."""
        if self.is_bound and self.is_valid():
            data = self.cleaned_data
            return StatsFilter(alliance=self.alliance, date_from=data["date_from"],
                               date_to=data["date_to"], unit=data.get("unit"),
                               category=data.get("category"))
        date_from, date_to = default_period()
        return StatsFilter(alliance=self.alliance, date_from=date_from, date_to=date_to)


class DashboardFilterForm(PeriodForm):
    """One alliance's period, unit and category."""

    unit = forms.ModelChoiceField(label=_("单位"), queryset=Unit.objects.none(), required=False,
                                  empty_label=_("全部单位"))
    category = forms.ModelChoiceField(label=_("类别"), queryset=None, required=False,
                                      empty_label=_("全部类别"))

    def __init__(self, data=None, *, alliance, **kwargs):
        super().__init__(data, **kwargs)
        self.alliance = alliance
        self.fields["unit"].queryset = Unit.objects.filter(alliance=alliance).order_by(
            "kind", "order", "id")
        categories = Category.objects.all()
        if any(f.name == "alliance" for f in Category._meta.get_fields()):
            categories = categories.filter(alliance=alliance)
        self.fields["category"].queryset = categories
