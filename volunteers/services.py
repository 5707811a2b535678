"""Changes to events, registrations and hours. Each service is one transaction; sign-up and
cancellation lock the event row so that capacity is counted inside the lock."""

import hashlib
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.db.models import F, Max
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from alliance.roles import is_coordinator, liaison_unit_ids
from alliance.selectors import coordinators
from notifications.services import (
    existing_keys,
    notify,
    notify_many,
    preferences_for,
    withdraw,
)
from volunteers.models import (
    Certificate,
    CorrectionRequest,
    Event,
    HoursCorrection,
    Registration,
    ServiceRecord,
)
from volunteers.reminders import organizer_liaisons


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
        place = registration.position
        registration.state = Registration.State.CANCELLED
        registration.position = None
        registration.save(update_fields=["state", "position", "updated_at"])
        # Promoted a moment ago and cancelling now: the 候补成功 not yet sent is no longer
        # true, and is not sent.
        withdraw(key=_promotion_key(registration))
        if not held_seat:
            _close_line(event, after=place)
            return None
        if event.status != Event.Status.PUBLISHED:
            return None  # a cancelled event seats nobody: no 候补成功 for what will not be
        promoted = _promote_waiting(event, because=_("有成员取消报名"))
        return promoted[0] if promoted else None


def _promote_waiting(event, *, because):
    """Give the free seats to the first on the waiting list, in order, and tell each of
    them. The positions of those still waiting move up by as many: what a person is shown
    is their place in the line now. Returns the promoted registrations."""
    seated = Registration.objects.filter(event=event, state__in=Registration.SEATED).count()
    free = event.capacity - seated
    if free <= 0:
        return []
    promoted = list(
        Registration.objects.select_for_update(of=("self",)).select_related("member__user")
        .filter(event=event, state=Registration.State.WAITLISTED)
        .order_by("position", "id")[:free])
    if not promoted:
        return []
    Registration.objects.filter(pk__in=[r.pk for r in promoted]).update(
        state=Registration.State.REGISTERED, position=None, updated_at=timezone.now())
    _close_line(event, after=promoted[-1].position, by=len(promoted))
    start = timezone.localtime(event.start).strftime("%Y-%m-%d %H:%M")
    for registration in promoted:
        registration.state, registration.position = Registration.State.REGISTERED, None
        if registration.member.user_id:
            notify(
                recipient=registration.member.user, kind="event_promoted",
                key=_promotion_key(registration),
                subject=_("候补成功：%(title)s") % {"title": event.title},
                body=_("%(because)s，您已从候补转为正式报名：%(title)s，%(start)s 开始。") % {
                    "because": because, "title": event.title, "start": start},
                url=event.get_absolute_url(), target=event,
            )
    return promoted


def _promotion_key(registration):
    return f"event_promoted:{registration.event_id}:{registration.pk}"


def _close_line(event, *, after, by=1):
    """Those waiting behind position ``after`` move up ``by`` places."""
    if after is None:
        return
    Registration.objects.filter(event=event, state=Registration.State.WAITLISTED,
                                position__gt=after).update(position=F("position") - by)


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


# What staff edit on an event (the form's fields, the admin's too); organizers are set apart.
EDITABLE = ("title", "kind", "venue", "location", "start", "end", "capacity",
            "signup_deadline", "visibility", "description")
# A change of one of these "moves" the event: everyone registered or waiting is told.
MOVING = ("start", "end", "venue", "location")
# The registrations told when an event moves or is cancelled.
TOLD = (Registration.State.REGISTERED, Registration.State.WAITLISTED)


def seats_taken(event_id):
    return Registration.objects.filter(event_id=event_id,
                                       state__in=Registration.SEATED).count()


def capacity_refusal(capacity, seated):
    """Why ``capacity`` cannot be an event's with ``seated`` seats taken, or None."""
    if capacity < 1:
        return _("名额至少为 1 人。")
    if capacity < seated:
        return _("已有 %(n)s 人报名，名额不能少于 %(n)s；如需减少，请先与报名人员沟通取消。") % {
            "n": seated}
    return None


def parts_refusals(*, actor, alliance_id, venue, organizers):
    """{field: why} for a venue or organizers the event cannot have: both of its own
    alliance; a liaison's event organized by a unit they speak for (they could not edit it
    otherwise). ``organizers`` None: not being changed."""
    refusals = {}
    if venue is not None and venue.alliance_id != alliance_id:
        refusals["venue"] = _("所选阵地不属于本联盟。")
    if organizers is None:
        return refusals
    if any(unit.alliance_id != alliance_id for unit in organizers):
        refusals["organizers"] = _("主办单位须是本联盟的单位。")
    elif actor is not None and not is_coordinator(actor, alliance_id) and not (
            {unit.pk for unit in organizers} & liaison_unit_ids(actor, alliance_id)):
        refusals["organizers"] = _("主办单位须包含您担任联络员的单位。")
    return refusals


