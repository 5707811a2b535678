"""Hand-written SQL for the limits: L1 (the work queue page) and B0 (the reminder scan)."""

PAGE_SIZE = 25

# The rows of the coordinator's work queue page, in the queue's urgency order
# (proposals.filters.by_urgency): the deadline that matters in each state first (the
# generated column next_due), overdue before due, then newest first; with the columns the
# page shows. The best hand-written query uses the same column and index as the portal,
# and the same deferred join: the page's ids from the index, then the joins for those rows.
WORK_QUEUE_PAGE = """
SELECT s.tracking_number, s.title, s.state, c.name, u.username, s.submitted_at, s.next_due
FROM (SELECT id, next_due, submitted_at FROM proposals_suggestion
      WHERE alliance_id = (SELECT id FROM alliance_alliance WHERE slug = %s)
      ORDER BY next_due ASC NULLS LAST, submitted_at DESC, id DESC
      LIMIT %s OFFSET %s) page
JOIN proposals_suggestion s ON s.id = page.id
JOIN proposals_category c ON c.id = s.category_id
LEFT JOIN auth_user u ON u.id = s.handler_id
ORDER BY page.next_due ASC NULLS LAST, page.submitted_at DESC, page.id DESC
"""


def work_queue_params(page):
    from django.conf import settings

    return [settings.PORTAL_ALLIANCE_SLUG, PAGE_SIZE, (page - 1) * PAGE_SIZE]
