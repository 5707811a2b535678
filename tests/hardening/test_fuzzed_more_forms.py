"""Hostile and random input to the rest of the portal's POST forms: the 直通车 actions, the
attachment upload, staff recording (代录), event sign-up, attendance and hours corrections,
announcements, notification settings and inbox buttons, the language switch and the account
pages (password, e-mail, authenticator). Never a 500; invalid input changes nothing;
markup typed in comes back escaped. Hypothesis runs 200 examples per form.

Each example runs inside a savepoint that is rolled back, so the next example starts from
the same rows without rebuilding them."""

import contextlib
import decimal
import re
import uuid
from pathlib import Path
from urllib.parse import quote, urlsplit

import pytest
from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from hypothesis import example, given
from hypothesis import strategies as st

from announcements.models import Announcement
from notifications.kinds import preference_choices
from notifications.models import Delivery, Notification, Preference
from proposals.forms import ALLOWED_MIME, ATTACHMENT_MAX_COUNT, SCRIPT_TAG
from proposals.models import Assignment, Attachment, Feedback, Suggestion, SuggestionUpdate
from tests.factories import PASSWORD as CURRENT
from tests.factories import (
    AllianceFactory,
    CategoryFactory,
    EventFactory,
    MemberFactory,
    SuggestionFactory,
    UnitFactory,
    UserFactory,
)
from tests.hardening.test_fuzzed_forms import FUZZ, HOSTILE, _no_raw_markup
from tests.proposals import pages
from volunteers.models import CalendarToken, HoursCorrection, Registration, ServiceRecord

pytestmark = pytest.mark.django_db

MARKUP = ("<script>alert(1)</script>", "<img src=x onerror=alert(1)>")
# More hostile text than the first file's: NUL inside text, overlong and markup mixed in.
TEXT = st.one_of(
    HOSTILE,
    st.sampled_from(["a\x00b", "x" * 5001, " \t\n ", "<b>粗体</b>", "&lt;script&gt;",
                     "<script>alert(1)</script>正文", "\r\n正文\r\n", "😀" * 50]),
    st.text(max_size=300),
)
# Id-shaped junk for choice fields: overflowing, negative, fractional, non-ASCII digits.
JUNK_ID = st.one_of(
    st.sampled_from(["", "0", "-1", "1.5", "1e3", "²", "١", "9" * 30, " 1 ", "1_0", "null",
                     "\x00", "[1]"]),
    st.integers(min_value=-(2**70), max_value=2**70).map(str),
    TEXT,
)
# Text a form should take: markup included (it must come back escaped), never blank.
GOOD_TEXT = st.one_of(
    st.sampled_from([*MARKUP, "{{ 7*7 }}", "' OR 1=1 --", "加装楼道扶手", "中" * 4000,
                     "<b>粗体</b>"]),
    st.text(min_size=1, max_size=200).filter(lambda t: t.strip() and "\x00" not in t),
)
OPTIONAL_TEXT = st.one_of(st.just(""), GOOD_TEXT)
# "@valid" and "@other" stand for a right id and a wrong-but-real one (another alliance's
# unit, a user who is not a handler); the test replaces them with the world's ids.
ID = st.one_of(st.sampled_from(["@valid", "@other"]), JUNK_ID)


@contextlib.contextmanager
def rolled_back():
    """Run one example in a savepoint and undo everything it wrote."""
    with transaction.atomic():
        yield
        transaction.set_rollback(True)


def _text_ok(value, max_length, *, required=True):
    """Whether a Django CharField would take ``value`` (stripped, no NUL, not too long)."""
    stripped = value.strip()
    if "\x00" in value or len(stripped) > max_length:
        return False
    return bool(stripped) or not required


def _id_ok(value, valid):
    try:
        return int(value) in valid
    except (TypeError, ValueError):
        return False


def _has_markup(*values):
    return any(m in str(v) for v in values for m in MARKUP)


# --- the 直通车 actions ---------------------------------------------------------------------