def editing_refusal(event):
    """Why ``event`` can no longer be edited, or None."""
    if event.status in (Event.Status.CANCELLED, Event.Status.COMPLETED):
        return _("已取消或已结束的活动不能再修改。")
    return None


def _check_capacity(event, seated):
    refusal = capacity_refusal(event.capacity, seated)
    if refusal:
        raise EventError(refusal)


def _check_parts(actor, event, organizers):
    refusals = parts_refusals(actor=actor, alliance_id=event.alliance_id, venue=event.venue,
                              organizers=organizers)
    if refusals:
        raise EventError(" ".join(refusals.values()))


def create_event(*, alliance, actor, organizers=(), publish=False, **fields):
    """A new event of ``alliance``: a draft, or published at once."""
    unknown = set(fields) - set(EDITABLE)
    if unknown:
        raise TypeError(f"not editable: {sorted(unknown)}")
    organizers = list(organizers)
    event = Event(alliance=alliance, **fields,
                  status=Event.Status.PUBLISHED if publish else Event.Status.DRAFT)
    event.clean()
    _check_parts(actor, event, organizers)
    _check_capacity(event, 0)
    with transaction.atomic():
        event.save()
        event.organizers.set(organizers)
    return event


def update_event(*, event_id, actor, organizers=None, **fields):
    """Change an event. A capacity below the seats taken is refused; a raised capacity
    seats the waiting list in order; moving a published event tells everyone registered or
    waiting. Returns ``(event, promoted registrations, how many were told of the move)``."""
    unknown = set(fields) - set(EDITABLE)
    if unknown:
        raise TypeError(f"not editable: {sorted(unknown)}")
    with transaction.atomic():
        event = _locked_event(event_id)
        refusal = editing_refusal(event)
        if refusal:
            raise EventError(refusal)
        before = {name: getattr(event, name) for name in MOVING}
        for name, value in fields.items():
            setattr(event, name, value)
        event.clean()
        _check_parts(actor, event, None if organizers is None else list(organizers))
        _check_capacity(event, seats_taken(event.pk))
        event.save(update_fields=[*fields])
        if organizers is not None:
            event.organizers.set(organizers)
        moved = (event.status == Event.Status.PUBLISHED
                 and any(getattr(event, name) != before[name] for name in MOVING))
        told = _tell_everyone(event, "event_moved") if moved else 0
        promoted = _promote_waiting(event, because=_("活动名额增加"))
        return event, promoted, told


def publish_event(*, event_id, actor):
    with transaction.atomic():
        event = _locked_event(event_id)
        if event.status == Event.Status.PUBLISHED:
            return event
        if event.status != Event.Status.DRAFT:
            raise EventError(_("只有草稿可以发布。"))
        event.status = Event.Status.PUBLISHED
        event.save(update_fields=["status"])
        return event


def cancel_event(*, event_id, actor, reason):
    """Cancel an event and tell everyone registered or waiting, with the reason."""
    reason = (reason or "").strip()
    if not reason:
        raise EventError(_("取消活动须填写原因，报名人员会收到这一说明。"))
    with transaction.atomic():
        event = _locked_event(event_id)
        if event.status == Event.Status.CANCELLED:
            return event, 0
        if event.status == Event.Status.COMPLETED:
            raise EventError(_("已结束的活动不能取消。"))
        told = 0
        if event.status == Event.Status.PUBLISHED:
            told = _tell_everyone(event, "event_cancelled", reason=reason)
        event.status = Event.Status.CANCELLED
        event.save(update_fields=["status"])
        return event, told


def complete_event(*, event_id, actor=None, now=None):
    """Mark a published event that has ended as completed (already completed: unchanged)."""
    now = now or timezone.now()
    with transaction.atomic():
        event = _locked_event(event_id)
        if event.status == Event.Status.COMPLETED:
            return event
        if event.status != Event.Status.PUBLISHED:
            raise EventError(_("只有已发布的活动可以标记为已结束。"))
        if event.end > now:
            raise EventError(_("活动尚未结束，结束后才能标记为已结束。"))
        event.status = Event.Status.COMPLETED
        event.save(update_fields=["status"])
        return event


