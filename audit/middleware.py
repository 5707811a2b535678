from audit.models import AuditEntry
from audit.services import record


class PermissionDeniedAuditMiddleware:
    """Writes every 403 answer to the audit trail (404s for hidden objects are not logged:
    they are indistinguishable from mistyped addresses)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if response.status_code == 403:
            user = getattr(request, "user", None)
            record(kind=AuditEntry.Kind.DENIED, request=request, user=user,
                   username=user.get_username() if user and user.is_authenticated else "")
        return response
