"""The page shell every page shares (templates/base.html): landmarks, the navigation's current
item, a language switch that needs a press, Chinese content marked as such in English, the
favicon, and an icon stylesheet of only the icons used."""

import re
import sys
from pathlib import Path

import pytest
from django.conf import settings

from tests.factories import EventFactory, MemberFactory
from tests.visible import shown

pytestmark = pytest.mark.django_db

sys.path.insert(0, str(Path(settings.BASE_DIR) / "scripts"))
import build_icons  # noqa: E402


def html(response):
    return response.content.decode()


def header(response):
    return re.search(r"<header.*?</header>", html(response), re.S).group(0)


def test_one_main_a_header_a_footer_a_skip_link_and_every_nav_labelled(client):
    page = html(client.get("/events/"))
    assert page.count("<main") == 1
    assert "<header" in page and "<footer" in page
    assert re.search(r'<a class="skip-link[^"]*" href="#main">', page)
    assert "跳到正文" in shown(client.get("/events/"))
    for nav in re.findall(r"<nav[^>]*>", page):
        assert "aria-label=" in nav, nav


def test_the_event_page_labels_its_navigation(client):
    event = EventFactory()
    page = html(client.get(event.get_absolute_url()))
    navs = re.findall(r"<nav[^>]*>", page)
    assert len(navs) >= 2
    assert all("aria-label=" in nav for nav in navs)


@pytest.mark.parametrize("url, current", [
    ("/events/", "/events/"),
    ("/alliance/buildings/", "/alliance/buildings/"),
    ("/suggestions/golden/", "/suggestions/golden/"),
])
def test_the_navigation_marks_the_page_one_is_on(client, url, current):
    marked = re.findall(r'<a [^>]*href="([^"]+)"[^>]*aria-current="page"', header(client.get(url)))
    assert marked == [current]


def test_a_member_in_the_golden_ideas_is_not_also_in_my_suggestions(client):
    client.force_login(MemberFactory().user)
    page = header(client.get("/suggestions/golden/"))
    assert re.findall(r'href="([^"]+)"[^>]*aria-current="page"', page) == ["/suggestions/golden/"]
    page = header(client.get("/suggestions/"))
    assert re.findall(r'href="([^"]+)"[^>]*aria-current="page"', page) == ["/suggestions/"]


def test_the_events_tabs_mark_the_one_shown(client):
    page = html(client.get("/events/?when=past"))
    assert re.findall(r'href="\?when=([a-z]+)[^"]*" aria-current="page"', page) == ["past"]


def test_the_home_page_is_the_brands(client):
    page = html(client.get("/"))
    assert re.search(r'data-testid="brand" aria-current="page"', page)


def test_the_language_switch_is_a_button_to_press_not_a_select(client):
    page = html(client.get("/"))
    form = re.search(r'<form[^>]*data-testid="language-switch".*?</form>', page, re.S).group(0)
    assert "<select" not in form and "data-autosubmit" not in form
    assert re.search(r'<button[^>]*type="submit" name="language" value="en" lang="en">English</button>',
                     form)
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/events/"})
    assert response.status_code == 302
    page = html(client.get("/events/"))
    assert 'value="zh-hans" lang="zh-hans">简体中文</button>' in page


def test_in_english_chinese_content_is_marked_chinese(client):
    event = EventFactory(title="端午节包粽子")
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    for url in ("/events/", event.get_absolute_url()):
        page = html(client.get(url))
        assert re.search(r'lang="zh-Hans">[^<]*端午节包粽子', page), url


def test_in_chinese_nothing_is_marked_twice(client):
    event = EventFactory(title="端午节包粽子")
    assert 'lang="zh-Hans"' not in html(client.get(event.get_absolute_url()))


def test_wide_tables_scroll_in_a_frame_the_keyboard_reaches(client):
    page = html(client.get("/alliance/buildings/"))
    frame = re.search(r'<div class="table-responsive"[^>]*>', page).group(0)
    assert 'tabindex="0"' in frame and 'role="region"' in frame and "aria-label" in frame


def test_the_favicon_is_served(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 200
    assert '<link rel="icon"' in html(client.get("/"))


def test_no_icon_font_is_loaded_and_the_icon_sheet_is_current(client):
    page = html(client.get("/"))
    assert "bootstrap-icons" not in page and "woff" not in page
    written = (Path(settings.BASE_DIR) / "static" / "css" / "icons.css").read_text()
    assert written == build_icons.css(build_icons.used_icons()), (
        "run scripts/build_icons.py: the templates use other icons than static/css/icons.css")
    assert len(written) < 20_000
