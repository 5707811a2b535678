"""Read-side queries for events and hours."""

from decimal import Decimal

from django.db.models import Count, Q, Sum

from volunteers.models import Event, Registration, ServiceRecord


def event_list(user, alliance):
    return (Event.objects.visible_to(user, alliance).select_related("venue")
            .prefetch_related("organizers")
            .annotate(seated=Count("registrations",
                                   filter=Q(registrations__state__in=Registration.SEATED))))


def member_of(user):
    return getattr(user, "member", None) if getattr(user, "is_authenticated", False) else None


def hours_of(member, year=None):
    records = ServiceRecord.objects.filter(member=member, verified=True)
    if year:
        records = records.filter(created_at__year=year)
    return records.aggregate(h=Sum("hours"))["h"] or Decimal("0")
