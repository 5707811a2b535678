"""A district in PostgreSQL: alliances, units, members, suggestions with their timelines,
events and registrations, written with COPY (no save() per row).

Shape (deterministic, seeded):
- ``alliances`` alliances (10 by default), the first one being the portal's
  (settings.PORTAL_ALLIANCE_SLUG), each with 6+12+6 units, 2,000 members with accounts,
  one coordinator and five handlers, eight categories;
- ``suggestions`` suggestions spread evenly over the alliances and over the years since
  2014 (so even a million keeps the five-digit yearly tracking numbers), in states that
  follow their age: old ones mostly closed, recent ones open; timelines of 1 to 10 entries
  that follow the state's path, feedback for the closed, co-handling units for a fifth;
- one suggestion with exactly 50 timeline entries (the detail page benchmark) and a bench
  member who submitted 40 suggestions of the portal alliance;
- 40 events a year per alliance with ~25 registrations each, and upcoming events open for
  sign-up with room for every bench writer.
"""

import datetime
import json
import random
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.db import connection, transaction

from benchmarks.bulk import Table, reset_sequences

UNITS_PER_KIND = [("branch", 6), ("enterprise", 12), ("volunteer_team", 6)]
MEMBERS_PER_ALLIANCE = 2000
HANDLERS_PER_ALLIANCE = 5
CATEGORIES = ["社区治理", "民生服务", "城市管理", "民族团结", "侨务工作", "教育文化",
              "营商环境", "法律服务"]
FIRST_YEAR = 2014
EVENTS_PER_YEAR = 40
REGISTRATIONS_PER_EVENT = 25
BENCH_MEMBER_SUGGESTIONS = 40
DETAIL_TIMELINE = 50
SIGNUP_EVENTS = 8
SIGNUP_WRITERS = 1000
BENCH_PASSWORD = "Bench@2026"  # noqa: S105 - bench database only, recreated every run
FIXTURE = Path(settings.BASE_DIR) / "bench-results" / "fixture.json"

TITLES = ["关于{}的建议", "建议加强{}", "{}需要改进", "希望完善{}", "关于优化{}的意见"]
SUBJECTS = ["楼道堆物整治", "垃圾分类投放点", "两湾城停车管理", "社区食堂", "老年人助餐",
            "电梯加装", "小区绿化", "夜间照明", "菜场环境", "侨法宣传", "民族团结楼组创建",
            "青少年课后托管", "社区卫生服务", "非机动车充电", "公共厕所", "健身步道"]


@dataclass
class Ids:
    """Hands out primary keys so rows can reference each other before they exist."""

    counters: dict = field(default_factory=dict)

    def next(self, table):
        value = self.counters.get(table, 0) + 1
        self.counters[table] = value
        return value


def _aware(dt):
    return dt.replace(tzinfo=datetime.UTC)


