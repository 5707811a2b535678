"""Demo events: past and upcoming events of every kind across the volunteer teams and the
branches, with registrations, attendance and verified hours. Bulk inserts; idempotent."""

import datetime
import random
from decimal import Decimal

from django.utils import timezone

from alliance.models import Alliance, Member, Unit, Venue
from volunteers.models import Event, Registration, ServiceRecord

TITLES = {
    Event.Kind.STUDY: ["统一战线理论学习会", "民法典学习分享会"],
    Event.Kind.SEMINAR: ["社区治理座谈会", "营商环境建言座谈"],
    Event.Kind.SALON: ["汇智沙龙：老旧小区加装电梯", "汇智沙龙：两湾城停车难"],
    Event.Kind.FESTIVAL: ["中秋同心联谊会", "春节民族团结联欢"],
    Event.Kind.PUBLICITY: ["民族宗教法规宣传", "防范电信诈骗宣传"],
    Event.Kind.VOLUNTEER: ["楼道堆物整治", "垃圾分类督导", "爱心助学辅导", "义诊咨询"],
    Event.Kind.OTHER: ["同心读书会", "走访慰问困难家庭"],
}


def load(*, stdout=None):
    alliance = Alliance.objects.filter(slug="yiqi-kaopu").first()
    if alliance is None or Event.objects.filter(alliance=alliance).exists():
        return
    rng = random.Random(2026)  # noqa: S311 - deterministic demo data
    units = list(Unit.objects.filter(
        alliance=alliance, parent__isnull=True,
        kind__in=[Unit.Kind.VOLUNTEER_TEAM, Unit.Kind.BRANCH]).order_by("kind", "order", "id"))
    venues = list(Venue.objects.filter(alliance=alliance))
    members = list(Member.objects.filter(alliance=alliance).order_by("id"))
    demo_member = Member.objects.filter(user__username="member").first()
    now = timezone.now().replace(minute=0, second=0, microsecond=0)
    events, organizers = [], []
    kinds = list(Event.Kind)
    for i, unit in enumerate(units):
        for j, offset in enumerate((-60, -25, -7, 4, 12, 30)):
            kind = kinds[(i + j) % len(kinds)]
            start = (now + datetime.timedelta(days=offset)).replace(hour=9 + (i + j) % 6)
            events.append(Event(
                alliance=alliance, title=f"{rng.choice(TITLES[kind])}（{unit}）", kind=kind,
                venue=venues[(i + j) % len(venues)] if venues else None,
                start=start, end=start + datetime.timedelta(hours=2 + (j % 2)),
                capacity=rng.choice([10, 20, 30]),
                signup_deadline=start - datetime.timedelta(days=1),
                visibility=Event.Visibility.MEMBERS if (i + j) % 5 == 0
                else Event.Visibility.PUBLIC,
                status=(Event.Status.COMPLETED if offset < 0 else Event.Status.PUBLISHED)
                if (i + j) % 11 else Event.Status.CANCELLED,
                description="（演示）由" + str(unit) + "组织的联盟活动，欢迎报名参加。",
            ))
            organizers.append(unit)
    Event.objects.bulk_create(events)
    Event.organizers.through.objects.bulk_create([
        Event.organizers.through(event_id=e.pk, unit_id=u.pk)
        for e, u in zip(events, organizers, strict=True)])
    registrations, records = [], []
    # One upcoming event is full with people waiting, so raising its capacity can be tried.
    full = next((e for e in events if e.status == Event.Status.PUBLISHED and e.start > now),
                None)
    for event in events:
        if event.status == Event.Status.CANCELLED or not members:
            continue
        past = event.start < now
        if event is full and len(members) > event.capacity + 3:
            people = rng.sample(members, event.capacity + 3)
            registrations += [
                Registration(event=event, member=person, state=Registration.State.WAITLISTED,
                             position=place)
                for place, person in enumerate(people[event.capacity:], start=1)]
            people = people[:event.capacity]
        else:
            people = rng.sample(members, min(len(members), rng.randint(3, event.capacity)))
        if demo_member and demo_member not in people and event is not full and (
                rng.random() < 0.4):
            people[0] = demo_member
        for person in people:
            attended = past and rng.random() < 0.85
            state = (Registration.State.ATTENDED if attended else Registration.State.NO_SHOW
                     ) if past else Registration.State.REGISTERED
            registrations.append(Registration(event=event, member=person, state=state))
            if attended:
                records.append(ServiceRecord(member=person, event=event, verified=True,
                                             hours=Decimal(event.duration_hours),
                                             note="活动签到"))
    Registration.objects.bulk_create(registrations)
    ServiceRecord.objects.bulk_create(records)
    if stdout:
        stdout.write(f"volunteers: {len(events)} events, {len(registrations)} registrations, "
                     f"{len(records)} service records\n")
