import rules

from alliance.rules import is_coordinator

rules.add_perm("notifications.view_failed_deliveries", is_coordinator)
rules.add_perm("notifications.retry_deliveries", is_coordinator)
