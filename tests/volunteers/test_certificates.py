"""志愿服务记录证明 (issue 17): issued from verified hours, printed with a QR code that opens
a public verification page (masked name, hours, issuer, valid or revoked); and members'
requests that a record be corrected, which the organizer accepts or refuses."""

import base64
import datetime
import io
import re
from decimal import Decimal
from urllib.parse import urlparse

import pytest
import zxingcpp
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from notifications.models import Notification
from tests.factories import (
    AllianceFactory,
    CertificateFactory,
    CorrectionRequestFactory,
    EventFactory,
    MemberFactory,
    MembershipFactory,
    ServiceRecordFactory,
    UnitFactory,
    UserFactory,
)
from tests.visible import shown
from volunteers import services
from volunteers.models import (
    Certificate,
    CorrectionRequest,
    HoursCorrection,
    ServiceRecord,
    mask_name,
)

pytestmark = pytest.mark.django_db

SERIAL = re.compile(r"^YCZS-\d{4}-[A-Z2-7]{16}$")


@pytest.fixture
def volunteer(db):
    return MemberFactory(name="张小明", user__username="zhang")


@pytest.fixture
def organized(liaison):
    """A completed event organized by the liaison's unit."""
    return EventFactory(completed=True, title="楼道堆物整治", organizers=[liaison.liaison_unit])


def _records(member, event, *hours):
    return [ServiceRecordFactory(member=member, event=event, hours=Decimal(h)) for h in hours]


def _issue(member, actor=None):
    today = timezone.localdate()
    return services.issue_certificate(member=member, actor=actor or member.user,
                                      period_start=today - datetime.timedelta(days=30),
                                      period_end=today)


def _client(user=None, **extra):
    client = Client(**extra)
    if user is not None:
        client.force_login(user)
    return client


def _decoded_qr(response):
    """The text of the QR code the printable page shows, read back from its PNG."""
    src = re.search(r'<img src="data:image/png;base64,([^"]+)"[^>]*data-testid="certificate-qr"',
                    response.content.decode()).group(1)
    found = zxingcpp.read_barcodes(Image.open(io.BytesIO(base64.b64decode(src))))
    assert len(found) == 1
    return found[0].text


# --- the certificate and its QR code ------------------------------------------------------------

def test_the_qr_code_opens_the_verification_page_with_the_masked_name_and_the_hours(
        volunteer, organized):
    _records(volunteer, organized, "2", "1.5")
    certificate = _issue(volunteer)
    assert SERIAL.match(certificate.serial)
    assert certificate.total_hours == Decimal("3.5") and len(certificate.entries) == 2

    printed = _client(volunteer.user).get(reverse("certificates:print",
                                                  args=[certificate.serial]))
    assert printed.status_code == 200
    page = shown(printed)
    assert "张小明" in page and "3.5" in page and certificate.serial in page
    assert "楼道堆物整治" in page and certificate.alliance.name in page

    url = _decoded_qr(printed)
    assert url == f"{settings.SITE_URL.rstrip('/')}/certificates/{certificate.serial}/"
    verified = Client().get(urlparse(url).path)
    assert verified.status_code == 200
    text = shown(verified)
    assert "张*明" in text and "3.5 小时" in text and "有效" in text
    assert certificate.alliance.name in text and "已撤销" not in text
    # The full name, the member's contacts and the records stay off the public page.
    html = verified.content.decode()
    for private in ("张小明", volunteer.phone, volunteer.email, "楼道堆物整治"):
        assert private not in html


def test_an_alliance_on_its_own_host_name_prints_qr_codes_that_open_there(
        volunteer, organized, settings):
    alliance = volunteer.alliance
    alliance.host = "yichuan.example.cn"
    alliance.save()
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "yichuan.example.cn"]
    _records(volunteer, organized, "2")
    certificate = _issue(volunteer)
    printed = _client(volunteer.user).get(reverse("certificates:print",
                                                  args=[certificate.serial]))
    url = urlparse(_decoded_qr(printed))
    assert url.hostname == "yichuan.example.cn"
    assert url.scheme == urlparse(settings.SITE_URL).scheme
    verified = Client(HTTP_HOST="yichuan.example.cn").get(url.path)
    assert verified.status_code == 200 and "张*明" in shown(verified)


