"""Admin for categories and calendar overrides; suggestions are read-mostly, and their
transitions are admin actions that call the same services as the pages."""

from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _

from alliance.admin_scope import AllianceScopedAdmin

from . import services
from .models import (
    Assignment,
    Attachment,
    CalendarOverride,
    Category,
    Feedback,
    Suggestion,
    SuggestionUpdate,
)


@admin.register(Category)
class CategoryAdmin(AllianceScopedAdmin, admin.ModelAdmin):
    list_display = ["name", "alliance", "default_lead_unit", "accept_days", "reply_days",
                    "progress_days", "feedback_days", "is_active", "order"]
    list_editable = ["order", "is_active"]
    list_select_related = ["alliance", "default_lead_unit"]
    autocomplete_fields = ["default_lead_unit"]


@admin.register(CalendarOverride)
class CalendarOverrideAdmin(admin.ModelAdmin):
    list_display = ["date", "is_working_day", "note"]
    list_filter = ["is_working_day"]
    date_hierarchy = "date"


class ReadOnlyInline(AllianceScopedAdmin, admin.TabularInline):
    alliance_path = "suggestion__alliance"
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class UpdateInline(ReadOnlyInline):
    model = SuggestionUpdate
    fields = readonly_fields = ["created_at", "kind", "author", "unit", "text", "is_public"]


class FeedbackInline(ReadOnlyInline):
    model = Feedback
    fields = readonly_fields = ["created_at", "author", "rating", "comment"]


class AssignmentInline(ReadOnlyInline):
    model = Assignment
    fields = readonly_fields = ["unit", "done"]


class AttachmentInline(ReadOnlyInline):
    model = Attachment
    fields = readonly_fields = ["original_name", "content_type", "size", "entry", "is_public",
                                "uploaded_by", "created_at"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("entry", "uploaded_by")


def _run(modeladmin, request, queryset, call, done_message):
    done = 0
    for suggestion in queryset:
        try:
            call(request.user, suggestion)
            done += 1
        except services.TransitionError as error:
            modeladmin.message_user(request, f"{suggestion.tracking_number}：{error}",
                                    messages.ERROR)
    if done:
        modeladmin.message_user(request, done_message % {"n": done}, messages.SUCCESS)


@admin.action(description=_("超过反馈期限，按未反馈办结"))
def auto_close(modeladmin, request, queryset):
    _run(modeladmin, request, queryset,
         lambda user, s: services.auto_close_no_response(suggestion_id=s.pk),
         _("已办结 %(n)d 条建言。"))


@admin.action(description=_("办结（二次办理后仍不满意）"))
def close(modeladmin, request, queryset):
    _run(modeladmin, request, queryset,
         lambda user, s: services.close_suggestion(actor=user, suggestion=s,
                                                   note=str(_("由管理员在后台办结。"))),
         _("已办结 %(n)d 条建言。"))


@admin.action(description=_("取消金点子"))
def unmark_golden(modeladmin, request, queryset):
    _run(modeladmin, request, queryset,
         lambda user, s: services.mark_golden(actor=user, suggestion=s, summary="",
                                              golden=False),
         _("已取消 %(n)d 条金点子。"))


@admin.action(description=_("延长当前期限 5 个工作日"))
def extend_five(modeladmin, request, queryset):
    _run(modeladmin, request, queryset,
         lambda user, s: services.extend_deadline(actor=user, suggestion=s, days=5,
                                                  reason=str(_("管理员在后台延期。"))),
         _("已延期 %(n)d 条建言。"))


@admin.register(Suggestion)
class SuggestionAdmin(AllianceScopedAdmin, admin.ModelAdmin):
    list_display = ["tracking_number", "title", "state", "category", "handler", "lead_unit",
                    "submitted_at", "accept_due", "reply_due", "outcome_grade", "is_golden"]
    list_filter = ["state", ("category", admin.RelatedOnlyFieldListFilter), "channel",
                   "outcome_grade", "is_golden",
                   "not_implemented", "closed_no_response"]
    list_select_related = ["category", "handler", "lead_unit"]
    search_fields = ["tracking_number", "title"]
    date_hierarchy = "submitted_at"
    inlines = [AssignmentInline, UpdateInline, FeedbackInline, AttachmentInline]
    actions = [auto_close, close, extend_five, unmark_golden]
    # Only the public wording is edited here; everything else changes through services.
    fields = ["tracking_number", "alliance", "title", "content", "category", "channel",
              "submitter", "recorded_by", "credit_publicly", "state", "handler", "lead_unit",
              "merged_into", "submitted_at", "accepted_at", "replied_at", "implemented_at",
              "closed_at", "accept_due", "reply_due", "progress_due", "feedback_due",
              "reopened_count", "awaiting_coordinator", "outcome_grade", "not_implemented",
              "closed_no_response", "is_golden", "golden_summary"]
    readonly_fields = [f for f in fields if f not in ("golden_summary",)]

    def get_queryset(self, request):
        return (super().get_queryset(request).visible_to(request.user)
                .select_related("category", "handler", "lead_unit"))

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
