"""What `make bench` measures: the pages (as wrk targets), their queries per request, and
the reminder scan beside B0."""

import json
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY, get_user_model
from django.contrib.sessions.backends.db import SessionStore
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

# A fixed CSRF secret sent as both cookie and header, as a browser's form post would.
CSRF_SECRET = "BenchCsrfSecret0123456789abcdefg"
AUTH_BACKEND = "yichuan.accounts.ModelPermissionBackend"


def session_cookie(user_id):
    """A logged-in session for ``user_id``, created the way django.contrib.auth.login does."""
    user = get_user_model().objects.get(pk=user_id)
    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = AUTH_BACKEND
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.create()
    return f"{settings.SESSION_COOKIE_NAME}={session.session_key}; {settings.CSRF_COOKIE_NAME}={CSRF_SECRET}"


@dataclass
class Target:
    name: str
    label: str
    path: str
    cookie: str | None = None
    method: str = "GET"
    body: str | None = None
    rotation: list = field(default_factory=list)  # (cookie, path) pairs for writes
    reset: object = None  # callable run before a measured write run
    baseline: bool = False
    # The page's target at c=8: at least this share of its limit's req/s, and a p95 under
    # p95_ms (None: no latency target of its own).
    share: float | None = None
    p95_ms: float | None = None

    @property
    def limit(self):
        """The limit a page is divided by: L1 with the same signed-in session for a page
        requested signed in (being signed in costs three reads before any page work, and
        keeping users and roles out of the database would let a deactivation or a role
        change wait), plain L1 for an anonymous page. None for the limits themselves."""
        if self.baseline:
            return None
        return "L1_signed_in" if (self.cookie or self.rotation) else "L1"

    def headers(self, base):
        headers = {"X-Forwarded-Proto": "https"}
        if self.cookie:
            headers["Cookie"] = self.cookie
        if self.method != "GET":
            headers["X-CSRFToken"] = CSRF_SECRET
            headers["Referer"] = base.replace("http://", "https://") + "/"
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        return headers

    def rotation_file(self, folder):
        path = Path(folder) / f"rotate-{self.name}.tsv"
        path.write_text("".join(f"{cookie}\t{p}\n" for cookie, p in self.rotation))
        return str(path)


def targets(fixture):
    """The benchmarked pages, with the session each is requested with."""
    from benchmarks import pages

    coordinator = session_cookie(fixture["coordinator_user"])
    member = session_cookie(fixture["member_user"])
    found = [
        Target("L0", "L0 trivial view", "/_bench/l0/", baseline=True),
        Target("L1", "L1 raw SQL work queue page", "/_bench/l1/", baseline=True),
        Target("L1_deep", "L1 raw SQL deep page",
               f"/_bench/l1/?page={pages.deep_page(fixture)}", baseline=True),
        # L1s: L1 again, sent with the coordinator's session, the limit of every page
        # requested signed in (Target.limit): the middleware reads the session, its user
        # and their roles before a page does any work of its own.
        Target("L1_signed_in", "L1s: L1 with the coordinator's session", "/_bench/l1/",
               cookie=coordinator, baseline=True),
    ]
    found += pages.portal_targets(fixture, coordinator=coordinator, member=member,
                                  make_cookie=session_cookie)
    return found


def count_queries(found):
    """Queries per request of each target, measured with Django's test client on a warm
    process (the second request), with the status each answered."""
    out = {}
    for target in found:
        client = Client(HTTP_HOST="127.0.0.1")
        cookie, path = (target.rotation[0] if target.rotation else (target.cookie, target.path))
        if cookie:
            for part in cookie.split("; "):
                key, value = part.split("=", 1)
                client.cookies[key] = value
        extra = {"HTTP_X_CSRFTOKEN": CSRF_SECRET} if target.method != "GET" else {}
        try:
            send = client.post if target.method == "POST" else client.get
            kwargs = {"data": target.body or "",
                      "content_type": "application/x-www-form-urlencoded"} if target.method == "POST" else {}
            if target.method != "POST":
                send(path, secure=True)  # warm caches (content types, templates)
            if target.reset:
                target.reset()
            with CaptureQueriesContext(connection) as ctx:
                response = send(path, secure=True, **kwargs, **extra)
            if target.reset:
                target.reset()
            ok = response.status_code in (200, 302) and not (
                target.method == "GET" and response.status_code == 302)
            info = {"queries": len(ctx), "status": response.status_code, "ok": ok,
                    "bytes": len(response.content)}
            if not ok:
                info["error"] = f"HTTP {response.status_code} {response.get('Location', '')}"
        except Exception as exc:  # a page that is not there yet is reported, not fatal
            info = {"ok": False, "error": f"{type(exc).__name__}: {exc}"[:300]}
        out[target.name] = info
    return out


def reminder_scan(env):
    """Run B0 (rolled back), then the portal's scan, then the scan again; each in its own
    process so peak memory is the scan's own."""
    results = {}
    for step in ("b0", "scan", "rescan"):
        completed = subprocess.run(
            [sys.executable, "-m", "benchmarks.scan", step], env=env, capture_output=True,
            text=True, check=False, cwd=settings.BASE_DIR,
        )
        line = next((x for x in completed.stdout.splitlines() if x.startswith("SCAN_JSON ")),
                    None)
        if line is None:
            results[step] = {"error": (completed.stderr or completed.stdout)[-800:]}
        else:
            results[step] = json.loads(line[len("SCAN_JSON "):])
    if "seconds" in results.get("b0", {}) and "seconds" in results.get("scan", {}):
        b0 = results["b0"]["seconds"] or 1e-9
        results["scan_over_b0"] = round(results["scan"]["seconds"] / b0, 2)
    return results
