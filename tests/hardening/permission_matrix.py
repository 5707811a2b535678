"""The permission matrix: for every URL pattern of the portal, the status each visitor gets
for GET and for POST. tests/hardening/test_permission_matrix.py walks the URLconf and
checks every pattern against this table; a pattern with no row here fails that test.

Columns, in this order (tests/hardening/matrix_world.py builds them):
  anonymous · member (owns the suggestions, is registered for the event) · other_member
  (same alliance, owns only a suggestion of their own) · liaison (联络员 of the unit that
  leads the suggestion and organizes the event) · handler (the suggestion's 承办人) ·
  coordinator (统战办, Django staff) · admin (superuser)

Statuses: a number is the HTTP status; ``LOGIN`` is a 302 to the portal login page,
``ADMIN_LOGIN`` a 302 to the Django admin login; a plain 302 is a redirect anywhere else.
DESIGN §6: someone who may not see an object gets 404. Every POST carries the extra fields
``state=closed``, ``handler=<the handler>``, ``is_staff=on``, which must change nothing.

URL arguments name a value of the matrix world (``"suggestion"`` is the tracking number of
member's accepted suggestion); ``"=text"`` is the literal text.
"""

from dataclasses import dataclass, field

LOGIN = "login"
ADMIN_LOGIN = "admin-login"
ROLES = ("anonymous", "member", "other_member", "liaison", "handler", "coordinator", "admin")


@dataclass(frozen=True)
class Row:
    route: str
    get: tuple
    post: tuple
    args: dict = field(default_factory=dict)
    variant: str = ""
    data: dict = field(default_factory=dict)
    # role → {world suggestion: state it legitimately reaches by this POST}
    changes: dict = field(default_factory=dict)


def every(status):
    return (status,) * len(ROLES)


def signed_in(status, anonymous=LOGIN):
    return (anonymous,) + (status,) * (len(ROLES) - 1)


def staff_admin(nonstaff, coordinator, admin):
    return (nonstaff,) * 5 + (coordinator, admin)


