"""The Django admin site of the portal: admins, and coordinators for their alliances' data.

A coordinator needs no ``is_staff`` flag that could outlive the role: the site lets in whoever
coordinates an alliance now, and what they may do there are the model permissions the rules
give the coordinator role (alliance.rules.admin_perms), on the rows of the alliances they
coordinate (alliance.admin_scope).
"""

import rules
from django.contrib import admin
from django.contrib.admin.apps import AdminConfig
from django.utils.translation import gettext_lazy as _

from alliance.roles import coordinated_alliance_ids


def may_use_admin(user):
    if not (user.is_active and user.is_authenticated):
        return False
    if user.is_staff:
        return True
    coordinated = coordinated_alliance_ids(user)
    return coordinated is None or bool(coordinated)


# The header's link to the admin, for whoever the site lets in.
rules.add_perm("portal.use_admin", rules.predicate(may_use_admin))


class PortalAdminSite(admin.AdminSite):
    # The admin serves every alliance of the deployment: it names none of them.
    site_header = _("同心统战大联盟 · 管理后台")
    site_title = _("联盟管理")
    index_title = _("数据管理")

    def has_permission(self, request):
        return may_use_admin(request.user)


class PortalAdminConfig(AdminConfig):
    default_site = "yichuan.admin.PortalAdminSite"
