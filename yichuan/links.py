"""The portal's own address, ``settings.SITE_URL``: what every link that leaves a page is
made on (mail, QR codes, share links), never the host a request happened to come on."""

from urllib.parse import urlsplit

from django.conf import settings


def portal_url(path, *, host=None):
    """``path`` on the portal's address; on ``host`` instead, where an alliance has a host
    name of its own (same scheme as SITE_URL)."""
    if host:
        return f"{urlsplit(settings.SITE_URL).scheme or 'https'}://{host}{path}"
    return f"{settings.SITE_URL.rstrip('/')}{path}"
