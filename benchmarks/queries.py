"""Hand-written SQL for the limits: L1 (the work queue page) and B0 (the reminder scan)."""

PAGE_SIZE = 25

# The rows of the coordinator's work queue page, in the queue's urgency order
# (proposals.filters.by_urgency): the deadline that matters in each state first, overdue
# before due, then newest first; with the columns the page shows.
WORK_QUEUE_PAGE = """
SELECT s.tracking_number, s.title, s.state, c.name, u.username, s.submitted_at,
       CASE WHEN s.state = 'submitted' THEN s.accept_due
            WHEN s.state = 'accepted' THEN s.reply_due
            WHEN s.state = 'replied' AND s.not_implemented THEN s.feedback_due
            WHEN s.state IN ('replied', 'in_progress') THEN s.progress_due
            WHEN s.state = 'implemented' THEN s.feedback_due
       END AS next_due
FROM proposals_suggestion s
JOIN proposals_category c ON c.id = s.category_id
LEFT JOIN auth_user u ON u.id = s.handler_id
WHERE s.alliance_id = (SELECT id FROM alliance_alliance WHERE slug = %s)
ORDER BY next_due ASC NULLS LAST, s.submitted_at DESC, s.id DESC
LIMIT %s OFFSET %s
"""


def work_queue_params(page):
    from django.conf import settings

    return [settings.PORTAL_ALLIANCE_SLUG, PAGE_SIZE, (page - 1) * PAGE_SIZE]
