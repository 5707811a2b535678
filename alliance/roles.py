"""The portal's roles and the one place that answers "what is this user, in this alliance".

- Coordinator and handler are held **for an alliance** (alliance.models.StaffRole rows); one
  person may hold them in several.
- Admin and the district role (区委统战部) are groups: admins are coordinators everywhere and
  keep the Django admin; the district role sees every alliance's statistics at /district/.
- A member belongs to the alliance of their Member record; a liaison speaks for units
  (Membership rows), and so for those units' alliance.

Each answer is for one alliance: the one passed, else the alliance the user is working in
(``context_alliance_id``: the request's, WORKING_ALLIANCE, set by
alliance.context.AllianceMiddleware; outside a request, their own). Everything a user is is read in one query and kept on the user object for
the request, so a role change or a deactivation takes effect on the next request.
"""

import functools
from contextvars import ContextVar

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    MEMBER = "member", _("成员")
    LIAISON = "liaison", _("联络员")
    HANDLER = "handler", _("承办人")
    COORDINATOR = "coordinator", _("统战办协调员")
    ADMIN = "admin", _("管理员")
    DISTRICT = "district", _("区委统战部")


HELD_FOR_AN_ALLIANCE = (Role.COORDINATOR, Role.HANDLER)

# The alliance of the request being answered (alliance.context.AllianceMiddleware sets it).
WORKING_ALLIANCE = ContextVar("working_alliance", default=None)
STAFF_ROLES = {Role.HANDLER, Role.COORDINATOR, Role.ADMIN}
_MEMBER_RECORD = "@member"
_SPEAKS_FOR = "@unit:"


class Facts:
    """What one user is: global groups, roles held per alliance, the member's alliance and
    the units they speak for as 联络员 or 负责人 ({unit_id: alliance_id})."""

    def __init__(self, rows, superuser):
        self.groups = set()
        self.held = {}
        self.member_alliance_id = None
        self.liaison_units = {}
        for name, alliance_id in rows:
            if name == _MEMBER_RECORD:
                self.member_alliance_id = alliance_id
            elif name.startswith(_SPEAKS_FOR):
                self.liaison_units[int(name.removeprefix(_SPEAKS_FOR))] = alliance_id
            elif alliance_id is None:
                if name not in HELD_FOR_AN_ALLIANCE:  # a leftover group of that name: no role
                    self.groups.add(name)
            else:
                self.held.setdefault(alliance_id, set()).add(name)
        if superuser:
            self.groups |= {Role.ADMIN}
        self.everywhere = Role.ADMIN in self.groups

    def home_alliance_id(self):
        """The alliance a signed-in person works in when nothing else says: the member's,
        else the first they hold a role in."""
        if self.member_alliance_id is not None:
            return self.member_alliance_id
        return min(self.held, default=None)


@functools.cache
def _facts_sql():
    """The UNION that reads what a user is, written once per process from the models'
    tables. Every signed-in request runs it: composed by the ORM (four querysets and their
    union) it cost 1.4 ms of Python a request, the statement itself 0.06 ms."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group

    from alliance.models import Member, Membership, StaffRole, Unit

    t = {model.__name__: model._meta.db_table
         for model in (Group, Member, Membership, StaffRole, Unit)}
    t["UserGroups"] = get_user_model().groups.through._meta.db_table
    # Table names come from the models' _meta, never from input; values are parameters.
    return (
        f"SELECT g.name, NULL FROM {t['Group']} g JOIN {t['UserGroups']} ug"  # noqa: S608
        f" ON ug.group_id = g.id WHERE ug.user_id = %s"  # nosec B608 (tables from _meta)
        f" UNION ALL SELECT r.role, r.alliance_id FROM {t['StaffRole']} r WHERE r.user_id = %s"
        f" UNION ALL SELECT %s, m.alliance_id FROM {t['Member']} m WHERE m.user_id = %s"
        f" UNION ALL SELECT %s || CAST(ms.unit_id AS TEXT), u.alliance_id"
        f" FROM {t['Membership']} ms JOIN {t['Member']} m ON m.id = ms.member_id"
        f" JOIN {t['Unit']} u ON u.id = ms.unit_id"
        f" WHERE m.user_id = %s AND ms.role IN (%s, %s)")


def facts(user):
    """Everything ``user`` is, in one query (a UNION of groups, staff roles, the member
    record and the liaison memberships), cached on the user object for the request."""
    if not getattr(user, "is_authenticated", False):
        return Facts((), False)
    if user.pk is None:  # an unsaved user (a form's instance): no rows of its own yet
        return Facts((), user.is_superuser)
    cached = getattr(user, "_portal_facts", None)
    if cached is None:
        from django.db import connection

        from alliance.models import Membership

        with connection.cursor() as cursor:
            cursor.execute(_facts_sql(), [
                user.pk, user.pk, _MEMBER_RECORD, user.pk, _SPEAKS_FOR, user.pk,
                Membership.Role.LIAISON.value, Membership.Role.LEAD.value])
            rows = cursor.fetchall()
        cached = Facts(rows, user.is_superuser)
        user._portal_facts = cached
    return cached


def _alliance_id(alliance):
    return getattr(alliance, "pk", alliance)


def context_alliance_id(user):
    """The alliance ``user`` is working in: the request's, else their own, else the
    deployment's default."""
    working = WORKING_ALLIANCE.get()
    if working is not None:
        return working.pk
    own = facts(user).home_alliance_id()
    if own is not None:
        return own
    from alliance.context import default_alliance_id

    return default_alliance_id()


