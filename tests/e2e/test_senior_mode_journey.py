"""What a phone shows (375×812), in normal mode and in 长辈模式, on the demo alliance: no
sideways scrolling, also at 200% text; text size, control heights and contrast as computed by
the browser (DESIGN §8, NORMS: 适老化 and WCAG 2.2 AA).

200% text is measured by doubling the root element's computed font size, which is what a
browser's or WeChat's text-size setting does to a page whose sizes are all rem/em (the
portal's and Bootstrap's are): every text grows, the viewport does not. Page zoom would
shrink the viewport instead, which is the 320 px reflow case, not this one.
"""

import pytest
from django.core.management import call_command

from alliance.demo import DEMO_PASSWORD
from tests.e2e.conftest import login
from volunteers.models import Event

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

PHONE = {"width": 375, "height": 812}

MEASURE = """(senior) => {
  const target = senior ? 60 : 44;
  const rgba = (text) => {
    const m = text.match(/rgba?\\(([^)]+)\\)/);
    if (!m) return null;
    const p = m[1].split(/[ ,\\/]+/).filter(Boolean).map(Number);
    return [p[0], p[1], p[2], p.length > 3 ? p[3] : 1];
  };
  const lum = ([r, g, b]) => {
    const f = (c) => { c /= 255; return c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4; };
    return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b);
  };
  const ratio = (a, b) => { const [x, y] = [lum(a), lum(b)].sort((p, q) => q - p); return (x + 0.05) / (y + 0.05); };
  const over = (top, under) => top.slice(0, 3).map((c, i) => c * top[3] + under[i] * (1 - top[3]));
  // the backgrounds behind an element: its own or its ancestors' colour, every stop of a gradient
  const backgrounds = (el) => {
    const layers = [];
    for (let e = el; e; e = e.parentElement) {
      const style = getComputedStyle(e);
      if (style.backgroundImage.includes("gradient")) {
        const stops = style.backgroundImage.match(/rgba?\\([^)]+\\)/g).map(rgba);
        return stops.map((stop) => layers.reduceRight((acc, layer) => over(layer, acc), stop.slice(0, 3)));
      }
      const colour = rgba(style.backgroundColor);
      if (colour && colour[3] > 0) {
        layers.push(colour);
        if (colour[3] >= 1) break;
      }
    }
    let base = [255, 255, 255];
    for (const layer of layers.reverse()) base = over(layer, base);
    return [base];
  };
  const shown = (el) => {
    const r = el.getBoundingClientRect();
    const style = getComputedStyle(el);
    return r.width > 1 && r.height > 1 && style.visibility !== "hidden" && style.display !== "none"
      && !el.closest("[aria-hidden=true], .visually-hidden, .visually-hidden-focusable");
  };
  const texts = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const el = node.parentElement;
    if (!node.textContent.trim() || !el || el.closest("script, style, noscript, option") || !shown(el)) continue;
    texts.push([el, node.textContent.trim().length]);
  }
  const main = document.querySelector("main");
  const small = [];
  let mainChars = 0;
  const lowContrast = [];
  for (const [el, chars] of texts) {
    const style = getComputedStyle(el);
    const size = parseFloat(style.fontSize);
    if (main.contains(el)) {
      mainChars += chars;
      if (size < 22) small.push(`${el.tagName}.${el.className} ${size}px "${el.textContent.trim().slice(0, 20)}"`);
    }
    if (el.closest("button:disabled, .disabled, [disabled]")) continue;
    const colour = rgba(style.color);
    const large = size >= 24 || (size >= 18.66 && Number(style.fontWeight) >= 700);
    const needed = senior ? 7 : (large ? 3 : 4.5);
    for (const bg of backgrounds(el)) {
      const value = ratio(over(colour, bg), bg);
      if (value < needed - 0.005) {
        lowContrast.push(`${value.toFixed(2)} ${el.tagName}.${el.className} "${el.textContent.trim().slice(0, 20)}"`);
      }
    }
  }
  const controls = [];
  const selector = "main .btn, main button, main select, main textarea, main .nav-link,"
    + " main input:not([type=hidden], [type=checkbox], [type=radio]), header .nav-link,"
    + " header button, header select, main input[type=checkbox], main input[type=radio]";
  for (const el of document.querySelectorAll(selector)) {
    if (!shown(el)) continue;
    const hit = el.matches("[type=checkbox], [type=radio]")
      ? (el.closest("label, .form-check") || el) : el;
    const r = hit.getBoundingClientRect();
    const wide = senior ? true : r.width >= 44 - 0.5;
    if (r.height < target - 0.5 || !wide) {
      controls.push(`${el.tagName}.${el.className} ${Math.round(r.width)}×${Math.round(r.height)}`);
    }
  }
  return {small, mainChars, lowContrast, controls,
          overflow: document.documentElement.scrollWidth - window.innerWidth};
}"""

