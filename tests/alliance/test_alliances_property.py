"""Over random districts (Hypothesis): two to four alliances, each with its coordinators
(and one person coordinates two), members, suggestions in random states, events and
announcements, every text marked with its alliance. For a random alliance A, nothing meant
for A carries a row of another alliance: not its work queue, dashboard or exports, not its
public feeds, not the weekly digest its coordinators get (whose figures are A's alone), not
the reminders the scans write to A's coordinators."""

import datetime
import zoneinfo

import pytest
import time_machine
from django.db import transaction
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from alliance.models import StaffRole
from notifications.models import Notification
from proposals import reminders, workflow
from proposals.models import Suggestion
from tests.factories import (
    AllianceFactory,
    AnnouncementFactory,
    CategoryFactory,
    EventFactory,
    MemberFactory,
    SuggestionFactory,
    UserFactory,
)
from tests.visible import body_text, shown

pytestmark = pytest.mark.django_db

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
# A Wednesday and a working day: the scans run, and a deadline two days back has passed.
TODAY = datetime.datetime(2026, 12, 2, 9, 30, tzinfo=SHANGHAI)
TRAITS = ["submitted", "accepted", "replied", "in_progress", "implemented", "closed",
          "declined", "golden"]

alliance_spec = st.fixed_dictionaries({
    "suggestions": st.lists(st.sampled_from(TRAITS), min_size=0, max_size=5),
    "events": st.integers(min_value=0, max_value=2),
    "announcements": st.integers(min_value=0, max_value=2),
})


def mark(i):
    return f"〔盟{i}〕"


def _build(specs):
    alliances, coordinators = [], []
    for i, spec in enumerate(specs):
        alliance = AllianceFactory(slug=f"district-{i}", name=f"第{i}联盟{mark(i)}",
                                   short_name=f"联盟{i}{mark(i)}", host=f"a{i}.portal.test")
        coordinator = UserFactory(username=f"coord-{i}", first_name=f"协调员{mark(i)}",
                                  roles=["coordinator"], roles__alliance=alliance)
        category = CategoryFactory(alliance=alliance, name=f"类别{mark(i)}")
        member = MemberFactory(alliance=alliance, name=f"成员{mark(i)}",
                               user__username=f"member-{i}",
                               user__first_name=f"成员{mark(i)}")
        handler = UserFactory(username=f"handler-{i}", first_name=f"承办人{mark(i)}",
                              roles=["handler"], roles__alliance=alliance)
        past = (TODAY - datetime.timedelta(days=2)).date()
        for n, trait in enumerate(spec["suggestions"]):
            fields = {"category": category, "submitter": member.user,
                      "title": f"建言{n}{mark(i)}", "content": f"内容{mark(i)}",
                      "submitted_at": TODAY - datetime.timedelta(days=3)}
            if trait == "submitted":
                SuggestionFactory(accept_due=past, **fields)
            else:
                SuggestionFactory(handler=handler, **{trait: True}, **fields)
        for n in range(spec["events"]):
            EventFactory(alliance=alliance, title=f"活动{n}{mark(i)}")
        for n in range(spec["announcements"]):
            AnnouncementFactory(alliance=alliance, title=f"公告{n}{mark(i)}",
                                body=f"正文{mark(i)}")
        alliances.append(alliance)
        coordinators.append(coordinator)
    # One more person coordinates the first two alliances.
    both = UserFactory(username="coord-both", first_name="两盟协调员", roles=["coordinator"],
                       roles__alliance=alliances[0])
    StaffRole.objects.create(user=both, alliance=alliances[1], role="coordinator")
    return alliances, coordinators, both


def _foreign(text, here, count):
    return [mark(i) for i in range(count) if i != here and mark(i) in text]


