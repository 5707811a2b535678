"""The home page's latest public announcements."""

from announcements import selectors
from yichuan.home import home_section


@home_section
def latest_announcements(request):
    announcements = selectors.latest_public(limit=4)
    if not announcements:
        return None
    return {"template": "announcements/_home.html", "announcements": announcements}
