import factory
import pytest
from django.utils import timezone

from announcements.models import Announcement
from tests.factories import AllianceFactory


class AnnouncementFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Announcement
        skip_postgeneration_save = True

    alliance = factory.SubFactory(AllianceFactory)
    title = factory.Sequence(lambda n: f"公告{n}")
    body = "请各位成员**按时参加**。"
    kind = Announcement.Kind.NOTICE
    audience = Announcement.Audience.PUBLIC
    publish_at = factory.LazyFunction(lambda: timezone.now() - timezone.timedelta(hours=1))

    @factory.post_generation
    def units(self, create, extracted, **kwargs):
        if extracted:
            self.units.set(extracted)


@pytest.fixture
def make_announcement(db):
    return AnnouncementFactory
