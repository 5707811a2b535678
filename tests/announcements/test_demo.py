import pytest

import alliance.demo
import announcements.demo
from announcements import selectors
from announcements.models import Announcement

pytestmark = pytest.mark.django_db


def test_demo_has_each_kind_and_a_members_only_announcement_with_partial_reads():
    alliance.demo.load()
    announcements.demo.load()
    announcements.demo.load()  # idempotent
    assert Announcement.objects.count() == len(announcements.demo.ITEMS)
    for kind in Announcement.Kind.values:
        assert Announcement.objects.filter(kind=kind).count() >= 2
    members_only = Announcement.objects.get(audience=Announcement.Audience.MEMBERS)
    totals = selectors.read_totals(members_only)
    assert 0 < totals["read"] < totals["total"]
    assert Announcement.objects.public().count() < Announcement.objects.filter(
        audience="public").count()  # one is scheduled
