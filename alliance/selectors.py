"""Read-side queries of the alliance app."""

from django.conf import settings
from django.shortcuts import get_object_or_404

from alliance.models import Alliance, Unit, UnityBuilding, Venue


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
