"""The data the permission matrix runs against: one of each thing a URL can point at, with
the seven visitors of the matrix in their roles towards it.

``member`` owns the suggestions and the event registration; ``other_member`` is in the
same alliance and owns only a suggestion of their own; ``liaison`` speaks for the unit
that leads the suggestion and organizes the event; ``handler`` is the suggestion's
assigned handler; ``coordinator`` is staff of 统战办; ``admin`` is a superuser.
"""

import datetime
from types import SimpleNamespace

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.contrib.contenttypes.models import ContentType
from django.core.files.base import ContentFile
from django.utils import timezone

from alliance.models import Member
from announcements.models import Announcement
from announcements.models import Attachment as AnnouncementAttachment
from audit.models import AuditEntry
from notifications.models import Delivery, Notification, Preference
from proposals.models import CalendarOverride, Suggestion, SuggestionUpdate
from tests.factories import (
    AllianceFactory,
    CategoryFactory,
    CertificateFactory,
    CorrectionRequestFactory,
    MemberFactory,
    MembershipFactory,
    SuggestionFactory,
    UnitFactory,
    UnityBuildingFactory,
    UserFactory,
    VenueFactory,
)
from tests.proposals import pages
from volunteers.models import CalendarToken, Event, Registration, ServiceRecord

ROLES = ("anonymous", "member", "other_member", "liaison", "handler", "coordinator", "admin")

PNG = pages.PNG


# The mark every text of a world carries: a page of one alliance that shows another's mark
# shows that alliance's data (tests/hardening/test_alliances_apart.py).
MARK = "【甲】"