class World:
    """One suggestion per action, in the state where that action is allowed, and the people
    who may take it."""

    def __init__(self):
        self.coordinator = UserFactory(username="fuzz-coord", roles=["coordinator"],
                                       is_staff=True)
        self.handler = UserFactory(username="fuzz-handler", roles=["handler"])
        self.submitter = MemberFactory(user__username="fuzz-member").user
        self.category = CategoryFactory()
        self.unit = UnitFactory(alliance=self.category.alliance)
        self.co_unit = UnitFactory(alliance=self.category.alliance)
        elsewhere = AllianceFactory(slug="elsewhere", name="别处联盟")
        self.foreign_unit = UnitFactory(alliance=elsewhere)
        self.foreign_category = CategoryFactory(alliance=elsewhere, name="别处类别")
        self.merge_target = SuggestionFactory(submitter=self.submitter, category=self.category)

    def suggestion(self, action):
        h = self.handler
        kwargs = {
            "accept": {}, "decline": {}, "merge": {}, "extend_deadline": {}, "withdraw": {},
            "reply": {"accepted": True, "handler": h, "lead_unit": self.unit},
            "conclude_not_implemented": {"replied": True, "handler": h},
            "record_progress": {"replied": True, "handler": h},
            "record_implementation": {"replied": True, "handler": h},
            "give_feedback": {"implemented": True, "handler": h},  # graded A
            "close": {"awaiting_coordinator": True, "handler": h, "outcome_grade": "A"},
            "mark_golden": {"closed": True, "handler": h},  # graded A
        }[action]
        return SuggestionFactory(submitter=self.submitter, category=self.category, **kwargs)

    def actor(self, action):
        if action in ("withdraw", "give_feedback"):
            return self.submitter
        if action in ("reply", "conclude_not_implemented", "record_progress",
                      "record_implementation"):
            return self.handler
        return self.coordinator

    def ids(self, field):
        """(valid ids, a wrong-but-real id) for a choice field of the accept form."""
        return {
            "category": ({self.category.pk}, self.foreign_category.pk),
            "handler": ({self.handler.pk}, self.submitter.pk),
            "lead_unit": ({self.unit.pk, self.co_unit.pk}, self.foreign_unit.pk),
            "co_units": ({self.unit.pk, self.co_unit.pk}, self.foreign_unit.pk),
        }[field]


GRADE = st.one_of(st.sampled_from(["A", "B", "C", "D", "E", "a", "", " A"]), TEXT)
RATING = st.one_of(st.sampled_from([*Feedback.Rating.values, "", "very_satisfied"]), TEXT)
DAYS = st.one_of(st.integers(min_value=-5, max_value=100).map(str),
                 st.sampled_from(["", "1.5", "1e1", "９", "9" * 30]), TEXT)
BOOL = st.one_of(st.sampled_from(["on", "true", "false", "", "0"]), TEXT)
IDS = st.lists(ID, max_size=3)

# Each form's fields as (a value the form should take, anything at all). A POST keeps most
# fields acceptable and breaks a few, so that both the refusal and the success paths run.
ACTION_FIELDS = {
    "accept": {"category": (st.just("@valid"), ID), "handler": (st.just("@valid"), ID),
               "lead_unit": (st.just("@valid"), ID),
               "co_units": (st.lists(st.just("@valid"), max_size=1), IDS),
               "note": (OPTIONAL_TEXT, TEXT)},
    "decline": {"text": (GOOD_TEXT, TEXT)},
    "merge": {"into": (st.just("@valid"), TEXT), "text": (OPTIONAL_TEXT, TEXT)},
    "extend_deadline": {"working_days": (st.integers(1, 30).map(str), DAYS),
                        "text": (GOOD_TEXT, TEXT)},
    "withdraw": {"text": (OPTIONAL_TEXT, TEXT)},
    "reply": {"text": (GOOD_TEXT, TEXT)},
    "conclude_not_implemented": {"grade": (st.sampled_from("CD"), GRADE),
                                 "text": (GOOD_TEXT, TEXT)},
    "record_progress": {"text": (GOOD_TEXT, TEXT), "is_public": (BOOL, BOOL)},
    "record_implementation": {"grade": (st.sampled_from("AB"), GRADE),
                              "text": (GOOD_TEXT, TEXT)},
    "give_feedback": {"rating": (st.sampled_from(Feedback.Rating.values), RATING),
                      "comment": (OPTIONAL_TEXT, TEXT)},
    "close": {"text": (GOOD_TEXT, TEXT)},
    "mark_golden": {"summary": (GOOD_TEXT, TEXT)},
}


def post_data(fields):
    """A POST for a form of ``fields``: all acceptable, except up to two drawn to break."""
    return st.sets(st.sampled_from(sorted(fields)), max_size=2).flatmap(
        lambda broken: st.fixed_dictionaries({
            name: (anything if name in broken else good)
            for name, (good, anything) in fields.items()}))


def _resolve(world, action, raw):
    """The POST data: placeholders replaced by the world's ids."""
    data = {}
    for name, value in raw.items():
        if action == "merge" and name == "into":
            data[name] = world.merge_target.tracking_number if value == "@valid" else value
            continue
        if action != "accept" or name not in ("category", "handler", "lead_unit", "co_units"):
            data[name] = value
            continue
        valid, other = world.ids(name)
        swap = {"@valid": str(min(valid)), "@other": str(other)}
        data[name] = ([swap.get(v, v) for v in value] if isinstance(value, list)
                      else swap.get(value, value))
    return data


