"""Write-side operations of the alliance app."""

from dataclasses import asdict, dataclass

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import transaction
from django.utils.translation import gettext as _

from alliance import roster
from alliance.models import Alliance, Member, Membership, Unit
from alliance.roles import Role


def create_member_accounts(*, members):
    """Give each member without an account a login (members do not sign up themselves).

    The username is the member's email when it is free, else ``m<id>``; the password is
    unusable until the member sets one through "forgot password" by email, which goes to
    that address: staff recorded it, so it is filed as the account's verified address.
    Returns the members that got an account.
    """
    from yichuan.accounts import record_verified_email

    User = get_user_model()
    group, _ = Group.objects.get_or_create(name=Role.MEMBER)
    created = []
    with transaction.atomic():
        for member in Member.objects.select_for_update().filter(
            pk__in=[m.pk for m in members], user__isnull=True
        ):
            username = member.email or f"m{member.pk}"
            if User.objects.filter(username=username).exists():
                username = f"m{member.pk}"
            user = User(username=username, email=member.email, first_name=member.name[:150])
            user.set_unusable_password()
            user.save()
            record_verified_email(user)
            user.groups.add(group)
            member.user = user
            member.save(update_fields=["user"])
            created.append(member)
    return created


class RosterError(Exception):
    """A roster import that cannot be written as it stands (the view says why)."""


@dataclass(frozen=True)
class RosterImported:
    """What an import did, counted in people (and, for units, in memberships)."""

    created: int
    updated: int
    unchanged: int
    memberships_created: int
    memberships_updated: int


def import_roster(*, actor, alliance, rows, request=None):
    """Write a checked roster (alliance.roster.read_sheet's rows) into ``alliance``: create or
    update each person's Member (matched by phone, else e-mail, within the alliance) and
    their Membership in the row's unit with the row's role; a blank cell changes nothing.

    The rows are planned again inside the transaction, on locked rows, so what is written is
    what the data says now, not when the preview was shown; a row that no longer passes
    raises RosterError and nothing is written. Importing the same sheet again writes nothing
    but the audit entry, which records every import with its counts. A fixed number of
    queries whatever the number of rows (bulk writes).
    """
    from audit.models import AuditEntry
    from audit.services import record

    with transaction.atomic():
        # Two confirmations of one sheet (a double click) queue here: the second plans on
        # what the first wrote, so it matches the people the first created.
        Alliance.objects.select_for_update().get(pk=alliance.pk)
        units = set(Unit.objects.filter(alliance=alliance, pk__in={
            row.unit_id for row in rows if row.unit_id is not None}).values_list("pk", flat=True))
        for row in rows:
            row.errors = []
            if row.unit_id is not None and row.unit_id not in units:
                row.errors.append(_("第 %(line)s 行的单位已不在本联盟。") % {"line": row.line})
        member_of, memberships = roster.plan(alliance, rows, for_update=True)
        refused = [error for row in rows for error in row.errors]
        if refused:
            raise RosterError(" ".join(refused))

        new_people = {}
        for row in rows:
            if row.action == "new" and row.key not in new_people:
                new_people[row.key] = Member(
                    alliance=alliance, name=row.name,
                    identity=row.identity or Member.Identity.OTHER, phone=row.phone,
                    email=row.email, joined=row.joined)
        for row in rows:  # the person's other rows may carry what the first left blank
            person = new_people.get(row.key)
            if person is not None:
                person.identity = row.identity or person.identity
                person.email = person.email or row.email
                person.joined = person.joined or row.joined
        Member.objects.bulk_create(new_people.values())
        member_of.update(new_people)

        changed_members = {}
        for row in rows:
            member = member_of[row.key]
            if row.action != "update" or not roster.member_changes(member, row):
                continue  # a later row of the same person finds the changes made
            for attr, _header in roster.MEMBER_FIELDS:
                value = getattr(row, attr)
                if value and not (attr == "phone" and member.plain_phone == value):
                    setattr(member, attr, value)
            changed_members[member.pk] = member
        Member.objects.bulk_update(changed_members.values(),
                                   [attr for attr, _header in roster.MEMBER_FIELDS])

        new_memberships, changed_memberships = {}, []
        for row in rows:
            if row.unit_id is None:
                continue
            member = member_of[row.key]
            membership = memberships.get((member.pk, row.unit_id))
            if membership is None and (member.pk, row.unit_id) not in new_memberships:
                new_memberships[member.pk, row.unit_id] = Membership(
                    member=member, unit_id=row.unit_id, role=row.role or Membership.Role.MEMBER)
            elif membership is not None and row.role and membership.role != row.role:
                membership.role = row.role
                changed_memberships.append(membership)
        Membership.objects.bulk_create(new_memberships.values())
        Membership.objects.bulk_update(changed_memberships, ["role"])

        updated = {row.member_id for row in rows if row.action == "update"}
        unchanged = {row.member_id for row in rows if row.action == "unchanged"} - updated
        result = RosterImported(
            created=len(new_people), updated=len(updated), unchanged=len(unchanged),
            memberships_created=len(new_memberships),
            memberships_updated=len(changed_memberships))
        record(kind=AuditEntry.Kind.ROSTER_IMPORTED, request=request, user=actor,
               details={"alliance": alliance.pk, "rows": len(rows), **asdict(result)})
    return result
