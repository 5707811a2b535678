"""Settings shared by every environment; values come from the environment (12-factor).

local.py, test.py and production.py build on this module. Nothing here is secret: a
deployment sets DJANGO_SECRET_KEY, DATABASE_URL, CELERY_BROKER_URL and the mail settings.
"""

import ipaddress
from pathlib import Path

import environ
from celery.schedules import crontab
from django.utils.csp import CSP
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = BASE_DIR / "var"

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DEBUG = env.bool("DJANGO_DEBUG", default=False)
SECRET_KEY = env("DJANGO_SECRET_KEY", default="")
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "yichuan.admin.PortalAdminConfig",  # django.contrib.admin with the portal's site
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.syndication",
    "django.forms",  # its widget templates, for the portal's form renderer
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "axes",
    "django_filters",
    "import_export",
    "rules.apps.AutodiscoverRulesConfig",
    "django_htmx",
    "yichuan",
    "alliance",
    "proposals",
    "volunteers",
    "notifications",
    "announcements",
    "dashboard",
    "audit",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "yichuan.middleware.DefaultLanguageMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # The alliance of the request, on the request and the user (alliance/context.py).
    "alliance.context.AllianceMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # An admin page failing on its own query string answers with a message (yichuan/middleware.py).
    "yichuan.middleware.AdminBadQueryMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "yichuan.middleware.StaffIdleTimeoutMiddleware",
    # 长辈模式, from the session (members) or a cookie (yichuan/senior_mode.py).
    "yichuan.senior_mode.SeniorModeMiddleware",
    "audit.middleware.PermissionDeniedAuditMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # The admin's login refuses account names longer than any account's (yichuan/login_limits.py).
    "yichuan.login_limits.AccountNameLimitMiddleware",
    # Last, as django-axes asks: it turns a locked-out login into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "yichuan.urls"
WSGI_APPLICATION = "yichuan.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.csp",
                "notifications.context_processors.unread",
                "alliance.context.switcher",
                "yichuan.senior_mode.context",
            ],
        },
    },
]

# Every form field is written one way, by the portal's templates (yichuan/forms.py).
FORM_RENDERER = "yichuan.forms.PortalFormRenderer"

VAR_DIR.mkdir(exist_ok=True)
DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'db.sqlite3'}"),
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # web, worker and beat share the file: wait for locks and take them up front.
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 20,
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
DATABASES["default"]["CONN_MAX_AGE"] = env.int("DATABASE_CONN_MAX_AGE", default=0)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"


def cache_from_url(url):
    """A CACHES entry from CACHE_URL. Redis fails soft (yichuan/cache.py): while it is down or
    hung a page costs at most one short socket timeout per process every few seconds and
    works uncached, never a 500."""
    config = environ.Env.cache_url_config(url)
    if config["BACKEND"] == "django.core.cache.backends.redis.RedisCache":
        config["BACKEND"] = "yichuan.cache.FailSoftRedisCache"
        options = config.setdefault("OPTIONS", {})
        options.setdefault("socket_connect_timeout", 0.5)
        options.setdefault("socket_timeout", 0.5)
    return config


CACHES = {
    # Shared by every web process in production (CACHE_URL=redis://…; `check --deploy` warns
    # otherwise): dashboard figures, allauth's rate limits. Per process in development.
    "default": cache_from_url(env("CACHE_URL", default="locmemcache://yichuan")),
    # Always per process, read without a network round trip: rendered fragments whose keys
    # name exactly what they show (the coordinators' queue under its version, a dashboard
    # count's HTML), and the filter forms, whose choices may show a rename up to five
    # minutes late in any process.
    "fragments": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache",
                  "LOCATION": "yichuan-fragments"},
}

AUTHENTICATION_BACKENDS = [
    # First: refuses every login for a locked-out account or address.
    "yichuan.accounts.LockoutBackend",
    "rules.permissions.ObjectPermissionBackend",
    # Model permissions for what is not a rule (yichuan.accounts says why).
    "yichuan.accounts.ModelPermissionBackend",
    "yichuan.accounts.AllauthBackend",
]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# --- the portal's name ------------------------------------------------------------------
# What every mail calls the portal: the greeting of account mail and every subject. Links in
# mail are made from SITE_URL (below), never from the request's Host header.
PORTAL_NAME = env("PORTAL_NAME", default="宜起靠谱 同心统战大联盟")
PORTAL_SHORT_NAME = env("PORTAL_SHORT_NAME", default="宜起靠谱联盟")
# Django's own (mail to the admins), the notifications' mail and allauth's account mail.
EMAIL_SUBJECT_PREFIX = f"[{PORTAL_SHORT_NAME}] "

