from alliance import roles


def portal(request):
    """Role flags for navigation; the server still checks every view on its own."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"portal_roles": frozenset(), "is_coordinator": False, "is_staff_role": False}
    return {
        "portal_roles": roles.roles_of(user),
        "is_coordinator": roles.is_coordinator(user),
        "is_staff_role": roles.is_staff_role(user),
        "is_handler": roles.is_handler(user),
    }
