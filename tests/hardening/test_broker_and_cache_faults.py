"""Redis hung or dead under the portal (issue #19, items 1 and 4): no request waits on the
broker more than about a second, /healthz answers within two seconds and names the part that
is down, the backlog is delivered once the broker is back, and a cache that is down costs
speed, never a 500.

Each test starts a redis-server of its own on a free port and SIGSTOPs ("hung": the kernel
still accepts connections, nothing answers) or kills ("dead") that process, never the
machine's Redis. The broker and the cache are configured as a deployment configures them
(settings.broker_transport_options, settings.cache_from_url). Runs on SQLite or PostgreSQL;
skips without redis-server unless CI is set.
"""

import json
import os
import shutil
import signal
import socket
import subprocess
import time

import pytest
import redis
from django.core.cache import caches
from django.test import Client

from notifications import delivery, services, tasks
from notifications.models import Delivery, Notification
from proposals.models import Suggestion
from tests.factories import PASSWORD, CategoryFactory, MemberFactory, UserFactory
from yichuan import cache as fail_soft_cache
from yichuan.settings.base import broker_transport_options, cache_from_url

pytestmark = pytest.mark.django_db(transaction=True)

# "under 2 s" for a request while Redis is hung or dead (a publish is bounded to 1 s)
BUDGET = 2.0


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class OwnRedis:
    """A redis-server of this test alone: ``hang`` SIGSTOPs it, ``resume`` SIGCONTs it,
    ``kill`` ends it."""

    def __init__(self, directory):
        self.directory = directory
        self.process = None
        self.stopped = False

    def start(self):
        for _ in range(5):  # another process may take the free port first
            self.port = _free_port()
            self.process = subprocess.Popen(
                ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1",
                 "--save", "", "--appendonly", "no", "--daemonize", "no",
                 "--dir", str(self.directory)],
                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            deadline = time.monotonic() + 10
            while self.process.poll() is None and time.monotonic() < deadline:
                try:
                    if redis.Redis(port=self.port, socket_timeout=0.5).ping():
                        return self
                except redis.RedisError:
                    time.sleep(0.05)
            self.kill()
        raise AssertionError("redis-server did not start")

    def url(self, db):
        return f"redis://127.0.0.1:{self.port}/{db}"

    def client(self, db):
        return redis.Redis(port=self.port, db=db, socket_timeout=2)

    def hang(self):
        os.kill(self.process.pid, signal.SIGSTOP)
        self.stopped = True

    def resume(self):
        os.kill(self.process.pid, signal.SIGCONT)
        self.stopped = False

    def kill(self):
        if self.process is None or self.process.poll() is not None:
            return
        if self.stopped:
            self.resume()
        self.process.kill()
        self.process.wait(10)


@pytest.fixture
def own_redis(tmp_path):
    if not shutil.which("redis-server"):
        if os.environ.get("CI"):
            pytest.fail("redis-server is not on PATH")
        pytest.skip("redis-server is not on PATH")
    server = OwnRedis(tmp_path)
    try:
        yield server.start()
    finally:
        server.kill()


@pytest.fixture
def broker(own_redis, settings):
    """The Celery app (publishing) and /healthz pointed at our Redis, with the transport
    options a deployment on Redis gets."""
    from kombu import pools

    from yichuan.celery import app

    def reset():
        pools.reset()
        app._pool = None
        app.amqp._producer_pool = None

    url = own_redis.url(0)
    options = broker_transport_options(url)
    saved = (app.conf.broker_url, app.conf.broker_write_url, app.conf.broker_transport_options)
    reset()
    app.conf.broker_url = app.conf.broker_write_url = url
    app.conf.broker_transport_options = options
    settings.CELERY_BROKER_URL = url
    settings.CELERY_BROKER_TRANSPORT_OPTIONS = options
    services._broker_down_until = 0.0
    try:
        yield own_redis
    finally:
        reset()
        app.conf.broker_url, app.conf.broker_write_url, app.conf.broker_transport_options = saved
        services._broker_down_until = 0.0


@pytest.fixture
def shared_cache(own_redis, settings):
    """The default cache on our Redis (db 1), configured as CACHE_URL=redis://… is."""
    settings.CACHES = {**settings.CACHES, "default": cache_from_url(own_redis.url(1))}
    fail_soft_cache._down_until.clear()
    yield own_redis
    fail_soft_cache._down_until.clear()


