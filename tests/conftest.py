import pytest

from tests.factories import MemberFactory, MembershipFactory, UnitFactory, UserFactory


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    """Uploads of a test go to its own folder and vanish with it."""
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def _clear_cache():
    """Rate-limit counters (allauth) and rendered fragments live in the caches: no test
    inherits another's."""
    from django.core.cache import caches

    for alias in ("default", "fragments"):
        caches[alias].clear()
    yield
    for alias in ("default", "fragments"):
        caches[alias].clear()


@pytest.fixture
def member_user(db):
    return MemberFactory(user__username="member-a").user


@pytest.fixture
def other_member_user(db):
    return MemberFactory(user__username="member-b").user


@pytest.fixture
def coordinator(db):
    return UserFactory(username="coord", roles=["coordinator"], is_staff=True)


@pytest.fixture
def handler_user(db):
    return UserFactory(username="handler-a", roles=["handler"])


@pytest.fixture
def admin_user(db):
    return UserFactory(username="root", roles=["admin"], is_staff=True, is_superuser=True)


@pytest.fixture
def liaison(db):
    """A member who is 联络员 of one unit; ``liaison.liaison_unit`` is that unit."""
    unit = UnitFactory()
    membership = MembershipFactory(unit=unit, role="liaison",
                                   member__user__username="liaison-a",
                                   member__user__roles=["member", "liaison"])
    user = membership.member.user
    user.liaison_unit = unit
    return user
