"""axe-core on every page of the portal (DESIGN §8, issue 16): 0 serious or critical
violations for anonymous visitors, members, liaisons, handlers and coordinators, on a phone
inside WeChat and on a desktop, in normal and 长辈模式, in Chinese and in English; and on the
phone, no page scrolls sideways with its text at 200%.

The pages come from the permission matrix (tests/hardening/permission_matrix.py): every HTML
page a role gets with a 200 there, in the matrix world (tests/hardening/matrix_world.py), plus
the pages no row reaches with a 200 (the 404 page; the district page, whose role the matrix
gives only its superuser). axe-core is pinned in package.json and put into each page under
test by the browser (an init script); the portal's own pages never load it, and their CSP
stays on.

By default every page is checked for every role in all eight combinations of size, mode and
language (about 1,400 page checks, 5½ minutes on two cores). ``AXE_QUICK=1`` checks less, for
a quick run while working:
- every page for every role on a phone in WeChat, normal mode, Chinese (where most members
  are): ``test_every_page_as_every_role``;
- every page once (as the role that sees most of it: coordinator, else member, else
  anonymous) on a phone in 长辈模式 in Chinese, and on a desktop in English;
- each page once more in one of the five other combinations, in turn, so that each of them
  checks a fifth of the pages: ``test_every_page_in_other_combinations``.

Set ``AXE_REPORT=<file>`` to add every violation found (any impact) to that JSON file.
"""

import json
import os
import re
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client

from tests.hardening import permission_matrix as matrix
from tests.hardening.matrix_world import build_world

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

AXE = Path(settings.BASE_DIR) / "node_modules" / "axe-core" / "axe.min.js"
ROLES = ("anonymous", "member", "liaison", "handler", "coordinator")
FAILING_IMPACTS = ("serious", "critical")

WECHAT_UA = ("Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 "
             "(KHTML, like Gecko) Mobile/15E148 MicroMessenger/8.0.47 NetType/WIFI Language/zh_CN")
SIZES = {
    "phone": {"viewport": {"width": 375, "height": 812}, "user_agent": WECHAT_UA,
              "is_mobile": True, "has_touch": True, "device_scale_factor": 2},
    "desktop": {"viewport": {"width": 1366, "height": 768}},
}
MODES = ("normal", "senior")
LANGUAGES = ("zh-hans", "en")

# Routes of the matrix that answer with something other than an HTML page of the portal
# (files, feeds, JSON, htmx fragments, redirects), and the Django admin's own pages.
NOT_PAGES = re.compile(
    r"healthz|\.ics$|\.xlsx$|\.<str:fmt>$|/attachments/|/cover/$|feed/|i18n/|"
    r"new/similar/$|^admin/")
# Pages no row of the matrix reaches with a 200.
# The district page belongs to the district role, which the matrix gives only its superuser.
EXTRA_PAGES = [("/no-such-page/", "anonymous"), ("/no-such-page/", "member"),
               ("/district/", "admin")]


@dataclass(frozen=True)
class Combination:
    size: str
    mode: str
    language: str

    def __str__(self):
        return f"{self.size}-{self.mode}-{self.language}"


BASE = Combination("phone", "normal", "zh-hans")
# Every page, once each.
MAIN = [Combination("phone", "senior", "zh-hans"), Combination("desktop", "normal", "en")]
# A share of the pages each.
SHARED = [Combination(size, mode, language) for size in SIZES for mode in MODES
          for language in LANGUAGES
          if Combination(size, mode, language) not in (BASE, *MAIN)]
FULL = not os.environ.get("AXE_QUICK")


def matrix_path(row, values):
    def value(match):
        arg = row.args[match.group(1)]
        return str(arg[1:] if arg.startswith("=") else values[arg])

    path = re.sub(r"\(\?P<(\w+)>[^)]*\)", value, row.route)
    path = re.sub(r"<(?:\w+:)?(\w+)>", value, path)
    return "/" + path.replace("^", "").replace("$", "")


def pages_by_role(values):
    """{role: [path, …]}: every HTML page each role may open."""
    pages = {role: [] for role in (*ROLES, "admin")}
    for row in matrix.ROWS:
        if NOT_PAGES.search(row.route):
            continue
        for role in ROLES:
            if row.get[matrix.ROLES.index(role)] == 200:
                pages[role].append(matrix_path(row, values))
    for path, role in EXTRA_PAGES:
        pages[role].append(path)
    return pages


