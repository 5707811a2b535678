import pytest
from django.contrib.auth.models import AnonymousUser

from proposals import services
from proposals.models import Suggestion
from tests.factories import CategoryFactory, SuggestionFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def accepted(member_user, coordinator, handler_user, liaison):
    category = CategoryFactory(alliance=liaison.liaison_unit.alliance)
    s = services.submit_suggestion(actor=member_user, alliance=category.alliance,
                                   category=category, title="可见性", content="内容")
    return services.accept_suggestion(actor=coordinator, suggestion=s, handler=handler_user,
                                      co_units=[liaison.liaison_unit])


def test_each_role_sees_what_is_theirs(accepted, member_user, other_member_user,
                                       coordinator, handler_user, liaison, admin_user):
    unrelated = SuggestionFactory()
    visible = {u: set(Suggestion.objects.visible_to(u).values_list("pk", flat=True))
               for u in [member_user, other_member_user, coordinator, handler_user, liaison,
                         admin_user]}
    assert visible[member_user] == {accepted.pk}
    assert visible[other_member_user] == set()
    assert visible[handler_user] == {accepted.pk}
    assert visible[liaison] == {accepted.pk}
    assert visible[coordinator] >= {accepted.pk, unrelated.pk}
    assert visible[admin_user] >= {accepted.pk, unrelated.pk}
    assert not Suggestion.objects.visible_to(AnonymousUser()).exists()
    assert not Suggestion.objects.visible_to(UserFactory(roles=["handler"])).exists()


def test_submitter_of_a_merged_duplicate_follows_the_target(accepted, other_member_user,
                                                            coordinator):
    dup = services.submit_suggestion(actor=other_member_user, alliance=accepted.alliance,
                                     category=accepted.category, title="重复", content="内容")
    services.merge_suggestion(actor=coordinator, suggestion=dup, into=accepted)
    assert set(Suggestion.objects.visible_to(other_member_user).values_list("pk", flat=True)) \
        == {dup.pk, accepted.pk}


def test_rules_answer_like_visible_to_and_the_workflow(accepted, member_user,
                                                       other_member_user, handler_user,
                                                       liaison):
    assert member_user.has_perm("proposals.see_suggestion", accepted)
    assert not other_member_user.has_perm("proposals.see_suggestion", accepted)
    assert handler_user.has_perm("proposals.reply", accepted)
    assert not member_user.has_perm("proposals.reply", accepted)
    assert not member_user.has_perm("proposals.see_internal_updates", accepted)
    assert liaison.has_perm("proposals.see_internal_updates", accepted)
    assert handler_user.has_perm("proposals.view_work_queue")
    assert not member_user.has_perm("proposals.view_work_queue")