def forget_notifications():
    """Delete every notification and delivery: the district is generated without any, and a
    re-measured database (BENCH_REUSE_DB) kept what the last run's scan wrote, which would
    leave this run's scan nothing to write and its badges counting the last run's. What the
    last run's scan closed (feedback windows that ran out) stays closed."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM notifications_delivery")
        cursor.execute("DELETE FROM notifications_notification")
    if not connection.in_atomic_block:  # VACUUM cannot run in a transaction (tests)
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE notifications_notification, notifications_delivery")


def load_fixture():
    return json.loads(FIXTURE.read_text())


def generate(*, suggestions=100_000, alliances=10, members=MEMBERS_PER_ALLIANCE, seed=2026,
             log=print, write_fixture=True):
    """Fill the (empty, migrated) database; returns the fixture the benchmarks need."""
    rng = random.Random(seed)  # noqa: S311 - synthetic data
    now = datetime.datetime.now(datetime.UTC).replace(microsecond=0)
    fixture = {"counts": {}}
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL synchronous_commit = off")
            # the generator writes consistent rows in dependency order but streams the
            # timelines beside their suggestions: skip the per-row foreign-key triggers
            cursor.execute("SET LOCAL session_replication_role = replica")
        people = _people(rng, alliances, members, now, fixture, log)
        if _has_models("proposals", "Category", "Suggestion", "SuggestionUpdate", "Feedback",
                       "Assignment"):
            cats = _categories(rng, people, fixture)
            _suggestions(rng, suggestions, people, cats, now, fixture, log)
        else:
            log("  proposals models are not there yet: no suggestions generated")
            fixture["missing"] = [*fixture.get("missing", []), "proposals"]
        if _has_models("volunteers", "Event", "Registration", "ServiceRecord"):
            _events(rng, people, now, fixture, log)
        else:
            log("  volunteers models are not there yet: no events generated")
            fixture["missing"] = [*fixture.get("missing", []), "volunteers"]
        _reset_all_sequences()
    if not connection.in_atomic_block:
        log("vacuum analyze")
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
    if write_fixture:
        FIXTURE.parent.mkdir(exist_ok=True)
        FIXTURE.write_text(json.dumps(fixture, indent=2, ensure_ascii=False))
    return fixture


def _has_models(app_label, *names):
    from django.apps import apps

    try:
        return all(apps.get_model(app_label, name) for name in names)
    except LookupError:
        return False


# --- alliances, units, people ------------------------------------------------------------


def _people(rng, alliances, members_per_alliance, now, fixture, log):
    from django.contrib.auth.models import Group, User

    from alliance.models import Alliance, CompositionTarget, Member, Membership, StaffRole, Unit
    from alliance.roles import HELD_FOR_AN_ALLIANCE

    groups = {g.name: g.id for g in Group.objects.all()}
    password = make_password(BENCH_PASSWORD)
    alliance_rows, target_rows, unit_rows = [], [], []
    user_rows, group_rows, member_rows, membership_rows = [], [], [], []
    staff_rows = []
    ids = Ids()
    people = {"alliances": []}
    joined = _aware(datetime.datetime(2021, 6, 1))
    for a in range(alliances):
        alliance_id = a + 1
        slug = settings.PORTAL_ALLIANCE_SLUG if a == 0 else f"district-{a:02d}"
        alliance_rows.append((alliance_id, f"第{a + 1}联盟（压测）", f"联盟{a + 1}", slug,
                              f"压测街道{a + 1}", datetime.date(2021, 6, 1), "压测数据", False))
        info = {"id": alliance_id, "units": [], "members": [], "member_users": [],
                "handlers": [], "coordinator": None}
        for kind, count in UNITS_PER_KIND:
            target_rows.append((ids.next("target"), alliance_id, kind, count))
            for i in range(count):
                unit_id = ids.next("unit")
                unit_rows.append((unit_id, alliance_id, kind, f"{kind}-{a}-{i} 单位",
                                  f"单位{unit_id}", f"bench-{a}-{kind}-{i}", "", "", True, i))
                info["units"].append(unit_id)

        def account(username, role, *, superuser=False, alliance_id=alliance_id):
            user_id = ids.next("user")
            user_rows.append((user_id, password, None, superuser, username, "", "",
                              f"{username}@bench.example", False, True, joined))
            if role in HELD_FOR_AN_ALLIANCE:
                staff_rows.append((ids.next("staff_role"), user_id, alliance_id, role))
            else:
                group_rows.append((ids.next("user_group"), user_id, groups[role]))
            return user_id

        info["coordinator"] = account(f"coord{a}", "coordinator")
        info["handlers"] = [account(f"handler{a}_{h}", "handler")
                            for h in range(HANDLERS_PER_ALLIANCE)]
        for m in range(members_per_alliance):
            user_id = account(f"m{a}_{m}", "member")
            member_id = ids.next("member")
            member_rows.append((member_id, alliance_id, user_id, f"成员{a}-{m}", "other",
                                f"139{member_id:08d}", "", datetime.date(2021, 6, 1), True))
            unit_id = info["units"][m % len(info["units"])]
            role = "liaison" if m < len(info["units"]) else "member"
            membership_rows.append((ids.next("membership"), member_id, unit_id, role, None))
            info["members"].append(member_id)
            info["member_users"].append(user_id)
        people["alliances"].append(info)

    Table(Alliance, ["id", "name", "short_name", "slug", "subdistrict", "founded", "intro",
                     "is_demo"]).write(alliance_rows)
    Table(CompositionTarget, ["id", "alliance_id", "kind", "target"]).write(target_rows)
    Table(Unit, ["id", "alliance_id", "kind", "name", "short_name", "slug", "description",
                 "address", "is_active", "order"]).write(unit_rows)
    Table(User, ["id", "password", "last_login", "is_superuser", "username", "first_name",
                 "last_name", "email", "is_staff", "is_active", "date_joined"]).write(user_rows)
    Table(User.groups.through, ["id", "user_id", "group_id"]).write(group_rows)
    Table(StaffRole, ["id", "user_id", "alliance_id", "role"]).write(staff_rows)
    Table(Member, ["id", "alliance_id", "user_id", "name", "identity", "phone", "email",
                   "joined", "is_active"]).write(member_rows)
    Table(Membership, ["id", "member_id", "unit_id", "role", "since"]).write(membership_rows)
    portal = people["alliances"][0]
    fixture["coordinator_user"] = portal["coordinator"]
    fixture["handler_user"] = portal["handlers"][0]
    fixture["member_user"] = portal["member_users"][-1]
    fixture["member_id"] = portal["members"][-1]
    # the sign-up writers: members of the portal alliance other than the bench member
    first = min(100, len(portal["members"]) // 2)
    fixture["writers"] = list(zip(portal["member_users"][first:first + SIGNUP_WRITERS],
                                  portal["members"][first:first + SIGNUP_WRITERS], strict=True))
    fixture["counts"].update(alliances=alliances, units=len(unit_rows), users=len(user_rows),
                             members=len(member_rows))
    log(f"  {alliances} alliances, {len(unit_rows)} units, {len(member_rows)} members")
    return people


def _categories(rng, people, fixture):
    from proposals.models import Category

    names = {f.name for f in Category._meta.concrete_fields}
    rows = []
    cats = {}
    for info in people["alliances"]:
        cats[info["id"]] = []
        for i, name in enumerate(CATEGORIES):
            cat_id = len(rows) + 1
            row = {"id": cat_id, "name": name}
            if "alliance" in names:
                row["alliance_id"] = info["id"]
            if "default_lead_unit" in names:
                row["default_lead_unit_id"] = info["units"][i % len(info["units"])]
            if "slug" in names:
                row["slug"] = f"cat-{info['id']}-{i}"
            if "order" in names:
                row["order"] = i
            if "is_active" in names:
                row["is_active"] = True
            rows.append(row)
            cats[info["id"]].append(cat_id)
        if "alliance" not in names:
            # categories are shared by every alliance
            for other in people["alliances"][1:]:
                cats[other["id"]] = cats[info["id"]]
            break
    columns = list(rows[0])
    Table(Category, columns).write([tuple(r[c] for c in columns) for r in rows])
    fixture["counts"]["categories"] = len(rows)
    return cats


# --- suggestions and their timelines ---------------------------------------------------------

# (state, weight) by age in days: a portal that mostly keeps its deadlines, so only a few
# percent of the open suggestions are due or overdue on any day.
BY_AGE = [
    (4, [("submitted", 70), ("accepted", 25), ("withdrawn", 3), ("declined", 2)]),
    (20, [("submitted", 3), ("accepted", 45), ("replied", 25), ("in_progress", 15),
          ("declined", 6), ("withdrawn", 3), ("merged", 3)]),
    (60, [("accepted", 3), ("replied", 15), ("in_progress", 45), ("implemented", 20),
          ("closed", 10), ("declined", 4), ("withdrawn", 1), ("merged", 2)]),
    (150, [("in_progress", 20), ("implemented", 5), ("closed", 65), ("declined", 5),
           ("merged", 3), ("withdrawn", 2)]),
    (None, [("closed", 86.7), ("declined", 6), ("withdrawn", 3), ("merged", 4),
            ("in_progress", 0.3)]),
]


def _states_for(age):
    for limit, table in BY_AGE:
        if limit is None or age < limit:
            return table
    return BY_AGE[-1][1]


def _pick(rng, table):
    total = sum(w for _, w in table)
    x = rng.random() * total
    for state, weight in table:
        x -= weight
        if x < 0:
            return state
    return table[-1][0]


def _days(dt, n):
    return dt + datetime.timedelta(days=n)


def _suggestions(rng, total, people, cats, now, fixture, log):
    from proposals.models import Assignment, Feedback, Suggestion, SuggestionUpdate

    start = _aware(datetime.datetime(FIRST_YEAR, 1, 1))
    span = (now - datetime.timedelta(days=1) - start).total_seconds()
    alliances = people["alliances"]
    portal = alliances[0]
    bench_member = fixture["member_user"]
    per_year = {}
    suggestion_fields = {f.attname for f in Suggestion._meta.concrete_fields}
    columns = ["id", "alliance_id", "tracking_number", "title", "content", "category_id",
               "channel", "submitter_id", "recorded_by_id", "credit_publicly", "state",
               "handler_id", "lead_unit_id", "merged_into_id", "submitted_at", "accepted_at",
               "replied_at", "implemented_at", "closed_at", "accept_due", "reply_due",
               "progress_due", "feedback_due", "reopened_count", "outcome_grade",
               "not_implemented", "closed_no_response", "is_golden", "golden_summary",
               "progressed_at", "feedback_asked_at", "feedback_at"]
    columns = [c for c in columns if c in suggestion_fields]
    update_rows = []
    feedback_rows = []
    assignment_rows = []
    counters = {"updates": 0, "feedback": 0, "assignments": 0}
    states = {}
    # the bench member's suggestions and the 50-entry one, all in the portal alliance
    bench_ids = set(range(len(alliances) * 7 + 1, total, max(1, total // 60)))
    bench_ids = {i for i in bench_ids if (i - 1) % len(alliances) == 0}
    bench_ids = set(sorted(bench_ids)[-BENCH_MEMBER_SUGGESTIONS:])
    detail_id = None

    def update(suggestion_id, kind, author, when, text, public=True):
        counters["updates"] += 1
        update_rows.append((counters["updates"], suggestion_id, kind, author, text, public, when))

    def rows():
        nonlocal detail_id
        for sid in range(1, total + 1):
            info = alliances[(sid - 1) % len(alliances)]
            submitted = start + datetime.timedelta(seconds=span * (sid - 1) / total)
            submitted = submitted.replace(microsecond=0)
            age = (now - submitted).days
            state = _pick(rng, _states_for(age))
            if detail_id is None and info is portal and sid > total * 0.97:
                state, detail_id = "in_progress", sid
            year = submitted.year
            per_year[year] = per_year.get(year, 0) + 1
            tracking = f"ZTC-{year}-{per_year[year]:05d}"
            submitter = (bench_member if sid in bench_ids
                         else info["member_users"][rng.randrange(len(info["member_users"]))])
            handler = info["handlers"][sid % len(info["handlers"])]
            coordinator = info["coordinator"]
            subject = SUBJECTS[sid % len(SUBJECTS)]
            title = TITLES[sid % len(TITLES)].format(subject)
            content = f"{subject}方面存在问题，居民反映较多，建议相关部门研究解决。（压测数据 {sid}）"
            accepted = replied = implemented = closed = None
            progressed = asked = answered = None  # the stamps the four 有 leave
            accept_due = reply_due = progress_due = feedback_due = None
            handler_id = lead_unit = merged_into = None
            grade = ""
            closed_no_response = not_implemented = False
            accept_due = _days(submitted, 3).date()
            update(sid, "submitted", submitter, submitted, "提交建议")
            if state in ("withdrawn", "declined", "merged"):
                when = _days(submitted, 1 + rng.randrange(2))
                if state == "withdrawn":
                    update(sid, "withdrawn", submitter, when, "提交人撤回")
                elif state == "declined":
                    update(sid, "declined", coordinator, when, "不属于受理范围，已转相关部门。")
                    closed = when
                else:
                    # merged into an earlier suggestion of the same alliance
                    merged_into = sid - len(alliances) * (1 + rng.randrange(20))
                    if merged_into < 1:
                        merged_into = sid - len(alliances) if sid > len(alliances) else None
                    if merged_into is None:
                        state = "declined"
                        closed = when
                        update(sid, "declined", coordinator, when, "不属于受理范围。")
                    else:
                        update(sid, "merged", coordinator, when, "与相同建议合并办理")
            elif state != "submitted":
                accepted = _days(submitted, 1 + rng.randrange(2))
                handler_id = handler
                lead_unit = info["units"][sid % len(info["units"])]
                reply_due = _days(accepted, 14).date()
                update(sid, "accepted", coordinator, accepted, "已受理，交承办人办理")
                if rng.random() < 0.2:
                    for unit in rng.sample(info["units"], 1 + rng.randrange(2)):
                        if unit != lead_unit:
                            counters["assignments"] += 1
                            assignment_rows.append((counters["assignments"], sid, unit,
                                                    state in ("implemented", "closed")))
                if state != "accepted":
                    replied = _days(accepted, 3 + rng.randrange(10))
                    update(sid, "replied", handler, replied, "答复：已研究，将会同相关单位推进。")
                    last = replied
                    not_implemented = state == "closed" and rng.random() < 0.15
                    if state in ("in_progress", "implemented", "closed") and not not_implemented:
                        steps = DETAIL_TIMELINE - 3 if sid == detail_id else rng.randrange(1, 4)
                        for step in range(steps):
                            last = (last + datetime.timedelta(hours=12) if sid == detail_id
                                    else _days(last, 5 + rng.randrange(10)))
                            if last >= now and sid != detail_id:
                                last = _days(now, -1)
                            update(sid, "progress", handler, last, f"推进情况第{step + 1}次")
                            progressed = progressed or last
                        if (state == "in_progress" and sid != detail_id
                                and last < _days(now, -14) and rng.random() < 0.85):
                            # most handlers keep their cases updated
                            last = _days(now, -1 - rng.randrange(12))
                            update(sid, "progress", handler, last, "最新推进情况")
                        progress_due = _days(last, 14).date()
                        if sid == detail_id:
                            # a long-running case whose entries stay in the past
                            progress_due = _days(now, 7).date()
                    if state in ("implemented", "closed") and not not_implemented:
                        implemented = min(_days(last, 5), _days(now, -1))
                        if state == "implemented" and implemented < _days(now, -9):
                            # the daily auto-close keeps expired feedback windows away
                            implemented = _days(now, -rng.randrange(10))
                        update(sid, "implemented", handler, implemented, "已落实。")
                        feedback_due = _days(implemented, 9).date()
                        progressed, asked = progressed or implemented, implemented
                    elif not_implemented:
                        asked = replied  # concluded as not implemented: asked at once
                    if state == "closed":
                        end = implemented or last
                        closed = min(_days(end, 3 + rng.randrange(7)), now)
                        closed_no_response = rng.random() < 0.1
                        if closed_no_response:
                            update(sid, "closed", None, closed, "反馈期满未反馈，自动办结")
                        else:
                            counters["feedback"] += 1
                            rating = _pick(rng, [("satisfied", 75), ("basically_satisfied", 20),
                                                 ("dissatisfied", 5)])
                            feedback_rows.append((counters["feedback"], sid, submitter, rating,
                                                  "感谢办理", closed))
                            update(sid, "feedback", submitter, closed, "提交反馈")
                            answered = closed
                            update(sid, "closed", coordinator, closed, "办结")
                        grade = ("C" if not_implemented else
                                 _pick(rng, [("A", 60), ("B", 25), ("C", 10), ("D", 5)]))
            states[state] = states.get(state, 0) + 1
            values = {
                "id": sid, "alliance_id": info["id"], "tracking_number": tracking,
                "title": title, "content": content,
                "category_id": cats[info["id"]][sid % len(cats[info["id"]])],
                "channel": "web" if sid % 5 else "salon", "submitter_id": submitter,
                "recorded_by_id": coordinator if sid % 5 == 0 else None,
                "credit_publicly": sid % 3 == 0, "state": state, "handler_id": handler_id,
                "lead_unit_id": lead_unit, "merged_into_id": merged_into,
                "submitted_at": submitted, "accepted_at": accepted, "replied_at": replied,
                "implemented_at": implemented, "closed_at": closed,
                "accept_due": accept_due, "reply_due": reply_due,
                "progress_due": progress_due, "feedback_due": feedback_due,
                "reopened_count": 0, "outcome_grade": grade,
                "not_implemented": not_implemented,
                "closed_no_response": closed_no_response,
                "progressed_at": progressed, "feedback_asked_at": asked, "feedback_at": answered,
                "is_golden": grade == "A" and sid % 50 == 0,
                "golden_summary": "金点子：已推广。" if grade == "A" and sid % 50 == 0 else "",
            }
            yield tuple(values[c] for c in columns)
            if len(update_rows) >= 200_000:
                flush_side_tables()

    update_table = Table(SuggestionUpdate, ["id", "suggestion_id", "kind", "author_id", "text",
                                            "is_public", "created_at"])
    feedback_table = Table(Feedback, ["id", "suggestion_id", "author_id", "rating", "comment",
                                      "created_at"])
    assignment_table = Table(Assignment, ["id", "suggestion_id", "unit_id", "done"])

    def flush_side_tables():
        update_table.write(update_rows)
        feedback_table.write(feedback_rows)
        assignment_table.write(assignment_rows)
        update_rows.clear()
        feedback_rows.clear()
        assignment_rows.clear()

    Table(Suggestion, columns).write(rows())
    flush_side_tables()
    _tracking_sequences(per_year)
    fixture["detail_tracking_number"] = _tracking_of(detail_id)
    fixture["detail_suggestion_id"] = detail_id
    fixture["counts"].update(suggestions=total, timeline_entries=counters["updates"],
                             feedback=counters["feedback"],
                             co_handling=counters["assignments"], states=states,
                             portal_alliance_suggestions=len(range(1, total + 1,
                                                                   len(alliances))))
    log(f"  {total:,} suggestions, {counters['updates']:,} timeline entries, states {states}")


def _tracking_sequences(per_year):
    """New submissions continue after the generated numbers, as in production."""
    try:
        from proposals.models import TrackingSequence
    except ImportError:
        return
    TrackingSequence.objects.all().delete()
    TrackingSequence.objects.bulk_create(
        [TrackingSequence(year=year, last=last) for year, last in per_year.items()])


def _tracking_of(suggestion_id):
    with connection.cursor() as cursor:
        cursor.execute("SELECT tracking_number FROM proposals_suggestion WHERE id = %s",
                       [suggestion_id])
        return cursor.fetchone()[0]


# --- events and registrations --------------------------------------------------------------


def _events(rng, people, now, fixture, log):
    from volunteers.models import Event, Registration, ServiceRecord

    event_fields = {f.attname for f in Event._meta.concrete_fields}
    columns = [c for c in ["id", "alliance_id", "title", "kind", "venue_id", "start", "end",
                           "capacity", "signup_deadline", "visibility", "status",
                           "description"] if c in event_fields]
    kinds = ["study", "seminar", "salon", "festival", "publicity", "volunteer"]
    event_rows, organizer_rows, registration_rows, record_rows = [], [], [], []
    start = _aware(datetime.datetime(FIRST_YEAR, 1, 6, 1, 30))
    ids = Ids()
    signup_events = []
    for info in people["alliances"]:
        years = now.year - FIRST_YEAR + 1
        count = EVENTS_PER_YEAR * years
        step = (now - start).total_seconds() / count
        planned = [(start + datetime.timedelta(seconds=step * i), False) for i in range(count)]
        # upcoming ones: the next two months, and the sign-up targets in the portal alliance
        planned += [(_days(now, 2 + 3 * i), False) for i in range(20)]
        if info is people["alliances"][0]:
            planned += [(_days(now, 30 + i), True) for i in range(SIGNUP_EVENTS)]
        for when, is_signup in planned:
            when = when.replace(minute=0, second=0, microsecond=0)
            event_id = ids.next("event")
            past = when < now
            capacity = 100_000 if is_signup else 40
            values = {
                "id": event_id, "alliance_id": info["id"], "title": f"联盟活动 {event_id}",
                "kind": kinds[event_id % len(kinds)], "venue_id": None, "start": when,
                "end": when + datetime.timedelta(hours=2), "capacity": capacity,
                "signup_deadline": when - datetime.timedelta(days=1),
                "visibility": "members" if event_id % 4 == 0 else "public",
                "status": "completed" if past else "published",
                "description": "压测活动说明。",
            }
            event_rows.append(tuple(values[c] for c in columns))
            organizer_rows.append((ids.next("organizer"), event_id,
                                   info["units"][event_id % len(info["units"])]))
            if is_signup:
                signup_events.append(event_id)
                continue
            n = REGISTRATIONS_PER_EVENT if past else rng.randrange(5, 30)
            for member in rng.sample(info["members"], n):
                state = ("attended" if rng.random() < 0.85 else "no_show") if past else "registered"
                registration_rows.append((ids.next("registration"), event_id, member, state,
                                          None, when - datetime.timedelta(days=3)))
                if state == "attended":
                    record_rows.append((ids.next("record"), member, event_id, "2.0", True,
                                        when + datetime.timedelta(hours=2)))
    Table(Event, columns).write(event_rows)
    Table(Event.organizers.through, ["id", "event_id", "unit_id"]).write(organizer_rows)
    Table(Registration, ["id", "event_id", "member_id", "state", "position",
                         "created_at"]).write(registration_rows)
    Table(ServiceRecord, ["id", "member_id", "event_id", "hours", "verified",
                          "created_at"]).write(record_rows)
    fixture["signup_events"] = signup_events
    fixture["counts"].update(events=len(event_rows), registrations=len(registration_rows),
                             service_records=len(record_rows))
    log(f"  {len(event_rows):,} events, {len(registration_rows):,} registrations")


def _reset_all_sequences():
    from django.apps import apps

    models = [m for m in apps.get_models(include_auto_created=True)
              if m._meta.app_label in {"auth", "alliance", "proposals", "volunteers"}]
    reset_sequences(models)