def one_role_per_page(pages):
    """Each page once, as the role listed last in ROLES that opens it (the one who sees
    most of it); the superuser's own pages stay theirs."""
    chosen = {}
    for role in ROLES:
        for path in pages[role]:
            chosen[path] = role
    by_role = {role: [] for role in pages}
    for path, role in chosen.items():
        by_role[role].append(path)
    by_role["admin"] = pages["admin"]
    return by_role


def pages_for(combination, pages, *, full=FULL):
    """The pages ``combination`` checks, by role (see the module's docstring)."""
    if full or combination == BASE:
        return pages
    once = one_role_per_page(pages)
    if combination in MAIN:
        return once
    share = SHARED.index(combination)
    every_path = sorted({path for paths in once.values() for path in paths})
    mine = set(every_path[share::len(SHARED)])
    return {role: [path for path in paths if path in mine] for role, paths in once.items()}


# --- the browser -----------------------------------------------------------------------------

def session_cookie(user, base_url):
    client = Client()
    client.force_login(user)
    return {"name": settings.SESSION_COOKIE_NAME,
            "value": client.cookies[settings.SESSION_COOKIE_NAME].value, "url": base_url}


def new_context(browser, base_url, combination, user):
    context = browser.new_context(base_url=base_url, reduced_motion="reduce",
                                  locale="zh-CN" if combination.language == "zh-hans" else "en-US",
                                  **SIZES[combination.size])
    context.set_default_timeout(15000)
    cookies = [{"name": settings.LANGUAGE_COOKIE_NAME, "value": combination.language,
                "url": base_url}]
    if user is not None:
        cookies.append(session_cookie(user, base_url))
    context.add_cookies(cookies)
    # The browser runs axe's source in every document before the page's own scripts; the
    # page's CSP does not apply to it.
    context.add_init_script(path=str(AXE))
    return context


def choose_senior_mode(page):
    """Press the header's 长辈模式 switch, as a person would: it is remembered from then on."""
    page.goto("/")
    with page.expect_navigation():
        page.click("[data-testid=senior-switch] button")
    assert page.evaluate("document.documentElement.classList.contains('senior')")


def axe_violations(page):
    return page.evaluate("""async () => {
        const results = await axe.run(document, {resultTypes: ['violations']});
        return results.violations.map(v => ({
            id: v.id, impact: v.impact, help: v.help,
            nodes: v.nodes.map(n => ({target: n.target.join(' '),
                                      summary: n.failureSummary}))}));
    }""")


def sideways_at_200(page):
    """WCAG 1.4.4 and 1.4.10 on a 375 px phone: with the text at twice its size (the root's
    font size doubled, as a browser's or WeChat's text-size setting does), nothing scrolls
    sideways. Reported like a violation, naming the widest elements; None when it reflows."""
    found = page.evaluate("""() => {
        const root = document.documentElement;
        const before = getComputedStyle(root).fontSize;
        root.style.fontSize = (parseFloat(before) * 2) + 'px';
        const width = window.innerWidth, scroll = root.scrollWidth;
        const wide = scroll <= width ? [] : [...document.body.querySelectorAll('*')]
            .filter(e => e.getBoundingClientRect().right > width + 1
                         && !e.closest('[role=region][tabindex]'))
            .slice(0, 5).map(e => e.tagName.toLowerCase() + (e.id ? '#' + e.id : '')
                             + (e.className && e.className.baseVal === undefined
                                ? '.' + String(e.className).trim().split(/\\s+/).join('.') : ''));
        root.style.fontSize = '';
        return scroll <= width ? null : {scroll, width, wide};
    }""")
    if found is None:
        return None
    return {"id": "reflow-200", "impact": "serious",
            "help": "At 200% text the page must not scroll sideways on a 375 px phone",
            "nodes": [{"target": target or "html",
                       "summary": f"scrollWidth {found['scroll']} > {found['width']}"}
                      for target in (found["wide"] or [""])]}


