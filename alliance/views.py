from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from alliance import roles, selectors
from alliance.context import SESSION_KEY
from alliance.forms import SwitchAllianceForm
from yichuan.home import HOME_SECTIONS, UNIT_SECTIONS, collect


@require_safe
def home(request):
    alliance = request.alliance
    context = {
        "alliance": alliance,
        "composition": alliance.composition() if alliance else [],
        "groups": selectors.units_by_kind(alliance) if alliance else [],
    }
    context["sections"] = collect(HOME_SECTIONS, request)
    return render(request, "alliance/home.html", context)


@require_safe
def alliance_index(request):
    alliance = request.alliance
    return render(request, "alliance/index.html", {
        "alliance": alliance,
        "composition": alliance.composition() if alliance else [],
        "groups": selectors.units_by_kind(alliance) if alliance else [],
        "page_title": _("联盟成员单位"),
    })


@require_safe
def unit_detail(request, slug):
    unit = selectors.unit_for_page(request.alliance, slug)
    context = {"unit": unit, "sections": collect(UNIT_SECTIONS, request, unit)}
    return render(request, "alliance/unit_detail.html", context)


@require_safe
def venue_list(request):
    alliance = request.alliance
    return render(request, "alliance/venues.html", {
        "venues": selectors.venues(alliance) if alliance else [],
    })


@require_safe
def building_list(request):
    alliance = request.alliance
    return render(request, "alliance/buildings.html", {
        "buildings": selectors.buildings(alliance) if alliance else [],
    })


@login_required
@require_POST
def switch_alliance(request):
    """Staff with roles in several alliances choose the one they work in (kept in the
    session); an alliance they hold nothing in is refused like one that does not exist."""
    form = SwitchAllianceForm(request.POST, allowed=roles.alliance_ids_of(request.user))
    if not form.is_valid():
        raise Http404
    alliance = form.cleaned_data["alliance"]
    request.session[SESSION_KEY] = alliance.pk
    messages.success(request, _("已切换到%(name)s。") % {"name": alliance.short_name})
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()},
                                           require_https=request.is_secure()):
        target = "home"
    return redirect(target)
