import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _

from alliance.models import Unit
from volunteers.models import Event


class EventFilter(django_filters.FilterSet):
    kind = django_filters.ChoiceFilter(label=_("类型"), choices=Event.Kind.choices,
                                       empty_label=_("全部类型"))
    unit = django_filters.ModelChoiceFilter(label=_("主办单位"), field_name="organizers",
                                            queryset=Unit.objects.active(),
                                            empty_label=_("全部单位"))
    month = django_filters.CharFilter(label=_("月份"), method="filter_month",
                                      widget=forms.TextInput(attrs={"type": "month"}))

    class Meta:
        model = Event
        fields = ["kind", "unit", "month"]

    def __init__(self, *args, alliance=None, **kwargs):
        super().__init__(*args, **kwargs)
        if alliance is not None:
            self.filters["unit"].queryset = (Unit.objects.active().filter(alliance=alliance)
                                             .only("pk", "name", "short_name"))

    def filter_month(self, queryset, name, value):
        try:
            year, month = (int(p) for p in value.split("-")[:2])
        except ValueError:
            return queryset.none()
        return queryset.filter(start__year=year, start__month=month)
