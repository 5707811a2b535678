"""What events contribute to the home page, unit pages and /me/."""

from django.db.models import Count, Q, Sum
from django.utils import timezone

from alliance.models import Unit
from volunteers import selectors
from volunteers.models import CalendarToken, Event, Registration, ServiceRecord
from yichuan.home import home_section, me_section, unit_section


@home_section
def upcoming_events(request):
    events = list(Event.objects.filter(alliance=request.alliance,
                                       status=Event.Status.PUBLISHED,
                                       visibility=Event.Visibility.PUBLIC,
                                       end__gte=timezone.now())
                  .select_related("venue").order_by("start")[:5])
    if not events:
        return None
    return {"template": "volunteers/_home_events.html", "events": events}


@me_section
def my_events(request):
    member = selectors.member_of(request.user)
    if member is None:
        return None
    registrations = list(Registration.objects.filter(member=member)
                         .exclude(state=Registration.State.CANCELLED)
                         .select_related("event").order_by("-event__start")[:10])
    year = timezone.localdate().year
    token, _created = CalendarToken.objects.get_or_create(member=member)
    return {
        "template": "volunteers/_me_events.html",
        "member": member,
        "registrations": registrations,
        **selectors.hours_totals(member, year),
        "year": year,
        "feed_token": token.token,
    }


@unit_section
def unit_hours(request, unit):
    """Hour totals of the unit (and of each sub-team): no personal data."""
    units = [unit, *Unit.objects.filter(parent=unit, is_active=True)]
    totals = dict(
        ServiceRecord.objects.filter(verified=True, member__memberships__unit__in=units)
        .values_list("member__memberships__unit").annotate(h=Sum("hours"))
        .values_list("member__memberships__unit", "h").order_by())
    events = Event.objects.filter(organizers=unit).exclude(
        status__in=[Event.Status.DRAFT, Event.Status.CANCELLED]).aggregate(
        n=Count("pk", distinct=True),
        upcoming=Count("pk", filter=Q(end__gte=timezone.now()), distinct=True))
    rows = [{"unit": u, "hours": totals.get(u.pk) or 0} for u in units]
    if not any(r["hours"] for r in rows) and not events["n"]:
        return None
    return {"template": "volunteers/_unit_hours.html", "rows": rows, "events": events,
            "unit": unit}