@pytest.fixture
def portal():
    """A member who may submit, and a coordinator (with an email address) who is told."""
    member = MemberFactory(user__username="fault-member")
    category = CategoryFactory(alliance=member.alliance)
    coordinator = UserFactory(username="fault-coord", roles=["coordinator"], is_staff=True,
                              email="coord@example.cn")
    return member, category, coordinator


def _timed(call):
    started = time.monotonic()
    result = call()
    return result, time.monotonic() - started


def _submit(client, category, token):
    return client.post("/suggestions/new/", {
        "title": "加装楼道扶手", "content": "老人上下楼不便。", "category": category.pk,
        "form_token": token})


def _healthz(client):
    response, elapsed = _timed(lambda: client.get("/healthz"))
    return response.status_code, json.loads(response.content), elapsed


# --- item 1: the broker ------------------------------------------------------------------


@pytest.mark.parametrize("fault", ["hung", "dead"])
def test_submission_with_the_broker_down_answers_fast_and_is_delivered_once_it_is_back(
        broker, portal, client, mailoutbox, fault):
    member, category, coordinator = portal
    client.force_login(member.user)
    assert client.get("/suggestions/new/").status_code == 200  # templates compiled: warm
    if fault == "hung":
        broker.hang()
    else:
        broker.kill()

    response, elapsed = _timed(lambda: _submit(client, category, "a1" * 16))
    assert response.status_code == 302
    assert elapsed < BUDGET, f"the submission took {elapsed:.2f}s with the broker {fault}"
    # The change and its outbox rows are committed; nothing was sent yet.
    suggestion = Suggestion.objects.get(title="加装楼道扶手")
    notification = Notification.objects.get(recipient=coordinator)
    assert notification.deliveries.get().state == Delivery.State.PENDING
    assert mailoutbox == []
    # Later requests of this process do not try again for a while: no cost at all.
    _response, elapsed = _timed(lambda: _submit(client, category, "b2" * 16))
    assert elapsed < 1, f"the second submission took {elapsed:.2f}s"

    if fault == "hung":
        broker.resume()
        # The publish path works again once the back-off is over.
        services._broker_down_until = 0.0
        services.enqueue_delivery(notification.pk)
        assert broker.client(0).llen("celery") == 1
    # The sweep (beat's deliver_due, every minute) delivers the backlog, once.
    assert tasks.deliver_due() == {"sent": 2}
    assert [m.to for m in mailoutbox] == [["coord@example.cn"]] * 2
    assert suggestion.tracking_number in mailoutbox[0].subject + mailoutbox[0].body
    assert delivery.deliver(notification.pk) == 0  # the hinted task, run late: nothing
    assert tasks.deliver_due() == {}
    assert len(mailoutbox) == 2


def test_submit_suggestion_service_with_a_hung_broker_returns_within_a_second(broker, portal):
    from django.db import transaction

    from proposals import services as proposals

    member, category, _coordinator = portal
    broker.hang()
    with transaction.atomic():
        suggestion = proposals.submit_suggestion(
            actor=member.user, alliance=member.alliance, submitter=member.user,
            channel=Suggestion.Channel.WEB, category=category, title="路灯不亮",
            content="三号楼前路灯坏了。", credit_publicly=False, submission_token="c3" * 16)
        started = time.monotonic()
    elapsed = time.monotonic() - started  # the after-commit publish
    assert elapsed < 1.5, f"the commit's publish took {elapsed:.2f}s"
    assert Delivery.objects.filter(notification__target_id=suggestion.pk,
                                   state=Delivery.State.PENDING).exists()


@pytest.mark.parametrize("fault", ["hung", "dead"])
def test_healthz_answers_within_two_seconds_and_names_the_broker(broker, client, fault):
    status, body, elapsed = _healthz(client)
    assert (status, body["database"], body["broker"]) == (200, "ok", "ok")
    if fault == "hung":
        broker.hang()
    else:
        broker.kill()
    for _ in range(3):  # every call, not only the first
        status, body, elapsed = _healthz(client)
        assert elapsed < BUDGET, f"/healthz took {elapsed:.2f}s with the broker {fault}"
        assert (status, body["database"], body["broker"]) == (200, "ok", "unavailable")
    if fault == "hung":
        broker.resume()
        assert _healthz(client)[1]["broker"] == "ok"


