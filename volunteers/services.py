"""Changes to events, registrations and hours. Each service is one transaction; sign-up and
cancellation lock the event row so that capacity is counted inside the lock."""

from decimal import Decimal

from django.db import IntegrityError, transaction
from django.db.models import Max
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from notifications.services import notify
from volunteers.models import Event, HoursCorrection, Registration, ServiceRecord


class EventError(Exception):
    """A refused change, with a message for the user."""

    def __init__(self, message):
        super().__init__(message)
        self.message = message


def _locked_event(event_id):
    return Event.objects.select_for_update().get(pk=event_id)


def register(*, event_id, member, now=None):
    """Sign ``member`` up: a seat if one is free, the waiting list otherwise."""
    now = now or timezone.now()
    with transaction.atomic():
        event = _locked_event(event_id)
        if member is None:
            if event.visibility == Event.Visibility.MEMBERS:
                raise EventError(_("该活动仅限联盟成员参加，请先登录。"))
            raise EventError(_("请先登录并完善成员信息后再报名。"))
        if member.alliance_id != event.alliance_id:
            raise EventError(_("该活动仅面向本联盟成员。"))
        if event.status == Event.Status.CANCELLED:
            raise EventError(_("该活动已取消，无法报名。"))
        if event.status != Event.Status.PUBLISHED:
            raise EventError(_("该活动当前不接受报名。"))
        if now > event.signup_deadline:
            raise EventError(_("报名已截止。"))
        if Registration.objects.filter(event=event, member=member,
                                       state__in=Registration.ACTIVE).exists():
            raise EventError(_("您已报名该活动，请勿重复报名。"))
        seated = Registration.objects.filter(event=event, state__in=Registration.SEATED).count()
        if seated < event.capacity:
            state, position = Registration.State.REGISTERED, None
        else:
            last = (Registration.objects.filter(event=event, state=Registration.State.WAITLISTED)
                    .aggregate(m=Max("position"))["m"]) or 0
            state, position = Registration.State.WAITLISTED, last + 1
        try:
            with transaction.atomic():
                return Registration.objects.create(event=event, member=member, state=state,
                                                   position=position)
        except IntegrityError:
            raise EventError(_("您已报名该活动，请勿重复报名。")) from None


def cancel_registration(*, registration_id, actor=None, now=None):
    """Cancel a registration; a freed seat goes to the first on the waiting list, who is
    notified in the same transaction."""
    now = now or timezone.now()
    with transaction.atomic():
        event_id = Registration.objects.values_list("event_id", flat=True).get(
            pk=registration_id)
        event = _locked_event(event_id)
        registration = Registration.objects.select_for_update().get(pk=registration_id)
        if registration.state == Registration.State.CANCELLED:
            return None
        if registration.state not in (Registration.State.REGISTERED,
                                      Registration.State.WAITLISTED):
            raise EventError(_("已签到或已结束的报名不能取消。"))
        if now >= event.start:
            raise EventError(_("活动已开始，无法取消报名。"))
        held_seat = registration.state == Registration.State.REGISTERED
        registration.state = Registration.State.CANCELLED
        registration.position = None
        registration.save(update_fields=["state", "position", "updated_at"])
        if held_seat:
            return _promote_next(event)
        return None


def _promote_next(event):
    seated = Registration.objects.filter(event=event, state__in=Registration.SEATED).count()
    if seated >= event.capacity:
        return None
    nxt = (Registration.objects.select_for_update(of=("self",)).select_related("member__user")
           .filter(event=event, state=Registration.State.WAITLISTED)
           .order_by("position", "id").first())
    if nxt is None:
        return None
    nxt.state = Registration.State.REGISTERED
    nxt.position = None
    nxt.save(update_fields=["state", "position", "updated_at"])
    if nxt.member.user_id:
        notify(
            recipient=nxt.member.user, kind="event_promoted",
            key=f"event_promoted:{event.pk}:{nxt.pk}",
            subject=_("候补成功：%(title)s") % {"title": event.title},
            body=_("有成员取消报名，您已从候补转为正式报名：%(title)s，%(start)s 开始。") % {
                "title": event.title,
                "start": timezone.localtime(event.start).strftime("%Y-%m-%d %H:%M")},
            url=event.get_absolute_url(), target=event,
        )
    return nxt


def check_in(*, event_id, registration_ids, actor, hours=None, present=True):
    """Mark registrations attended (crediting verified hours: the entered figure or the
    event's length) or no-show. Re-marking a registration keeps one record per event."""
    with transaction.atomic():
        event = _locked_event(event_id)
        if event.status in (Event.Status.DRAFT, Event.Status.CANCELLED):
            raise EventError(_("草稿或已取消的活动不能签到。"))
        if hours is not None and (hours < 0 or hours > 24):
            raise EventError(_("时长须在 0 到 24 小时之间。"))
        credit = Decimal(hours) if hours is not None else event.duration_hours
        regs = list(Registration.objects.select_for_update().filter(
            event=event, pk__in=registration_ids,
            state__in=[Registration.State.REGISTERED, Registration.State.ATTENDED,
                       Registration.State.NO_SHOW]))
        member_ids = [r.member_id for r in regs]
        existing = {r.member_id: r for r in ServiceRecord.objects.select_for_update().filter(
            event=event, member_id__in=member_ids)}
        new_state = Registration.State.ATTENDED if present else Registration.State.NO_SHOW
        Registration.objects.filter(pk__in=[r.pk for r in regs]).update(
            state=new_state, updated_at=timezone.now())
        if present:
            ServiceRecord.objects.bulk_create([
                ServiceRecord(member_id=m, event=event, hours=credit, verified=True,
                              recorded_by=actor, note=_("活动签到"))
                for m in member_ids if m not in existing])
        else:
            ServiceRecord.objects.filter(event=event, member_id__in=member_ids).delete()
        return len(regs)


def complete_event(*, event_id):
    with transaction.atomic():
        event = _locked_event(event_id)
        if event.status == Event.Status.PUBLISHED:
            event.status = Event.Status.COMPLETED
            event.save(update_fields=["status"])
        return event


def correct_hours(*, record_id, hours, reason, actor):
    """Change the hours of a record; the old figure, new figure and reason are kept."""
    reason = (reason or "").strip()
    if not reason:
        raise EventError(_("更正时长必须填写原因。"))
    hours = Decimal(hours)
    if hours < 0 or hours > 24:
        raise EventError(_("时长须在 0 到 24 小时之间。"))
    with transaction.atomic():
        record = (ServiceRecord.objects.select_for_update(of=("self",))
                  .select_related("member__user", "event").get(pk=record_id))
        if record.hours == hours:
            return record
        correction = HoursCorrection.objects.create(
            record=record, old_hours=record.hours, new_hours=hours, reason=reason, author=actor)
        record.hours = hours
        record.save(update_fields=["hours"])
        if record.member.user_id:
            notify(
                recipient=record.member.user, kind="hours_corrected",
                key=f"hours_corrected:{correction.pk}",
                subject=_("志愿服务时长已更正"),
                body=_("“%(what)s”的时长由 %(old)s 小时更正为 %(new)s 小时，原因：%(reason)s") % {
                    "what": record.event or record.note, "old": correction.old_hours,
                    "new": hours, "reason": reason},
                url=reverse("volunteers:hours_summary", args=[record.member_id]), target=record,
            )
        return record