def build_world(*, mark=MARK, suffix="", alliance=None, admin=None):
    """Create the rows of one alliance (the default one unless given); returns the users by
    role and the values URL arguments take. ``suffix`` keeps names and slugs apart when
    several worlds share the database; ``admin`` is the superuser they share; the rows only
    the Django admin shows are made with the first world."""
    first = alliance is None
    alliance = alliance or AllianceFactory()
    unit = UnitFactory(alliance=alliance, slug=f"matrix-lead-unit{suffix}",
                       name=f"牵头单位{mark}")
    member = MemberFactory(alliance=alliance, user__username=f"matrix-member{suffix}",
                           name=f"成员{mark}", user__first_name=f"成员{mark}")
    other = MemberFactory(alliance=alliance, user__username=f"matrix-other{suffix}",
                          name=f"另一成员{mark}", user__first_name=f"另一成员{mark}")
    liaison = MembershipFactory(
        unit=unit, role="liaison", member__alliance=alliance, member__name=f"联络员{mark}",
        member__user__username=f"matrix-liaison{suffix}",
        member__user__first_name=f"联络员{mark}",
        member__user__roles=["member", "liaison"]).member
    handler = UserFactory(username=f"matrix-handler{suffix}", first_name=f"承办人{mark}",
                          roles=["handler"], roles__alliance=alliance)
    coordinator = UserFactory(username=f"matrix-coord{suffix}", first_name=f"协调员{mark}",
                              roles=["coordinator"], roles__alliance=alliance)
    admin = admin or UserFactory(username="matrix-root", roles=["admin"], is_staff=True,
                                 is_superuser=True)
    users = {"anonymous": None, "member": member.user, "other_member": other.user,
             "liaison": liaison.user, "handler": handler, "coordinator": coordinator,
             "admin": admin}

    category = CategoryFactory(alliance=alliance, name=f"社区治理{mark}")
    suggestion = SuggestionFactory(accepted=True, submitter=member.user, handler=handler,
                                   lead_unit=unit, category=category,
                                   title=f"加装楼道扶手{mark}", content=f"楼道太暗{mark}")
    attachment = pages.attachment(suggestion)
    # Evidence on the timeline (佐证材料): a public file, and an internal one, on a public
    # entry; the submitter sees only the first.
    entry = SuggestionUpdate.objects.create(
        suggestion=suggestion, kind=SuggestionUpdate.Kind.PROGRESS, author=handler,
        text=f"已协调物业{mark}")
    public_evidence = pages.attachment(suggestion, name=f"签收单{mark}.pdf", entry=entry)
    internal_evidence = pages.attachment(suggestion, data=PNG, name=f"内部照片{mark}.png",
                                         content_type="image/png", entry=entry, public=False)
    submitted = SuggestionFactory(submitter=member.user, title=f"新提交的建言{mark}",
                                  category=category, alliance=alliance)
    others = SuggestionFactory(submitter=other.user, title=f"别人的建言{mark}",
                               category=category, alliance=alliance)
    other_attachment = pages.attachment(others, name="别人的.pdf")

    start = timezone.now() + datetime.timedelta(days=3)
    event = Event.objects.create(
        alliance=alliance, title=f"楼道堆物整治{mark}", kind=Event.Kind.VOLUNTEER, start=start,
        end=start + datetime.timedelta(hours=2), capacity=10,
        signup_deadline=start - datetime.timedelta(days=1),
        visibility=Event.Visibility.MEMBERS, status=Event.Status.PUBLISHED)
    event.organizers.set([unit])
    registration = Registration.objects.create(event=event, member=member,
                                               state=Registration.State.REGISTERED)
    record = ServiceRecord.objects.create(member=member, event=event, hours=2, verified=True,
                                          recorded_by=coordinator)
    token = CalendarToken.objects.create(member=member)
    # member's 志愿服务记录证明, and their pending request that the record be corrected
    # (the liaison's unit organized its event).
    certificate = CertificateFactory(member=member, member_name=member.name, total_hours=2)
    correction_request = CorrectionRequestFactory(record=record, requested_hours=3,
                                                  reason=f"多服务了一小时{mark}")

    announcement = Announcement.objects.create(
        alliance=alliance, title=f"成员通知{mark}", body=f"请按时参加。{mark}",
        audience=Announcement.Audience.MEMBERS,
        publish_at=timezone.now() - datetime.timedelta(hours=1))
    announcement.cover.save("cover.png", ContentFile(PNG), save=True)
    announcement_file = AnnouncementAttachment(announcement=announcement, name="通知.pdf")
    announcement_file.file.save("通知.pdf", ContentFile(pages.PDF), save=True)
    public_announcement = Announcement.objects.create(
        alliance=alliance, title=f"公开通知{mark}", body=f"欢迎参加。{mark}",
        publish_at=timezone.now() - datetime.timedelta(hours=1))

    notification = Notification.objects.create(
        recipient=member.user, kind="matrix", dedup_key=f"matrix-1{suffix}",
        subject=f"您的建言已受理{mark}",
        url=suggestion.get_absolute_url())
    Delivery.objects.create(notification=notification, channel=Delivery.Channel.EMAIL,
                            state=Delivery.State.FAILED, last_error="550")
    Preference.objects.create(user=member.user)

    # Rows that only the Django admin shows: one of each registered model.
    VenueFactory(alliance=alliance, name=f"阵地{mark}")
    UnityBuildingFactory(alliance=alliance, community=f"小区{mark}")
    if not first:
        return _world(users, alliance, locals())
    CalendarOverride.objects.create(date=datetime.date(2099, 1, 2), is_working_day=True)
    AuditEntry.objects.create(kind=AuditEntry.Kind.LOGIN_FAILED, username="nobody")
    EmailAddress.objects.create(user=other.user, email=other.user.email, primary=True)
    bystander = UserFactory(username="matrix-bystander")
    Authenticator.objects.create(user=bystander, type=Authenticator.Type.RECOVERY_CODES,
                                 data={"seed": "00" * 20, "used_mask": 0})
    AccessAttempt.objects.create(username="nobody", ip_address="203.0.113.9",
                                 user_agent="pytest", failures_since_start=1)
    AccessLog.objects.create(username="nobody", ip_address="203.0.113.9", user_agent="pytest")
    AccessFailureLog.objects.create(username="nobody", ip_address="203.0.113.9",
                                    user_agent="pytest", locked_out=False)

    return _world(users, alliance, locals())


def _world(users, alliance, made):
    suggestion, member, other = made["suggestion"], made["member"], made["other"]
    values = {
        "suggestion": suggestion.tracking_number,
        "submitted_suggestion": made["submitted"].tracking_number,
        "others_suggestion": made["others"].tracking_number,
        "suggestion_attachment": made["attachment"].pk,
        "others_attachment": made["other_attachment"].pk,
        "public_evidence": made["public_evidence"].pk,
        "internal_evidence": made["internal_evidence"].pk,
        "unit": made["unit"].slug,
        "event": made["event"].pk,
        "feed_token": made["token"].token,
        "certificate": made["certificate"].serial,
        "correction_request": made["correction_request"].pk,
        "service_record": made["record"].pk,
        "member_id": member.pk,
        "others_member_id": other.pk,
        "announcement": made["announcement"].pk,
        "public_announcement": made["public_announcement"].pk,
        "announcement_attachment": made["announcement_file"].pk,
        "notification": made["notification"].pk,
        "suggestion_type": ContentType.objects.get_for_model(Suggestion).pk,
        "suggestion_pk": suggestion.pk,
    }
    return SimpleNamespace(users=users, values=values, registration=made["registration"],
                           suggestion=suggestion, member=member, alliance=alliance,
                           member_ids={m.pk for m in Member.objects.filter(alliance=alliance)})
