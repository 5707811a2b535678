"""Who may do what with announcements (the `rules` library)."""

import rules

from alliance.rules import is_coordinator

rules.add_perm("announcements.publish_announcement", is_coordinator)
rules.add_perm("announcements.view_read_rates", is_coordinator)

# The admin asks Django's model permissions; coordinators hold them through these rules.
for _model in ("announcement", "attachment"):
    for _action in ("view", "add", "change", "delete"):
        rules.add_perm(f"announcements.{_action}_{_model}", is_coordinator)
rules.add_perm("announcements.view_announcementread", is_coordinator)
