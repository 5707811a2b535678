"""/dashboard/ and its exports: who may see them, what they show, what they send."""

import csv
import datetime
import io
import zoneinfo

import openpyxl
import pytest
import time_machine
from django.conf import settings
from django.core.cache import cache, caches
from django.utils import translation

from dashboard import stats
from tests.dashboard.conftest import PERIOD, TODAY, at
from tests.factories import MembershipFactory, SuggestionFactory, UnitFactory, UserFactory

NOW = datetime.datetime(2026, 6, 15, 12, tzinfo=zoneinfo.ZoneInfo("Asia/Shanghai"))
QUERY = {"date_from": "2026-01-01", "date_to": "2026-06-30"}

pytestmark = pytest.mark.usefixtures("_frozen")


@pytest.fixture
def _frozen():
    with time_machine.travel(NOW, tick=False):
        yield


def overview(district, **kwargs):
    return stats.overview(stats.StatsFilter(alliance=district.alliance, date_from=PERIOD[0],
                                            date_to=PERIOD[1], **kwargs), today=TODAY)


# --- who may see it ---------------------------------------------------------------------


@pytest.mark.parametrize("url", ["/dashboard/", "/dashboard/export/statistics.xlsx",
                                 "/dashboard/export/suggestions.csv",
                                 "/dashboard/export/suggestions.xlsx"])
def test_dashboard_and_exports_are_404_for_everyone_but_coordinators(
        client, district, member_user, handler_user, liaison, url):
    assert client.get(url).status_code == 404
    for user in (member_user, handler_user, liaison):
        client.force_login(user)
        assert client.get(url).status_code == 404


def test_admin_counts_as_coordinator(client, district, admin_user):
    client.force_login(admin_user)
    assert client.get("/dashboard/", QUERY).status_code == 200


def test_unknown_export_format_is_404(client, district, coordinator):
    client.force_login(coordinator)
    assert client.get("/dashboard/export/suggestions.pdf").status_code == 404


# --- the page ---------------------------------------------------------------------------


def test_coordinator_sees_the_four_you_and_the_tables(client, service, coordinator):
    client.force_login(coordinator)
    response = client.get("/dashboard/", QUERY)

    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-figure="reply_rate">77.8%' in html
    assert 'data-figure="overdue">4<' in html
    assert 'id="trend-data"' in html and "2026-03" in html
    assert "打造两湾十景" in html  # golden idea of the period
    assert 'data-figure="volunteer_hours">5.5<' in html
    # the chart is drawn by a static file: no inline script may run under the CSP
    assert "<script>" not in html and "onclick" not in html
    assert "vendor/chartjs/chart.umd.min.js" in html and "js/dashboard.js" in html


def test_filter_by_unit_narrows_every_figure(client, district, coordinator):
    client.force_login(coordinator)
    response = client.get("/dashboard/", {**QUERY, "unit": district.u2.pk})

    assert response.context["data"]["overview"]["total"] == 4
    assert response.context["flt"].unit == district.u2


def test_bad_period_shows_the_error_beside_the_field_and_keeps_the_input(
        client, district, coordinator):
    client.force_login(coordinator)
    bad = {"date_from": "2026-06-30", "date_to": "2026-01-01"}
    client.get("/dashboard/", QUERY)  # another query's form is cached: it must not be shown

    for _ in range(2):  # rendered, then from the cache
        response = client.get("/dashboard/", bad)
        assert response.status_code == 200
        html = response.content.decode()
        assert "截止日期不能早于起始日期" in html
        assert 'value="2026-06-30"' in html
        assert 'is-invalid' in html


def test_unit_of_another_alliance_is_refused(client, district, coordinator):
    foreign_unit = UnitFactory(alliance=district.foreign.alliance, slug="foreign-unit")
    client.force_login(coordinator)
    response = client.get("/dashboard/", {**QUERY, "unit": foreign_unit.pk})

    assert response.context["form"].errors["unit"]


def test_default_period_is_the_last_twelve_months(client, district, coordinator):
    client.force_login(coordinator)
    flt = client.get("/dashboard/").context["flt"]

    assert (flt.date_from, flt.date_to) == (datetime.date(2025, 7, 1), TODAY)


