from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin
from django.utils.translation import gettext_lazy as _
from import_export import resources
from import_export.admin import ImportExportModelAdmin

from alliance.admin_scope import AllianceScopedAdmin
from alliance.models import (
    Alliance,
    CompositionTarget,
    Member,
    Membership,
    StaffRole,
    Unit,
    UnityBuilding,
    Venue,
)


class CompositionTargetInline(AllianceScopedAdmin, admin.TabularInline):
    model = CompositionTarget
    extra = 0


@admin.register(Alliance)
class AllianceAdmin(AllianceScopedAdmin, admin.ModelAdmin):
    list_display = ["name", "subdistrict", "host", "founded", "composition_summary", "is_demo"]

    def get_readonly_fields(self, request, obj=None):
        """The host name decides which alliance a request shows, and the slug names the
        default: only admins change them."""
        fields = list(super().get_readonly_fields(request, obj))
        if self.alliance_scope(request) is not None:
            fields += ["host", "slug"]
        return fields

    def get_prepopulated_fields(self, request, obj=None):
        if self.alliance_scope(request) is not None:
            return {}
        return super().get_prepopulated_fields(request, obj)
    prepopulated_fields = {"slug": ["short_name"]}
    inlines = [CompositionTargetInline]

    @admin.display(description=_("构成对照"))
    def composition_summary(self, obj):
        return "，".join(f"{r['label']} {r['actual']}/{r['target']}" for r in obj.composition())


class UnitResource(resources.ModelResource):
    class Meta:
        model = Unit
        fields = ["id", "alliance", "kind", "name", "short_name", "slug", "parent", "address",
                  "description", "is_active", "order"]


class MembershipInline(AllianceScopedAdmin, admin.TabularInline):
    alliance_path = "unit__alliance"
    model = Membership
    extra = 1
    autocomplete_fields = ["member", "unit"]


@admin.register(Unit)
class UnitAdmin(AllianceScopedAdmin, ImportExportModelAdmin):
    resource_classes = [UnitResource]
    list_display = ["name", "kind", "parent", "member_count", "is_active", "order"]
    list_filter = ["kind", "is_active", ("alliance", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["name", "short_name", "slug"]
    list_select_related = ["parent"]
    prepopulated_fields = {"slug": ["name"]}
    autocomplete_fields = ["parent"]
    inlines = [MembershipInline]

    def get_queryset(self, request):
        from django.db.models import Count

        return super().get_queryset(request).annotate(n_members=Count("memberships"))

    @admin.display(description=_("成员数"), ordering="n_members")
    def member_count(self, obj):
        return obj.n_members


class MemberResource(resources.ModelResource):
    """The admins' import and export, by ids and codes. Staff use the portal's roster page
    (/alliance/roster/: Chinese headers, labels, units by name); this one at least refuses
    what the model refuses (a label such as 归侨侨眷 in place of a code, a bad e-mail) as a
    row error, instead of taking it or failing on the database."""

    class Meta:
        model = Member
        fields = ["id", "alliance", "name", "identity", "phone", "email", "joined", "is_active"]
        clean_model_instances = True


@admin.register(Member)
class MemberAdmin(AllianceScopedAdmin, ImportExportModelAdmin):
    resource_classes = [MemberResource]
    # A link to the portal's roster page for staff; import-export adds its buttons to it.
    change_list_template = "admin/alliance/member/change_list.html"
    list_display = ["name", "identity", "masked_phone", "user", "is_active"]
    list_filter = ["identity", "is_active", "units__kind"]
    search_fields = ["name", "phone", "email", "user__username"]
    list_select_related = ["user"]
    autocomplete_fields = ["user"]
    inlines = [MembershipInline]
    actions = ["create_accounts"]

    def get_readonly_fields(self, request, obj=None):
        fields = super().get_readonly_fields(request, obj)
        # Linking an account names any person of the deployment (another alliance's staff,
        # the district role): admins only. Coordinators open accounts with the action below.
        if self.alliance_scope(request) is not None:
            return (*fields, "user")
        return fields

    @admin.action(description=_("为所选成员开通登录账号"))
    def create_accounts(self, request, queryset):
        from alliance.services import create_member_accounts

        created = create_member_accounts(members=list(queryset))
        self.message_user(request, _("已为 %(n)d 名成员开通账号；成员可通过“忘记密码”用邮箱设置密码。")
                          % {"n": len(created)})

    @admin.display(description=_("手机号"))
    def masked_phone(self, obj):
        return obj.masked_phone


@admin.register(Venue)
class VenueAdmin(AllianceScopedAdmin, admin.ModelAdmin):
    list_display = ["name", "kind", "address", "opening_hours"]
    list_filter = ["kind"]
    search_fields = ["name", "address"]
    filter_horizontal = ["units"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(UnityBuilding)
class UnityBuildingAdmin(AllianceScopedAdmin, ImportExportModelAdmin):
    list_display = ["community", "building", "plaque_date", "status", "households"]
    list_filter = ["status", "community"]
    search_fields = ["community", "building", "ethnic_groups"]
    date_hierarchy = "plaque_date"


@admin.register(StaffRole)
class StaffRoleAdmin(AllianceScopedAdmin, admin.ModelAdmin):
    list_display = ["user", "alliance", "role"]
    list_filter = ["role", "alliance"]
    search_fields = ["user__username", "user__first_name", "user__last_name"]
    list_select_related = ["user", "alliance"]
    autocomplete_fields = ["user"]


class StaffRoleInline(AllianceScopedAdmin, admin.TabularInline):
    """The roles an account holds, alliance by alliance, on the account's own page."""

    model = StaffRole
    extra = 1
    verbose_name = _("工作人员角色（按联盟）")
    verbose_name_plural = _("工作人员角色（按联盟）")


class PortalUserAdmin(AllianceScopedAdmin, UserAdmin):
    """Accounts: a coordinator given access sees their alliances' people only."""

    people_path = "pk"
    inlines = [*UserAdmin.inlines, StaffRoleInline]


admin.site.unregister(get_user_model())
admin.site.register(get_user_model(), PortalUserAdmin)
