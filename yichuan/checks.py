"""System checks of the portal's own deployment requirements (`manage.py check --deploy`)."""

from django.conf import settings
from django.core.checks import Tags, register
from django.core.checks import Warning as CheckWarning

PER_PROCESS_CACHES = {
    "django.core.cache.backends.locmem.LocMemCache",
    "django.core.cache.backends.dummy.DummyCache",
}


@register(Tags.caches, deploy=True)
def shared_default_cache(app_configs, **kwargs):
    """Production runs several web processes: what the default cache holds must be the same
    for all of them."""
    backend = settings.CACHES["default"]["BACKEND"]
    if backend not in PER_PROCESS_CACHES:
        return []
    return [CheckWarning(
        f"The default cache is kept inside each process ({backend.rsplit('.', 1)[-1]}).",
        hint="Set CACHE_URL to a cache all web processes share, e.g. redis://127.0.0.1:6379/1. "
             "Otherwise each web process counts the dashboard's figures on its own and shows "
             "its own count, and the login rate limits are counted per process.",
        id="yichuan.W001",
    )]
