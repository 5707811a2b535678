"""/dashboard/: the coordinators' statistics page and its exports."""

from django.http import Http404
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from dashboard import exports, stats
from dashboard.forms import DashboardFilterForm, PeriodForm


def _filter_for(request):
    """The form and the StatsFilter it yields; 404 for anyone but a coordinator."""
    if not request.user.has_perm("portal.view_dashboard"):
        raise Http404
    alliance = request.alliance
    if alliance is None:
        raise Http404
    form = DashboardFilterForm(request.GET or None, alliance=alliance)
    return form, form.stats_filter()


def _stamp():
    return timezone.localtime().strftime("%Y%m%d-%H%M")


@require_GET
def index(request):
    form, flt = _filter_for(request)
    data = stats.cached_dashboard(flt)
    return render(request, "dashboard/index.html", {
        "form": form, "flt": flt, "data": data, "query": request.GET.urlencode(),
        "figures_seconds": stats.CACHE_SECONDS,
    })


@require_GET
def export_statistics(request):
    form, flt = _filter_for(request)
    return exports.statistics_xlsx(stats.dashboard(flt), flt,
                                   filename=f"statistics-{_stamp()}.xlsx")


@require_GET
def export_suggestions(request, fmt):
    form, flt = _filter_for(request)
    if fmt not in ("csv", "xlsx"):
        raise Http404
    suggestions = stats.filtered_suggestions(flt)
    if fmt == "csv":
        return exports.suggestions_csv(suggestions, filename=f"suggestions-{_stamp()}.csv")
    return exports.suggestions_xlsx(suggestions, filename=f"suggestions-{_stamp()}.xlsx")


def _district_filter(request):
    """The district's period; 404 for anyone without the district role."""
    if not request.user.has_perm("portal.view_district"):
        raise Http404
    form = PeriodForm(request.GET or None)
    return form, form.stats_filter()


@require_GET
def district(request):
    form, flt = _district_filter(request)
    return render(request, "dashboard/district.html", {
        "form": form, "flt": flt, "data": stats.cached_district(flt),
        "query": request.GET.urlencode(),
    })


@require_GET
def district_export(request):
    form, flt = _district_filter(request)
    return exports.district_xlsx(stats.cached_district(flt), flt,
                                 filename=f"district-{_stamp()}.xlsx")
