"""Services refuse what crosses an alliance, whoever calls them (a form, the admin, a task):
a handler, a category or a unit of another alliance; a member of another alliance
submitting; a leftover group named like a role held per alliance."""

import pytest
from django.contrib.auth.models import Group
from django.test import Client

from alliance import roles
from proposals import services
from tests.factories import (
    AllianceFactory,
    CategoryFactory,
    MemberFactory,
    SuggestionFactory,
    UnitFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def two(db):
    home = AllianceFactory()
    changfeng = AllianceFactory(slug="changfeng", name="长风同心联盟", short_name="长风",
                                host="changfeng.portal.test")
    return home, changfeng


def test_acceptance_refuses_a_handler_or_unit_of_another_alliance(two):
    home, changfeng = two
    suggestion = SuggestionFactory(category=CategoryFactory(alliance=home))
    coordinator = UserFactory(roles=["coordinator"], roles__alliance=home)
    elsewhere = UserFactory(roles=["handler"], roles__alliance=changfeng)
    with pytest.raises(services.TransitionError):
        services.accept_suggestion(actor=coordinator, suggestion=suggestion, handler=elsewhere)
    handler = UserFactory(roles=["handler"], roles__alliance=home)
    with pytest.raises(services.TransitionError):
        services.accept_suggestion(actor=coordinator, suggestion=suggestion, handler=handler,
                                   lead_unit=UnitFactory(alliance=changfeng))
    suggestion.refresh_from_db()
    assert suggestion.state == "submitted" and suggestion.handler_id is None


def test_a_member_of_another_alliance_cannot_submit_into_this_one(two):
    home, changfeng = two
    category = CategoryFactory(alliance=changfeng)
    visitor = MemberFactory(alliance=home).user
    with pytest.raises(services.TransitionError):
        services.submit_suggestion(actor=visitor, alliance=changfeng, category=category,
                                   title="越界的建言", content="内容")
    client = Client(HTTP_HOST=changfeng.host)
    client.force_login(visitor)
    assert client.get("/suggestions/new/").status_code == 404
    assert client.post("/suggestions/new/", {"title": "越界", "content": "内容",
                                             "category": category.pk}).status_code == 404
    assert not category.suggestions.exists()


def test_a_leftover_group_named_like_a_held_role_gives_no_role(two):
    home, _changfeng = two
    user = UserFactory()
    user.groups.add(Group.objects.create(name="coordinator"))
    assert not roles.is_coordinator(user, home)
    assert roles.coordinated_alliance_ids(user) == set()
