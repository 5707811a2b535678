from django.contrib import admin

from alliance.admin_scope import AllianceScopedAdmin
from audit.models import AuditEntry


@admin.register(AuditEntry)
class AuditEntryAdmin(AllianceScopedAdmin, admin.ModelAdmin):
    people_path = "user"
    list_display = ["created_at", "kind", "username", "ip_address", "path"]
    list_filter = ["kind"]
    search_fields = ["username", "ip_address", "path"]
    date_hierarchy = "created_at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        # The trail is evidence: nobody, not even a superuser, edits it from the admin.
        return False