def test_page_makes_the_same_number_of_queries_for_small_and_larger_data(
        client, service, coordinator, django_assert_max_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(coordinator)
    with CaptureQueriesContext(connection) as small:
        assert client.get("/dashboard/", QUERY).status_code == 200
    for n in range(60):
        SuggestionFactory(submitter=service.submitter, submitted_at=at(1 + n % 6, 3),
                          state=("submitted", "accepted", "closed")[n % 3],
                          category=(service.c1, service.c2)[n % 2],
                          lead_unit=(service.u1, service.u2, None)[n % 3])
    cache.clear()
    caches["fragments"].clear()
    with django_assert_max_num_queries(PAGE_QUERIES):
        with CaptureQueriesContext(connection) as larger:
            assert client.get("/dashboard/", QUERY).status_code == 200
    assert len(larger) == len(small)


PAGE_QUERIES = 29


def test_figures_come_from_the_cache_for_five_minutes_then_are_recounted(
        client, service, coordinator, django_assert_max_num_queries):
    client.force_login(coordinator)
    first = client.get("/dashboard/", QUERY)
    total = first.context["data"]["overview"]["total"]
    assert "数据截至 12:00" in first.content.decode()
    SuggestionFactory(submitter=service.submitter, submitted_at=at(3, 3), category=service.c1)

    with django_assert_max_num_queries(CACHED_PAGE_QUERIES):
        cached = client.get("/dashboard/", QUERY)
    assert cached.context["data"]["overview"]["total"] == total
    assert client.get("/dashboard/", {**QUERY, "unit": service.u1.pk}).context[
        "data"]["overview"]["total"] != total  # another filter, counted afresh

    with time_machine.travel(NOW + datetime.timedelta(seconds=stats.CACHE_SECONDS + 1),
                             tick=False):
        fresh = client.get("/dashboard/", QUERY)
    assert fresh.context["data"]["overview"]["total"] == total + 1
    assert "数据截至 12:05" in fresh.content.decode()


CACHED_PAGE_QUERIES = 5


def _rendered(response, name):
    return name in [t.name for t in response.templates]


def _figures(response):
    page = response.content.decode()
    return page[page.index('data-testid="dashboard-scope"'):page.index("</main>")]


def test_filter_and_figures_are_rendered_once_per_count_and_language(client, service, coordinator):
    client.force_login(coordinator)
    first = client.get("/dashboard/", QUERY)
    again = client.get("/dashboard/", QUERY)

    assert _rendered(first, "dashboard/_figures.html")
    assert not _rendered(again, "dashboard/_figures.html")
    assert _rendered(first, "django/forms/widgets/select.html")
    assert not _rendered(again, "django/forms/widgets/select.html")  # the filter form too
    total = first.context["data"]["overview"]["total"]
    assert f'data-testid="overview-total">{total}<' in _figures(again)
    assert _figures(again) == _figures(first)
    assert _figures(again).count('data-figure="reply_rate"') == 1

    client.cookies["django_language"] = "en"
    english = client.get("/dashboard/", QUERY)
    assert _rendered(english, "dashboard/_figures.html")
    assert _figures(english) != _figures(first)

    SuggestionFactory(submitter=service.submitter, submitted_at=at(3, 3), category=service.c1)
    del client.cookies["django_language"]
    # The count leaves the cache before its rendering does (evicted, or a shorter expiry):
    # the new count is rendered afresh, never shown in the older count's HTML.
    with translation.override(settings.LANGUAGE_CODE):
        cache.delete(stats.figures_key(first.context["flt"], TODAY))
    recounted = client.get("/dashboard/", QUERY)
    assert _rendered(recounted, "dashboard/_figures.html")
    assert recounted.context["data"]["overview"]["total"] == total + 1
    assert f'data-testid="overview-total">{total + 1}<' in _figures(recounted)


# --- exports ----------------------------------------------------------------------------


def _workbook(response):
    return openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))


