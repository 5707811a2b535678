from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404
from django.shortcuts import render
from django.views.decorators.http import require_safe

from alliance.roles import coordinated_alliance_ids, is_coordinator
from alliance.selectors import people_of
from audit.models import AuditEntry


@require_safe
def audit_log(request):
    """Coordinators read the audit trail; everyone else gets 404."""
    if not is_coordinator(request.user):
        raise Http404
    entries = AuditEntry.objects.select_related("user")
    if coordinated_alliance_ids(request.user) is not None:
        # A coordinator reads the sign-ins of their alliance's people and the imports into
        # their alliance's roster (whoever made them); admins read all.
        this = request.alliance.pk
        roster = Q(kind=AuditEntry.Kind.ROSTER_IMPORTED)
        entries = entries.filter((~roster & Q(user__in=people_of([this])))
                                 | (roster & Q(details__alliance=this)))
    kind = request.GET.get("kind")
    if kind in AuditEntry.Kind.values:
        entries = entries.filter(kind=kind)
    page = Paginator(entries, 50).get_page(request.GET.get("page"))
    return render(request, "audit/log.html", {"page": page, "kinds": AuditEntry.Kind.choices,
                                              "kind": kind})