# --- accounts (django-allauth) ---------------------------------------------------------
# Accounts are created by staff or bulk import: open sign-up is closed in the adapter.
ACCOUNT_ADAPTER = "yichuan.accounts.ClosedSignupAdapter"
# The login form refuses account names longer than any account's (yichuan/login_limits.py).
ACCOUNT_FORMS = {
    "login": "yichuan.login_limits.LoginForm",
    # Refuses an address another account uses; a reset sends at most one link (yichuan/accounts.py).
    "add_email": "yichuan.accounts.AddEmailForm",
    "reset_password": "yichuan.accounts.ResetPasswordForm",  # nosec B105 (a form's path)
}
ACCOUNT_LOGIN_METHODS = {"username", "email"}
ACCOUNT_SIGNUP_FIELDS = ["username*", "email", "password1*", "password2*"]
ACCOUNT_EMAIL_VERIFICATION = "none"
ACCOUNT_LOGOUT_ON_GET = False
ACCOUNT_SESSION_REMEMBER = None
ACCOUNT_LOGIN_ON_PASSWORD_RESET = False
# E-mail addresses: one account each, and verified before they receive anything. Addresses
# staff record when they create accounts are filed as verified (yichuan.accounts).
ACCOUNT_UNIQUE_EMAIL = True
# The reset page says the same whether or not the address belongs to an account, and an
# address without one gets no mail at all.
ACCOUNT_PREVENT_ENUMERATION = True
ACCOUNT_EMAIL_UNKNOWN_ACCOUNTS = False
# Security notices (password changed, address added or removed, two-step verification on)
# to the account's verified address. Every account mail goes through the notifications
# outbox (the adapter's send_mail; DESIGN.md §5): a request never waits on SMTP.
ACCOUNT_EMAIL_NOTIFICATIONS = True
ACCOUNT_EMAIL_SUBJECT_PREFIX = EMAIL_SUBJECT_PREFIX
LOGIN_REDIRECT_URL = "/me/"
LOGIN_URL = "/accounts/login/"
LOGOUT_REDIRECT_URL = "/"

# Two-step verification (allauth.mfa): optional, offered to staff (yichuan/mfa.py says who),
# with an authenticator app (TOTP) and one-time recovery codes. No security keys or passkeys,
# and no "trust this browser": an enrolled account is asked for a code at every login.
# The QR code is an inline SVG data: URI, which img-src below allows.
MFA_ADAPTER = "yichuan.mfa.PortalMFAAdapter"
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TRUST_ENABLED = False
MFA_PASSKEY_LOGIN_ENABLED = False
MFA_TOTP_ISSUER = PORTAL_SHORT_NAME
# One 30-second step either side, for phones whose clock drifts; a used code cannot be
# replayed, and wrong codes share allauth's login_failed rate limit (5 per 5 min per account).
MFA_TOTP_TOLERANCE = 1

# --- security headers ---------------------------------------------------------------------
# Scripts only from the portal itself or inline with the per-request nonce ({{ csp_nonce }});
# no inline event handlers. Styles allow inline because Bootstrap components and Chart.js set
# style attributes.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF, CSP.UNSAFE_INLINE],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "form-action": [CSP.SELF],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.NONE],
    "frame-ancestors": [CSP.NONE],
}
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# --- login lockout (django-axes) and sessions --------------------------------------------
# Both the allauth login and /admin/ authenticate through Django, so one lockout covers both.
# allauth's own rate limits (login_failed: 10/m per address, 5/5 min per account; they need
# a cache shared by all web processes in production: CACHE_URL=redis://…) stay on as a
# first, short-lived layer.
# An account OR an address that fails AXES_FAILURE_LIMIT times is locked for the cool-off.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = env.float("AXES_COOLOFF_HOURS", default=0.5)
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
# One counter per account however its name is typed: case-folded, an e-mail address
# counted as its account's (yichuan.accounts.login_username).
AXES_USERNAME_CALLABLE = "yichuan.accounts.login_username"
# The client behind the trusted proxy (TRUSTED_PROXIES below), as allauth's rate limits see it.
AXES_CLIENT_IP_CALLABLE = "yichuan.accounts.client_ip"
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "account/locked_out.html"
AXES_VERBOSE = False