#                                     anon   member other liaison handler coord admin
ROWS = [
    Row("", get=every(200), post=every(405)),
    Row("healthz", get=every(200), post=every(405)),
    Row("audit/", get=(404, 404, 404, 404, 404, 200, 200), post=every(405)),
    Row("i18n/setlang/", get=every(302), post=every(302)),
    # 长辈模式 is for everyone, visitors included (yichuan/senior_mode.py).
    Row("senior-mode/", get=every(405), post=every(302)),

    # --- django-allauth ------------------------------------------------------------------
    Row("accounts/login/", get=(200,) + (302,) * 6, post=(200,) + (302,) * 6),
    Row("accounts/logout/", get=(302,) + (200,) * 6, post=every(302)),
    Row("accounts/inactive/", get=every(200), post=every(405)),
    # Sign-up is closed (yichuan.accounts.ClosedSignupAdapter): the page says so.
    Row("accounts/signup/", get=(200,) + (302,) * 6, post=(200,) + (302,) * 6),
    Row("accounts/reauthenticate/", get=signed_in(200), post=signed_in(200)),
    Row("accounts/reauthenticate/code/", get=signed_in(302), post=signed_in(302)),
    Row("accounts/reauthenticate/code/confirm/", get=signed_in(302), post=signed_in(302)),
    Row("accounts/email/", get=signed_in(200), post=signed_in(302)),
    Row("accounts/confirm-email/", get=every(200), post=every(405)),
    Row("accounts/^confirm-email/(?P<key>[-:\\w]+)/$", args={"key": "=no-such-key"},
        get=every(200), post=every(404)),
    Row("accounts/password/change/", get=signed_in(200), post=signed_in(200)),
    Row("accounts/password/set/", get=signed_in(302), post=signed_in(302)),
    Row("accounts/password/reset/", get=every(200), post=every(200)),
    Row("accounts/password/reset/done/", get=every(200), post=every(405)),
    Row("accounts/^password/reset/key/(?P<uidb36>[0-9A-Za-z]+)-(?P<key>.+)/$",
        args={"uidb36": "=1", "key": "=no-such-key"}, get=every(200), post=every(200)),
    Row("accounts/password/reset/key/done/", get=every(200), post=every(405)),
    Row("accounts/login/code/confirm/", get=signed_in(302), post=signed_in(302)),

    # --- two-step verification: staff only (yichuan/mfa.py), members get 404 --------------
    Row("accounts/2fa/", get=(LOGIN, 404, 404, 404, 200, 200, 200),
        post=(LOGIN, 404, 404, 404, 405, 405, 405)),
    # Enrolling asks for the password again first (302 to /accounts/reauthenticate/).
    Row("accounts/2fa/totp/activate/", get=(LOGIN, 404, 404, 404, 302, 302, 302),
        post=(LOGIN, 404, 404, 404, 302, 302, 302)),
    Row("accounts/2fa/recovery-codes/generate/", get=(LOGIN, 404, 404, 404, 302, 302, 302),
        post=(LOGIN, 404, 404, 404, 302, 302, 302)),
    # Nobody in the world is enrolled: the pages that need an authenticator answer 404.
    Row("accounts/2fa/totp/deactivate/", get=signed_in(404), post=signed_in(404)),
    Row("accounts/2fa/recovery-codes/", get=signed_in(404), post=signed_in(405)),
    Row("accounts/2fa/recovery-codes/download/", get=signed_in(404), post=signed_in(404)),
    # Only during a login that waits for the code; otherwise back to where one belongs.
    Row("accounts/2fa/authenticate/", get=signed_in(302), post=signed_in(302)),
    Row("accounts/2fa/reauthenticate/", get=signed_in(302), post=signed_in(302)),

    # --- alliance: public pages ----------------------------------------------------------
    Row("alliance/", get=every(200), post=every(405)),
    Row("alliance/units/<slug:slug>/", args={"slug": "unit"}, get=every(200),
        post=every(405)),
    Row("alliance/venues/", get=every(200), post=every(405)),
    Row("alliance/buildings/", get=every(200), post=every(405)),
    # Staff of several alliances choose one; an alliance not given (or not theirs) is 404.
    Row("alliance/switch/", get=signed_in(405), post=signed_in(404)),
    # The roster in and out of Excel: the alliance's coordinators only, like the dashboard.
    # An empty upload comes back with its error; a confirm with nothing previewed goes
    # back to the roster page.
    Row("alliance/roster/", get=(404, 404, 404, 404, 404, 200, 200),
        post=(404, 404, 404, 404, 404, 200, 200)),
    Row("alliance/roster/template.xlsx", get=(404, 404, 404, 404, 404, 200, 200),
        post=every(405)),
    Row("alliance/roster/export.xlsx", get=(404, 404, 404, 404, 404, 200, 200),
        post=every(405)),
    Row("alliance/roster/confirm/", get=every(405),
        post=(404, 404, 404, 404, 404, 302, 302)),

    # --- 直通车 ---------------------------------------------------------------------------
    Row("suggestions/", get=signed_in(200), post=signed_in(405)),
    # An empty form comes back with its errors; nothing is submitted.
    Row("suggestions/new/", get=signed_in(200), post=signed_in(200)),
    Row("suggestions/new/similar/", get=signed_in(200), post=signed_in(405)),
    Row("suggestions/golden/", get=every(200), post=every(405)),
    Row("suggestions/<slug:tracking_number>/", args={"tracking_number": "suggestion"},
        get=(LOGIN, 200, 404, 200, 200, 200, 200), post=signed_in(405)),
    Row("suggestions/<slug:tracking_number>/", variant="another member's",
        args={"tracking_number": "others_suggestion"},
        get=(LOGIN, 404, 200, 404, 404, 200, 200), post=signed_in(405)),
    Row("suggestions/<slug:tracking_number>/attachments/<int:pk>/",
        args={"tracking_number": "suggestion", "pk": "suggestion_attachment"},
        get=(LOGIN, 200, 404, 200, 200, 200, 200), post=signed_in(405)),
    # Evidence on the suggestion's timeline: public evidence for all who may read it;
    # internal evidence for staff and the lead unit's liaison only, never the submitter.
    Row("suggestions/<slug:tracking_number>/attachments/<int:pk>/", variant="public evidence",
        args={"tracking_number": "suggestion", "pk": "public_evidence"},
        get=(LOGIN, 200, 404, 200, 200, 200, 200), post=signed_in(405)),
    Row("suggestions/<slug:tracking_number>/attachments/<int:pk>/",
        variant="internal evidence",
        args={"tracking_number": "suggestion", "pk": "internal_evidence"},
        get=(LOGIN, 404, 404, 200, 200, 200, 200), post=signed_in(405)),
    # Someone else's attachment id under a suggestion one may see.
    Row("suggestions/<slug:tracking_number>/attachments/<int:pk>/", variant="foreign id",
        args={"tracking_number": "suggestion", "pk": "others_attachment"},
        get=signed_in(404), post=signed_in(405)),
    # Actions the workflow table does not allow now redirect back with a message.
    Row("suggestions/<slug:tracking_number>/<slug:action>/", variant="reply",
        args={"tracking_number": "suggestion", "action": "=reply"},
        data={"text": "已协调物业，下月安装。"},
        get=signed_in(405), post=(LOGIN, 302, 404, 302, 302, 302, 302),
        changes={"handler": {"suggestion": "replied"}}),
    Row("suggestions/<slug:tracking_number>/<slug:action>/", variant="withdraw",
        args={"tracking_number": "submitted_suggestion", "action": "=withdraw"},
        get=signed_in(405), post=(LOGIN, 302, 404, 404, 404, 302, 302),
        changes={"member": {"submitted_suggestion": "withdrawn"}}),
    Row("suggestions/<slug:tracking_number>/<slug:action>/", variant="unknown action",
        args={"tracking_number": "suggestion", "action": "=no-such-action"},
        get=signed_in(405), post=signed_in(404)),

    # --- events and volunteer hours (the event is for members only) ---------------------
    Row("events/", get=every(200), post=every(405)),
    Row("events/feed.ics", get=every(200), post=every(405)),
    # The token in the address is the credential (a calendar app cannot log in).
    Row("events/feed/<slug:token>.ics", args={"token": "feed_token"}, get=every(200),
        post=every(405)),
    # Staff without a member record have no feed to reset.
    Row("events/feed/reset/", get=every(405), post=(LOGIN, 302, 302, 302, 404, 404, 404)),
    # Coordinators and the organizing unit's liaison run events; the POST without the
    # form's fields is shown again with its errors.
    Row("events/new/", get=(LOGIN, 404, 404, 200, 404, 200, 200),
        post=(LOGIN, 404, 404, 200, 404, 200, 200)),
    Row("events/<int:pk>/edit/", args={"pk": "event"},
        get=(LOGIN, 404, 404, 200, 404, 200, 200), post=(LOGIN, 404, 404, 200, 404, 200, 200)),
    Row("events/<int:pk>/", args={"pk": "event"}, get=(404,) + (200,) * 6,
        post=every(405)),
    # Staff without a member record are told they cannot register.
    Row("events/<int:pk>/register/", args={"pk": "event"}, get=every(405),
        post=(404,) + (302,) * 6),
    Row("events/<int:pk>/cancel/", args={"pk": "event"}, get=every(405),
        post=(LOGIN, 302, 404, 404, 404, 404, 404)),
    Row("events/<int:pk>/attendance/", args={"pk": "event"},
        get=(LOGIN, 404, 404, 200, 200, 200, 200),
        post=(LOGIN, 404, 404, 302, 302, 302, 302)),
    Row("events/hours/<int:pk>/correct/", args={"pk": "service_record"},
        get=(LOGIN, 404, 404, 404, 200, 200, 200),
        post=(LOGIN, 404, 404, 404, 200, 200, 200)),
    Row("events/hours/member/<int:member_id>/", args={"member_id": "member_id"},
        get=(LOGIN, 200, 404, 404, 200, 200, 200), post=signed_in(405)),
    Row("events/hours/member/<int:member_id>/", variant="another member's",
        args={"member_id": "others_member_id"},
        get=(LOGIN, 404, 200, 404, 200, 200, 200), post=signed_in(405)),
    # 志愿服务记录证明: the member issues their own, staff one for any member; an empty
    # period comes back with its errors.
    Row("events/hours/member/<int:member_id>/certificate/", args={"member_id": "member_id"},
        get=(LOGIN, 200, 404, 404, 200, 200, 200), post=(LOGIN, 200, 404, 404, 200, 200, 200)),
    Row("events/hours/member/<int:member_id>/certificate/", variant="another member's",
        args={"member_id": "others_member_id"},
        get=(LOGIN, 404, 200, 404, 200, 200, 200), post=(LOGIN, 404, 200, 404, 200, 200, 200)),
    # A member asks for their own record to be corrected (staff correct it directly); the
    # empty form comes back with its errors.
    Row("events/hours/<int:pk>/request-correction/", args={"pk": "service_record"},
        get=(LOGIN, 200, 404, 404, 404, 404, 404), post=(LOGIN, 200, 404, 404, 404, 404, 404)),
    # The organizers decide: staff, and the liaison of the unit that organized the event.
    Row("events/hours/corrections/", get=(LOGIN, 404, 404, 200, 200, 200, 200),
        post=signed_in(405)),
    Row("events/hours/corrections/<int:pk>/", args={"pk": "correction_request"},
        get=(LOGIN, 404, 404, 200, 200, 200, 200), post=(LOGIN, 404, 404, 200, 200, 200, 200)),
    # The verification page the QR code opens is public; the printable certificate is the
    # member's and their alliance's staff's; its coordinators revoke it (with a reason). The
    # QR codes carry SITE_URL, the shared address, where a serial of any alliance answers
    # under its issuer's name; on another alliance's own host it is 404 like every object
    # there (test_alliances_apart; volunteers.views.certificate_verify says why).
    Row("certificates/<slug:serial>/", args={"serial": "certificate"}, get=every(200),
        post=every(405)),
    Row("certificates/<slug:serial>/", variant="unknown serial",
        args={"serial": "=YCZS-2026-AAAAAAAAAAAAAAAA"}, get=every(404), post=every(405)),
    Row("certificates/<slug:serial>/print/", args={"serial": "certificate"},
        get=(LOGIN, 200, 404, 404, 200, 200, 200), post=signed_in(405)),
    Row("certificates/<slug:serial>/revoke/", args={"serial": "certificate"},
        get=(LOGIN, 404, 404, 404, 404, 200, 200), post=(LOGIN, 404, 404, 404, 404, 200, 200)),

    # --- announcements (the announcement is for members; the QR code only for public ones)
    Row("announcements/", get=every(200), post=every(405)),
    Row("announcements/new/", get=(LOGIN, 404, 404, 404, 404, 200, 200),
        post=(LOGIN, 404, 404, 404, 404, 200, 200)),
    Row("announcements/feed/", get=every(200), post=every(405)),
    Row("announcements/feed/rss/", get=every(200), post=every(405)),
    Row("announcements/<int:pk>/", args={"pk": "announcement"}, get=(404,) + (200,) * 6,
        post=every(405)),
    Row("announcements/<int:pk>/print/", args={"pk": "announcement"},
        get=(404,) + (200,) * 6, post=every(405)),
    Row("announcements/<int:pk>/qr.<str:fmt>", args={"pk": "public_announcement",
                                                    "fmt": "=png"},
        get=every(200), post=every(405)),
    Row("announcements/<int:pk>/qr.<str:fmt>", variant="members only",
        args={"pk": "announcement", "fmt": "=svg"}, get=every(404), post=every(405)),
    Row("announcements/<int:pk>/cover/", args={"pk": "announcement"},
        get=(404,) + (200,) * 6, post=every(405)),
    Row("announcements/<int:pk>/attachments/<int:attachment_id>/",
        args={"pk": "announcement", "attachment_id": "announcement_attachment"},
        get=(404,) + (200,) * 6, post=every(405)),
    Row("announcements/<int:pk>/reads/", args={"pk": "announcement"},
        get=(LOGIN, 404, 404, 404, 404, 200, 200), post=signed_in(405)),
    Row("announcements/<int:pk>/reads/remind/", args={"pk": "announcement"},
        get=signed_in(405), post=(LOGIN, 404, 404, 404, 404, 302, 302)),

    # 继续 in the staff idle-timeout warning: counts as activity for whoever is signed in.
    Row("session/keepalive/", get=every(405), post=signed_in(200)),

    # --- the member area and the inbox (the notification is member's) --------------------
    Row("me/", get=signed_in(200), post=signed_in(405)),
    Row("me/notifications/", get=signed_in(200), post=signed_in(405)),
    Row("me/notifications/<int:pk>/open/", args={"pk": "notification"},
        get=signed_in(405), post=(LOGIN, 302, 404, 404, 404, 404, 404)),
    Row("me/notifications/read-all/", get=signed_in(405), post=signed_in(302)),
    # An empty form comes back with its errors.
    Row("me/notifications/preferences/", get=signed_in(200), post=signed_in(200)),
    Row("me/notifications/failed/", get=(LOGIN, 404, 404, 404, 404, 200, 200),
        post=(LOGIN, 404, 404, 404, 404, 302, 302)),

    # --- the coordinators' dashboard -----------------------------------------------------
    Row("dashboard/", get=(404, 404, 404, 404, 404, 200, 200), post=every(405)),
    Row("dashboard/export/statistics.xlsx", get=(404, 404, 404, 404, 404, 200, 200),
        post=every(405)),
    Row("dashboard/export/suggestions.<str:fmt>", args={"fmt": "=csv"},
        get=(404, 404, 404, 404, 404, 200, 200), post=every(405)),

    # --- the district role's page (superusers pass every permission) --------------------
    Row("district/", get=(404,) * 6 + (200,), post=every(405)),
    Row("district/export.xlsx", get=(404,) * 6 + (200,), post=every(405)),

    # --- Django admin: the site's own pages (the models' pages follow ADMIN_MODELS) -------
    Row("admin/", get=staff_admin(ADMIN_LOGIN, 200, 200),
        post=staff_admin(ADMIN_LOGIN, 200, 200)),
    Row("admin/login/", get=(200,) * 5 + (302, 302), post=every(200)),
    Row("admin/logout/", get=staff_admin(302, 405, 405), post=every(302)),
    Row("admin/password_change/", get=staff_admin(ADMIN_LOGIN, 200, 200),
        post=staff_admin(ADMIN_LOGIN, 200, 200)),
    Row("admin/password_change/done/", get=staff_admin(ADMIN_LOGIN, 200, 200),
        post=staff_admin(ADMIN_LOGIN, 405, 405)),
    Row("admin/autocomplete/", get=staff_admin(ADMIN_LOGIN, 403, 403),
        post=staff_admin(ADMIN_LOGIN, 405, 405)),
    Row("admin/jsi18n/", get=staff_admin(ADMIN_LOGIN, 200, 200),
        post=staff_admin(ADMIN_LOGIN, 405, 405)),
    Row("admin/r/<path:content_type_id>/<path:object_id>/",
        args={"content_type_id": "suggestion_type", "object_id": "suggestion_pk"},
        get=staff_admin(ADMIN_LOGIN, 302, 302), post=staff_admin(ADMIN_LOGIN, 302, 302)),
    # The coordinator keeps the categories of the proposals app, and nothing of auth.
    Row("admin/^(?P<app_label>auth|account|mfa|axes|alliance|proposals|volunteers|"
        "notifications|announcements|audit)/$", args={"app_label": "=proposals"},
        get=staff_admin(ADMIN_LOGIN, 200, 200), post=staff_admin(ADMIN_LOGIN, 200, 200)),
    Row("admin/^(?P<app_label>auth|account|mfa|axes|alliance|proposals|volunteers|"
        "notifications|announcements|audit)/$", variant="no permission there",
        args={"app_label": "=auth"},
        get=staff_admin(ADMIN_LOGIN, 404, 200), post=staff_admin(ADMIN_LOGIN, 404, 200)),
    Row("admin/(?P<url>.*)$", args={"url": "=no-such-page/"},
        get=staff_admin(ADMIN_LOGIN, 404, 404), post=staff_admin(ADMIN_LOGIN, 404, 404)),
]

