from django.contrib import admin
from django.urls import include, path

from alliance import views as alliance_views
from audit import views as audit_views
from dashboard import views as dashboard_views
from volunteers import urls as volunteer_urls
from yichuan import mfa, session, views

urlpatterns = [
    path("", alliance_views.home, name="home"),
    # Two-step verification is offered to staff only (yichuan/mfa.py): these three shadow
    # allauth's routes of the same path and name, which allauth.urls below still lists.
    path("accounts/2fa/", mfa.index, name="mfa_index"),
    path("accounts/2fa/totp/activate/", mfa.activate_totp, name="mfa_activate_totp"),
    path("accounts/2fa/recovery-codes/generate/", mfa.generate_recovery_codes,
         name="mfa_generate_recovery_codes"),
    path("accounts/", include("allauth.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("alliance/", include("alliance.urls")),
    path("suggestions/", include("proposals.urls")),
    path("events/", include("volunteers.urls")),
    # DESIGN §6: the public verification of a 志愿服务记录证明, and its printable page.
    path("certificates/", include((volunteer_urls.certificate_urlpatterns, "certificates"))),
    path("announcements/", include("announcements.urls")),
    path("senior-mode/", views.switch_senior_mode, name="senior_mode"),
    path("me/", views.me, name="me"),
    # 继续 in the staff idle-timeout warning (yichuan/session.py).
    path("session/keepalive/", session.keepalive, name="session_keepalive"),
    path("me/", include("notifications.urls")),
    path("dashboard/", include("dashboard.urls")),
    path("district/", dashboard_views.district, name="district"),
    path("district/export.xlsx", dashboard_views.district_export, name="district_export"),
    path("admin/", admin.site.urls),
    path("healthz", views.healthz, name="healthz"),
    path("audit/", audit_views.audit_log, name="audit_log"),
]

# The admin's password-only login refuses accounts with a second factor (yichuan/mfa.py).
admin.site.login_form = mfa.AdminLoginForm
