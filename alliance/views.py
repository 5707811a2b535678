import secrets
from collections import Counter
from dataclasses import asdict

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from alliance import exports, roles, roster, selectors, services
from alliance.context import SESSION_KEY
from alliance.forms import RosterUploadForm, SwitchAllianceForm
from yichuan.home import HOME_SECTIONS, UNIT_SECTIONS, collect


@require_safe
def home(request):
    alliance = request.alliance
    groups = selectors.units_by_kind(alliance, children=False) if alliance else []
    context = {
        "alliance": alliance,
        "composition": alliance.composition(units=selectors.units_of(groups)) if alliance else [],
        "groups": groups,
    }
    context["sections"] = collect(HOME_SECTIONS, request)
    return render(request, "alliance/home.html", context)


@require_safe
def alliance_index(request):
    alliance = request.alliance
    groups = selectors.units_by_kind(alliance) if alliance else []
    return render(request, "alliance/index.html", {
        "alliance": alliance,
        "composition": alliance.composition(units=selectors.units_of(groups)) if alliance else [],
        "groups": groups,
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


# --- the roster in and out of Excel (coordinators only) --------------------------------------

# Between preview and confirm the checked rows wait in the session (stored on the server,
# bounded by roster.MAX_ROWS), not in the page: the confirm form sends back only a token, so
# what is written is what was checked and shown, never what a client sends. A re-upload at
# confirm would ask the person for the file twice; the service plans again on locked rows
# anyway, so a change made meanwhile is taken into account.
ROSTER_SESSION_KEY = "roster_import"


def _roster_alliance(request):
    """The alliance whose roster this is; 404 for anyone but its coordinators."""
    alliance = request.alliance
    if not alliance.pk or not request.user.has_perm("alliance.manage_roster", alliance):
        raise Http404
    return alliance


@require_http_methods(["GET", "HEAD", "POST"])
def roster_page(request):
    """Download the template or the roster; upload a filled sheet to see what it would do."""
    alliance = _roster_alliance(request)
    rows = None
    if request.method == "POST":
        form = RosterUploadForm(request.POST, request.FILES, alliance=alliance)
        if form.is_valid():
            rows = form.rows
            roster.plan(alliance, rows)
    else:
        form = RosterUploadForm(alliance=alliance)
    request.session.pop(ROSTER_SESSION_KEY, None)
    context = {"form": form, "alliance": alliance, "rows": rows, "headers": roster.HEADERS}
    if rows is not None:
        faulty = [row for row in rows if row.errors]
        counts = Counter(row.action for row in rows if not row.errors)
        context.update(faulty=faulty, counts=counts)
        if not faulty:
            token = secrets.token_urlsafe(16)
            request.session[ROSTER_SESSION_KEY] = {
                "token": token, "alliance": alliance.pk, "name": form.cleaned_data["sheet"].name[:100],
                "rows": [row.to_session() for row in rows]}
            context["token"] = token
    return render(request, "alliance/roster.html", context)


@require_POST
def roster_confirm(request):
    """Write the previewed roster (one service call), then back to the roster page."""
    alliance = _roster_alliance(request)
    pending = request.session.pop(ROSTER_SESSION_KEY, None) or {}
    token = request.POST.get("token", "")
    try:
        rows = [roster.RosterRow.from_session(data) for data in pending["rows"]]
        ready = (pending["alliance"] == alliance.pk
                 and secrets.compare_digest(str(pending["token"]), token))
    except (KeyError, TypeError, ValueError):
        ready = False
    if not ready:
        messages.error(request, _("没有待确认的名册：可能已经导入过，或预览已失效。请重新上传。"))
        return redirect("alliance:roster")
    try:
        result = services.import_roster(actor=request.user, alliance=alliance, rows=rows,
                                        request=request)
    except services.RosterError as error:
        messages.error(request, _("名册没有导入：%(reason)s 请改正后重新上传。")
                       % {"reason": error})
        return redirect("alliance:roster")
    messages.success(request, _("名册已导入：新增 %(created)s 人，更新 %(updated)s 人，"
                                "%(unchanged)s 人没有变化。") % asdict(result))
    return redirect("alliance:roster")


@require_safe
def roster_template(request):
    alliance = _roster_alliance(request)
    return exports.workbook_response(
        exports.roster_workbook(alliance=alliance, with_members=False),
        filename=f"roster-template-{alliance.slug}.xlsx")


@require_safe
def roster_export(request):
    alliance = _roster_alliance(request)
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    return exports.workbook_response(
        exports.roster_workbook(alliance=alliance, with_members=True),
        filename=f"roster-{alliance.slug}-{stamp}.xlsx")
