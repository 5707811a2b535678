"""Permissions as composable predicates (the `rules` library).

Views ask ``request.user.has_perm("alliance.view_member_contacts")``; templates use
``{% load rules %}{% has_perm … %}``. A role is held for an alliance: asked about an object,
a predicate answers for the object's alliance; asked about nothing, for the alliance the user
works in (alliance.roles.context_alliance_id, the request's).
"""

import rules

from alliance import roles


def alliance_of(target):
    """The alliance a permission is asked about: an Alliance, an object of one, or None."""
    if target is None:
        return None
    from alliance.models import Alliance

    if isinstance(target, Alliance):
        return target.pk
    return getattr(target, "alliance_id", None)


@rules.predicate
def is_coordinator(user, target):
    return roles.is_coordinator(user, alliance_of(target))


@rules.predicate
def is_handler(user, target):
    return roles.is_handler(user, alliance_of(target))


@rules.predicate
def is_staff_role(user, target):
    return roles.is_staff_role(user, alliance_of(target))


@rules.predicate
def is_member(user, target):
    return roles.is_member(user, alliance_of(target))


@rules.predicate
def is_liaison(user, target):
    return bool(roles.liaison_unit_ids(user, alliance_of(target)))


@rules.predicate
def is_liaison_of_unit(user, unit):
    return unit is not None and unit.pk in roles.all_liaison_unit_ids(user)


@rules.predicate
def is_district(user):
    return roles.is_district(user)


rules.add_perm("alliance.view_member_contacts", is_coordinator)
rules.add_perm("alliance.view_unit_figures", is_coordinator | is_liaison_of_unit)
rules.add_perm("portal.view_dashboard", is_coordinator)
rules.add_perm("portal.view_district", is_district)
rules.add_perm("portal.use_member_area", rules.is_authenticated)
