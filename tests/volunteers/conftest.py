import datetime

import pytest
from django.utils import timezone

from tests.factories import AllianceFactory, UnitFactory


def make_event(**kwargs):
    from volunteers.models import Event

    start = kwargs.pop("start", timezone.now() + datetime.timedelta(days=3))
    organizers = kwargs.pop("organizers", ())
    values = dict(
        alliance=AllianceFactory(), title="楼道清洁志愿服务", kind=Event.Kind.VOLUNTEER,
        start=start, end=start + datetime.timedelta(hours=2), capacity=10,
        signup_deadline=start - datetime.timedelta(days=1),
        visibility=Event.Visibility.PUBLIC, status=Event.Status.PUBLISHED,
    )
    values.update(kwargs)
    event = Event.objects.create(**values)
    if organizers:
        event.organizers.set(organizers)
    return event


@pytest.fixture
def event(db):
    return make_event(organizers=[UnitFactory()])
