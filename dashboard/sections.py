"""The dashboard's contribution to unit pages: the unit's own figures, for coordinators
and the unit's liaisons only (``alliance.view_unit_figures``)."""

from django.utils import timezone

from dashboard import stats
from yichuan.home import unit_section


@unit_section
def unit_figures(request, unit):
    if not request.user.has_perm("alliance.view_unit_figures", unit):
        return None
    today = timezone.localdate()
    flt = stats.StatsFilter(alliance=unit.alliance, date_from=today.replace(month=1, day=1),
                            date_to=today, unit=unit)
    volunteers = stats.volunteer_by_unit(flt)
    return {
        "template": "dashboard/_unit_figures.html",
        "unit": unit,
        "flt": flt,
        "overview": stats.overview(flt, today=today),
        "volunteers": volunteers[0] if volunteers else None,
    }
