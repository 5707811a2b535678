"""Read-side queries of the alliance app."""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db.models import Q
from django.shortcuts import get_object_or_404

from alliance.models import Alliance, Membership, Unit, UnityBuilding, Venue
from alliance.roles import Role


def current_alliance():
    """The alliance this deployment shows (settings.PORTAL_ALLIANCE_SLUG); falls back to
    the first one so a fresh install with other data still renders."""
    alliance = Alliance.objects.filter(slug=settings.PORTAL_ALLIANCE_SLUG).first()
    return alliance or Alliance.objects.order_by("id").first()


def units_by_kind(alliance):
    """Top-level active units grouped by kind, each with its sub-teams prefetched."""
    units = (
        Unit.objects.filter(alliance=alliance).active().top_level()
        .prefetch_related("children")
    )
    groups = {kind: [] for kind, _label in Unit.Kind.choices}
    for unit in units:
        groups[unit.kind].append(unit)
    return [(kind, label, groups[kind]) for kind, label in Unit.Kind.choices]


def unit_for_page(slug):
    return get_object_or_404(
        Unit.objects.active().select_related("parent", "alliance").prefetch_related(
            "children", "venues"
        ),
        slug=slug,
    )


def venues(alliance):
    return Venue.objects.filter(alliance=alliance).prefetch_related("units")


def buildings(alliance):
    return UnityBuilding.objects.filter(alliance=alliance)


# --- who is told ----------------------------------------------------------------------------
# The people-side of DESIGN §5's one recipients answer; proposals.selectors.recipients and
# the event reminders build on these.


def coordinators(alliance=None):
    """Active users who coordinate the alliance: the coordinator and admin roles, and
    superusers (they pass ``is_coordinator`` and so are told what coordinators are told).
    Roles are not yet held per alliance, so ``alliance`` does not narrow it down."""
    return list(get_user_model().objects.filter(
        Q(groups__name__in=[Role.COORDINATOR, Role.ADMIN]) | Q(is_superuser=True),
        is_active=True).distinct().order_by("pk"))


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


def liaisons_or_coordinators(unit_ids, *, alliance=None, coordinators_list=None,
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
