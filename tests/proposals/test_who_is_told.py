"""What a co-handling liaison, a merged submitter and an admin outside the coordinator group
see and are told: one recipients selector answers for the transitions and the scans."""

import pytest
from django.urls import reverse

from notifications.models import Notification
from proposals import services
from tests.factories import CategoryFactory, MembershipFactory, UnitFactory, UserFactory
from tests.proposals import pages
from tests.visible import body_text

pytestmark = pytest.mark.django_db


def _told(user, kind=None):
    rows = Notification.objects.filter(recipient=user)
    return list(rows.filter(kind=kind) if kind else rows)


@pytest.fixture
def category(liaison):
    return CategoryFactory(alliance=liaison.liaison_unit.alliance)


def _submit(user, category, title="加装楼道扶手"):
    return services.submit_suggestion(actor=user, alliance=category.alliance,
                                      category=category, title=title,
                                      content="老人上下楼不便，建议加装扶手。")


def test_co_handling_liaison_is_told_at_acceptance_and_finds_it_in_the_co_handling_list(
        client, member_user, coordinator, handler_user, liaison, category):
    s = _submit(member_user, category)
    lead = UnitFactory(alliance=category.alliance)
    services.accept_suggestion(actor=coordinator, suggestion=s, handler=handler_user,
                               lead_unit=lead, co_units=[liaison.liaison_unit])
    told = _told(liaison, "suggestion_co_handling_assigned")
    assert len(told) == 1 and s.tracking_number in told[0].subject

    client.force_login(liaison)
    text = body_text(client.get(reverse("proposals:list")))
    assert "协办建言" in text and s.tracking_number in text and s.title in text
    assert "您还没有提交过建言" in text  # their own list stays separate
    # ... and, once the handler has replied, report their unit's part from its page.
    services.reply_suggestion(actor=handler_user, suggestion=s, text="已答复。")
    detail = client.get(s.get_absolute_url())
    assert detail.status_code == 200 and "记录推进" in body_text(detail)


def test_a_unit_without_a_liaison_account_has_the_coordinators_told_instead(
        member_user, coordinator, handler_user, category):
    s = _submit(member_user, category)
    lonely = UnitFactory(alliance=category.alliance)
    MembershipFactory(unit=lonely, role="liaison", member__user=None)
    services.accept_suggestion(actor=coordinator, suggestion=s, handler=handler_user,
                               lead_unit=lonely)
    other_coordinator = UserFactory(roles=["coordinator"])
    assert _told(other_coordinator) == []  # created after the acceptance
    # The acting coordinator is never told of their own step; another one would be.
    s2 = _submit(member_user, category, title="第二条")
    services.accept_suggestion(actor=coordinator, suggestion=s2, handler=handler_user,
                               lead_unit=lonely)
    assert len(_told(other_coordinator, "suggestion_co_handling_assigned")) == 1


def test_a_liaison_of_an_uninvolved_unit_sees_no_co_handling_list_entry(
        client, member_user, coordinator, handler_user, category):
    s = _submit(member_user, category)
    services.accept_suggestion(actor=coordinator, suggestion=s, handler=handler_user)
    stranger = MembershipFactory(unit=UnitFactory(alliance=category.alliance), role="liaison",
                                 member__user__roles=["member", "liaison"]).member.user
    client.force_login(stranger)
    assert s.tracking_number not in body_text(client.get(reverse("proposals:list")))
    assert client.get(s.get_absolute_url()).status_code == 404
    assert _told(stranger) == []


def test_merged_submitter_sees_the_link_and_follows_only_the_public_updates(
        client, member_user, other_member_user, coordinator, handler_user, category):
    target = _submit(member_user, category)
    attachment = pages.attachment(target)
    duplicate = _submit(other_member_user, category, title="楼道扶手")
    services.merge_suggestion(actor=coordinator, suggestion=duplicate, into=target)

    client.force_login(other_member_user)
    own = client.get(duplicate.get_absolute_url())
    link = f'href="{target.get_absolute_url()}"'
    assert f"已合并至 {target.tracking_number}" in body_text(own) and link in own.content.decode()

    services.accept_suggestion(actor=coordinator, suggestion=target, handler=handler_user)
    services.reply_suggestion(actor=handler_user, suggestion=target, text="已联系物业加装。")
    replied = _told(other_member_user, "suggestion_replied")
    assert len(replied) == 1 and target.tracking_number in replied[0].subject

    target.refresh_from_db()
    page = client.get(target.get_absolute_url())
    text = body_text(page)
    assert page.status_code == 200
    assert target.get_state_display() in text and "已联系物业加装。" in text
    assert target.content not in text  # never its content ...
    assert attachment.original_name not in text  # ... its files ...
    assert member_user.get_full_name() not in text  # ... or who submitted it
    download = reverse("proposals:attachment", args=[target.tracking_number, attachment.pk])
    assert client.get(download).status_code == 404


def test_merged_submitter_is_not_told_of_internal_progress(
        member_user, other_member_user, coordinator, handler_user, category):
    target = _submit(member_user, category)
    duplicate = _submit(other_member_user, category, title="楼道扶手")
    services.merge_suggestion(actor=coordinator, suggestion=duplicate, into=target)
    services.accept_suggestion(actor=coordinator, suggestion=target, handler=handler_user)
    services.reply_suggestion(actor=handler_user, suggestion=target, text="答复")
    services.record_progress(actor=handler_user, suggestion=target, text="内部", public=False)
    assert _told(other_member_user, "suggestion_progress") == []
    services.record_progress(actor=handler_user, suggestion=target, text="公开进展")
    assert len(_told(other_member_user, "suggestion_progress")) == 1


def test_triage_offers_similar_open_suggestions_with_a_one_click_merge(
        client, member_user, other_member_user, coordinator, category):
    original = _submit(member_user, category, title="建议加装楼道扶手")
    duplicate = _submit(other_member_user, category, title="楼道扶手加装")
    client.force_login(coordinator)
    text = body_text(client.get(duplicate.get_absolute_url()))
    assert "可能重复的建言" in text and original.tracking_number in text
    response = client.post(reverse("proposals:action", args=[duplicate.tracking_number,
                                                             "merge"]),
                           {"into": original.tracking_number})
    assert response.status_code == 302
    duplicate.refresh_from_db()
    assert duplicate.merged_into_id == original.pk


def test_the_member_sees_no_duplicate_hint(client, member_user, other_member_user, category):
    _submit(other_member_user, category, title="建议加装楼道扶手")
    mine = _submit(member_user, category, title="楼道扶手加装")
    client.force_login(member_user)
    assert "可能重复的建言" not in body_text(client.get(mine.get_absolute_url()))


def test_an_admin_outside_the_coordinator_group_is_told_what_coordinators_are(
        member_user, category):
    admin = UserFactory(username="root-only", is_superuser=True, is_staff=True)
    s = _submit(member_user, category)
    told = _told(admin, "suggestion_submitted")
    assert len(told) == 1 and s.tracking_number in told[0].subject


def test_people_appear_by_their_full_names_in_the_accept_form(client, member_user,
                                                              coordinator, category):
    UserFactory(username="handler-login", first_name="林办理", roles=["handler"])
    s = _submit(member_user, category)
    client.force_login(coordinator)
    text = body_text(client.get(s.get_absolute_url()))
    assert "林办理" in text and "handler-login" not in text
