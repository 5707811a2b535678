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
def administers(user, target):
    """The admin's question: coordinates the object's alliance, or, asked about no object
    (the admin's model pages), coordinates some alliance — whose rows alone the admin then
    shows (alliance.admin_scope)."""
    coordinated = roles.coordinated_alliance_ids(user)
    if coordinated is None:
        return True
    if target is None:
        return bool(coordinated)
    return alliance_of(target) in coordinated


# The Django model permissions coordinators hold as rules: a permission row given to an
# account (a clerk with view_unit) still counts for them too (yichuan.accounts.RulesFirst).
MODEL_PERMISSIONS = set()


def admin_perms(app_label, model_names, *, actions=("view", "add", "change", "delete")):
    """Give coordinators the Django model permissions the admin asks for these models."""
    for model_name in model_names:
        for action in actions:
            name = f"{app_label}.{action}_{model_name}"
            rules.add_perm(name, administers)
            MODEL_PERMISSIONS.add(name)


@rules.predicate
def is_district(user):
    return roles.is_district(user)


rules.add_perm("alliance.view_member_contacts", is_coordinator)
rules.add_perm("alliance.view_unit_figures", is_coordinator | is_liaison_of_unit)
# The roster page (template, export with full contact data, import): coordinators only.
rules.add_perm("alliance.manage_roster", is_coordinator)
rules.add_perm("portal.view_dashboard", is_coordinator)
rules.add_perm("portal.view_district", is_district)
rules.add_perm("portal.use_member_area", rules.is_authenticated)

# A coordinator runs the alliance's own data in the admin (rows of other alliances stay out).
admin_perms("alliance", ("unit", "member", "membership", "venue", "unitybuilding"))
