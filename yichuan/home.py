"""Sections other apps contribute to the home page, unit pages, event pages and `/me/`.

The alliance app does not import every other app: each app registers a section function
in its AppConfig.ready(). A section function returns ``{"template": "<partial>", **context}``
or None when it has nothing to show to this viewer; the page includes each partial with
``section`` bound to that dict.
"""

HOME_SECTIONS = []
EVENT_SECTIONS = []  # called with (request, event)
UNIT_SECTIONS = []
ME_SECTIONS = []


def home_section(func):
    HOME_SECTIONS.append(func)
    return func


def unit_section(func):
    UNIT_SECTIONS.append(func)
    return func


def event_section(func):
    EVENT_SECTIONS.append(func)
    return func


def me_section(func):
    ME_SECTIONS.append(func)
    return func


def collect(funcs, *args):
    return [section for section in (func(*args) for func in funcs) if section]