def _action_input_ok(world, action, data):
    """False when a form must refuse ``data``; True when it may accept it."""
    text_max = 5000
    checks = {
        "accept": lambda: (_id_ok(data["category"], world.ids("category")[0])
                           and _id_ok(data["handler"], world.ids("handler")[0])
                           and _id_ok(data["lead_unit"], world.ids("lead_unit")[0])
                           and all(_id_ok(v, world.ids("co_units")[0])
                                   for v in data["co_units"])
                           and _text_ok(data["note"], text_max, required=False)),
        "merge": lambda: (_text_ok(data["into"], 20)
                          and data["into"].strip().upper()
                          == world.merge_target.tracking_number
                          and _text_ok(data["text"], text_max, required=False)),
        "extend_deadline": lambda: (_days_ok(data["working_days"])
                                    and _text_ok(data["text"], text_max)),
        "withdraw": lambda: _text_ok(data["text"], text_max, required=False),
        "conclude_not_implemented": lambda: (data["grade"] in ("C", "D")
                                             and _text_ok(data["text"], text_max)),
        "record_implementation": lambda: (data["grade"] in ("A", "B")
                                          and _text_ok(data["text"], text_max)),
        "give_feedback": lambda: (data["rating"] in Feedback.Rating.values
                                  and _text_ok(data["comment"], 2000, required=False)),
        "mark_golden": lambda: (_text_ok(data["summary"], text_max)
                                and not SCRIPT_TAG.search(data["summary"])),
    }
    check = checks.get(action, lambda: _text_ok(data["text"], text_max))
    return check()


def _days_ok(value):
    try:
        return 1 <= int(re.sub(r"\.0*\s*$", "", value.strip())) <= 30
    except ValueError:
        return False


def _snapshot(pk):
    return (
        Suggestion.objects.filter(pk=pk).values().get(),
        list(SuggestionUpdate.objects.filter(suggestion_id=pk).values_list("pk", flat=True)),
        list(Feedback.objects.filter(suggestion_id=pk).values_list("pk", flat=True)),
        list(Assignment.objects.filter(suggestion_id=pk).values_list("pk", flat=True)),
        _notification_ids(),
    )


def _notification_ids():
    return list(Notification.objects.values_list("pk", flat=True))


@pytest.fixture
def world(db):
    return World()


@pytest.mark.parametrize("action", list(ACTION_FIELDS))
@FUZZ
@given(data=st.data())
def test_suggestion_action_forms_survive_anything(client, world, action, data):
    raw = data.draw(post_data(ACTION_FIELDS[action]), label="post")
    post = _resolve(world, action, raw)
    with rolled_back():
        s = world.suggestion(action)
        client.force_login(world.actor(action))
        before = _snapshot(s.pk)
        response = client.post(f"/suggestions/{s.tracking_number}/{action}/", post)
        assert response.status_code in (302, 400)
        after = _snapshot(s.pk)
        if response.status_code == 400:
            # refused beside the field: nothing written, the input kept and escaped
            assert after == before
            _no_raw_markup(response.content.decode())
        else:
            assert _action_input_ok(world, action, post), "invalid input was accepted"
            for update in SuggestionUpdate.objects.filter(suggestion=s):
                assert "\x00" not in update.text
            if after != before and _has_markup(*post.values()):
                _no_raw_markup(client.get(s.get_absolute_url()).content.decode())
        if not _action_input_ok(world, action, post):
            assert response.status_code == 400


@FUZZ
@given(number=st.one_of(st.just("@valid"), TEXT), action=st.one_of(
    st.sampled_from([*ACTION_FIELDS, "delete", "auto_close_no_response", "ACCEPT"]), TEXT))
@example(number="\x00", action="decline")
@example(number="ZTC-2026-\x0000001", action="accept")
def test_suggestion_addresses_survive_wrong_numbers_and_names(client, world, number, action):
    with rolled_back():
        s = world.suggestion("accept")
        client.force_login(world.coordinator)
        before = _snapshot(s.pk)
        tracking = quote(s.tracking_number if number == "@valid" else number, safe="")
        response = client.post(f"/suggestions/{tracking}/{quote(action, safe='')}/",
                               {"text": "<script>alert(1)</script>"})
        assert response.status_code in (302, 400, 404, 405)
        if action != "decline" or number != "@valid":
            assert _snapshot(s.pk) == before
        _no_raw_markup(response.content.decode())
        for url in (f"/suggestions/{tracking}/", f"/suggestions/{tracking}/attachments/1/",
                    f"/events/feed/{tracking}.ics"):
            assert client.get(url).status_code in (200, 404)


