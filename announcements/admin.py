from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from alliance.admin_scope import AllianceScopedAdmin
from announcements.models import Announcement, Attachment
from announcements.rendering import render_markdown


class AttachmentInline(AllianceScopedAdmin, admin.TabularInline):
    alliance_path = "announcement__alliance"
    model = Attachment
    extra = 1


@admin.register(Announcement)
class AnnouncementAdmin(AllianceScopedAdmin, admin.ModelAdmin):
    list_display = ["title", "kind", "audience", "publish_at", "pinned", "status"]
    list_filter = ["kind", "audience", "pinned"]
    search_fields = ["title", "body"]
    date_hierarchy = "publish_at"
    filter_horizontal = ["units"]
    readonly_fields = ["preview", "links"]
    inlines = [AttachmentInline]
    fieldsets = [
        (None, {"fields": ["alliance", "title", "kind", "audience", "units", "publish_at",
                           "pinned", "cover"]}),
        (_("正文"), {"fields": ["body", "preview", "links"]}),
    ]

    class Media:
        js = ["announcements/admin_preview.js"]

    def get_urls(self):
        preview = path("preview/", self.admin_site.admin_view(self.preview_view),
                       name="announcements_announcement_preview")
        return [preview, *super().get_urls()]

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        attrs = form.base_fields["body"].widget.attrs
        attrs["data-preview-url"] = reverse("admin:announcements_announcement_preview")
        attrs["data-preview-label"] = _("预览正文")
        return form

    @staticmethod
    @require_POST
    def _preview(request):
        return HttpResponse(render_markdown(request.POST.get("body", "")),
                            content_type="text/html; charset=utf-8")

    def preview_view(self, request):
        """The body as members will see it, rendered and sanitized, before saving."""
        if not (self.has_add_permission(request) or self.has_change_permission(request)):
            raise PermissionDenied
        return self._preview(request)

    @admin.display(description=_("状态"))
    def status(self, obj):
        return _("已发布") if obj.is_published else _("定时发布")

    @admin.display(description=_("预览（保存后更新，已过滤不安全内容）"))
    def preview(self, obj):
        # Rendered from the stored body with the same sanitizer the public pages use.
        html = render_markdown(obj.body) if obj and obj.pk else ""
        return mark_safe(f'<div class="announcement-preview">{html}</div>')  # noqa: S308  # nosec B308 B703

    @admin.display(description=_("链接"))
    def links(self, obj):
        if not obj or not obj.pk:
            return "-"
        parts = [format_html('<a href="{}" target="_blank">{}</a>', obj.get_absolute_url(),
                             _("在网站上查看"))]
        if obj.tracks_reads:
            parts.append(format_html('<a href="{}">{}</a>',
                                     reverse("announcements:reads", args=[obj.pk]),
                                     _("阅读情况")))
        # each part comes from format_html
        return mark_safe(" · ".join(str(p) for p in parts))  # noqa: S308  # nosec B308 B703

    def save_model(self, request, obj, form, change):
        if not change and not obj.author_id:
            obj.author = request.user
        super().save_model(request, obj, form, change)
