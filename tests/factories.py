"""Factories for the whole suite. Users get their portal roles through ``roles=[...]``."""

import factory
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from alliance.models import (
    Alliance,
    CompositionTarget,
    Member,
    Membership,
    Unit,
    UnityBuilding,
    Venue,
)

PASSWORD = "pw-for-tests-1"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda o: f"{o.username}@example.cn")
    first_name = factory.Sequence(lambda n: f"用户{n}")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def roles(self, create, extracted, **kwargs):
        self.save()
        if extracted:
            self.groups.set([Group.objects.get_or_create(name=r)[0] for r in extracted])


class AllianceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Alliance
        django_get_or_create = ("slug",)
        skip_postgeneration_save = True

    name = "宜起靠谱 同心统战大联盟"
    short_name = "宜起靠谱"
    slug = "yiqi-kaopu"
    subdistrict = "普陀区宜川路街道"

    @factory.post_generation
    def targets(self, create, extracted, **kwargs):
        for kind, n in [("branch", 6), ("enterprise", 12), ("volunteer_team", 6)]:
            CompositionTarget.objects.get_or_create(alliance=self, kind=kind, defaults={"target": n})


class UnitFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Unit

    alliance = factory.SubFactory(AllianceFactory)
    kind = Unit.Kind.BRANCH
    name = factory.Sequence(lambda n: f"分会{n}")
    slug = factory.Sequence(lambda n: f"unit-{n}")


class MemberFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Member

    alliance = factory.SubFactory(AllianceFactory)
    name = factory.Sequence(lambda n: f"成员{n}")
    phone = factory.Sequence(lambda n: f"1390000{n:04d}")
    email = factory.Sequence(lambda n: f"m{n}@example.cn")
    user = factory.SubFactory(UserFactory, roles=["member"])


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    member = factory.SubFactory(MemberFactory)
    unit = factory.SubFactory(UnitFactory)
    role = Membership.Role.MEMBER


class VenueFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Venue

    alliance = factory.SubFactory(AllianceFactory)
    name = factory.Sequence(lambda n: f"阵地{n}")
    slug = factory.Sequence(lambda n: f"venue-{n}")


class UnityBuildingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = UnityBuilding

    alliance = factory.SubFactory(AllianceFactory)
    community = "宜川一村居委"
    building = factory.Sequence(lambda n: f"{n + 1}号楼")


class CategoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "proposals.Category"

    alliance = factory.SubFactory(AllianceFactory)
    name = factory.Sequence(lambda n: f"类别{n}")


class SuggestionFactory(factory.django.DjangoModelFactory):
    """A submitted suggestion written directly (tests of later states set the fields they
    need, or walk it through proposals.services)."""

    class Meta:
        model = "proposals.Suggestion"

    category = factory.SubFactory(CategoryFactory)
    alliance = factory.SelfAttribute("category.alliance")
    tracking_number = factory.Sequence(lambda n: f"ZTC-2099-{n:05d}")
    title = factory.Sequence(lambda n: f"建言{n}")
    content = "建议在社区增设便民设施。"
    submitter = factory.SubFactory(UserFactory, roles=["member"])