# --- the trusted proxy ---------------------------------------------------------------------
# Addresses (or networks, 10.0.0.0/24) of the reverse proxies in front of the portal, e.g.
# TRUSTED_PROXIES=127.0.0.1 for nginx on the same host. A request from one of them is counted
# under the client address the proxy wrote into X-Forwarded-For; from anywhere else the
# header is ignored. Empty (the default): REMOTE_ADDR is the client. The lockout and the
# rate limits count these addresses (yichuan.accounts.client_ip); README.md says more.
TRUSTED_PROXIES = [str(ipaddress.ip_network(entry, strict=False))
                   for entry in env.list("TRUSTED_PROXIES", default=[])]
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = 14 * 24 * 3600
# Staff sessions end after this much inactivity (members keep the normal session age).
STAFF_IDLE_TIMEOUT = env.int("STAFF_IDLE_TIMEOUT_SECONDS", default=30 * 60)

# --- i18n ---------------------------------------------------------------------------------
# zh-hans is the source of truth for wording (message ids are the Chinese text);
# English is the second catalogue.
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("简体中文")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

# --- static and media -------------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATIC_ROOT.mkdir(exist_ok=True)
WHITENOISE_USE_FINDERS = True
# Files browsers ask for at the site's root (favicon.ico), served by WhiteNoise as they are.
WHITENOISE_ROOT = BASE_DIR / "webroot"
# Third-party assets come pinned from the npm registry (package.json / package-lock.json)
# and are served by the portal itself, so it works on an intranet with no CDN.
NODE_MODULES = BASE_DIR / "node_modules"
STATICFILES_DIRS = [
    BASE_DIR / "static",
    ("vendor/bootstrap", NODE_MODULES / "bootstrap" / "dist"),
    ("vendor/htmx", NODE_MODULES / "htmx.org" / "dist"),
    ("vendor/chartjs", NODE_MODULES / "chart.js" / "dist"),
]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# Uploaded attachments are private: they live outside STATIC/MEDIA URLs and are served
# only through views that check who may see the suggestion.
MEDIA_ROOT = env.path("DJANGO_MEDIA_ROOT", default=VAR_DIR / "media")
MEDIA_URL = "/media/"
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 12 * 1024 * 1024

# --- email ------------------------------------------------------------------------------------
# Django 6.1 mailers. EMAIL_URL is e.g. smtp+tls://user:password@smtp.example.cn:587 or
# consolemail:// (the development default).


def mailers_from_url(url):
    """MAILERS from one URL: smtp+tls://user:password@host:587, consolemail://, …"""
    config = environ.Env.email_url_config(url)
    backend = config["EMAIL_BACKEND"]
    options = {}
    if backend.endswith("smtp.EmailBackend"):
        pairs = {"host": "EMAIL_HOST", "port": "EMAIL_PORT", "username": "EMAIL_HOST_USER",
                 "password": "EMAIL_HOST_PASSWORD",  # nosec B105
                 "use_tls": "EMAIL_USE_TLS",
                 "use_ssl": "EMAIL_USE_SSL"}
        options = {key: config[name] for key, name in pairs.items() if config.get(name)}
        options["timeout"] = 10
    return {"default": {"BACKEND": backend, "OPTIONS": options}}


MAILERS = mailers_from_url(env("EMAIL_URL", default="consolemail://"))
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL",
                         default=f"{PORTAL_SHORT_NAME} <noreply@yichuan.example>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- celery -----------------------------------------------------------------------------------
# With no broker configured the portal uses kombu's filesystem transport, a broker that
# needs no server; CELERY_BROKER_URL=redis://… points it at Redis.
CELERY_BROKER_URL = env("CELERY_BROKER_URL", default="filesystem://")
BROKER_DIR = VAR_DIR / "broker"


def broker_transport_options(url):
    """CELERY_BROKER_TRANSPORT_OPTIONS for the broker at ``url``."""
    if url.startswith("filesystem://"):
        for folder in ("queue", "processed", "control"):
            (BROKER_DIR / folder).mkdir(parents=True, exist_ok=True)
        return {
            "data_folder_in": str(BROKER_DIR / "queue"),
            "data_folder_out": str(BROKER_DIR / "queue"),
            "processed_folder": str(BROKER_DIR / "processed"),
            "control_folder": str(BROKER_DIR / "control"),
            "store_processed": False,
        }
    # These are the worker's (its consumer reconnects per CELERY_BROKER_CONNECTION_*). A
    # publish from the portal is bounded tighter on top of them, whatever they say: about a
    # second in all, the broker refused, dead or hung (notifications.services._publish;
    # /healthz the same), since a web request never waits on the broker (DESIGN.md §5).
    # visibility_timeout: an unacked (acks_late) message comes back after this long; no
    # countdown/ETA may exceed it.
    return {
        "visibility_timeout": 3600,
        "max_retries": 0,
        "socket_connect_timeout": 1,
        "socket_timeout": 5,
        "retry_on_timeout": True,
    }


