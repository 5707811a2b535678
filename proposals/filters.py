"""The staff work queue's filters (django-filter), its urgency order and the duplicate hint."""

import django_filters
import jieba
from django import forms
from django.contrib.auth import get_user_model
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from alliance.forms import PersonChoiceField
from alliance.models import Unit
from alliance.selectors import handlers
from proposals import workflow
from proposals.deadlines import add_working_days
from proposals.models import Category, Suggestion

DUE_SOON_WORKING_DAYS = 2


class PersonFilter(django_filters.ModelChoiceFilter):
    field_class = PersonChoiceField


def by_urgency(queryset):
    """Overdue first, then the nearest deadline; finished ones last, newest first.

    ``next_due`` is a generated column, and the index sugg_queue_urgency has this order."""
    return queryset.order_by(F("next_due").asc(nulls_last=True), "-submitted_at", "-pk")


def _due_soon_limit(today):
    return add_working_days(today, DUE_SOON_WORKING_DAYS)


class WorkQueueFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("搜索"), method="filter_text")
    state = django_filters.ChoiceFilter(label=_("状态"), choices=Suggestion.State.choices,
                                        empty_label=_("全部状态"))
    category = django_filters.ModelChoiceFilter(label=_("类别"), queryset=Category.objects.all(),
                                                empty_label=_("全部类别"))
    unit = django_filters.ModelChoiceFilter(label=_("单位"), method="filter_unit",
                                            queryset=Unit.objects.all(),
                                            empty_label=_("全部单位"))
    handler = PersonFilter(
        label=_("承办人"), empty_label=_("全部承办人"),
        queryset=get_user_model().objects.none())
    due = django_filters.ChoiceFilter(
        label=_("期限"), method="filter_due", empty_label=_("全部期限"),
        choices=[("overdue", _("已逾期")), ("soon", _("即将到期"))])
    submitted_after = django_filters.DateFilter(
        label=_("提交起"), field_name="submitted_at", lookup_expr="date__gte",
        widget=forms.DateInput(attrs={"type": "date"}))
    submitted_before = django_filters.DateFilter(
        label=_("提交止"), field_name="submitted_at", lookup_expr="date__lte",
        widget=forms.DateInput(attrs={"type": "date"}))

    class Meta:
        model = Suggestion
        fields = []

    def __init__(self, *args, alliance, **kwargs):
        super().__init__(*args, **kwargs)
        # Every choice is the alliance's own: another alliance's unit or handler is not one.
        self.filters["category"].queryset = (Category.objects.filter(alliance=alliance)
                                             .only("pk", "name"))
        self.filters["unit"].queryset = (Unit.objects.filter(alliance=alliance)
                                         .only("pk", "name", "short_name"))
        self.filters["handler"].queryset = handlers(alliance).only(
            "pk", "username", "first_name", "last_name")

    def filter_text(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(Q(tracking_number__icontains=value) | Q(title__icontains=value)
                               | Q(content__icontains=value))

    def filter_unit(self, queryset, name, value):
        return queryset.filter(Q(lead_unit=value) | Q(assignments__unit=value)).distinct()

    def filter_due(self, queryset, name, value):
        """By the deadline of the place each suggestion stands (the workflow table's)."""
        today = timezone.localdate()
        flow = workflow.current()
        if value == "overdue":
            return queryset.filter(flow.overdue(today))
        if value == "soon":
            return queryset.filter(state__in=flow.open_states, next_due__gte=today,
                                   next_due__lte=_due_soon_limit(today))
        return queryset


def title_keywords(title, limit=6):
    """The words of a Chinese title worth matching on (jieba), longest first."""
    words = {w.strip() for w in jieba.cut_for_search(title or "")}
    words = [w for w in words if len(w) >= 2 and not w.isdigit()]
    return sorted(words, key=len, reverse=True)[:limit]


def similar_open(queryset, title, limit=5):
    """Open suggestions whose titles share words with ``title``, most shared words first."""
    words = title_keywords(title)
    if not words:
        return []
    condition = Q()
    for word in words:
        condition |= Q(title__icontains=word)
    candidates = list(queryset.open().filter(condition)
                      .only("pk", "tracking_number", "title", "state", "submitted_at")
                      .order_by("-submitted_at")[:50])
    scored = [(sum(w in s.title for w in words), s) for s in candidates]
    scored.sort(key=lambda pair: -pair[0])  # stable: newest first among equals
    return [s for _score, s in scored[:limit]]
