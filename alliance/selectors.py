"""Read-side queries of the alliance app."""

import re

from django.contrib.auth import get_user_model
from django.db.models import Q
from django.shortcuts import get_object_or_404

from alliance.models import Membership, Unit, UnityBuilding, Venue
from alliance.roles import Role


def units_by_kind(alliance, *, children=True):
    """Top-level active units grouped by kind, each with its sub-teams prefetched unless
    ``children=False`` (the home page names the units only: a query less)."""
    units = Unit.objects.filter(alliance=alliance).active().top_level()
    if children:
        units = units.prefetch_related("children")
    groups = {kind: [] for kind, _label in Unit.Kind.choices}
    for unit in units:
        groups[unit.kind].append(unit)
    return [(kind, label, groups[kind]) for kind, label in Unit.Kind.choices]


def units_of(groups):
    """The units of units_by_kind's groups, for Alliance.composition to count."""
    return [unit for _kind, _label, units in groups for unit in units]


def unit_for_page(alliance, slug):
    """The unit's public page: 404 for a unit of another alliance."""
    return get_object_or_404(
        Unit.objects.active().select_related("parent", "alliance").prefetch_related(
            "children", "venues"
        ),
        alliance=alliance, slug=slug,
    )


def venues(alliance):
    return Venue.objects.filter(alliance=alliance).prefetch_related("units")


def buildings(alliance):
    """The alliance's buildings in the order people count them: by community, then by
    building number (1号楼, 2号楼, 11号楼), not as text (11号楼 before 2号楼). Sorted here:
    an alliance has some eighteen, and a numeric order in SQL would need a sort-key column
    kept in step with the name on SQLite and PostgreSQL alike."""
    return sorted(UnityBuilding.objects.filter(alliance=alliance),
                  key=lambda b: (_natural(b.community), _natural(b.building)))


_DIGITS = re.compile(r"(\d+)")


def _natural(text):
    """A sort key comparing the runs of digits in ``text`` as numbers: "11号楼" →
    ("", 11, "号楼"). Text and numbers alternate from a text part, so keys always compare."""
    parts = _DIGITS.split(text)
    return tuple(int(part) if n % 2 else part for n, part in enumerate(parts))


# --- who is told ----------------------------------------------------------------------------
# The people-side of DESIGN §5's one recipients answer; proposals.selectors.recipients and
# the event reminders build on these.


def coordinators(alliance):
    """Active users who coordinate the alliance: its coordinators, the admin role and
    superusers (they coordinate everywhere, as alliance.roles says, and so are told what
    coordinators are told)."""
    return list(get_user_model().objects.filter(
        Q(staff_roles__alliance=alliance, staff_roles__role=Role.COORDINATOR)
        | Q(groups__name=Role.ADMIN) | Q(is_superuser=True),
        is_active=True).distinct().order_by("pk"))


def coordinators_by_alliance(alliance_ids):
    """{alliance_id: [users]}: ``coordinators`` of several alliances in two queries (a scan
    or a digest over a district's suggestions)."""
    from alliance.models import StaffRole

    everywhere = list(get_user_model().objects.filter(
        Q(groups__name=Role.ADMIN) | Q(is_superuser=True), is_active=True)
        .distinct().order_by("pk"))
    found = {a: {u.pk: u for u in everywhere} for a in set(alliance_ids)}
    for held in (StaffRole.objects.select_related("user")
                 .filter(alliance_id__in=found, role=Role.COORDINATOR, user__is_active=True)
                 .order_by("user_id")):
        found[held.alliance_id].setdefault(held.user_id, held.user)
    return {a: sorted(users.values(), key=lambda u: u.pk) for a, users in found.items()}


def people_of(alliance_ids):
    """The accounts of the alliances' people (their members and their staff), as a subquery:
    what concerns them is what the alliances' coordinators may see of the deployment's
    deliveries and sign-ins."""
    return get_user_model().objects.filter(
        Q(member__alliance__in=alliance_ids) | Q(staff_roles__alliance__in=alliance_ids)
    ).values("pk")


def handlers(alliance):
    """Active users who handle suggestions in the alliance, by name (the 承办人 choices)."""
    return (get_user_model().objects
            .filter(staff_roles__alliance=alliance, staff_roles__role=Role.HANDLER,
                    is_active=True)
            .distinct().order_by("first_name", "username"))


def member_users(alliance):
    """Accounts of the alliance's members: whom staff may record a suggestion for."""
    return (get_user_model().objects
            .filter(member__alliance=alliance, member__is_active=True, is_active=True)
            .order_by("first_name", "username"))


def unit_liaisons(unit_ids):
    """{unit_id: [users]}: the liaisons and leads with an active account of each unit."""
    found = {}
    for membership in (Membership.objects.select_related("member__user")
                       .filter(unit_id__in=set(unit_ids),
                               role__in=[Membership.Role.LIAISON, Membership.Role.LEAD],
                               member__user__isnull=False, member__user__is_active=True)
                       .order_by("pk")):
        found.setdefault(membership.unit_id, {})[membership.member.user.pk] = (
            membership.member.user)
    return {unit_id: list(users.values()) for unit_id, users in found.items()}


def liaisons_or_coordinators(unit_ids, *, alliance, coordinators_list=None,
                             liaisons=None):
    """The liaisons of the units; for a unit without one who has an account, what was meant
    for its liaison goes to the alliance's coordinators. ``liaisons`` passes what
    ``unit_liaisons`` answered already (a batch of several suggestions or events)."""
    by_unit = unit_liaisons(unit_ids) if liaisons is None else liaisons
    users = {}
    fallback = False
    for unit_id in unit_ids:
        if by_unit.get(unit_id):
            users.update((u.pk, u) for u in by_unit[unit_id])
        else:
            fallback = True
    if fallback:
        staff = coordinators_list if coordinators_list is not None else coordinators(alliance)
        users.update((u.pk, u) for u in staff)
    return list(users.values())


def person_name(user):
    """How a person is named on pages, in selects and in messages: the full name, the login
    name only when there is none."""
    if user is None:
        return ""
    return user.get_full_name() or user.username