def test_a_revoked_certificate_says_so_with_its_date_and_the_member_is_told(
        volunteer, organized, coordinator):
    _records(volunteer, organized, "2")
    certificate = _issue(volunteer)
    response = _client(coordinator).post(
        reverse("certificates:revoke", args=[certificate.serial]), {"reason": "时长有误，重新出具"})
    assert response.status_code == 302
    text = shown(Client().get(certificate.get_absolute_url()))
    assert "已撤销" in text and timezone.localdate().strftime("%Y年%-m月%-d日") in text
    assert "有效：" not in text and "时长有误" not in text  # the reason is not public
    note = Notification.objects.get(recipient=volunteer.user, kind="certificate_revoked")
    assert "时长有误，重新出具" in note.body


def test_revoking_needs_a_reason(volunteer, coordinator):
    certificate = CertificateFactory(member=volunteer)
    response = _client(coordinator).post(
        reverse("certificates:revoke", args=[certificate.serial]), {"reason": ""})
    assert response.status_code == 200 and 'data-testid="error-reason"' in response.content.decode()
    certificate.refresh_from_db()
    assert certificate.revoked_at is None


def test_an_unknown_serial_is_not_found():
    assert Client().get("/certificates/YCZS-2026-AAAAAAAAAAAAAAAA/").status_code == 404
    assert Client().get("/certificates/not-a-serial/").status_code == 404


def test_only_the_member_and_their_alliances_staff_open_the_printable_certificate(
        volunteer, coordinator, handler_user, liaison, other_member_user):
    certificate = CertificateFactory(member=volunteer)
    url = reverse("certificates:print", args=[certificate.serial])
    elsewhere = AllianceFactory(slug="changfeng", name="长风同心联盟")
    foreign_staff = UserFactory(username="coord-b", roles=["coordinator"],
                                roles__alliance=elsewhere, is_staff=True)
    for user in (volunteer.user, coordinator, handler_user):
        assert _client(user).get(url).status_code == 200, user
    for user in (other_member_user, liaison, foreign_staff):
        assert _client(user).get(url).status_code == 404, user
    assert Client().get(url).status_code == 302  # to the login page
    for user in (volunteer.user, liaison, other_member_user):
        response = _client(user).get(reverse("certificates:revoke", args=[certificate.serial]))
        assert response.status_code == 404, user


def test_the_admin_revokes_with_the_reason_given_and_never_deletes(volunteer, admin_user):
    certificate = CertificateFactory(member=volunteer)
    client = _client(admin_user)
    changelist = reverse("admin:volunteers_certificate_changelist")
    client.post(changelist, {"action": "revoke", "_selected_action": [certificate.pk],
                             "reason": ""})
    certificate.refresh_from_db()
    assert certificate.revoked_at is None  # no reason, no revocation
    client.post(changelist, {"action": "revoke", "_selected_action": [certificate.pk],
                             "reason": "重复出具"})
    certificate.refresh_from_db()
    assert certificate.revoked_at is not None and certificate.revoke_reason == "重复出具"
    delete = reverse("admin:volunteers_certificate_delete", args=[certificate.pk])
    assert client.post(delete, {"post": "yes"}).status_code == 403
    assert Certificate.objects.filter(pk=certificate.pk).exists()


def test_a_later_correction_does_not_change_an_issued_certificate(
        volunteer, organized, coordinator):
    [record] = _records(volunteer, organized, "2")
    certificate = _issue(volunteer)
    services.correct_hours(record_id=record.pk, hours=Decimal("5"), reason="补录",
                           actor=coordinator)
    certificate.refresh_from_db()
    assert certificate.total_hours == Decimal("2.0")
    assert certificate.entries[0]["hours"] == "2.0"
    assert "2.0 小时" in shown(Client().get(certificate.get_absolute_url()))


def test_the_member_issues_from_the_hours_page_and_an_empty_period_is_refused(
        volunteer, organized):
    _records(volunteer, organized, "2")
    client = _client(volunteer.user)
    summary = client.get(reverse("volunteers:hours_summary", args=[volunteer.pk]))
    new_url = reverse("volunteers:certificate_new", args=[volunteer.pk])
    assert new_url in summary.content.decode()
    assert new_url in client.get(reverse("me")).content.decode()

    empty = client.post(new_url, {"period_start": "2020-01-01", "period_end": "2020-12-31"})
    assert empty.status_code == 200 and "没有已核实的志愿服务记录" in shown(empty)
    assert not Certificate.objects.exists()

    today = timezone.localdate()
    response = client.post(new_url, {
        "period_start": (today - datetime.timedelta(days=10)).isoformat(),
        "period_end": today.isoformat()})
    certificate = Certificate.objects.get()
    assert response["Location"] == reverse("certificates:print", args=[certificate.serial])
    assert certificate.issued_by == volunteer.user and certificate.member_name == "张小明"
    assert certificate.serial in shown(client.get(new_url))