def _tell_everyone(event, kind, **context):
    """Tell each person registered or waiting for ``event`` (its new time and place, or its
    cancellation). One key per change: the same change told twice is told once."""
    registrations = list(Registration.objects.filter(
        event=event, state__in=TOLD, member__user__isnull=False).select_related("member__user"))
    place = hashlib.sha256(f"{event.venue_id}:{event.location}".encode(),
                           usedforsecurity=False).hexdigest()[:12]
    when = f"{event.start:%Y%m%d%H%M}:{event.end:%Y%m%d%H%M}:{place}"
    keys = {r.pk: f"{kind}:{event.pk}:{r.pk}:{when}" for r in registrations}
    written = existing_keys(keys.values())
    preferences = preferences_for(r.member.user_id for r in registrations)
    context = {"event": event, **context}
    return notify_many([
        {"recipient": r.member.user, "kind": kind, "key": keys[r.pk], "context": context,
         "url": event.get_absolute_url(), "target": event,
         "preference": preferences[r.member.user_id]}
        for r in registrations if keys[r.pk][:200] not in written])


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
                    "what": record.content, "old": correction.old_hours,
                    "new": hours, "reason": reason},
                url=reverse("volunteers:hours_summary", args=[record.member_id]), target=record,
            )
        return record


# --- 志愿服务记录证明 and correction requests (issue 17) ------------------------------------

def certified_records(*, member, period_start, period_end):
    """The member's verified records served within the period (the event's day, or the day
    the record was made where it has no event), in date order."""
    return (ServiceRecord.objects.filter(member=member, verified=True)
            .select_related("event")
            .served()
            .filter(served_at__date__gte=period_start, served_at__date__lte=period_end)
            .order_by("served_at", "id"))


def issue_certificate(*, member, actor, period_start, period_end, now=None):
    """Issue a 志愿服务记录证明 of ``member``'s verified hours in the period: the records and
    their total are copied into the certificate, so that a later correction changes no
    certificate already issued. Refused for an empty period."""
    now = now or timezone.now()
    if period_start > period_end:
        raise EventError(_("起始日期不能晚于截止日期。"))
    if period_end > timezone.localdate(now):
        raise EventError(_("截止日期不能晚于今天。"))
    with transaction.atomic():
        records = list(certified_records(member=member, period_start=period_start,
                                         period_end=period_end))
        if not records:
            raise EventError(_("所选期间没有已核实的志愿服务记录，无法出具证明。"))
        entries = [{"date": timezone.localtime(r.served_at).date().isoformat(),
                    "content": str(r.content), "hours": str(r.hours)} for r in records]
        total = sum((r.hours for r in records), start=Decimal("0"))
        for _attempt in range(3):
            try:
                with transaction.atomic():
                    return Certificate.objects.create(
                        alliance_id=member.alliance_id, member=member, member_name=member.name,
                        period_start=period_start, period_end=period_end, total_hours=total,
                        entries=entries, issued_at=now, issued_by=actor)
            except IntegrityError:  # the one serial in 2**80 that was taken: draw again
                continue
        raise EventError(_("证明编号生成失败，请重试。"))


def revoke_certificate(*, certificate_id, actor, reason, now=None):
    """Revoke a certificate: its verification page says 已撤销 from now on. The member is
    told why. Revoking a revoked certificate changes nothing."""
    reason = (reason or "").strip()
    if not reason:
        raise EventError(_("撤销证明必须填写原因。"))
    with transaction.atomic():
        certificate = (Certificate.objects.select_for_update(of=("self",))
                       .select_related("member__user").get(pk=certificate_id))
        if certificate.is_revoked:
            return certificate
        certificate.revoked_at = now or timezone.now()
        certificate.revoked_by = actor
        certificate.revoke_reason = reason[:200]
        certificate.save(update_fields=["revoked_at", "revoked_by", "revoke_reason"])
        member = certificate.member
        if member is not None and member.user_id:
            notify(
                recipient=member.user, kind="certificate_revoked",
                key=f"certificate_revoked:{certificate.pk}",
                subject=_("志愿服务记录证明已撤销"),
                body=_("编号 %(serial)s 的志愿服务记录证明已撤销，原因：%(reason)s") % {
                    "serial": certificate.serial, "reason": reason},
                url=reverse("volunteers:hours_summary", args=[member.pk]), target=certificate,
            )
        return certificate


