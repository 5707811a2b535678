"""Suggestions and events for the scan tests, built from the contract's field names."""

import datetime
import itertools

from tests.factories import AllianceFactory, MemberFactory

_numbers = itertools.count(1)


def _category(alliance):
    from proposals.models import Category

    fields = {f.name for f in Category._meta.get_fields()}
    extra = {"alliance": alliance} if "alliance" in fields else {}
    if "slug" in fields:
        extra["slug"] = f"scan-cat-{next(_numbers)}"
    category = Category.objects.filter(name="提醒测试").first()
    return category or Category.objects.create(name="提醒测试", **extra)


def _suggestion_fields(state, alliance, category, submitter, **fields):
    number = next(_numbers)
    return {
        "alliance": alliance, "tracking_number": f"ZTC-2026-{number:05d}",
        "title": f"建议{number}", "content": "内容", "category": category, "channel": "web",
        "submitter": submitter, "state": state,
        "submitted_at": datetime.datetime(2026, 12, 1, 10, tzinfo=datetime.UTC), **fields,
    }


def make_suggestion(*, state, submitter=None, **fields):
    from proposals.models import Suggestion

    alliance = AllianceFactory()
    submitter = submitter or MemberFactory(alliance=alliance).user
    return Suggestion.objects.create(
        **_suggestion_fields(state, alliance, _category(alliance), submitter, **fields))


def make_closed_suggestions(count):
    """``count`` closed suggestions in one bulk insert (they must cost the scans nothing)."""
    from proposals.models import Suggestion

    alliance = AllianceFactory()
    category = _category(alliance)
    submitter = MemberFactory(alliance=alliance).user
    past = datetime.date(2026, 1, 5)
    Suggestion.objects.bulk_create(
        [Suggestion(**_suggestion_fields(
            "closed", alliance, category, submitter, accept_due=past, reply_due=past,
            progress_due=past, feedback_due=past,
            closed_at=datetime.datetime(2026, 2, 1, tzinfo=datetime.UTC)))
         for _ in range(count)],
        batch_size=1000,
    )


def make_event(*, start, end, organizers=(), status="published"):
    from volunteers.models import Event

    event = Event.objects.create(
        alliance=AllianceFactory(), title=f"活动{next(_numbers)}", kind="volunteer",
        start=start, end=end, capacity=30, signup_deadline=start - datetime.timedelta(days=1),
        visibility="public", status=status, description="",
    )
    if organizers:
        event.organizers.set(organizers)
    return event


def register(event, member, state="registered"):
    from volunteers.models import Registration

    return Registration.objects.create(event=event, member=member, state=state)