CELERY_BROKER_TRANSPORT_OPTIONS = broker_transport_options(CELERY_BROKER_URL)
CELERY_TASK_IGNORE_RESULT = True
CELERY_RESULT_BACKEND = None
CELERY_TIMEZONE = TIME_ZONE
CELERY_ENABLE_UTC = True
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
# Our tasks are idempotent (database claims and unique keys), so they are acknowledged after
# they ran: a worker lost mid-task leaves its message to be redelivered.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_WORKER_CANCEL_LONG_RUNNING_TASKS_ON_CONNECTION_LOSS = True
CELERY_TASK_SOFT_TIME_LIMIT = 240
CELERY_TASK_TIME_LIMIT = 300
# The worker keeps reconnecting when the broker goes away, for as long as it takes.
CELERY_BROKER_CONNECTION_RETRY = True
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BROKER_CONNECTION_MAX_RETRIES = None
CELERY_BROKER_CONNECTION_TIMEOUT = 1
CELERY_BROKER_HEARTBEAT = 30
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
SCAN_EVERY = env.int("NOTIFICATION_SCAN_SECONDS", default=300)
CELERY_BEAT_SCHEDULE = {
    # expires: a run that waited longer than its period is dropped; the next one does it.
    "deliver-due": {"task": "notifications.tasks.deliver_due", "schedule": 60.0,
                    "options": {"expires": 55}},
    # Each app owns its reminder scans (proposals.tasks, volunteers.tasks).
    **{
        f"scan-{name}": {"task": f"{app}.tasks.scan_{name}", "schedule": float(SCAN_EVERY),
                         "options": {"expires": SCAN_EVERY - 5}}
        for app, names in [
            ("proposals", ["accept_overdue", "reply_due_soon", "reply_overdue",
                           "reply_supervision", "progress_overdue", "feedback"]),
            ("volunteers", ["event_tomorrow", "event_ended"]),
        ]
        for name in names
    },
    "weekly-digest": {"task": "proposals.tasks.weekly_digest",
                      # Mondays 08:30 Shanghai time; the unique key makes re-runs harmless.
                      "schedule": crontab(minute=30, hour=8, day_of_week=1)},
}

# --- notifications ------------------------------------------------------------------------------
# Delivery channels by name (notifications.channels); SMS or WeCom are added here.
NOTIFICATION_CHANNELS = {"email": "notifications.channels.EmailChannel",
                         # allauth's mails (password reset, address verification, notices)
                         "account_email": "yichuan.accounts.AccountMailChannel"}
NOTIFICATION_MAX_ATTEMPTS = env.int("NOTIFICATION_MAX_ATTEMPTS", default=6)
NOTIFICATION_RETRY_BASE = env.int("NOTIFICATION_RETRY_BASE_SECONDS", default=60)
NOTIFICATION_RETRY_MAX_DELAY = env.int("NOTIFICATION_RETRY_MAX_DELAY_SECONDS", default=3600)
# A row left in "sending" longer than this belongs to a dead worker and is sent again
# (notifications/delivery.py explains the choice). Far above the SMTP timeout (10 s).
NOTIFICATION_SENDING_LEASE = env.int("NOTIFICATION_SENDING_LEASE_SECONDS", default=300)
NOTIFICATION_SWEEP_BATCH = env.int("NOTIFICATION_SWEEP_BATCH", default=100)
# After a failed publish, a web process leaves deliveries to the sweep for this long.
NOTIFICATION_BROKER_BACKOFF = env.int("NOTIFICATION_BROKER_BACKOFF_SECONDS", default=30)

# --- admin import/export (django-import-export) -------------------------------------------
# Without these the import and export pages only ask for is_staff, so any staff account
# could export every member's contact data; now they need the model's add / view permission.
IMPORT_EXPORT_IMPORT_PERMISSION_CODE = "add"
IMPORT_EXPORT_EXPORT_PERMISSION_CODE = "view"

# --- portal -------------------------------------------------------------------------------
PORTAL_ALLIANCE_SLUG = env("PORTAL_ALLIANCE_SLUG", default="yiqi-kaopu")
SITE_URL = env("SITE_URL", default="http://127.0.0.1:8000")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
    "loggers": {
        "yichuan": {"level": "INFO"},
        "proposals": {"level": "INFO"},
        "notifications": {"level": "INFO"},
    },
}
