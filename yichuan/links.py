"""The portal's own address, ``settings.SITE_URL``: what every link that leaves a page is
made on (mail, QR codes, share links), never the host a request happened to come on."""

from django.conf import settings


def portal_url(path):
    """``path`` on the portal's address."""
    return f"{settings.SITE_URL.rstrip('/')}{path}"