# --- item 4: the cache -------------------------------------------------------------------


MAIN_PAGES = ["/", "/suggestions/", "/suggestions/new/", "/suggestions/golden/", "/events/",
              "/announcements/", "/me/", "/me/notifications/", "/dashboard/"]


def _log_in(username):
    browser = Client(raise_request_exception=False)
    response = browser.post("/accounts/login/", {"login": username, "password": PASSWORD})
    return browser, response


@pytest.mark.parametrize("fault", ["dead", "hung"])
def test_with_the_cache_down_login_dashboard_and_main_pages_answer_without_a_500(
        shared_cache, portal, fault):
    _member, _category, coordinator = portal
    cache = caches["default"]
    # Up: the cache is used (the dashboard's figures land in it).
    browser, response = _log_in(coordinator.username)
    assert response.status_code == 302
    assert browser.get("/dashboard/").status_code == 200
    assert shared_cache.client(1).dbsize() > 0

    if fault == "hung":
        shared_cache.hang()
    else:
        shared_cache.kill()
    (browser, response), elapsed = _timed(lambda: _log_in(coordinator.username))
    assert response.status_code == 302, response.status_code
    assert elapsed < BUDGET, f"the login took {elapsed:.2f}s with the cache {fault}"
    for page in MAIN_PAGES:
        response, elapsed = _timed(lambda page=page: browser.get(page))
        assert response.status_code == 200, (page, response.status_code)
        assert elapsed < BUDGET, f"{page} took {elapsed:.2f}s with the cache {fault}"
    # A member's pages and the anonymous login page too.
    member_browser, response = _log_in("fault-member")
    assert response.status_code == 302
    assert member_browser.get("/me/").status_code == 200
    assert Client(raise_request_exception=False).get("/accounts/login/").status_code == 200
    # The cache's own calls answer as a miss, and /healthz says it is down.
    assert cache.get("anything", "default") == "default"
    assert cache.get_or_set("figures", lambda: 42) == 42
    assert cache.add("lock", 1) is True
    with pytest.raises(ValueError):
        cache.incr("counter")
    status, body, elapsed = _healthz(browser)
    assert (status, body["database"], body["cache"]) == (200, "ok", "unavailable")
    assert elapsed < BUDGET

    if fault == "hung":  # back: used again without a restart
        shared_cache.resume()
        assert _healthz(browser)[1]["cache"] == "ok"
        cache.set("back", 1)
        assert cache.get("back") == 1


def test_every_call_of_the_cache_on_a_dead_redis_is_a_miss_or_a_no_op(shared_cache):
    cache = caches["default"]
    cache.set("kept", 1)
    assert cache.get("kept") == 1
    shared_cache.kill()
    assert cache.get("kept") is None
    assert cache.get_many(["kept", "other"]) == {}
    assert cache.has_key("kept") is False
    assert "kept" not in cache
    assert cache.set("a", 1) is None
    assert cache.set_many({"a": 1, "b": 2}) == []
    assert cache.add("a", 1) is True
    assert cache.touch("a") is False
    assert cache.delete("a") is False
    assert cache.delete_many(["a", "b"]) is None
    assert cache.clear() is False
    with pytest.raises(ValueError):
        cache.decr("a")
    with pytest.raises(ValueError):
        cache.incr_version("a")
    # Marked down: the next calls do not even try (one socket timeout per outage, not per call).
    assert fail_soft_cache._down_until


def test_one_hung_redis_for_broker_and_cache_still_answers_within_two_seconds(
        broker, shared_cache, portal, client):
    # The usual deployment: CELERY_BROKER_URL and CACHE_URL on the same Redis server.
    member, category, _coordinator = portal
    client.force_login(member.user)
    assert client.get("/suggestions/new/").status_code == 200
    broker.hang()
    response, elapsed = _timed(lambda: _submit(client, category, "d4" * 16))
    assert response.status_code == 302
    assert elapsed < BUDGET, f"the submission took {elapsed:.2f}s with Redis hung"
    fail_soft_cache._down_until.clear()  # /healthz probes both anew
    services._broker_down_until = 0.0
    status, body, elapsed = _healthz(client)
    assert elapsed < BUDGET, f"/healthz took {elapsed:.2f}s with Redis hung"
    assert (status, body) == (200, {"database": "ok", "broker": "unavailable",
                                    "cache": "unavailable"})
