from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from alliance.admin_scope import AllianceScopedAdmin
from notifications import services
from notifications.models import Delivery, Notification, Preference


class DeliveryInline(AllianceScopedAdmin, admin.TabularInline):
    people_path = "notification__recipient"
    model = Delivery
    extra = 0
    readonly_fields = ["channel", "state", "attempts", "last_error", "next_attempt_at",
                       "claimed_at", "sent_at"]
    can_delete = False


@admin.register(Notification)
class NotificationAdmin(AllianceScopedAdmin, admin.ModelAdmin):
    people_path = "recipient"
    list_display = ["subject", "recipient", "kind", "created_at", "read_at"]
    list_filter = ["kind"]
    search_fields = ["subject", "dedup_key", "recipient__username"]
    list_select_related = ["recipient"]
    readonly_fields = ["dedup_key", "created_at"]
    inlines = [DeliveryInline]


@admin.register(Delivery)
class DeliveryAdmin(AllianceScopedAdmin, admin.ModelAdmin):
    people_path = "notification__recipient"
    list_display = ["notification", "channel", "state", "attempts", "next_attempt_at", "sent_at"]
    list_filter = ["state", "channel"]
    list_select_related = ["notification"]
    readonly_fields = ["notification", "channel", "state", "attempts", "last_error",
                       "next_attempt_at", "claimed_at", "sent_at"]
    actions = ["retry"]

    def has_add_permission(self, request):
        # Every field is read-only: deliveries are written by the notification services.
        return False

    @admin.action(description=_("重新发送所选的失败投递"))
    def retry(self, request, queryset):
        count = services.retry_failed(delivery_ids=list(queryset.values_list("pk", flat=True)))
        self.message_user(request, _("已重新排队 %(count)s 条投递。") % {"count": count})


@admin.register(Preference)
class PreferenceAdmin(AllianceScopedAdmin, admin.ModelAdmin):
    people_path = "user"
    list_display = ["user", "language"]
    search_fields = ["user__username"]
    list_select_related = ["user"]