# --- the attachment upload ------------------------------------------------------------------

UPLOAD_NAME = st.one_of(
    st.sampled_from(["方案.pdf", "../../etc/passwd", "<script>alert(1)</script>.png",
                     "<img src=x onerror=alert(1)>.pdf", "a\x00.pdf", "中" * 300 + ".pdf",
                     ".htaccess", "x.docx", "x.exe", "CON.pdf", "a/b\\c.png", "/", "..",
                     "a/"]),
    st.text(min_size=1, max_size=60),
)
UPLOAD_BYTES = st.one_of(
    st.sampled_from([pages.PNG, pages.PDF, pages.EXE, b"", b"PK\x03\x04" + b"\x00" * 40,
                     b"<script>alert(1)</script>", b"%PDF"]),
    st.binary(max_size=300),
)


def _upload(name, content):
    """An upload sent with exactly ``name``, even one ("/", "..") that Django would not
    accept as a file name on this side: a browser or a script can send it."""
    upload = SimpleUploadedFile("placeholder", content)
    upload._name = name
    return upload


def _media_files(root):
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


@FUZZ
@given(files=st.lists(st.tuples(UPLOAD_NAME, UPLOAD_BYTES), max_size=7))
@example(files=[("中" * 220 + ".pdf", pages.PDF)])
def test_attachment_upload_survives_anything(client, settings, files):
    with rolled_back():
        member = MemberFactory(user__username="fuzz-uploader")
        category = CategoryFactory(alliance=member.alliance)
        client.force_login(member.user)
        media = Path(settings.MEDIA_ROOT)
        files_before = _media_files(media)
        uploads = [_upload(name, content) for name, content in files]
        response = client.post("/suggestions/new/", {
            "title": "加装楼道扶手", "content": "老人上下楼不便。", "category": category.pk,
            "form_token": uuid.uuid4().hex, "attachments": uploads})
        # 400: Django's upload parser refuses a name such as ".." as suspicious
        assert response.status_code in (200, 302, 400)
        if response.status_code != 302:
            assert not Suggestion.objects.exists() and not Attachment.objects.exists()
            assert _media_files(media) == files_before
            _no_raw_markup(response.content.decode())
            return
        stored = list(Attachment.objects.all())
        assert len(stored) <= ATTACHMENT_MAX_COUNT
        for attachment in stored:
            assert attachment.content_type in ALLOWED_MIME
            assert "\x00" not in attachment.original_name
            path = Path(attachment.file.path).resolve()
            assert path.is_relative_to(media.resolve()) and path.is_file()
        if _has_markup(*(name for name, _content in files)):
            s = Suggestion.objects.get()
            _no_raw_markup(client.get(s.get_absolute_url()).content.decode())


# --- events: sign-up, attendance, hours -----------------------------------------------------

def _decimal(value):
    try:
        number = decimal.Decimal(value.strip())
    except (decimal.InvalidOperation, ValueError):
        return None
    return number if number.is_finite() else None


def _hours_invalid(value, *, required):
    """True when a DecimalField(0..24) must refuse ``value`` (decimal places aside)."""
    if not value.strip():
        return required
    number = _decimal(value)
    return "\x00" in value or number is None or not 0 <= number <= 24


HOURS = st.one_of(
    st.sampled_from(["", "0", "2", "24", "24.1", "-0.5", "1.25", "NaN", "sNaN", "Infinity",
                     "-Infinity", "1e2", "1E-1", "9" * 40, "٢", "2,5"]),
    st.decimals(allow_nan=True, allow_infinity=True).map(str),
    TEXT,
)


class EventWorld:
    def __init__(self):
        self.coordinator = UserFactory(username="fuzz-coord", roles=["coordinator"],
                                       is_staff=True)
        self.member = MemberFactory(user__username="fuzz-volunteer")
        self.event = EventFactory(capacity=2)
        self.draft = EventFactory(draft=True)
        self.other_event = EventFactory()
        self.registrations = [Registration.objects.create(event=self.event,
                                                          member=MemberFactory())
                              for _ in range(2)]
        self.foreign_registration = Registration.objects.create(event=self.other_event,
                                                                member=MemberFactory())
        self.record = ServiceRecord.objects.create(
            member=self.member, event=self.other_event, hours=2, verified=True,
            recorded_by=self.coordinator, note="活动签到")


@pytest.fixture
def events(db):
    return EventWorld()


