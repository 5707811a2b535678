"""Who may do what with events."""

import rules

from alliance.roles import is_staff_role, liaison_unit_ids


@rules.predicate
def is_staff(user, target):
    """Staff of the event's alliance (of the one worked in, without an event)."""
    return is_staff_role(user, getattr(target, "alliance_id", None))


@rules.predicate
def is_organizer_liaison(user, event):
    if event is None or not getattr(user, "is_authenticated", False):
        return False
    units = set(liaison_unit_ids(user, event.alliance_id))
    return bool(units) and event.organizers.filter(pk__in=units).exists()


can_check_in = is_staff | is_organizer_liaison
rules.add_perm("volunteers.check_in", can_check_in)
rules.add_perm("volunteers.correct_hours", is_staff)
