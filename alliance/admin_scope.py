"""The Django admin, scoped to the alliances a staff member coordinates.

Admins and superusers see every alliance. Anyone else who is let into the admin (a
coordinator given admin access) sees and edits only the rows of the alliances they
coordinate, and picks related rows (units, members, categories, events …) only from those:
another alliance's row is "not found" there as it is 404 on the portal.
"""

from django.db.models import Q

from alliance.models import Alliance
from alliance.roles import coordinated_alliance_ids
from alliance.selectors import people_of


def _scope_of(model, ids):
    """The condition that keeps ``model``'s rows of the alliances ``ids``, or None when the
    model belongs to no alliance."""
    if model is Alliance:
        return Q(pk__in=ids)
    if any(f.name == "alliance" for f in model._meta.get_fields()):
        return Q(alliance__in=ids)
    return None


class AllianceScopedAdmin:
    """Mixin for ModelAdmins and inlines. ``alliance_path`` names the lookup from the model to
    its alliance ("alliance", "event__alliance" …); ``people_path`` instead names a user
    field, for rows that belong to a person (notifications, sign-ins)."""

    alliance_path = None
    people_path = None

    def alliance_scope(self, request):
        """The alliance ids this user may administer; None for all."""
        return coordinated_alliance_ids(request.user)

    def scope_condition(self, ids):
        if self.people_path:
            return Q(**{f"{self.people_path}__in": people_of(ids)})
        if self.alliance_path:
            return Q(**{f"{self.alliance_path}__in": ids})
        return _scope_of(self.model, ids)

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        ids = self.alliance_scope(request)
        if ids is None:
            return queryset
        condition = self.scope_condition(ids)
        return queryset.none() if condition is None else queryset.filter(condition)

    def _limit_choices(self, db_field, request, kwargs):
        ids = self.alliance_scope(request)
        if ids is None or "queryset" in kwargs:
            return
        related = db_field.related_model
        condition = _scope_of(related, ids)
        if condition is not None:
            kwargs["queryset"] = related._default_manager.filter(condition)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        self._limit_choices(db_field, request, kwargs)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        self._limit_choices(db_field, request, kwargs)
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    def has_module_permission(self, request):
        # Django asks for a model permission row of the app; coordinators hold their
        # permissions as rules (alliance.rules.admin_perms), model by model.
        return (super().has_module_permission(request)
                or self.has_view_or_change_permission(request))

    def has_import_permission(self, request):
        """The sheets name alliances by id: importing is for admins until the roster import
        reads a coordinator's own alliance."""
        return (self.alliance_scope(request) is None
                and super().has_import_permission(request))