def test_a_certificate_issued_for_someone_else_is_not_issued(volunteer, other_member_user):
    url = reverse("volunteers:certificate_new", args=[volunteer.pk])
    today = timezone.localdate().isoformat()
    response = _client(other_member_user).post(url, {"period_start": today, "period_end": today})
    assert response.status_code == 404 and not Certificate.objects.exists()


def test_serials_are_unique_and_unguessable(volunteer, organized):
    _records(volunteer, organized, "1")
    serials = {_issue(volunteer).serial for _ in range(5)}
    assert len(serials) == 5 and all(SERIAL.match(s) for s in serials)


def test_names_are_masked_as_the_verification_page_shows_them():
    assert [mask_name(n) for n in ("张三明", "李四", "欧阳修文", "王", "")] == [
        "张*明", "李*", "欧**文", "*", ""]


def test_another_alliances_host_does_not_answer_for_a_certificate_but_the_shared_one_does(
        volunteer):
    certificate = CertificateFactory(member=volunteer)
    AllianceFactory(slug="changfeng", name="长风同心联盟", host="changfeng.portal.test")
    url = certificate.get_absolute_url()
    assert Client(HTTP_HOST="changfeng.portal.test").get(url).status_code == 404
    own = CertificateFactory(member=MemberFactory(alliance__slug="changfeng", name="赵钱孙"))
    text = shown(Client().get(own.get_absolute_url()))  # SITE_URL's host: any alliance's
    assert "长风同心联盟" in text and "赵*孙" in text
    assert Client(HTTP_HOST="changfeng.portal.test").get(
        own.get_absolute_url()).status_code == 200


def test_the_certificate_pages_make_a_bounded_number_of_queries(
        volunteer, organized, django_assert_max_num_queries):
    _records(volunteer, organized, *["1"] * 30)
    certificate = _issue(volunteer)
    with django_assert_max_num_queries(2):
        assert Client().get(certificate.get_absolute_url()).status_code == 200
    client = _client(volunteer.user)
    with django_assert_max_num_queries(8):
        assert client.get(reverse("certificates:print",
                                  args=[certificate.serial])).status_code == 200


# --- correction requests ------------------------------------------------------------------------

def test_the_member_asks_the_organizer_accepts_and_the_hours_follow(volunteer, organized,
                                                                    liaison):
    [record] = _records(volunteer, organized, "2")
    member = _client(volunteer.user)
    asked = member.post(reverse("volunteers:request_correction", args=[record.pk]),
                        {"hours": "3", "reason": "服务到中午十二点"})
    assert asked.status_code == 302
    request = CorrectionRequest.objects.get()
    assert request.state == "pending" and request.requested_hours == Decimal("3")
    told = Notification.objects.get(recipient=liaison, kind="correction_requested")
    assert told.url == request.get_absolute_url()
    assert "更正申请处理中" in shown(member.get(reverse("volunteers:hours_summary",
                                                       args=[volunteer.pk])))

    organizer = _client(liaison)
    listed = organizer.get(reverse("volunteers:correction_requests") + f"?event={organized.pk}")
    assert "张小明" in shown(listed)
    decided = organizer.post(request.get_absolute_url(), {"decision": "accept", "reason": ""})
    assert decided.status_code == 302

    record.refresh_from_db()
    request.refresh_from_db()
    assert record.hours == Decimal("3")
    correction = HoursCorrection.objects.get(record=record)
    assert (correction.old_hours, correction.new_hours) == (Decimal("2.0"), Decimal("3.0"))
    assert "服务到中午十二点" in correction.reason and correction.author == liaison
    assert (request.state, request.decided_by, request.correction) == (
        "accepted", liaison, correction)
    note = Notification.objects.get(recipient=volunteer.user, kind="hours_corrected")
    assert "3" in note.body


def test_the_organizer_refuses_with_a_reason_and_the_member_is_told_it(volunteer, organized,
                                                                        coordinator):
    [record] = _records(volunteer, organized, "2")
    request = CorrectionRequestFactory(record=record, requested_hours=4)
    client = _client(coordinator)
    no_reason = client.post(request.get_absolute_url(), {"decision": "refuse", "reason": " "})
    assert no_reason.status_code == 200 and 'data-testid="error-reason"' in (
        no_reason.content.decode())
    client.post(request.get_absolute_url(), {"decision": "refuse", "reason": "签到表显示两小时"})
    record.refresh_from_db()
    request.refresh_from_db()
    assert record.hours == Decimal("2.0") and not HoursCorrection.objects.exists()
    assert (request.state, request.decision_reason) == ("refused", "签到表显示两小时")
    note = Notification.objects.get(recipient=volunteer.user, kind="correction_refused")
    assert "签到表显示两小时" in note.body
    with pytest.raises(services.EventError, match="已经处理过"):
        services.decide_correction(request_id=request.pk, actor=coordinator, decision="accept")


