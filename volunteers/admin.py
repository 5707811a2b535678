"""Admin for events, registrations and service records; rosters export to CSV/Excel.

Capacity and hours changes go through the services: registrations are read-only here except
for the check-in action, and hours are corrected on the correction page (with a reason)."""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.helpers import ActionForm
from django.utils.translation import gettext_lazy as _
from import_export import fields, resources
from import_export.admin import ExportMixin

from alliance.admin_scope import AllianceScopedAdmin
from volunteers import services
from volunteers.forms import EventAdminForm
from volunteers.models import Certificate, Event, HoursCorrection, Registration, ServiceRecord


class ReasonActionForm(ActionForm):
    """An action that tells people why (revoking a certificate, cancelling an event)."""

    reason = forms.CharField(label=_("原因"), max_length=200, required=False)


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
    """Events are saved, published, cancelled and completed by the same services as the
    portal's event form: a raised capacity seats the waiting list, a move or a cancellation
    tells everyone registered or waiting."""

    form = EventAdminForm
    list_display = ("title", "kind", "start", "end", "capacity", "visibility", "status")
    list_filter = ("status", "kind", "visibility",
                   ("organizers", admin.RelatedOnlyFieldListFilter))
    search_fields = ("title",)
    date_hierarchy = "start"
    filter_horizontal = ("organizers",)
    list_select_related = ("venue",)
    inlines = [RegistrationInline]
    action_form = ReasonActionForm
    actions = ["publish", "cancel", "mark_completed"]

    def get_readonly_fields(self, request, obj=None):
        if obj is not None and services.editing_refusal(obj):
            return ("alliance", "status", "organizers", *services.EDITABLE)
        return ("alliance", "status") if obj else ("status",)

    def save_model(self, request, obj, form, change):
        fields = {name: form.cleaned_data[name] for name in services.EDITABLE}
        organizers = form.cleaned_data["organizers"]
        try:
            if change:
                _event, promoted, told = services.update_event(
                    event_id=obj.pk, actor=request.user, organizers=organizers, **fields)
                if promoted:
                    messages.info(request, _("已按顺序为 %(n)s 名候补人员转正并通知。")
                                  % {"n": len(promoted)})
                if told:
                    messages.info(request, _("已通知 %(n)s 名报名和候补人员活动变更。")
                                  % {"n": told})
            else:
                created = services.create_event(alliance=form.cleaned_data["alliance"],
                                                actor=request.user, organizers=organizers,
                                                **fields)
                # The admin goes on with ``obj`` (its organizers, the log, the redirect).
                obj.pk, obj.status = created.pk, created.status
                obj._state.adding, obj._state.db = False, created._state.db
        except services.EventError as error:
            # The form said what it could; what the lock found (a seat taken meanwhile) is
            # said here, and the organizers are not saved around the service either.
            form.refused = True
            messages.error(request, error.message)

    def save_related(self, request, form, formsets, change):
        if not getattr(form, "refused", False):
            super().save_related(request, form, formsets, change)

    @admin.action(description=_("发布"))
    def publish(self, request, queryset):
        self._each(request, queryset, lambda pk: services.publish_event(
            event_id=pk, actor=request.user))

    @admin.action(description=_("取消活动（填写原因，通知报名和候补人员）"))
    def cancel(self, request, queryset):
        reason = request.POST.get("reason", "")
        self._each(request, queryset, lambda pk: services.cancel_event(
            event_id=pk, actor=request.user, reason=reason))

    @admin.action(description=_("标记为已结束"))
    def mark_completed(self, request, queryset):
        self._each(request, queryset, lambda pk: services.complete_event(
            event_id=pk, actor=request.user))

    def _each(self, request, queryset, change):
        done = 0
        for pk in queryset.values_list("pk", flat=True):
            try:
                change(pk)
            except services.EventError as error:
                messages.error(request, error.message)
            else:
                done += 1
        if done:
            messages.success(request, _("已更新 %(n)s 场活动。") % {"n": done})


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


@admin.register(Certificate)
class CertificateAdmin(AllianceScopedAdmin, admin.ModelAdmin):
    """Certificates are issued by the service and never edited or deleted (a printed serial
    always answers); the one change is revoking, with a reason, through the service."""

    list_display = ("serial", "member_name", "period_start", "period_end", "total_hours",
                    "issued_at", "revoked_at")
    list_filter = (("revoked_at", admin.EmptyFieldListFilter),)
    search_fields = ("serial", "member_name")
    list_select_related = ("alliance",)
    date_hierarchy = "issued_at"
    readonly_fields = ("serial", "alliance", "member", "member_name", "period_start",
                       "period_end", "total_hours", "entries", "issued_at", "issued_by",
                       "revoked_at", "revoked_by", "revoke_reason")
    fields = readonly_fields
    action_form = ReasonActionForm
    actions = ["revoke"]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.action(description=_("撤销所选证明（请在上方填写撤销原因）"))
    def revoke(self, request, queryset):
        reason = request.POST.get("reason", "")
        for pk in queryset.filter(revoked_at__isnull=True).values_list("pk", flat=True):
            try:
                services.revoke_certificate(certificate_id=pk, actor=request.user,
                                            reason=reason)
            except services.EventError as error:
                messages.error(request, error.message)
                return
        messages.success(request, _("已撤销。"))