def _event_snapshot():
    return (
        list(Registration.objects.order_by("pk").values_list("pk", "state", "position")),
        list(ServiceRecord.objects.order_by("pk").values_list("pk", "member_id", "event_id",
                                                             "hours")),
        list(HoursCorrection.objects.values_list("pk", flat=True)),
        list(CalendarToken.objects.values_list("pk", flat=True)),
        _notification_ids(),
    )


REG_ID = st.one_of(st.sampled_from(["@valid", "@other"]), JUNK_ID)


@FUZZ
@given(hours=HOURS, ids=st.lists(REG_ID, max_size=4),
       action=st.one_of(st.sampled_from(["", "all", "absent", "present"]), TEXT))
@example(hours="1", ids=["abc", "9" * 30, "²", "@valid"], action="")
def test_attendance_form_survives_anything(client, events, hours, ids, action):
    swap = {"@valid": str(events.registrations[0].pk),
            "@other": str(events.foreign_registration.pk)}
    post = {"hours": hours, "registration": [swap.get(i, i) for i in ids], "action": action}
    with rolled_back():
        client.force_login(events.coordinator)
        before = _event_snapshot()
        response = client.post(f"/events/{events.event.pk}/attendance/", post)
        assert response.status_code in (200, 302)
        if _hours_invalid(hours, required=False):
            assert response.status_code == 200
        if response.status_code == 200:
            assert _event_snapshot() == before
            _no_raw_markup(response.content.decode())
        assert Registration.objects.get(pk=events.foreign_registration.pk).state == "registered"
        for record in ServiceRecord.objects.all():
            assert 0 <= record.hours <= 24


@FUZZ
@given(hours=HOURS, reason=TEXT)
def test_hours_correction_form_survives_anything(client, events, hours, reason):
    with rolled_back():
        client.force_login(events.coordinator)
        before = _event_snapshot()
        url = f"/events/hours/{events.record.pk}/correct/"
        response = client.post(url, {"hours": hours, "reason": reason})
        assert response.status_code in (200, 302)
        invalid = _hours_invalid(hours, required=True) or not _text_ok(reason, 200)
        if invalid:
            assert response.status_code == 200
        if response.status_code == 200:
            assert _event_snapshot() == before
            _no_raw_markup(response.content.decode())
        else:
            assert 0 <= ServiceRecord.objects.get(pk=events.record.pk).hours <= 24
            if _has_markup(reason):
                _no_raw_markup(client.get(url).content.decode())


@FUZZ
@given(view=st.sampled_from(["register", "cancel", "feed_reset"]),
       pk=st.one_of(st.sampled_from(["@valid", "@draft"]),
                    st.integers(min_value=0, max_value=2**80).map(str)),
       body=st.dictionaries(TEXT, TEXT, max_size=3))
def test_event_signup_buttons_survive_anything(client, events, view, pk, body):
    event_pk = {"@valid": events.event.pk, "@draft": events.draft.pk}.get(pk, pk)
    url = ("/events/feed/reset/" if view == "feed_reset"
           else f"/events/{event_pk}/{view}/")
    with rolled_back():
        client.force_login(events.member.user)
        if view == "cancel" and pk == "@valid":
            Registration.objects.create(event=events.event, member=events.member,
                                        state="waitlisted", position=1)
        response = client.post(url, body)
        assert response.status_code in (302, 404)
        active = Registration.objects.filter(member=events.member, state__in=Registration.ACTIVE)
        # one registration per event at most, and none for a draft nobody may see
        events_signed_up = list(active.values_list("event_id", flat=True))
        assert len(events_signed_up) == len(set(events_signed_up)) <= 1
        assert events.draft.pk not in events_signed_up
        assert CalendarToken.objects.filter(member=events.member).count() <= 1


# --- announcements ------------------------------------------------------------------------

DATETIME = st.one_of(
    st.sampled_from(["", "0001-01-01T00:00", "0001-01-01 00:00:00", "9999-12-31T23:59",
                     "2026-02-30T10:00", "2026-01-01 25:00", "now", "2026-06-01T08:00"]),
    st.datetimes().map(lambda d: d.isoformat(sep="T")[:16]),
    TEXT,
)
BODY = st.one_of(
    st.sampled_from(["[点我](javascript:alert(1))", "<img src=x onerror=alert(1)>",
                     "<script>alert(1)</script>", "**粗体** <iframe src=//evil></iframe>",
                     "<a href=\"javascript:alert(1)\">x</a>", "![x](javascript:alert(1))"]),
    TEXT,
)
IMAGE = st.one_of(st.none(), st.tuples(UPLOAD_NAME, UPLOAD_BYTES))


