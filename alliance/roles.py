"""The portal's roles and the one place that answers "what is this user".

Roles are Django groups created by a migration (alliance/migrations/0002_roles.py).
A unit liaison is a role of a Membership as well as a group: the group opens the liaison
pages, the memberships say for which units.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    MEMBER = "member", _("成员")
    LIAISON = "liaison", _("联络员")
    HANDLER = "handler", _("承办人")
    COORDINATOR = "coordinator", _("统战办协调员")
    ADMIN = "admin", _("管理员")


STAFF_ROLES = {Role.HANDLER, Role.COORDINATOR, Role.ADMIN}


def roles_of(user):
    """The set of role names of ``user``, cached on the user object for the request."""
    if not getattr(user, "is_authenticated", False):
        return frozenset()
    cached = getattr(user, "_portal_roles", None)
    if cached is None:
        cached = frozenset(user.groups.values_list("name", flat=True))
        if user.is_superuser:
            cached = cached | {Role.ADMIN, Role.COORDINATOR}
        user._portal_roles = cached
    return cached


def has_role(user, role):
    return role in roles_of(user)


def is_coordinator(user):
    roles = roles_of(user)
    return Role.COORDINATOR in roles or Role.ADMIN in roles


def is_handler(user):
    return Role.HANDLER in roles_of(user)


def is_staff_role(user):
    return bool(roles_of(user) & STAFF_ROLES)


def is_member(user):
    """A person of the alliance: in the member group or linked to a Member record."""
    if not getattr(user, "is_authenticated", False):
        return False
    # RelatedObjectDoesNotExist is an AttributeError, so hasattr() answers the question.
    return Role.MEMBER in roles_of(user) or hasattr(user, "member")


def liaison_unit_ids(user):
    """Ids of the units this user speaks for as 联络员 or 负责人 (cached per request)."""
    if not getattr(user, "is_authenticated", False):
        return frozenset()
    cached = getattr(user, "_portal_liaison_units", None)
    if cached is None:
        from alliance.models import Membership

        cached = frozenset(
            Membership.objects.filter(
                member__user=user,
                role__in=[Membership.Role.LIAISON, Membership.Role.LEAD],
            ).values_list("unit_id", flat=True)
        )
        user._portal_liaison_units = cached
    return cached
