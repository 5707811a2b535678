"""Settings for the test suite: SQLite by default, PostgreSQL/Redis when CI sets the URLs."""

from .base import *  # noqa: F403
from .base import env

DEBUG = False
SECRET_KEY = "test-only-not-secret"  # noqa: S105  # nosec B105
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}
ALLOWED_HOSTS = ["*"]
CELERY_BROKER_URL = env("CELERY_BROKER_URL", default="memory://")
