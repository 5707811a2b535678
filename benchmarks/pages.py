"""The portal's pages as wrk targets: where each lives and who requests it."""

from benchmarks.measure import Target
from benchmarks.queries import PAGE_SIZE

# The targets at c=8, as shares of each page's limit (Target.limit): the work queue at 85%,
# the detail page at half, every other page at 40% with a p95 under 50 ms.
OTHER_PAGES = {"share": 0.40, "p95_ms": 50}


def deep_page(fixture):
    """A page far into the queue: the 200th, or the middle for smaller queues."""
    rows = fixture["counts"].get("portal_alliance_suggestions", 0)
    return max(2, min(200, rows // PAGE_SIZE // 2))


def portal_targets(fixture, *, coordinator, member, make_cookie):
    deep = deep_page(fixture)
    found = [
        Target("queue", "staff work queue, first page", "/suggestions/", cookie=coordinator,
               share=0.85),
        Target("queue_deep", f"staff work queue, page {deep}", f"/suggestions/?page={deep}",
               cookie=coordinator, share=0.85),
        Target("detail", "suggestion detail, 50 timeline entries",
               f"/suggestions/{fixture.get('detail_tracking_number', 'none')}/",
               cookie=coordinator, share=0.50),
        Target("dashboard", "dashboard", "/dashboard/", cookie=coordinator, **OTHER_PAGES),
        Target("mine", "member: my suggestions", "/suggestions/", cookie=member, **OTHER_PAGES),
        Target("events", "events list", "/events/", cookie=member, **OTHER_PAGES),
    ]
    found += [
        Target("home", "home page (anonymous)", "/", **OTHER_PAGES),
        Target("me", "member: /me/", "/me/", cookie=member, **OTHER_PAGES),
    ]
    signup = _signup_target(fixture, make_cookie)
    if signup:
        found.append(signup)
    return found


def _signup_target(fixture, make_cookie):
    events = fixture.get("signup_events") or []
    writers = fixture.get("writers") or []
    if not events or not writers:
        return None
    rotation = []
    cookies = [make_cookie(user_id) for user_id, _ in writers]
    for event_id in events:
        for cookie in cookies:
            rotation.append((cookie, f"/events/{event_id}/register/"))
    member_ids = [member_id for _, member_id in writers]

    def reset():
        from volunteers.models import Registration

        Registration.objects.filter(event_id__in=events, member_id__in=member_ids).delete()

    return Target("signup", "event sign-up (write)", rotation[0][1], cookie=rotation[0][0],
                  method="POST", body="", rotation=rotation, reset=reset, **OTHER_PAGES)