def test_statistics_workbook_totals_match_the_dashboard(client, service, coordinator):
    client.force_login(coordinator)
    response = client.get("/dashboard/export/statistics.xlsx", QUERY)

    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    book = _workbook(response)
    assert book.sheetnames == ["筛选条件", "总览", "按类别", "按牵头单位", "按月份", "志愿服务",
                               "联盟组成", "金点子"]
    o = overview(service)
    sheet = book["总览"]
    headers = [c.value for c in sheet[1]]
    values = dict(zip(headers, [c.value for c in sheet[2]], strict=True))
    assert values["提交数"] == o["total"] == 14
    assert values["回复率%"] == o["reply_rate"]
    assert values["当前逾期"] == o["overdue"]
    assert values["满意率%"] == o["satisfaction_rate"]
    # the per-category and per-month sheets add up to the total
    for name in ("按类别", "按牵头单位", "按月份"):
        assert sum(row[1].value for row in book[name].iter_rows(min_row=2)) == o["total"]
    # dates are dates, not text
    assert book["筛选条件"]["B2"].value == datetime.datetime(2026, 1, 1)
    assert book["按月份"]["A2"].is_date
    assert book["金点子"]["E2"].is_date
    volunteers = book["志愿服务"]
    assert volunteers.cell(volunteers.max_row, 5).value == 5.5


def test_statistics_workbook_follows_the_unit_filter(client, district, coordinator):
    client.force_login(coordinator)
    book = _workbook(client.get("/dashboard/export/statistics.xlsx",
                                {**QUERY, "unit": district.u2.pk}))

    assert book["总览"]["B2"].value == 4
    assert book["筛选条件"]["B4"].value == "知联会"


def test_suggestion_csv_streams_the_filtered_list(client, district, coordinator):
    district.s[16].title = "=HYPERLINK(\"http://evil\")"
    district.s[16].save(update_fields=["title"])
    client.force_login(coordinator)
    response = client.get("/dashboard/export/suggestions.csv", QUERY)

    assert response.streaming
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0][:3] == ["编号", "标题", "类别"]
    assert len(rows) - 1 == 14
    by_number = {row[0]: row for row in rows[1:]}
    assert district.outside.tracking_number not in by_number
    evil = by_number[district.s[16].tracking_number]
    assert evil[1].startswith("'=")  # never a formula in a spreadsheet
    assert evil[4] == "已答复" or evil[4]  # state as its label
    assert evil[6] == "2026-05-04 10:00"  # local time


def test_suggestion_xlsx_opens_and_matches_the_filter(client, district, coordinator):
    district.s[16].title = "=1+1"
    district.s[16].save(update_fields=["title"])
    client.force_login(coordinator)
    response = client.get("/dashboard/export/suggestions.xlsx",
                          {**QUERY, "category": district.c2.pk})

    sheet = _workbook(response).active
    rows = list(sheet.iter_rows(min_row=2, values_only=True))
    assert len(rows) == 6
    assert isinstance(rows[0][6], datetime.datetime)
    response = client.get("/dashboard/export/suggestions.xlsx", QUERY)
    titles = [row[1] for row in _workbook(response).active.iter_rows(min_row=2,
                                                                     values_only=True)]
    assert "=1+1" in titles  # kept as text, not evaluated


# --- unit pages -------------------------------------------------------------------------


def test_liaison_sees_own_units_figures_on_the_unit_page(client, district):
    user = MembershipFactory(unit=district.u2, role="liaison",
                             member__alliance=district.alliance,
                             member__user__roles=["member", "liaison"]).member.user
    client.force_login(user)
    html = client.get(f"/alliance/units/{district.u2.slug}/").content.decode()

    assert 'data-testid="unit-figures"' in html
    assert 'data-figure="total">4<' in html  # this year: 8, 9, 11, 12


def test_unit_figures_hidden_from_other_liaisons_members_and_the_public(
        client, district, member_user):
    other = MembershipFactory(unit=district.u1, role="liaison",
                              member__alliance=district.alliance).member.user
    url = f"/alliance/units/{district.u2.slug}/"
    assert 'unit-figures' not in client.get(url).content.decode()
    for user in (other, member_user):
        client.force_login(user)
        assert 'unit-figures' not in client.get(url).content.decode()


def test_coordinator_sees_figures_on_every_unit_page(client, district):
    client.force_login(UserFactory(roles=["coordinator"]))
    html = client.get(f"/alliance/units/{district.u1.slug}/").content.decode()

    assert 'data-testid="unit-figures"' in html