def test_a_liaison_of_another_unit_and_other_members_get_not_found(
        volunteer, organized, other_member_user):
    [record] = _records(volunteer, organized, "2")
    request = CorrectionRequestFactory(record=record)
    stranger = MembershipFactory(unit=UnitFactory(), role="liaison",
                                 member__user__username="liaison-b").member.user
    for user in (stranger, other_member_user, volunteer.user):
        client = _client(user)
        assert client.get(request.get_absolute_url()).status_code == 404, user
        response = client.post(request.get_absolute_url(), {"decision": "accept"})
        assert response.status_code == 404, user
    listed = _client(stranger).get(reverse("volunteers:correction_requests"))
    assert listed.status_code == 200 and "张小明" not in shown(listed)
    asked = _client(other_member_user).post(
        reverse("volunteers:request_correction", args=[record.pk]),
        {"hours": "5", "reason": "替他申请"})
    assert asked.status_code == 404
    request.refresh_from_db()
    record.refresh_from_db()
    assert request.state == "pending" and record.hours == Decimal("2.0")
    assert CorrectionRequest.objects.count() == 1


def test_a_second_pending_request_for_the_same_record_is_refused(volunteer, organized):
    [record] = _records(volunteer, organized, "2")
    services.request_correction(record_id=record.pk, member=volunteer, hours=3, reason="多一小时")
    with pytest.raises(services.EventError, match="已有一份更正申请在处理中"):
        services.request_correction(record_id=record.pk, member=volunteer, hours=4,
                                    reason="再多一小时")
    response = _client(volunteer.user).post(
        reverse("volunteers:request_correction", args=[record.pk]),
        {"hours": "4", "reason": "再多一小时"})
    assert response.status_code == 200 and "已有一份更正申请在处理中" in shown(response)
    assert CorrectionRequest.objects.count() == 1


def test_asking_for_the_hours_already_recorded_is_refused(volunteer, organized):
    [record] = _records(volunteer, organized, "2")
    with pytest.raises(services.EventError, match="无需更正"):
        services.request_correction(record_id=record.pk, member=volunteer, hours=2,
                                    reason="核对")


def test_the_organizers_list_makes_the_same_queries_for_1_and_20_requests(
        coordinator, organized, django_assert_max_num_queries):
    client = _client(coordinator)
    url = reverse("volunteers:correction_requests")

    def count():
        with django_assert_max_num_queries(8) as ctx:
            assert client.get(url).status_code == 200
        return len(ctx.captured_queries)

    CorrectionRequestFactory(record__event=organized)
    one = count()
    for _ in range(19):
        CorrectionRequestFactory(record__event=organized)
    assert count() == one
    request = CorrectionRequest.objects.first()
    with django_assert_max_num_queries(8):
        assert client.get(request.get_absolute_url()).status_code == 200


def test_a_record_counts_in_the_year_it_was_served_on_every_page(volunteer):
    """A 31 December event checked in on 2 January: the hours summary, /me/ and the
    certificate all put it in the year of the service."""
    start = timezone.make_aware(datetime.datetime(2025, 12, 31, 14, 0))
    event = EventFactory(completed=True, title="跨年志愿服务", start=start,
                         end=start + datetime.timedelta(hours=2),
                         signup_deadline=start - datetime.timedelta(days=1))
    record = ServiceRecordFactory(member=volunteer, event=event, hours=Decimal("2"))
    ServiceRecord.objects.filter(pk=record.pk).update(
        created_at=timezone.make_aware(datetime.datetime(2026, 1, 2, 9, 0)))
    client = _client(volunteer.user)
    url = reverse("volunteers:hours_summary", args=[volunteer.pk])
    assert "跨年志愿服务" in shown(client.get(url, {"year": 2025}))
    assert "跨年志愿服务" not in shown(client.get(url, {"year": 2026}))
    from volunteers.selectors import hours_totals

    assert hours_totals(volunteer, 2025)["hours_year"] == Decimal("2")
    assert hours_totals(volunteer, 2026)["hours_year"] == Decimal("0")
