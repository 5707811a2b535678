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


def hours_totals(member, year):
    """The member's verified hours in all and in ``year``, in one query (/me/)."""
    totals = ServiceRecord.objects.filter(member=member, verified=True).served().aggregate(
        hours_total=Sum("hours"), hours_year=Sum("hours", filter=Q(served_at__year=year)))
    return {key: value or Decimal("0") for key, value in totals.items()}
