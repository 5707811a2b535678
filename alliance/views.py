from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from alliance import selectors
from yichuan.home import HOME_SECTIONS, UNIT_SECTIONS, collect


@require_safe
def home(request):
    alliance = selectors.current_alliance()
    context = {
        "alliance": alliance,
        "composition": alliance.composition() if alliance else [],
        "groups": selectors.units_by_kind(alliance) if alliance else [],
    }
    context["sections"] = collect(HOME_SECTIONS, request)
    return render(request, "alliance/home.html", context)


@require_safe
def alliance_index(request):
    alliance = selectors.current_alliance()
    return render(request, "alliance/index.html", {
        "alliance": alliance,
        "composition": alliance.composition() if alliance else [],
        "groups": selectors.units_by_kind(alliance) if alliance else [],
        "page_title": _("联盟成员单位"),
    })


@require_safe
def unit_detail(request, slug):
    unit = selectors.unit_for_page(slug)
    context = {"unit": unit, "sections": collect(UNIT_SECTIONS, request, unit)}
    return render(request, "alliance/unit_detail.html", context)


@require_safe
def venue_list(request):
    alliance = selectors.current_alliance()
    return render(request, "alliance/venues.html", {
        "venues": selectors.venues(alliance) if alliance else [],
    })


@require_safe
def building_list(request):
    alliance = selectors.current_alliance()
    return render(request, "alliance/buildings.html", {
        "buildings": selectors.buildings(alliance) if alliance else [],
    })