@pytest.fixture
def publisher(db):
    alliance = AllianceFactory()
    coordinator = UserFactory(username="fuzz-coord", roles=["coordinator"], is_staff=True)
    coordinator.unit = UnitFactory(alliance=alliance)
    coordinator.foreign_unit = UnitFactory(alliance=AllianceFactory(slug="elsewhere"))
    return coordinator


# What the Markdown sanitizer must never let through: script tags, event handlers, and
# javascript: links (as text they are harmless).
JS_LINK = re.compile(r"(href|src)\s*=\s*[\"']?\s*javascript:", re.I)
UNSAFE_HTML = re.compile(r"<script|<iframe|\son\w+\s*=|" + JS_LINK.pattern, re.I)
ANNOUNCEMENT_FIELDS = {
    "title": (GOOD_TEXT.filter(lambda t: len(t.strip()) <= 200), TEXT),
    "kind": (st.sampled_from(["notice", "news", "policy"]),
             st.one_of(st.sampled_from(["NEWS", ""]), TEXT)),
    "audience": (st.sampled_from(["public", "members"]),
                 st.one_of(st.sampled_from(["units", ""]), TEXT)),
    "units": (st.lists(st.just("@valid"), max_size=1), IDS),
    "publish_at": (st.sampled_from(["", "2026-06-01T08:00"]), DATETIME),
    "pinned": (BOOL, BOOL),
    "body": (st.one_of(BODY.filter(lambda t: "\x00" not in t), GOOD_TEXT), BODY),
    "cover": (st.none(), IMAGE),
}


GOOD_ANNOUNCEMENT = {"title": "通知", "kind": "notice", "audience": "units", "units": ["@valid"],
                     "publish_at": "", "pinned": "", "body": "正文", "cover": None}


@FUZZ
@given(raw=post_data(ANNOUNCEMENT_FIELDS))
@example(raw={**GOOD_ANNOUNCEMENT, "publish_at": "0001-01-01T00:00"})
@example(raw={**GOOD_ANNOUNCEMENT, "units": ["@valid", "9" * 30]})
def test_announcement_form_survives_anything(client, publisher, raw):
    title, kind, audience, units, publish_at, pinned, body, cover = (
        raw[name] for name in ANNOUNCEMENT_FIELDS)
    swap = {"@valid": str(publisher.unit.pk), "@other": str(publisher.foreign_unit.pk)}
    post = {"title": title, "kind": kind, "audience": audience, "publish_at": publish_at,
            "pinned": pinned, "body": body, "units": [swap.get(u, u) for u in units]}
    if cover is not None:
        post["cover"] = SimpleUploadedFile(*cover)
    with rolled_back():
        client.force_login(publisher)
        response = client.post("/announcements/new/", post)
        assert response.status_code in (200, 302)
        invalid = (not _text_ok(title, 200) or kind not in Announcement.Kind.values
                   or audience not in Announcement.Audience.values
                   or not all(_id_ok(u, {publisher.unit.pk}) for u in post["units"])
                   or (audience == "units" and not post["units"])
                   or "\x00" in body)
        if invalid:
            assert response.status_code == 200
        if response.status_code == 200:
            assert not Announcement.objects.exists()
            _no_raw_markup(response.content.decode())
            return
        announcement = Announcement.objects.get()
        assert not UNSAFE_HTML.search(announcement.body_html)
        html = client.get(announcement.get_absolute_url()).content.decode()
        _no_raw_markup(html)
        assert not JS_LINK.search(html)


@FUZZ
@given(pk=st.one_of(st.just("@valid"), st.integers(min_value=0, max_value=2**80).map(str)),
       body=st.dictionaries(TEXT, TEXT, max_size=3))
def test_announcement_reminder_button_survives_anything(client, publisher, pk, body):
    with rolled_back():
        announcement = Announcement.objects.create(
            alliance=publisher.unit.alliance, title="成员公告", audience="members",
            author=publisher)
        MemberFactory(user__username="fuzz-reader")
        target = announcement.pk if pk == "@valid" else pk
        client.force_login(publisher)
        for _ in range(2):
            response = client.post(f"/announcements/{target}/reads/remind/", body)
            assert response.status_code in (302, 404)
        # one reminder per unread member and day, however often the button is pressed
        assert Notification.objects.count() <= 1


# --- notifications ------------------------------------------------------------------------

def _kinds():
    return [value for value, _label in preference_choices()]


@FUZZ
@given(language=st.one_of(st.sampled_from(["zh-hans", "en", "EN", "zh", "", "fr"]), TEXT),
       kinds=st.lists(st.one_of(st.just("@kind"), TEXT),
                      max_size=4))