# A page that does not follow the person's choice of 长辈模式, reported like a violation.
WRONG_MODE = {"id": "senior-mode", "impact": "serious",
              "help": "The page must follow the 长辈模式 switch (class senior on <html>)",
              "nodes": [{"target": "html", "summary": "The page ignores the chosen mode."}]}


def check_pages(browser, live_server, combination, world, pages):
    """Every violation on the pages, as (combination, role, path, violation) rows."""
    found = []
    for role, paths in pages.items():
        if not paths:
            continue
        context = new_context(browser, live_server.url, combination, world.users[role])
        page = context.new_page()
        try:
            if combination.mode == "senior":
                choose_senior_mode(page)
            for path in paths:
                response = page.goto(path)
                expected = 404 if path == "/no-such-page/" else 200
                assert response.status == expected, f"{path} as {role}: {response.status}"
                senior = page.evaluate("document.documentElement.classList.contains('senior')")
                # (The 404 page is Django's plain one, outside the portal's layout.)
                if senior != (combination.mode == "senior") and expected != 404:
                    found.append((str(combination), role, path, WRONG_MODE))
                for violation in axe_violations(page):
                    found.append((str(combination), role, path, violation))
                if combination.size == "phone" and (overflow := sideways_at_200(page)):
                    found.append((str(combination), role, path, overflow))
        finally:
            context.close()
    return found


def report(found):
    """The serious and critical violations by rule, then by element, with the pages where
    each occurs: one footer link failing on every page is one entry, not a hundred."""
    if path := os.environ.get("AXE_REPORT"):
        rows = [{"combination": c, "role": r, "path": p, **v} for c, r, p, v in found]
        existing = json.loads(Path(path).read_text()) if Path(path).exists() else []
        Path(path).write_text(json.dumps(existing + rows, ensure_ascii=False, indent=1))
    failing = [f for f in found if f[3]["impact"] in FAILING_IMPACTS]
    by_rule = {}
    for combination, role, path, violation in failing:
        rule = (violation["impact"], violation["id"], violation["help"])
        for node in violation["nodes"]:
            # The last line of axe's summary says what is wrong with this element.
            detail = (node["summary"] or "").strip().splitlines()[-1:] or [""]
            key = (node["target"], detail[0].strip())
            by_rule.setdefault(rule, {}).setdefault(key, []).append(
                f"{path} ({role}, {combination})")
    lines = [f"{len(failing)} serious or critical axe violations on "
             f"{len({(f[0], f[1], f[2]) for f in failing})} pages:"]
    for (impact, rule, help_text), targets in sorted(by_rule.items()):
        lines.append(f"\n[{impact}] {rule}: {help_text}")
        for (target, detail), pages in sorted(targets.items(), key=lambda t: -len(t[1])):
            shown = ", ".join(pages[:6]) + (f", … {len(pages) - 6} more" if len(pages) > 6 else "")
            lines.append(f"  {target} — {detail}\n    on {len(pages)} page(s): {shown}")
    return failing, "\n".join(lines)


@pytest.fixture
def world(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    built = build_world()
    built.pages = pages_by_role(built.values)
    return built


def test_every_page_as_every_role(browser, live_server, world):
    found = check_pages(browser, live_server, BASE, world, pages_for(BASE, world.pages))
    failing, message = report(found)
    assert not failing, message


@pytest.mark.parametrize("combination", MAIN + SHARED, ids=str)
def test_every_page_in_other_combinations(browser, live_server, world, combination):
    found = check_pages(browser, live_server, combination, world,
                        pages_for(combination, world.pages))
    failing, message = report(found)
    assert not failing, message


def test_the_matrix_gives_every_role_pages_to_check(world):
    """A change to the matrix's columns or statuses must not empty the suite silently."""
    for role in ROLES:
        assert len(world.pages[role]) >= 8, role
    assert "/suggestions/new/" in world.pages["coordinator"]
    assert "/dashboard/" in world.pages["coordinator"]
    # The five shared combinations of a quick run together check every page once more.
    shared = [pages_for(c, world.pages, full=False) for c in SHARED]
    checked = sorted(p for by_role in shared for paths in by_role.values() for p in paths
                     if p not in world.pages["admin"])
    once = one_role_per_page(world.pages)
    assert checked == sorted(p for role, paths in once.items() if role != "admin"
                             for p in paths)
