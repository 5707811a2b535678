"""The crafted input of issue #19 (item 7) that gave 500s, each answered with a message:
months and years out of range on the event pages, dates at the ends of what a date holds
on the dashboard and its exports, and account names longer than django-axes' varchar(255)
on both logins. tests/hardening/test_fuzzed_queries.py fuzzes every page's query string.

The overlong logins failed the INSERT only on PostgreSQL; on SQLite the same tests see the
row axes wrote with the overlong name (no column may hold it), so they fail there too
without the fix.
"""

import datetime
import io

import openpyxl
import pytest
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.core.cache import cache
from django.db import transaction
from django.utils import timezone
from hypothesis import given, settings
from hypothesis import strategies as st

from dashboard.stats import default_period
from tests.factories import AllianceFactory, EventFactory
from tests.hardening.test_fuzzed_forms import FUZZ

pytestmark = pytest.mark.django_db

def _html(response):
    assert response.status_code == 200, response.status_code
    return response.content.decode()


@pytest.mark.parametrize("month", ["99999-01", "0-1", "1999-12", "2101-01"])
def test_event_list_with_a_month_out_of_range_says_so_and_lists_all(client, month):
    html = _html(client.get("/events/", {"month": month}))
    assert "月份须在 2000 年至 2100 年之间" in html
    assert 'data-testid="event-list"' in html


@pytest.mark.parametrize("month", ["2026-13", "2026-0", "-1-1", "abc", "2026-05-01", "\x00"])
def test_event_list_with_a_malformed_month_says_so(client, month):
    html = _html(client.get("/events/", {"month": month}))
    assert "请按“年-月”填写月份" in html


def test_event_list_filters_by_a_valid_month(client):
    event = EventFactory(title="五月的活动", start=timezone.now() + datetime.timedelta(days=1))
    month = timezone.localtime(event.start).strftime("%Y-%m")
    assert "五月的活动" in _html(client.get("/events/", {"month": month}))
    other = (timezone.localtime(event.start) + datetime.timedelta(days=40)).strftime("%Y-%m")
    assert "五月的活动" not in _html(client.get("/events/", {"month": other}))


@pytest.mark.parametrize(("year", "message"), [
    ("99999", "年度不能晚于 2100 年"), ("0", "年度不能早于 2000 年"),
    ("-1", "年度不能早于 2000 年"), ("9" * 30, "年度不能晚于 2100 年"),
    ("abc", "年度须是整数年份"), ("\x00", "年度须是整数年份"),
])
def test_hours_summary_with_a_year_out_of_range_shows_this_year(client, member_user, year,
                                                                message):
    client.force_login(member_user)
    member = member_user.member
    html = _html(client.get(f"/events/hours/member/{member.pk}/", {"year": year}))
    assert message in html
    assert f"{timezone.localdate().year} 年度志愿服务时长汇总" in html


def test_hours_summary_of_a_year_in_range(client, member_user):
    client.force_login(member_user)
    html = _html(client.get(f"/events/hours/member/{member_user.member.pk}/",
                            {"year": "2030"}))
    assert "2030 年度志愿服务时长汇总" in html
    assert "年度不能" not in html


DASHBOARD_PERIODS = [
    {"date_from": "9999-01-01", "date_to": "9999-12-31"},
    {"date_from": "0001-01-01", "date_to": "0001-12-31"},
    {"date_from": "1999-12-31", "date_to": "2000-01-05"},
    {"date_from": "2100-12-01", "date_to": "2101-01-01"},
]


@pytest.fixture
def dashboard_client(client, coordinator):
    AllianceFactory()
    client.force_login(coordinator)
    return client


@pytest.mark.parametrize("period", DASHBOARD_PERIODS)
def test_dashboard_with_dates_out_of_range_shows_the_error(dashboard_client, period):
    html = _html(dashboard_client.get("/dashboard/", period))
    assert "日期不能晚于 2100-12-31" in html or "日期不能早于 2000-01-01" in html
    assert "is-invalid" in html


@pytest.mark.parametrize("path", ["/dashboard/export/statistics.xlsx",
                                  "/dashboard/export/suggestions.xlsx",
                                  "/dashboard/export/suggestions.csv"])
@pytest.mark.parametrize("period", DASHBOARD_PERIODS)
def test_dashboard_exports_with_dates_out_of_range_export_the_default(dashboard_client, path,
                                                                      period):
    response = dashboard_client.get(path, period)
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    body = b"".join(response.streaming_content if response.streaming else [response.content])
    if path.endswith("statistics.xlsx"):  # the workbook names the period it counted
        sheet = openpyxl.load_workbook(io.BytesIO(body)).active
        cells = {row[0]: row[1] for row in sheet.iter_rows(max_row=10, values_only=True)}
        first, last = default_period()
        assert (cells["起始日期"].date(), cells["截止日期"].date()) == (first, last)


def test_dashboard_takes_the_ends_of_its_range(dashboard_client):
    html = _html(dashboard_client.get("/dashboard/", {"date_from": "2096-01-01",
                                                      "date_to": "2100-12-31"}))
    assert "is-invalid" not in html


# --- an account name longer than any account's ----------------------------------------------

LOGINS = {"allauth": ("/accounts/login/", "login"),
          "admin": ("/admin/login/?next=/admin/", "username")}


def _axes_names():
    return [*AccessAttempt.objects.values_list("username", flat=True),
            *AccessFailureLog.objects.values_list("username", flat=True),
            *AccessLog.objects.values_list("username", flat=True)]


OVERLONG = [(which, name) for which in LOGINS for name in (
    "a" * 256, "中" * 300, "x" * 250 + "@example.cn",
    # Short, but longer than 255 as the lockout counts them (NFKC, case-folded): each
    # U+FDFA is 18 characters, each ß two.
    "\ufdfa" * 20, "ß" * 200)]


@pytest.mark.parametrize(("which", "name"), OVERLONG, ids=lambda v: v[:12])
def test_a_login_with_an_overlong_account_name_is_refused_with_a_message(client, which,
                                                                         name):
    url, field = LOGINS[which]
    response = client.post(url, {field: name, "password": "whatever"}, follow=True)
    html = _html(response)
    assert "不能超过 254 个字符" in html
    assert "_auth_user_id" not in client.session
    # nothing an axes column (varchar 255) cannot hold was written
    assert all(len(n or "") <= 255 for n in _axes_names())


@pytest.mark.parametrize("which", list(LOGINS))
def test_a_wrong_login_of_the_longest_name_is_still_recorded(client, which):
    url, field = LOGINS[which]
    name = "x" * 242 + "@example.cn"  # 254: an e-mail address can be this long
    response = client.post(url, {field: name, "password": "whatever"})
    assert response.status_code == 200
    assert "不能超过" not in response.content.decode()
    assert name in _axes_names()


LONG_NAME = st.text(alphabet=st.sampled_from(["a", "Z", "中", "ß", "\ufdfa", "ﬃ", "İ", "@", ".",
                                              " ", "\u3000"]), min_size=120, max_size=400)


@settings(FUZZ, max_examples=100)
@given(which=st.sampled_from(list(LOGINS)), name=LONG_NAME)
def test_no_long_account_name_reaches_axes_too_long(client, which, name):
    """Each example a first attempt (no lockout, no rate limit): rolled back, cache cleared."""
    url, field = LOGINS[which]
    cache.clear()
    with transaction.atomic():
        response = client.post(url, {field: name, "password": "whatever"})
        assert response.status_code in (200, 302)
        assert "_auth_user_id" not in client.session
        assert all(len(n or "") <= 255 for n in _axes_names())
        transaction.set_rollback(True)