def test_notification_preferences_survive_anything(client, member_user, language, kinds):
    valid_kinds = _kinds()
    kinds = [valid_kinds[0] if k == "@kind" else k for k in kinds]
    with rolled_back():
        client.force_login(member_user)
        before = list(Preference.objects.values())
        response = client.post("/me/notifications/preferences/",
                               {"language": language, "email_kinds": kinds})
        assert response.status_code in (200, 302)
        if language not in ("zh-hans", "en") or not set(kinds) <= set(valid_kinds):
            assert response.status_code == 200
        if response.status_code == 200:
            assert list(Preference.objects.values()) == before
            _no_raw_markup(response.content.decode())
        else:
            preference = Preference.objects.get(user=member_user)
            assert preference.language in ("zh-hans", "en")
            assert set(preference.email_muted) <= set(valid_kinds)


@FUZZ
@given(view=st.sampled_from(["open", "read_all", "retry"]),
       pk=st.one_of(st.sampled_from(["@own", "@other"]),
                    st.integers(min_value=0, max_value=2**80).map(str)),
       ids=st.lists(st.one_of(st.sampled_from(["@failed", "@sent"]), JUNK_ID), max_size=4))
@example(view="retry", pk="@own", ids=["²", "9" * 30, "@failed"])
def test_inbox_buttons_survive_anything(client, coordinator, member_user, view, pk, ids):
    with rolled_back():
        own = Notification.objects.create(recipient=coordinator, kind="other",
                                          dedup_key="fuzz-own", subject="<script>alert(1)</script>",
                                          url="//evil.example/")
        other = Notification.objects.create(recipient=member_user, kind="other",
                                            dedup_key="fuzz-other", subject="别人的通知")
        failed = Delivery.objects.create(notification=own, channel="email", state="failed",
                                         attempts=5, last_error="boom")
        sent = Delivery.objects.create(notification=other, channel="email", state="sent")
        swap = {"@own": own.pk, "@other": other.pk, "@failed": str(failed.pk),
                "@sent": str(sent.pk)}
        client.force_login(coordinator)
        url = {"open": f"/me/notifications/{swap.get(pk, pk)}/open/",
               "read_all": "/me/notifications/read-all/",
               "retry": "/me/notifications/failed/"}[view]
        response = client.post(url, {"delivery": [swap.get(i, i) for i in ids]})
        assert response.status_code in (302, 404)
        if response.status_code == 302:
            assert not urlsplit(response["Location"]).netloc
        other.refresh_from_db()
        sent.refresh_from_db()
        assert other.read_at is None and sent.state == "sent"
        failed.refresh_from_db()
        if failed.state != "failed":
            sent_ids = [str(swap.get(i, i)) for i in ids]
            assert view == "retry" and failed.pk in {
                int(i) for i in sent_ids if i.isascii() and i.isdigit() and len(i) <= 18}


# --- the language switch ------------------------------------------------------------------

@FUZZ
@given(language=st.one_of(st.sampled_from(["en", "zh-hans", "xx", ""]), TEXT),
       next_url=st.one_of(st.sampled_from(["//evil.example/", "https://evil.example/",
                                           "javascript:alert(1)", "/me/", "\\\\evil.example",
                                           "/%0d%0aSet-Cookie:x=1"]), TEXT))
def test_language_switch_survives_anything(client, language, next_url):
    response = client.post("/i18n/setlang/", {"language": language, "next": next_url})
    assert response.status_code in (204, 302)
    if response.status_code == 302:
        location = urlsplit(response["Location"])
        assert not location.netloc and location.scheme in ("", "http", "https")
        assert "\n" not in response["Location"] and "\r" not in response["Location"]


# --- a suggestion recorded by staff on a member's behalf (代录) ----------------------------

RECORD_FIELDS = {
    "title": (GOOD_TEXT.filter(lambda t: len(t.strip()) <= 120), TEXT),
    "content": (GOOD_TEXT, TEXT),
    "category": (st.just("@valid"), ID),
    "submitter": (st.just("@valid"), ID),
    "channel": (st.sampled_from(Suggestion.Channel.values),
                st.one_of(st.sampled_from(["", "fax", "WEB"]), TEXT)),
    "source_event": (st.sampled_from(["", "@valid"]), ID),
}