def request_correction(*, record_id, member, hours, reason):
    """The member asks for one of their records to be corrected; the organizers are told.
    One open request per record at a time."""
    reason = (reason or "").strip()
    if not reason:
        raise EventError(_("请说明需要更正的原因。"))
    hours = Decimal(hours)
    if hours < 0 or hours > 24:
        raise EventError(_("时长须在 0 到 24 小时之间。"))
    with transaction.atomic():
        record = (ServiceRecord.objects.select_for_update(of=("self",))
                  .select_related("event", "member").get(pk=record_id))
        if member is None or record.member_id != member.pk:
            raise EventError(_("只能为本人的志愿服务记录申请更正。"))
        if record.hours == hours:
            raise EventError(_("申请的时长与现有记录相同，无需更正。"))
        if CorrectionRequest.objects.filter(
                record=record, state=CorrectionRequest.State.PENDING).exists():
            raise EventError(_("这条记录已有一份更正申请在处理中，请等处理结果出来后再申请。"))
        try:
            with transaction.atomic():
                correction_request = CorrectionRequest.objects.create(
                    record=record, requested_hours=hours, reason=reason[:200],
                    requested_by=member.user)
        except IntegrityError:
            raise EventError(
                _("这条记录已有一份更正申请在处理中，请等处理结果出来后再申请。")) from None
        for user in _record_organizers(record):
            notify(
                recipient=user, kind="correction_requested",
                key=f"correction_requested:{correction_request.pk}:{user.pk}",
                subject=_("志愿服务时长更正申请：%(what)s") % {"what": record.content},
                body=_("%(name)s 申请将“%(what)s”的时长由 %(old)s 小时更正为 %(new)s 小时，"
                       "理由：%(reason)s") % {
                    "name": record.member.name, "what": record.content, "old": record.hours,
                    "new": hours, "reason": reason},
                url=correction_request.get_absolute_url(), target=correction_request,
            )
        return correction_request


def _record_organizers(record):
    """Who checks a record: the liaisons of its event's organizing units (the coordinators
    where a unit has none with an account, or the record has no event)."""
    if record.event_id:
        return organizer_liaisons([record.event])[record.event_id]
    return coordinators(record.member.alliance_id)


def decide_correction(*, request_id, actor, decision, reason="", now=None):
    """The organizer accepts a correction request (the hours follow, through
    ``correct_hours``, which keeps the old figure and tells the member) or refuses it with a
    reason (the member is told it). A decided request is not decided again."""
    reason = (reason or "").strip()
    with transaction.atomic():
        # The record first, then the request: the order request_correction locks them in.
        record_id = CorrectionRequest.objects.values_list("record_id", flat=True).get(
            pk=request_id)
        list(ServiceRecord.objects.select_for_update().filter(pk=record_id).values_list("pk"))
        correction_request = (
            CorrectionRequest.objects.select_for_update(of=("self",))
            .select_related("record__member__user", "record__event").get(pk=request_id))
        next_state = CorrectionRequest.DECISIONS.get(correction_request.state, {}).get(decision)
        if next_state is None:
            if correction_request.state != CorrectionRequest.State.PENDING:
                raise EventError(_("这份申请已经处理过了。"))
            raise EventError(_("请选择同意更正或不予更正。"))
        if not actor.has_perm("volunteers.decide_correction", correction_request):
            raise EventError(_("只有活动的组织方可以处理这份申请。"))
        if next_state == CorrectionRequest.State.REFUSED and not reason:
            raise EventError(_("不予更正时必须填写原因。"))
        record = correction_request.record
        if next_state == CorrectionRequest.State.ACCEPTED:
            before = record.corrections.order_by("-pk").values_list("pk", flat=True).first()
            why = reason or _("成员申请更正：%(reason)s") % {"reason": correction_request.reason}
            correct_hours(record_id=record.pk, hours=correction_request.requested_hours,
                          reason=why[:200], actor=actor)
            correction = record.corrections.order_by("-pk").first()
            if correction is not None and correction.pk != before:
                correction_request.correction = correction
            elif record.member.user_id:
                # The record already holds the figure asked for: nothing to correct, and
                # correct_hours told nobody; the member still gets an answer.
                notify(
                    recipient=record.member.user, kind="correction_accepted",
                    key=f"correction_accepted:{correction_request.pk}",
                    subject=_("志愿服务时长更正申请已处理"),
                    body=_("“%(what)s”的时长已是 %(hours)s 小时。") % {
                        "what": record.content, "hours": correction_request.requested_hours},
                    url=reverse("volunteers:hours_summary", args=[record.member_id]),
                    target=correction_request,
                )
        elif record.member.user_id:
            notify(
                recipient=record.member.user, kind="correction_refused",
                key=f"correction_refused:{correction_request.pk}",
                subject=_("志愿服务时长更正申请未予更正"),
                body=_("您申请将“%(what)s”的时长更正为 %(hours)s 小时，组织方未予更正，"
                       "原因：%(reason)s") % {
                    "what": record.content, "hours": correction_request.requested_hours,
                    "reason": reason},
                url=reverse("volunteers:hours_summary", args=[record.member_id]),
                target=correction_request,
            )
        correction_request.state = next_state
        correction_request.decision_reason = reason[:200]
        correction_request.decided_by = actor
        correction_request.decided_at = now or timezone.now()
        correction_request.save(update_fields=["state", "decision_reason", "decided_by",
                                               "decided_at", "correction"])
        return correction_request