@settings(max_examples=12, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(specs=st.lists(alliance_spec, min_size=2, max_size=4), data=st.data())
def test_nothing_meant_for_one_alliance_carries_another(db, specs, data):
    here = data.draw(st.integers(min_value=0, max_value=len(specs) - 1), label="alliance")
    with transaction.atomic(), time_machine.travel(TODAY, tick=False):
        alliances, coordinators, both = _build(specs)
        alliance = alliances[here]
        coordinator = coordinators[here]
        client = Client(HTTP_HOST=alliance.host)
        client.force_login(coordinator)
        for url in ("/", "/suggestions/", "/dashboard/", "/dashboard/export/statistics.xlsx",
                    "/dashboard/export/suggestions.csv", "/dashboard/export/suggestions.xlsx",
                    "/events/", "/announcements/", "/suggestions/golden/",
                    "/me/notifications/failed/"):
            response = client.get(url)
            assert response.status_code == 200, url
            assert not _foreign(shown(response), here, len(specs)), url
        anonymous = Client(HTTP_HOST=alliance.host)
        for url in ("/events/feed.ics", "/announcements/feed/", "/announcements/feed/rss/"):
            response = anonymous.get(url)
            assert response.status_code == 200, url
            assert not _foreign(shown(response), here, len(specs)), url

        # The scans: what A's coordinators are told is about A's suggestions only.
        reminders.accept_overdue()
        reminders.weekly_digest()
        own = set(Suggestion.objects.filter(alliance=alliance)
                  .values_list("tracking_number", flat=True))
        told = Notification.objects.filter(recipient=coordinator)
        for notification in told.filter(kind=reminders.Reminder.ACCEPT_OVERDUE):
            assert notification.url.strip("/").rsplit("/", 1)[-1] in own, notification.url
        waiting = Suggestion.objects.filter(alliance=alliance,
                                            state=workflow.State.SUBMITTED).count()
        assert told.filter(kind=reminders.Reminder.ACCEPT_OVERDUE).count() == waiting
        digest = told.get(kind=reminders.Reminder.WEEKLY_DIGEST)
        assert mark(here) in digest.subject
        assert not _foreign(digest.subject + digest.body, here, len(specs))
        assert f"待受理：{waiting}" in digest.body
        # Who coordinates two alliances hears of both, in a digest each, and of no third.
        theirs = {*Suggestion.objects.filter(alliance__in=alliances[:2])
                  .values_list("tracking_number", flat=True)}
        for notification in Notification.objects.filter(
                recipient=both, kind=reminders.Reminder.ACCEPT_OVERDUE):
            assert notification.url.strip("/").rsplit("/", 1)[-1] in theirs
        digests = Notification.objects.filter(recipient=both,
                                              kind=reminders.Reminder.WEEKLY_DIGEST)
        assert sorted(mark(i) in d.subject for d in digests for i in (0, 1)).count(True) == 2
        for d in digests:
            assert not _foreign(d.subject + d.body, 0 if mark(0) in d.subject else 1,
                                len(specs))
        transaction.set_rollback(True)


def test_a_coordinator_of_two_alliances_works_in_the_one_chosen(db):
    """The switcher: a coordinator of two alliances sees the first's queue, chooses the
    second and sees only its queue; an alliance they hold nothing in cannot be chosen."""
    alliances, _coordinators, both = _build([{"suggestions": ["submitted"], "events": 0,
                                              "announcements": 0}] * 3)
    client = Client()
    client.force_login(both)
    first = shown(client.get("/suggestions/"))
    assert mark(0) in first and mark(1) not in first
    switcher = body_text(client.get("/"))
    assert "联盟1" in switcher and "联盟2" not in switcher  # the choices are theirs only
    response = client.post("/alliance/switch/", {"alliance": alliances[1].pk,
                                                 "next": "/suggestions/"})
    assert response.status_code == 302 and response["Location"] == "/suggestions/"
    second = shown(client.get("/suggestions/"))
    assert mark(1) in second and mark(0) not in second
    assert client.post("/alliance/switch/", {"alliance": alliances[2].pk}).status_code == 404
    assert mark(1) in shown(client.get("/suggestions/"))
    # A host of its own wins over the choice: on alliance 2's host they are nobody's staff.
    on_host = Client(HTTP_HOST=alliances[2].host)
    on_host.force_login(both)
    assert on_host.get("/dashboard/").status_code == 404
