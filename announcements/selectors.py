"""Reading announcements: the audience of a members-only one and its read rate per unit.

Each function makes a fixed number of queries whatever the number of members.
"""

from django.db.models import Count, Exists, OuterRef, Q

from alliance.models import Member, Membership
from announcements.models import Announcement, AnnouncementRead


def audience_members(announcement):
    """Active members with an account who are meant to read ``announcement``."""
    members = Member.objects.filter(alliance_id=announcement.alliance_id, is_active=True,
                                    user__isnull=False)
    if announcement.audience == Announcement.Audience.UNITS:
        # Exists rather than a join: no duplicates, so no DISTINCT around the aggregates.
        members = members.filter(Exists(Membership.objects.filter(
            member_id=OuterRef("pk"), unit__in=announcement.units.values("pk"))))
    return members


def _has_read(announcement, user_ref):
    return Exists(AnnouncementRead.objects.filter(announcement=announcement, user_id=user_ref))


def read_rate_by_unit(announcement):
    """Rows ``{unit_id, unit_name, total, read, rate}`` per unit of the audience, in unit
    order (one query), plus a row for audience members who belong to no unit."""
    memberships = Membership.objects.filter(
        member__alliance_id=announcement.alliance_id, member__is_active=True,
        member__user__isnull=False,
    )
    if announcement.audience == Announcement.Audience.UNITS:
        memberships = memberships.filter(unit__in=announcement.units.values("pk"))
    rows = (
        memberships.annotate(has_read=_has_read(announcement, OuterRef("member__user_id")))
        .values("unit_id", "unit__name", "unit__kind", "unit__order")
        .annotate(total=Count("member_id", distinct=True),
                  read=Count("member_id", filter=Q(has_read=True), distinct=True))
        .order_by("unit__kind", "unit__order", "unit_id")
    )
    result = [
        {"unit_id": r["unit_id"], "unit_name": r["unit__name"], "total": r["total"],
         "read": r["read"], "rate": _rate(r["read"], r["total"])}
        for r in rows
    ]
    if announcement.audience == Announcement.Audience.MEMBERS:
        loose = (
            audience_members(announcement).filter(memberships__isnull=True)
            .aggregate(total=Count("id"),
                       read=Count("id", filter=Q(_has_read(announcement, OuterRef("user_id")))))
        )
        if loose["total"]:
            result.append({"unit_id": None, "unit_name": None, **loose,
                           "rate": _rate(loose["read"], loose["total"])})
    return result


def read_totals(announcement):
    """``{total, read, rate}`` over the whole audience (one query)."""
    totals = audience_members(announcement).aggregate(
        total=Count("id", distinct=True),
        read=Count("id", distinct=True,
                   filter=Q(_has_read(announcement, OuterRef("user_id")))),
    )
    return {**totals, "rate": _rate(totals["read"], totals["total"])}


def unread_members(announcement):
    """Audience members who have not opened it, with their units (two queries)."""
    return (
        audience_members(announcement)
        .exclude(_has_read(announcement, OuterRef("user_id")))
        .select_related("user")
        .prefetch_related("units")
        .order_by("name", "id")
    )


def _rate(read, total):
    return round(100 * read / total, 1) if total else None


def latest_public(alliance, limit=3):
    return list(Announcement.objects.filter(alliance=alliance).public().listed()[:limit])


def with_read_flag(queryset, user):
    """Annotate ``is_read`` for the viewer (one subquery, no query per row)."""
    if not user.is_authenticated:
        return queryset
    return queryset.annotate(
        is_read=Exists(AnnouncementRead.objects.filter(announcement=OuterRef("pk"), user=user)))


def unread_for(user, alliance, limit=5):
    """Members-only announcements this user may open and has not read yet (one query)."""
    queryset = (
        with_read_flag(Announcement.objects.visible_to(user, alliance).published(), user)
        .exclude(audience=Announcement.Audience.PUBLIC)
        .filter(is_read=False)
        .listed()
    )
    return list(queryset[:limit])