# Later patterns with the same route as an earlier one never answer: the portal's
# two-step verification views (yichuan/urls.py) shadow allauth's of the same name.
SHADOWED = {
    "accounts/2fa/": "mfa_index",
    "accounts/2fa/totp/activate/": "mfa_activate_totp",
    "accounts/2fa/recovery-codes/generate/": "mfa_generate_recovery_codes",
}

# --- Django admin: every registered model -----------------------------------------------
# Pages of a model admin, by the last part of their route, and what the superuser gets for
# (GET, POST). "object" is the bare <object_id>/ address that redirects to change/.
# Visitors who run no alliance get ADMIN_LOGIN everywhere. The coordinator (without the staff
# flag: the admin lets in whoever coordinates) holds no model permission (403) except for the
# models listed in COORDINATOR_MODELS, where the rules give them what the superuser has, but
# for the pages in COORDINATOR_PAGES.
ADMIN_PAGES = {
    "changelist": (200, 200),
    "add": (200, 200),
    "change": (200, 200),
    "history": (200, 200),
    "delete": (200, 302),  # the POST is the confirmation: deleted, back to the list
    "object": (302, 302),
    "import": (200, 200),
    "process_import": (405, 200),
    "export": (200, 200),
    "preview": (405, 200),
    "password": (200, 200),
}

