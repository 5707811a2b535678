"""Browser journeys: Playwright drives Debian's chromium against pytest-django's live server.

Playwright's sync API runs an event loop in the test thread; the ORM calls the tests make
around it are synchronous and safe, so Django's async guard is relaxed for this folder.
"""

import os
import shutil

import pytest

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
    "--disable-quic",
]


def chromium_path():
    return os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or shutil.which(
        "chromium-browser")


@pytest.fixture(scope="session")
def browser():
    path = chromium_path()
    if not path:
        message = "Debian's chromium is not installed (apt-get install chromium)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=path, headless=True,
                                             args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser, live_server):
    # Reduced motion turns Bootstrap's collapse animations off, so a click never lands on
    # a button that is still sliding into place.
    context = browser.new_context(base_url=live_server.url, locale="zh-CN",
                                  viewport={"width": 390, "height": 844},
                                  reduced_motion="reduce")
    context.set_default_timeout(15000)
    page = context.new_page()
    yield page
    context.close()


def click_and_wait(page, target):
    """Click a selector or locator and wait for the page it leads to.

    A bare click followed by wait_for_load_state() can return on the old page before the
    navigation starts; waiting on the navigation itself removes that race.
    """
    locator = page.locator(target) if isinstance(target, str) else target
    with page.expect_navigation():
        locator.click()


def login(page, username, password):
    page.goto("/accounts/login/")
    page.fill("input[name=login]", username)
    page.fill("input[name=password]", password)
    click_and_wait(page, "main form button[type=submit]")


def logout(page):
    page.goto("/me/")
    navbar_toggle = page.locator(".navbar-toggler")
    if navbar_toggle.is_visible():
        navbar_toggle.click()
        page.wait_for_selector(".navbar-collapse.show")
    click_and_wait(page, "[data-testid=logout]")
