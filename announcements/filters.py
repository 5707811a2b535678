import django_filters
from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from announcements.models import Announcement


class AnnouncementFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("关键词"), method="search", widget=forms.SearchInput(
        attrs={"placeholder": _("搜索标题或正文")}))
    kind = django_filters.ChoiceFilter(label=_("类别"), choices=Announcement.Kind.choices,
                                       empty_label=_("全部类别"))
    audience = django_filters.ChoiceFilter(label=_("范围"),
                                           choices=Announcement.Audience.choices,
                                           empty_label=_("全部范围"))

    class Meta:
        model = Announcement
        fields = ["q", "kind", "audience"]

    def search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(Q(title__icontains=value) | Q(body__icontains=value))
