from audit.models import AuditEntry


def client_ip(request):
    """The client address as Django sees it (set a proxy's header in the web server)."""
    return request.META.get("REMOTE_ADDR") if request is not None else None


def record(*, kind, request=None, user=None, username="", details=None):
    if user is not None and not getattr(user, "is_authenticated", False):
        user = None
    return AuditEntry.objects.create(
        kind=kind,
        user=user,
        username=(username or (user.get_username() if user else ""))[:150],
        ip_address=client_ip(request),
        path=(request.path if request is not None else "")[:300],
        details=details or {},
    )