def roles_of(user, alliance=None):
    """The role names ``user`` holds in ``alliance`` (an Alliance or its id; default: the one
    they are working in)."""
    if not getattr(user, "is_authenticated", False):
        return frozenset()
    found = facts(user)
    alliance_id = _alliance_id(alliance) if alliance is not None else context_alliance_id(user)
    roles = set(found.groups) | found.held.get(alliance_id, set())
    if found.everywhere:
        roles.add(Role.COORDINATOR)
    if found.member_alliance_id is not None and found.member_alliance_id != alliance_id:
        roles.discard(Role.MEMBER)
    return frozenset(roles)


def has_role(user, role, alliance=None):
    return role in roles_of(user, alliance)


def is_coordinator(user, alliance=None):
    return Role.COORDINATOR in roles_of(user, alliance)


def is_handler(user, alliance=None):
    return Role.HANDLER in roles_of(user, alliance)


def is_staff_role(user, alliance=None):
    return bool(roles_of(user, alliance) & STAFF_ROLES)


def is_staff_anywhere(user):
    """Staff in some alliance: the idle timeout and the second factor are for them."""
    found = facts(user)
    return found.everywhere or any(held & STAFF_ROLES for held in found.held.values())


def is_district(user):
    return Role.DISTRICT in facts(user).groups


def is_member(user, alliance=None):
    """A person of the alliance: their Member record is in it. An account in the member group
    without a record belongs to no alliance in particular and counts where it is."""
    if not getattr(user, "is_authenticated", False):
        return False
    found = facts(user)
    if found.member_alliance_id is not None:
        alliance_id = _alliance_id(alliance) if alliance is not None else context_alliance_id(user)
        return found.member_alliance_id == alliance_id
    return Role.MEMBER in found.groups


def alliance_ids_of(user):
    """The alliances ``user`` may work in (the switcher's choices); None for everywhere."""
    found = facts(user)
    if found.everywhere:
        return None
    ids = set(found.held)
    if found.member_alliance_id is not None:
        ids.add(found.member_alliance_id)
    return ids


def coordinated_alliance_ids(user):
    """The alliances ``user`` coordinates; None for everywhere (admins)."""
    found = facts(user)
    if found.everywhere:
        return None
    return {a for a, held in found.held.items() if Role.COORDINATOR in held}


def all_liaison_unit_ids(user):
    """Ids of the units this user speaks for, in every alliance."""
    return frozenset(facts(user).liaison_units)


def liaison_unit_ids(user, alliance=None):
    """Ids of the units this user speaks for in ``alliance`` (default: the one they are
    working in)."""
    units = facts(user).liaison_units
    if not units:
        return frozenset()
    alliance_id = _alliance_id(alliance) if alliance is not None else context_alliance_id(user)
    return frozenset(unit for unit, owner in units.items() if owner == alliance_id)
