"""The home page's latest public announcements; on /me/, the member's unread ones."""

from alliance.roles import is_member
from announcements import selectors
from yichuan.home import home_section, me_section


@home_section
def latest_announcements(request):
    announcements = selectors.latest_public(request.alliance, limit=4)
    if not announcements:
        return None
    return {"template": "announcements/_home.html", "announcements": announcements}


@me_section
def unread_announcements(request):
    if not is_member(request.user):
        return None
    unread = selectors.unread_for(request.user, request.alliance)
    if not unread:
        return None
    return {"template": "announcements/_me_unread.html", "announcements": unread}
