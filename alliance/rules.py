"""Permissions as composable predicates (the `rules` library).

Views ask ``request.user.has_perm("alliance.view_member_contacts")``; templates use
``{% load rules %}{% has_perm … %}``.
"""

import rules

from alliance import roles


@rules.predicate
def is_coordinator(user):
    return roles.is_coordinator(user)


@rules.predicate
def is_handler(user):
    return roles.is_handler(user)


@rules.predicate
def is_staff_role(user):
    return roles.is_staff_role(user)


@rules.predicate
def is_member(user):
    return roles.is_member(user)


@rules.predicate
def is_liaison(user):
    return bool(roles.liaison_unit_ids(user))


@rules.predicate
def is_liaison_of_unit(user, unit):
    return unit is not None and unit.pk in roles.liaison_unit_ids(user)


rules.add_perm("alliance.view_member_contacts", is_coordinator)
rules.add_perm("alliance.view_unit_figures", is_coordinator | is_liaison_of_unit)
rules.add_perm("portal.view_dashboard", is_coordinator)
rules.add_perm("portal.use_member_area", rules.is_authenticated)