# Every registered model with the pages whose answer differs from ADMIN_PAGES.
READ_ONLY = {"add": (403, 403), "change": (200, 302)}  # axes keeps its own records
ADMIN_MODELS = {
    "auth.group": {},
    "auth.user": {"delete": (200, 200)},  # protected: their suggestions keep them
    "account.emailaddress": {},
    "mfa.authenticator": {},
    "axes.accessattempt": READ_ONLY,
    "axes.accesslog": READ_ONLY,
    "axes.accessfailurelog": READ_ONLY,
    "alliance.alliance": {"delete": (200, 200)},  # protected by its units and members
    "alliance.unit": {"delete": (200, 200)},
    "alliance.member": {},
    "alliance.venue": {},
    "alliance.unitybuilding": {},
    "alliance.staffrole": {},
    "proposals.category": {"delete": (200, 200)},
    "proposals.calendaroverride": {},
    # Suggestions change only through the workflow's services (admin actions call them).
    "proposals.suggestion": {"add": (403, 403), "delete": (403, 403)},
    "volunteers.event": {},
    "volunteers.registration": {"add": (403, 403), "change": (200, 302)},
    "volunteers.servicerecord": {},
    # Issued by the service, never edited or deleted; revoked by an admin action.
    "volunteers.certificate": {"add": (403, 403), "change": (200, 302),
                               "delete": (403, 403)},
    "notifications.notification": {},
    # Deliveries are written by the notification services; the admin only retries them.
    "notifications.delivery": {"add": (403, 403), "change": (200, 302)},
    "notifications.preference": {},
    "announcements.announcement": {},
    # The audit trail is read-only, for superusers too.
    "audit.auditentry": {"add": (403, 403), "change": (200, 403), "delete": (403, 403)},
}
COORDINATOR_MODELS = {"announcements.announcement", "alliance.unit", "alliance.member",
                      "alliance.venue", "alliance.unitybuilding", "proposals.category",
                      "volunteers.event"}
# Pages of those models where the coordinator gets other than the superuser (GET, POST): the
# admin's sheet import names alliances by id (the roster page is theirs); events are
# cancelled, not deleted; a member's deletion would take their registrations and hours with
# it, rows the coordinator may not delete, so the admin refuses the confirmation.
COORDINATOR_PAGES = {
    **{(label, page): (403, 403) if page == "import" else (405, 403)
       for label in ("alliance.unit", "alliance.member", "alliance.unitybuilding")
       for page in ("import", "process_import")},
    ("volunteers.event", "delete"): (403, 403),
    ("alliance.member", "delete"): (200, 403),
}
# Pages of a row that belongs to no alliance the coordinator administers (a failed sign-in of
# an unknown name): the admin answers "not found" (302 to its index) before it asks for a
# permission.
COORDINATOR_NOT_FOUND = {("audit.auditentry", "history")}
