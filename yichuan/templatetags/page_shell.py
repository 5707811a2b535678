"""The page shell's small helpers (templates/base.html)."""

import functools

from django import template
from django.conf import settings
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils.safestring import mark_safe
from django.utils.translation import get_language

register = template.Library()


@register.simple_tag(takes_context=True)
def current(context, href, *elsewhere):
    """`` aria-current="page"`` on the navigation link of the section the page is in: its
    address or one under it, except under ``elsewhere`` (addresses that have links of their
    own, e.g. /suggestions/golden/ beside /suggestions/). "/" is current only on itself."""
    request = context.get("request")
    path = getattr(request, "path", "")
    inside = path == href if href == "/" else path.startswith(href)
    if inside and not any(path.startswith(other) for other in elsewhere):
        return mark_safe(' aria-current="page"')  # nosec B308 B703 (a constant)
    return ""


@register.simple_tag
def content_lang():
    """`` lang="zh-Hans"`` on what members and staff wrote (titles, bodies, names), when the
    interface speaks another language: a screen reader then reads it as Chinese."""
    if (get_language() or "").lower().startswith("zh"):
        return ""
    return mark_safe(' lang="zh-Hans"')  # nosec B308 B703 (a constant)


@register.simple_tag
def route(name):
    """``{% url name %}`` for a route without arguments, reversed once per process (per
    script prefix and URLconf): the shell names sixteen of them on every page, and each
    ``{% url %}`` costs a hundred function calls."""
    return _route(name, get_script_prefix(), get_urlconf() or settings.ROOT_URLCONF)


@functools.lru_cache(maxsize=256)
def _route(name, _prefix, urlconf):
    return reverse(name, urlconf=urlconf)
