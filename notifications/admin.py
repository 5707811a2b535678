from django.contrib import admin

from notifications.models import Delivery, Notification


class DeliveryInline(admin.TabularInline):
    model = Delivery
    extra = 0
    readonly_fields = ["channel", "state", "attempts", "last_error", "next_attempt_at", "sent_at"]
    can_delete = False


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ["subject", "recipient", "kind", "created_at", "read_at"]
    list_filter = ["kind"]
    search_fields = ["subject", "dedup_key", "recipient__username"]
    list_select_related = ["recipient"]
    readonly_fields = ["dedup_key", "created_at"]
    inlines = [DeliveryInline]
