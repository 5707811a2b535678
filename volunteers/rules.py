"""Who may do what with events."""

import rules

from alliance.models import Member
from alliance.roles import is_staff_role, liaison_unit_ids
from alliance.rules import admin_perms, is_coordinator, is_liaison


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
# The portal's event form: asked about an alliance (a new event) or about an event.
rules.add_perm("volunteers.create_event", is_coordinator | is_liaison)
rules.add_perm("volunteers.edit_event", is_coordinator | is_organizer_liaison)
# The admin's event pages; events are cancelled, not deleted.
admin_perms("volunteers", ("event",), actions=("view", "add", "change"))


# --- 志愿服务记录证明 and correction requests -------------------------------------------------

@rules.predicate
def is_the_member(user, target):
    """``target`` is the user's own Member record, or belongs to it (a certificate, a
    service record)."""
    if not getattr(user, "is_authenticated", False) or target is None:
        return False
    member_id = target.pk if isinstance(target, Member) else getattr(target, "member_id", None)
    own = getattr(user, "member", None)
    return member_id is not None and own is not None and own.pk == member_id


@rules.predicate
def organizes_the_record(user, correction_request):
    """Whoever organised the service corrects it (谁组织谁记录、谁记录谁证明): staff of the
    record's alliance, or the liaison of a unit that organised its event."""
    record = correction_request.record
    if is_staff_role(user, record.member.alliance_id):
        return True
    return record.event is not None and is_organizer_liaison(user, record.event)


# A member issues their own certificate; staff of the alliance issue one for a member.
rules.add_perm("volunteers.issue_certificate", is_the_member | is_staff)
rules.add_perm("volunteers.print_certificate", is_the_member | is_staff)
# Revoking takes back what the alliance certified: its coordinators.
rules.add_perm("volunteers.revoke_certificate", is_coordinator)
rules.add_perm("volunteers.request_correction", is_the_member)
rules.add_perm("volunteers.decide_correction", organizes_the_record)
