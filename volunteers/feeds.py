"""iCalendar feeds: the public one and each member's private one (secret token in the URL)."""

from datetime import datetime
from zoneinfo import ZoneInfo

from icalendar import Calendar, Timezone
from icalendar import Event as VEvent

SHANGHAI = ZoneInfo("Asia/Shanghai")


def build_calendar(events, request, *, name):
    cal = Calendar()
    cal.add("prodid", "-//yichuan portal//events//ZH")
    cal.add("version", "2.0")
    cal.add("x-wr-calname", name)
    cal.add("x-wr-timezone", "Asia/Shanghai")
    cal.add_component(Timezone.from_tzid("Asia/Shanghai"))
    host = request.get_host()
    for event in events:
        item = VEvent()
        item.add("uid", f"event-{event.pk}@{host}")
        item.add("summary", event.title)
        item.add("dtstart", event.start.astimezone(SHANGHAI))
        item.add("dtend", event.end.astimezone(SHANGHAI))
        item.add("dtstamp", datetime.now(tz=SHANGHAI))
        where = event.venue.name if event.venue_id else event.location
        if where:
            item.add("location", where)
        if event.description:
            item.add("description", event.description)
        item.add("url", request.build_absolute_uri(event.get_absolute_url()))
        if event.status == event.Status.CANCELLED:
            item.add("status", "CANCELLED")
        cal.add_component(item)
    return cal.to_ical()
