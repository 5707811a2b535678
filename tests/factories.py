"""Factories for the whole suite: one way to make test data. Users get their portal roles
through ``roles=[...]``; suggestions, events and announcements get a trait per state.

A suggestion's traits walk the workflow table: each step is the table's own row, carried out
by ``proposals.services.apply_row`` (its state, deadlines, stamps and flags), without the
locks, timeline entries and notifications the services add. Tests of those call the
services; tests of pages, scans and figures start from a trait."""

import datetime

import factory
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.utils import timezone

from alliance.models import (
    Alliance,
    CompositionTarget,
    Member,
    Membership,
    StaffRole,
    Unit,
    UnityBuilding,
    Venue,
)
from alliance.roles import HELD_FOR_AN_ALLIANCE
from proposals import services, workflow
from proposals.models import Assignment, Feedback, Suggestion

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
        """``roles=[...]``: coordinator and handler are held for ``roles__alliance`` (the
        default alliance unless given); the other roles are groups."""
        self.save()
        if not extracted:
            return
        self.groups.set([Group.objects.get_or_create(name=r)[0] for r in extracted
                         if r not in HELD_FOR_AN_ALLIANCE])
        held = [r for r in extracted if r in HELD_FOR_AN_ALLIANCE]
        if held:
            alliance = kwargs.get("alliance") or AllianceFactory()
            for role in held:
                StaffRole.objects.get_or_create(user=self, alliance=alliance, role=role)


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


_THROUGH_REPLY = ("accept", "reply")
_CARRIED_OUT = (*_THROUGH_REPLY, "record_progress", "record_implementation")
_SECOND_ROUND = (*_CARRIED_OUT, ("give_feedback", "dissatisfied"), "record_implementation")
# trait -> the steps that reach it (an action, or (action, rating))
WALKS = {
    "accepted": ("accept",),
    "replied": _THROUGH_REPLY,
    "in_progress": (*_THROUGH_REPLY, "record_progress"),
    "implemented": _CARRIED_OUT,
    "not_implemented": (*_THROUGH_REPLY, "conclude_not_implemented"),
    "reopened": (*_CARRIED_OUT, ("give_feedback", "dissatisfied")),
    "awaiting_coordinator": (*_SECOND_ROUND, ("give_feedback", "dissatisfied")),
    "closed": (*_CARRIED_OUT, ("give_feedback", "satisfied")),
    "no_response": (*_CARRIED_OUT, "auto_close_no_response"),
    "withdrawn": ("withdraw",),
    "declined": ("decline",),
    "merged": ("merge",),
}
# What a walk needs besides the row: the handler, the grade, a merge target.
_ACCEPTED = {"handler": factory.SubFactory(UserFactory, roles=["handler"])}
# The traits off unless named, said so up front: factory_boy otherwise looks each one up,
# misses, and formats every declaration into the error it then swallows (most of the time
# a build took). Not ``closed``: the ``golden`` trait turns it on.
_OFF = dict.fromkeys(["golden", *(trait for trait in WALKS if trait != "closed")], False)