@FUZZ
@given(raw=post_data(RECORD_FIELDS))
def test_staff_recording_form_survives_anything(client, world, raw):
    with rolled_back():
        salon = EventFactory(salon=True, alliance=world.category.alliance)
        draft = EventFactory(salon=True, draft=True, alliance=world.category.alliance)
        valid = {"category": ({world.category.pk}, world.foreign_category.pk),
                 "submitter": ({world.submitter.pk}, world.handler.pk),
                 "source_event": ({salon.pk}, draft.pk)}
        post = {name: (str(min(valid[name][0])) if value == "@valid"
                       else str(valid[name][1]) if value == "@other" else value)
                if name in valid else value for name, value in raw.items()}
        post["form_token"] = uuid.uuid4().hex
        client.force_login(world.coordinator)
        before = Suggestion.objects.count(), _notification_ids()
        response = client.post("/suggestions/new/", post)
        assert response.status_code in (200, 302)
        invalid = (not _text_ok(post["title"], 120) or not _text_ok(post["content"], 5000)
                   or SCRIPT_TAG.search(post["title"]) or SCRIPT_TAG.search(post["content"])
                   or post["channel"] not in Suggestion.Channel.values
                   or not all(_id_ok(post[name], valid[name][0])
                              for name in ("category", "submitter"))
                   or (post["source_event"].strip()
                       and not _id_ok(post["source_event"], valid["source_event"][0])))
        if invalid:
            assert response.status_code == 200
        if response.status_code == 200:
            assert (Suggestion.objects.count(), _notification_ids()) == before
            _no_raw_markup(response.content.decode())
            return
        s = Suggestion.objects.latest("pk")
        assert s.submitter == world.submitter and s.recorded_by == world.coordinator
        assert s.channel in Suggestion.Channel.values
        assert s.source_event_id in (None, salon.pk)


# --- the account pages (django-allauth under /accounts/) ----------------------------------

PASSWORDS = st.one_of(st.sampled_from(["pw-for-tests-1", "", "short", "password",
                                      "Str0ng-and-new-过长的密码", "\x00" * 9]), TEXT)


@FUZZ
@given(old=PASSWORDS, new1=PASSWORDS, new2=st.one_of(st.just("@same"), PASSWORDS))
def test_password_change_form_survives_anything(client, member_user, old, new1, new2):
    new2 = new1 if new2 == "@same" else new2
    cache.clear()  # allauth's rate limit: each example starts with none used
    member_user.refresh_from_db()  # the hash a changed-then-rolled-back password left
    with rolled_back():
        client.force_login(member_user)
        response = client.post("/accounts/password/change/",
                               {"oldpassword": old, "password1": new1, "password2": new2})
        assert response.status_code in (200, 302)
        member_user.refresh_from_db()
        if response.status_code == 302:
            assert response["Location"] == "/accounts/password/change/"
            assert old == CURRENT and new1 == new2 and "\x00" not in new1
            assert member_user.check_password(new1)
        else:
            assert member_user.check_password(CURRENT)
            _no_raw_markup(response.content.decode())


EMAIL = st.one_of(st.sampled_from(["m@example.cn", "member-a@example.cn", "<script>@x.cn",
                                   "a@b", "a\x00@example.cn", "", "x" * 300 + "@example.cn",
                                   "\"<script>alert(1)</script>\"@example.cn"]),
                  st.emails().map(str), TEXT)


@FUZZ
@given(email=EMAIL, view=st.sampled_from(["reset", "add"]))
@example(email="x" * 290 + "@example.cn", view="add")
def test_account_email_forms_survive_anything(client, member_user, mailoutbox, email, view):
    cache.clear()
    # allauth files the account's own address under EmailAddress on its own: not input
    others = EmailAddress.objects.exclude(email=member_user.email)
    with rolled_back():
        if view == "add":
            client.force_login(member_user)
        before = list(others.values_list("pk", "email"))
        mailoutbox.clear()
        url = "/accounts/password/reset/" if view == "reset" else "/accounts/email/"
        response = client.post(url, {"email": email, "action_add": ""})
        assert response.status_code in (200, 302)
        if response.status_code != 302:
            assert list(others.values_list("pk", "email")) == before
            _no_raw_markup(response.content.decode())
        for message in mailoutbox:
            assert all("\x00" not in to and "\n" not in to for to in message.to)


@FUZZ
@given(code=st.one_of(st.sampled_from(["", "000000", "12345", "1234567", "abcdef", "٠٠٠٠٠٠",
                                       "9" * 400]), TEXT))
def test_authenticator_activation_form_survives_anything(client, coordinator, code):

    cache.clear()
    with rolled_back():
        # signed in with the password, and asked for it again before enrolling
        assert client.post("/accounts/login/",
                           {"login": "coord", "password": CURRENT}).status_code == 302
        assert client.post("/accounts/reauthenticate/",
                           {"password": CURRENT}).status_code == 302
        response = client.post("/accounts/2fa/totp/activate/", {"code": code})
        assert response.status_code in (200, 429)
        assert not Authenticator.objects.exists()
        _no_raw_markup(response.content.decode())
