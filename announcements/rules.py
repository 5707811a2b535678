"""Who may do what with announcements (the `rules` library)."""

import rules

from alliance.rules import admin_perms, administers, is_coordinator

rules.add_perm("announcements.publish_announcement", is_coordinator)
rules.add_perm("announcements.view_read_rates", is_coordinator)

admin_perms("announcements", ("announcement", "attachment"))
rules.add_perm("announcements.view_announcementread", administers)