class SuggestionFactory(factory.django.DjangoModelFactory):
    """A suggestion where the table's steps lead: ``SuggestionFactory(closed=True)``, or
    ``walk=(...)`` for any path. Fields given explicitly win over what the steps set (a
    deadline in the past for an overdue case). ``create`` also writes the Feedback rows of
    the walk's give_feedback steps; ``build`` returns the same suggestion unsaved, without
    them (for ``bulk_create``). ``co_units=[...]`` adds co-handling units (Assignment rows).
    No timeline entries: a test that needs SuggestionUpdate rows creates them."""

    class Meta:
        model = "proposals.Suggestion"
        skip_postgeneration_save = True

    category = factory.SubFactory(CategoryFactory)
    alliance = factory.SelfAttribute("category.alliance")
    tracking_number = factory.Sequence(lambda n: f"ZTC-2099-{n:05d}")
    title = factory.Sequence(lambda n: f"建言{n}")
    content = "建议在社区增设便民设施。"
    submitter = factory.SubFactory(UserFactory, roles=["member"])
    submitted_at = factory.LazyFunction(timezone.now)
    walk = ()

    class Params:
        accepted = factory.Trait(walk=WALKS["accepted"], **_ACCEPTED)
        replied = factory.Trait(walk=WALKS["replied"], **_ACCEPTED)
        in_progress = factory.Trait(walk=WALKS["in_progress"], **_ACCEPTED)
        implemented = factory.Trait(walk=WALKS["implemented"], outcome_grade="A", **_ACCEPTED)
        not_implemented = factory.Trait(walk=WALKS["not_implemented"], outcome_grade="C",
                                        **_ACCEPTED)
        reopened = factory.Trait(walk=WALKS["reopened"], **_ACCEPTED)
        awaiting_coordinator = factory.Trait(walk=WALKS["awaiting_coordinator"],
                                             outcome_grade="B", **_ACCEPTED)
        closed = factory.Trait(walk=WALKS["closed"], outcome_grade="A", **_ACCEPTED)
        no_response = factory.Trait(walk=WALKS["no_response"], outcome_grade="A", **_ACCEPTED)
        golden = factory.Trait(closed=True, is_golden=True, golden_summary="金点子简介")
        withdrawn = factory.Trait(walk=WALKS["withdrawn"])
        declined = factory.Trait(walk=WALKS["declined"])
        merged = factory.Trait(walk=WALKS["merged"], merged_into=factory.SubFactory(
            "tests.factories.SuggestionFactory", category=factory.SelfAttribute(
                "..category")))

    @classmethod
    def _generate(cls, strategy, params):
        return super()._generate(strategy, {**_OFF, **params})

    @classmethod
    def _build(cls, model_class, *args, walk=(), **kwargs):
        return cls._walk(model_class, args, kwargs, walk)[0]

    @classmethod
    def _create(cls, model_class, *args, walk=(), **kwargs):
        suggestion, ratings = cls._walk(model_class, args, kwargs, walk)
        suggestion.save()
        Feedback.objects.bulk_create([
            Feedback(suggestion=suggestion, author=suggestion.submitter, rating=rating,
                     created_at=suggestion.submitted_at) for rating in ratings])
        return suggestion

    @classmethod
    def _walk(cls, model_class, args, kwargs, walk):
        """The unsaved suggestion after the submit row, the walk and the explicit fields;
        and the ratings of the walk's feedback."""
        suggestion = model_class(*args, **kwargs)
        now = suggestion.submitted_at
        flow = workflow.current()
        submit = flow.row_into("submit")
        # The submission sets the state and starts a deadline; with both given and no walk,
        # all it would set is overwritten below (hand-made rows: skip its calendar query).
        if walk or not {"state", submit.starts} <= kwargs.keys():
            services.apply_row(submit, suggestion, now)
        ratings = []
        for step in walk:
            action, rating = step if isinstance(step, tuple) else (step, None)
            given = ({"rating": rating} if rating else
                     {"today": now.date() + datetime.timedelta(days=365)}
                     if action == "auto_close_no_response" else None)
            row = flow.row(suggestion, action, given)
            if row is None:
                raise ValueError(f"the table has no {action!r} from {str(suggestion.state)!r}")
            services.apply_row(row, suggestion, now)
            if rating:
                ratings.append(rating)
        for name, value in kwargs.items():  # what the test said explicitly wins
            setattr(suggestion, name, value)
        return suggestion, ratings

    @factory.post_generation
    def co_units(self, create, extracted, **kwargs):
        for unit in extracted or ():
            Assignment.objects.create(suggestion=self, unit=unit)


class FeedbackFactory(factory.django.DjangoModelFactory):
    """A feedback on a suggestion given as data (no walk), with the 有反馈 stamp it leaves:
    the suggestion's ``feedback_at`` is the first feedback's time."""

    class Meta:
        model = Feedback

    suggestion = factory.SubFactory(SuggestionFactory)
    author = factory.SelfAttribute("suggestion.submitter")
    rating = "satisfied"
    comment = ""
    created_at = factory.LazyFunction(timezone.now)

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        feedback = super()._create(model_class, *args, **kwargs)
        Suggestion.objects.filter(pk=feedback.suggestion_id, feedback_at__isnull=True).update(
            feedback_at=feedback.created_at)
        return feedback


