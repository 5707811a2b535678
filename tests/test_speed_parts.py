"""The parts that make pages cheaper without changing what they show: numeric dates, the
shell's routes and static URLs looked up once, and queries composed once per process."""

import datetime
import zoneinfo

import pytest
from django.template import TemplateSyntaxError, engines
from django.urls import reverse, set_script_prefix
from django.utils import translation

from alliance.context import _CANDIDATES
from alliance.models import Alliance
from notifications.context_processors import _UNREAD_IDS, _badge
from notifications.models import Notification
from tests.factories import AllianceFactory
from yichuan.prepared import PreparedQuery
from yichuan.static import PortalStaticFilesStorage

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")


def render(source, **context):
    return engines["django"].from_string(source).render(context)


@pytest.mark.parametrize("fmt", ["Y-m-d H:i:s", "Y-m-d H:i", "Y-m-d", "H:i", "m-d H:i",
                                 "m-d", "Y年m月d日"])
@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_numeric_date_writes_what_date_writes(fmt, language):
    # 23:30 UTC is the next day in Shanghai: both filters show local time.
    moment = datetime.datetime(2026, 12, 31, 23, 30, 5, tzinfo=datetime.UTC)
    with translation.override(language):
        for value in (moment, moment.date()):
            if "H" in fmt and not isinstance(value, datetime.datetime):
                continue  # a date has no time of day for either filter
            ours = render('{% load dates %}{{ v|numeric_date:"' + fmt + '" }}', v=value)
            django = render('{{ v|date:"' + fmt + '" }}', v=value)
            assert ours == django
    assert render('{% load dates %}{{ v|numeric_date:"Y-m-d H:i" }}', v=moment) == \
        "2027-01-01 07:30"


def test_numeric_date_of_nothing_is_nothing_and_words_stay_with_date():
    assert render('{% load dates %}[{{ v|numeric_date:"Y-m-d" }}]', v=None) == "[]"
    assert render('{% load dates %}[{{ v|numeric_date:"Y-m-d" }}]', v="") == "[]"
    with pytest.raises(TemplateSyntaxError, match=r"use \|date"):
        render('{% load dates %}{{ v|numeric_date:"Y-m-d（l）" }}',
               v=datetime.date(2026, 1, 1))


def test_route_is_the_url_tag_for_a_route_without_arguments():
    for name in ("home", "me", "alliance:venues", "account_login", "set_language"):
        assert render("{% load page_shell %}{% route '" + name + "' %}") == reverse(name)
    # a deployment under a path prefix (SCRIPT_NAME) gets its own answers
    set_script_prefix("/portal/")
    try:
        assert render("{% load page_shell %}{% route 'me' %}") == "/portal/me/" == reverse("me")
    finally:
        set_script_prefix("/")
    assert render("{% load page_shell %}{% route 'me' %}") == "/me/"


def test_a_static_url_is_looked_up_in_the_manifest_once(tmp_path):
    (tmp_path / "app.css").write_text("body{}")
    storage = PortalStaticFilesStorage(location=tmp_path)
    storage.hashed_files = {"app.css": "app.0123abcd.css"}
    first = storage.url("app.css")
    storage.hashed_files = {"app.css": "app.ffffffff.css"}  # unchanged while a process runs
    assert storage.url("app.css") == first
    assert first.endswith("app.0123abcd.css")
    assert storage.url("app.css", force=True).endswith("app.ffffffff.css")
    list(storage.post_process({}))  # collectstatic writes a new manifest: looked up again
    storage.hashed_files = {"app.css": "app.eeeeeeee.css"}
    assert storage.url("app.css").endswith("app.eeeeeeee.css")


@pytest.mark.django_db
def test_the_badge_counts_what_the_queryset_counts(member_user):
    for i in range(3):
        Notification.objects.create(recipient=member_user, kind="k", dedup_key=f"k{i}",
                                    subject="s")
    Notification.objects.filter(dedup_key="k0").update(read_at=datetime.datetime.now(SHANGHAI))
    assert _badge(member_user) == 2 == Notification.objects.for_user(member_user).unread().count()
    assert len(_UNREAD_IDS.rows(recipient=member_user.pk + 10_000)) == 0


@pytest.mark.django_db
def test_the_alliance_candidates_are_the_alliances_the_queryset_finds():
    first = AllianceFactory(slug="first")
    second = AllianceFactory(slug="second", host="second.example")
    found = _CANDIDATES.objects(host="second.example", slug="first", chosen=None)
    assert sorted(a.pk for a in found) == [first.pk, second.pk]
    assert {a.queue_version for a in found} == {0}
    assert not found[0]._state.adding  # saved rows, as the ORM would give
    assert [a.founded for a in sorted(found, key=lambda a: a.pk)] == [a.founded for a in
                                          Alliance.objects.filter(pk__in=[first.pk, second.pk])
                                          .order_by("pk")]
    with pytest.raises(ValueError, match="whole rows"):
        PreparedQuery(lambda pk: Alliance.objects.filter(pk=pk).only("pk"), pk=-5).objects(pk=1)
    assert _CANDIDATES.objects(host=None, slug="none", chosen=second.pk) == [second]


def test_a_stand_in_that_does_not_reach_the_statement_is_refused(db):
    unused = PreparedQuery(lambda user, other: Notification.objects.filter(recipient_id=user),
                           user=-1, other=-2)
    with pytest.raises(ValueError, match="did not reach the statement"):
        unused.rows(user=1, other=2)
    alike = PreparedQuery(lambda a, b: Notification.objects.filter(recipient_id=a, target_id=b),
                          a=7, b=7)
    with pytest.raises(ValueError, match="not exactly one stand-in"):
        alike.rows(a=1, b=2)