DOUBLE_TEXT = """() => {
  const root = document.documentElement;
  root.style.fontSize = (2 * parseFloat(getComputedStyle(root).fontSize)) + "px";
  return document.documentElement.scrollWidth - window.innerWidth;
}"""


@pytest.fixture
def demo(settings):
    settings.DEBUG = True
    call_command("load_demo")
    settings.DEBUG = False


def phone(browser, live_server, senior):
    context = browser.new_context(base_url=live_server.url, locale="zh-CN", viewport=PHONE,
                                  reduced_motion="reduce")
    context.set_default_timeout(15000)
    page = context.new_page()
    if senior:  # pressed before signing in, as a person would: the sign-in keeps it
        page.goto("/")
        with page.expect_navigation():
            page.click("[data-testid=senior-switch] button")
    return context, page


def check(page, url, senior):
    page.goto(url)
    assert page.locator("html").get_attribute("class") == ("senior" if senior else None)
    toggler = page.locator(".navbar-toggler")
    if toggler.is_visible():  # the navigation's links are measured too
        toggler.click()
        page.wait_for_selector(".navbar-collapse.show")
    found = page.evaluate(MEASURE, senior)
    problems = {}
    if found["overflow"] > 0:
        problems["scrolls sideways by px"] = found["overflow"]
    if found["controls"]:
        problems["controls too small"] = found["controls"]
    if found["lowContrast"]:
        problems["contrast"] = found["lowContrast"]
    if senior and found["small"]:
        problems["main text under 22 px"] = found["small"]
    assert found["mainChars"] > 0
    page.goto(url)
    wider = page.evaluate(DOUBLE_TEXT)
    if wider > 0:
        problems["scrolls sideways at 200% text by px"] = wider
    return problems


@pytest.mark.parametrize("senior", [False, True], ids=["normal", "senior"])
def test_pages_on_a_phone_read_without_zoom_or_sideways_scrolling(browser, live_server, demo,
                                                                     senior):
    event = Event.objects.filter(status="published", visibility="public").order_by("start").first()
    journeys = [
        (None, ["/", "/events/", event.get_absolute_url(), "/alliance/buildings/"]),
        ("member", ["/suggestions/new/", "/me/"]),
        ("coordinator", ["/dashboard/"]),
    ]
    problems = {}
    for username, urls in journeys:
        context, page = phone(browser, live_server, senior)
        try:
            if username:
                login(page, username, DEMO_PASSWORD)
            for url in urls:
                found = check(page, url, senior)
                if found:
                    problems[f"{username or 'visitor'} {url}"] = found
        finally:
            context.close()
    assert not problems, problems


def test_the_switch_turns_it_on_and_a_new_login_on_a_fresh_browser_keeps_it(browser, live_server,
                                                                             demo):
    context, page = phone(browser, live_server, senior=False)
    login(page, "member", DEMO_PASSWORD)
    page.goto("/events/")
    button = page.locator("[data-testid=senior-switch] button")
    assert button.get_attribute("aria-pressed") == "false"
    with page.expect_navigation():
        button.click()
    assert page.locator("html").get_attribute("class") == "senior"
    assert page.url.endswith("/events/")
    size = page.evaluate("() => parseFloat(getComputedStyle(document.querySelector('main p, main a, main div')).fontSize)")
    assert size >= 22
    context.close()

    context, page = phone(browser, live_server, senior=False)  # no cookie of the first
    page.goto("/")
    assert page.locator("html").get_attribute("class") is None
    login(page, "member", DEMO_PASSWORD)
    page.goto("/me/")
    assert page.locator("html").get_attribute("class") == "senior"
    assert page.locator("[data-testid=senior-switch] button").get_attribute("aria-pressed") == "true"
    context.close()
