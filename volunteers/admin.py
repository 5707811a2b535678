"""Admin for events, registrations and service records; rosters export to CSV/Excel.

Capacity and hours changes go through the services: registrations are read-only here except
for the check-in action, and hours are corrected on the correction page (with a reason)."""

from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _
from import_export import fields, resources
from import_export.admin import ExportMixin

from alliance.admin_scope import AllianceScopedAdmin
from volunteers import services
from volunteers.models import Event, HoursCorrection, Registration, ServiceRecord


class RosterResource(resources.ModelResource):
    event = fields.Field(attribute="event__title", column_name=_("活动"))
    member = fields.Field(attribute="member__name", column_name=_("姓名"))
    state = fields.Field(attribute="get_state_display", column_name=_("状态"))
    position = fields.Field(attribute="position", column_name=_("候补序号"))
    created_at = fields.Field(attribute="created_at", column_name=_("报名时间"))

    class Meta:
        model = Registration
        fields = ("event", "member", "state", "position", "created_at")
        export_order = fields

    def get_queryset(self):
        return super().get_queryset().select_related("event", "member")


class ServiceRecordResource(resources.ModelResource):
    member = fields.Field(attribute="member__name", column_name=_("姓名"))
    event = fields.Field(attribute="event__title", column_name=_("活动"))
    hours = fields.Field(attribute="hours", column_name=_("时长（小时）"))
    verified = fields.Field(attribute="verified", column_name=_("已核实"))
    created_at = fields.Field(attribute="created_at", column_name=_("记录时间"))

    class Meta:
        model = ServiceRecord
        fields = ("member", "event", "hours", "verified", "created_at")
        export_order = fields


class RegistrationInline(AllianceScopedAdmin, admin.TabularInline):
    alliance_path = "event__alliance"
    model = Registration
    extra = 0
    fields = ("member", "state", "position", "created_at")
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Event)
class EventAdmin(AllianceScopedAdmin, admin.ModelAdmin):
    list_display = ("title", "kind", "start", "end", "capacity", "visibility", "status")
    list_filter = ("status", "kind", "visibility",
                   ("organizers", admin.RelatedOnlyFieldListFilter))
    search_fields = ("title",)
    date_hierarchy = "start"
    filter_horizontal = ("organizers",)
    list_select_related = ("venue",)
    inlines = [RegistrationInline]
    actions = ["mark_completed"]

    @admin.action(description=_("标记为已结束"))
    def mark_completed(self, request, queryset):
        for pk in queryset.values_list("pk", flat=True):
            services.complete_event(event_id=pk)
        messages.success(request, _("已更新。"))


@admin.register(Registration)
class RegistrationAdmin(AllianceScopedAdmin, ExportMixin, admin.ModelAdmin):
    alliance_path = "event__alliance"
    resource_classes = [RosterResource]
    list_display = ("event", "member", "state", "position", "created_at")
    list_filter = ("state", "event__kind")
    search_fields = ("event__title", "member__name")
    list_select_related = ("event", "member")
    readonly_fields = ("event", "member", "state", "position", "created_at")
    actions = ["mark_attended"]

    def has_add_permission(self, request):
        return False

    @admin.action(description=_("签到（按活动时长计入时长）"))
    def mark_attended(self, request, queryset):
        by_event = {}
        for pk, event_id in queryset.values_list("pk", "event_id"):
            by_event.setdefault(event_id, []).append(pk)
        for event_id, ids in by_event.items():
            try:
                services.check_in(event_id=event_id, registration_ids=ids, actor=request.user)
            except services.EventError as error:
                messages.error(request, error.message)


class CorrectionInline(AllianceScopedAdmin, admin.TabularInline):
    alliance_path = "record__member__alliance"
    model = HoursCorrection
    extra = 0
    readonly_fields = ("old_hours", "new_hours", "reason", "author", "created_at")
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(ServiceRecord)
class ServiceRecordAdmin(AllianceScopedAdmin, ExportMixin, admin.ModelAdmin):
    alliance_path = "member__alliance"
    resource_classes = [ServiceRecordResource]
    list_display = ("member", "event", "hours", "verified", "created_at")
    list_filter = ("verified",)
    search_fields = ("member__name", "event__title")
    list_select_related = ("member", "event")
    inlines = [CorrectionInline]

    def get_readonly_fields(self, request, obj=None):
        # hours change only through the correction page, which records the reason
        return ("hours", "created_at") if obj else ("created_at",)