class EventFactory(factory.django.DjangoModelFactory):
    """A published public event in three days; traits for the other states."""

    class Meta:
        model = "volunteers.Event"
        skip_postgeneration_save = True

    alliance = factory.SubFactory(AllianceFactory)
    title = "楼道清洁志愿服务"
    kind = "volunteer"
    start = factory.LazyFunction(lambda: timezone.now() + datetime.timedelta(days=3))
    end = factory.LazyAttribute(lambda o: o.start + datetime.timedelta(hours=2))
    capacity = 10
    signup_deadline = factory.LazyAttribute(lambda o: o.start - datetime.timedelta(days=1))
    visibility = "public"
    status = "published"

    class Params:
        draft = factory.Trait(status="draft")
        cancelled = factory.Trait(status="cancelled")
        completed = factory.Trait(
            status="completed",
            start=factory.LazyFunction(lambda: timezone.now() - datetime.timedelta(days=3)))
        members_only = factory.Trait(visibility="members")
        salon = factory.Trait(kind="salon", title="汇智沙龙")

    @factory.post_generation
    def organizers(self, create, extracted, **kwargs):
        if extracted:
            self.organizers.set(extracted)


class RegistrationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "volunteers.Registration"

    event = factory.SubFactory(EventFactory)
    member = factory.SubFactory(MemberFactory, alliance=factory.SelfAttribute("..event.alliance"))
    state = "registered"


class AnnouncementFactory(factory.django.DjangoModelFactory):
    """A public notice published an hour ago; traits for the other audiences and times."""

    class Meta:
        model = "announcements.Announcement"
        skip_postgeneration_save = True

    alliance = factory.SubFactory(AllianceFactory)
    title = factory.Sequence(lambda n: f"公告{n}")
    body = "请各位成员**按时参加**。"
    kind = "notice"
    audience = "public"
    publish_at = factory.LazyFunction(lambda: timezone.now() - datetime.timedelta(hours=1))

    class Params:
        members_only = factory.Trait(audience="members")
        scheduled = factory.Trait(
            publish_at=factory.LazyFunction(lambda: timezone.now() + datetime.timedelta(days=1)))
        pinned_notice = factory.Trait(pinned=True)

    @factory.post_generation
    def units(self, create, extracted, **kwargs):
        if extracted:
            self.units.set(extracted)


class ServiceRecordFactory(factory.django.DjangoModelFactory):
    """Verified hours of a member for attending an event of their alliance."""

    class Meta:
        model = "volunteers.ServiceRecord"

    event = factory.SubFactory(EventFactory, completed=True)
    member = factory.SubFactory(MemberFactory, alliance=factory.SelfAttribute("..event.alliance"))
    hours = 2
    verified = True
    note = "活动签到"


class CertificateFactory(factory.django.DjangoModelFactory):
    """A 志愿服务记录证明 as ``volunteers.services.issue_certificate`` writes it (the
    records are not looked at: tests of what is copied call the service)."""

    class Meta:
        model = "volunteers.Certificate"

    member = factory.SubFactory(MemberFactory)
    alliance = factory.SelfAttribute("member.alliance")
    member_name = factory.SelfAttribute("member.name")
    period_start = factory.LazyFunction(lambda: timezone.localdate().replace(month=1, day=1))
    period_end = factory.LazyFunction(timezone.localdate)
    total_hours = 2
    entries = factory.LazyAttribute(lambda o: [
        {"date": o.period_start.isoformat(), "content": "楼道清洁志愿服务",
         "hours": str(o.total_hours)}])

    class Params:
        revoked = factory.Trait(
            revoked_at=factory.LazyFunction(timezone.now), revoke_reason="记录有误，已重新出具")


class CorrectionRequestFactory(factory.django.DjangoModelFactory):
    """A member's pending request that their record be corrected."""

    class Meta:
        model = "volunteers.CorrectionRequest"

    record = factory.SubFactory(ServiceRecordFactory)
    requested_hours = 3
    reason = "实际服务到中午，多了一小时"
    requested_by = factory.SelfAttribute("record.member.user")
