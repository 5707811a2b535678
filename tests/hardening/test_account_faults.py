"""Issue #19: the lockout per account whatever the spelling, client addresses behind the
trusted proxy, account mail through the outbox, and unique verified e-mail addresses."""

import datetime
import re
import socket
import time

import pytest
import time_machine
from allauth.account.models import EmailAddress
from django.core import mail
from django.test import RequestFactory

from alliance.services import create_member_accounts
from notifications import delivery
from notifications.models import Delivery, Notification
from notifications.services import notify
from tests.factories import PASSWORD, MemberFactory, UserFactory
from tests.hardening.test_logins import assert_refused, attempt

pytestmark = pytest.mark.django_db

LOGIN = "/accounts/login/"
RESET = "/accounts/password/reset/"
LOCMEM = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}
NEW_PASSWORD = "Qiao-lian-2026-新密码"


def now():
    return datetime.datetime.now(datetime.UTC)


def signed_in(client):
    return "_auth_user_id" in client.session


# --- item 2: one lockout counter per account ------------------------------------------------

@pytest.mark.parametrize("which", ["allauth", "admin"])
def test_a_locked_account_stays_locked_whatever_the_spelling(client, settings, which):
    UserFactory(username="alice", roles=["coordinator"], is_staff=True)  # alice@example.cn
    start = now()
    with time_machine.travel(start, tick=False):
        for _ in range(settings.AXES_FAILURE_LIMIT):
            attempt(client, which, "alice", "wrong-password")
    # allauth's own limit on one typed login lasts 5 minutes; axes' cool-off is longer, and
    # it alone refuses the spellings below from fresh addresses ten minutes later.
    assert datetime.timedelta(hours=settings.AXES_COOLOFF_TIME) > datetime.timedelta(minutes=15)
    with time_machine.travel(start + datetime.timedelta(minutes=10), tick=False):
        for n, spelling in enumerate(["ALICE", "Alice", "alice@example.cn", "Alice@Example.CN"]):
            response = attempt(client, which, spelling, PASSWORD, ip=f"198.51.100.{n + 1}")
            assert response.status_code == 429, spelling
            assert_refused(response, client)


def test_the_right_password_clears_the_counter_of_every_spelling(client, settings):
    UserFactory(username="alice")
    for spelling in ["ALICE", "alice@example.cn"] * 2:
        attempt(client, "allauth", spelling, "wrong-password", ip="198.51.100.7")
    assert attempt(client, "allauth", "alice", PASSWORD, ip="198.51.100.8").status_code == 302
    client.logout()
    # the four failures above were one account's, and the success reset them all
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        attempt(client, "allauth", "Alice", "wrong-password", ip="198.51.100.9")
    assert attempt(client, "allauth", "alice@example.cn", PASSWORD,
                   ip="198.51.100.10").status_code == 302


# --- item 3: client addresses behind the trusted proxy -----------------------------------------

PROXY = "10.0.0.2"


@pytest.fixture
def behind_proxy(settings):
    settings.TRUSTED_PROXIES = ["10.0.0.0/24"]
    return settings


def via_proxy(client, login, password, client_ip, remote=PROXY):
    return client.post(LOGIN, {"login": login, "password": password},
                       REMOTE_ADDR=remote, HTTP_X_FORWARDED_FOR=client_ip)


def test_two_clients_behind_the_proxy_lock_only_themselves(client, behind_proxy):
    UserFactory(username="bob")
    UserFactory(username="carol")
    attacker, neighbour = "203.0.113.50", "198.51.100.60"
    # wrong passwords for names that do not exist: only the attacker's address counts them
    for n in range(behind_proxy.AXES_FAILURE_LIMIT):
        via_proxy(client, f"nobody-{n}", "wrong-password", attacker)
    assert_refused(via_proxy(client, "bob", PASSWORD, attacker), client)
    # the proxy's other clients are not locked out with it
    assert via_proxy(client, "bob", PASSWORD, neighbour).status_code == 302
    client.logout()
    assert via_proxy(client, "carol", PASSWORD, "198.51.100.61").status_code == 302


def test_forwarded_for_from_an_address_that_is_not_the_proxy_is_ignored(client, behind_proxy):
    UserFactory(username="bob")
    for n in range(behind_proxy.AXES_FAILURE_LIMIT):
        via_proxy(client, f"nobody-{n}", "wrong-password", f"198.51.100.{n}",
                  remote="203.0.113.80")
    # a fresh made-up address in the header does not unlock the address that sent it
    response = via_proxy(client, "bob", PASSWORD, "198.51.100.200", remote="203.0.113.80")
    assert_refused(response, client)


def test_allauth_rate_limits_count_the_client_behind_the_proxy(client, behind_proxy):
    behind_proxy.ACCOUNT_RATE_LIMITS = {"reset_password": "2/m/ip"}

    def reset(client_ip, n):
        return client.post(RESET, {"email": f"x{n}@example.cn"},
                           REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=client_ip)

    assert [reset("203.0.113.50", n).status_code for n in range(3)] == [302, 302, 429]
    assert reset("198.51.100.60", 3).status_code == 302


@pytest.mark.parametrize(("trusted", "remote", "forwarded", "expected"), [
    ([], "10.0.0.2", "203.0.113.5", "10.0.0.2"),  # no proxy configured: REMOTE_ADDR
    (["10.0.0.0/24"], "10.0.0.2", "203.0.113.5", "203.0.113.5"),
    (["10.0.0.0/24"], "10.0.0.2", None, "10.0.0.2"),
    # what the client put in front of the proxy's entry is not believed
    (["10.0.0.0/24"], "10.0.0.2", "1.2.3.4, 203.0.113.5", "203.0.113.5"),
    # a chain of trusted proxies is walked from the right
    (["10.0.0.0/24", "192.0.2.1"], "10.0.0.2", "1.2.3.4, 203.0.113.5, 192.0.2.1",
     "203.0.113.5"),
    (["10.0.0.0/24"], "10.0.0.2", "203.0.113.5:4711", "203.0.113.5"),
    (["10.0.0.0/24"], "10.0.0.2", "[2001:db8::1]:443", "2001:db8::1"),
    (["10.0.0.0/24"], "10.0.0.2", "not-an-address", "10.0.0.2"),
    (["10.0.0.0/24"], "203.0.113.80", "198.51.100.1", "203.0.113.80"),
    (["::1"], "::1", "2001:db8::7", "2001:db8::7"),
])
def test_client_address(settings, trusted, remote, forwarded, expected):
    from allauth.account.adapter import get_adapter
    from axes.helpers import get_client_ip_address

    settings.TRUSTED_PROXIES = trusted
    extra = {"HTTP_X_FORWARDED_FOR": forwarded} if forwarded else {}
    request = RequestFactory().post(LOGIN, REMOTE_ADDR=remote, **extra)
    # django-axes and allauth's rate limits agree on who the client is
    assert get_client_ip_address(request) == expected
    assert get_adapter(request).get_client_ip(request) == expected


# --- item 8: account mail through the outbox ---------------------------------------------------

def _free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _smtp(settings, port):
    settings.MAILERS = {"default": {
        "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "OPTIONS": {"host": "127.0.0.1", "port": port, "timeout": 10}}}


@pytest.fixture
def smtp_refused(settings):
    _smtp(settings, _free_port())


@pytest.fixture
def smtp_hung(settings):
    """A server that accepts the connection and never says a word."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(8)
    _smtp(settings, server.getsockname()[1])
    yield
    server.close()


@pytest.mark.parametrize("smtp", ["smtp_refused", "smtp_hung"])
def test_password_reset_answers_at_once_and_leaves_the_mail_to_the_outbox(client, request,
                                                                          smtp):
    user = UserFactory(username="lin")
    request.getfixturevalue(smtp)
    started = time.monotonic()
    response = client.post(RESET, {"email": "lin@example.cn"})
    assert time.monotonic() - started < 3
    assert response.status_code == 302
    assert response["Location"] == "/accounts/password/reset/done/"
    row = Delivery.objects.get(notification__recipient=user)
    assert row.state == Delivery.State.PENDING
    # the link is made by the worker when it sends: nothing stored can reset the password
    notification = row.notification
    assert "/accounts/password/reset/key/" not in notification.body + notification.subject


def _links(message, path):
    return re.findall(rf"https?://[^\s/]+({re.escape(path)}[^\s]+)", message.body)


def test_the_reset_mail_is_delivered_later_and_its_link_works(client, settings, smtp_refused):
    UserFactory(username="lin")
    assert client.post(RESET, {"email": "Lin@example.cn"}).status_code == 302
    assert delivery.deliver_due() == {Delivery.State.PENDING: 1}  # refused: tried again later
    assert mail.outbox == []

    settings.MAILERS = LOCMEM  # the mail server is back
    with time_machine.travel(now() + datetime.timedelta(hours=2), tick=False):
        assert delivery.deliver_due() == {Delivery.State.SENT: 1}
        [message] = mail.outbox
        assert message.to == ["lin@example.cn"]
        assert "重置密码" in message.subject and "设置新密码" in message.body
        [path] = _links(message, "/accounts/password/reset/key/")
        response = client.get(path)
        assert response.status_code == 302  # allauth moves the key out of the address bar
        response = client.post(response["Location"],
                               {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})
        assert response.status_code == 302
        assert attempt(client, "allauth", "lin", NEW_PASSWORD).status_code == 302
        assert delivery.deliver_due() == {Delivery.State.SENT: 1}  # "密码已修改" notice
        assert mail.outbox[-1].to == ["lin@example.cn"]
        assert "/accounts/password/reset/key/" not in mail.outbox[-1].body


def _page_text(response):
    """The page without its CSRF tokens (in forms and in the htmx headers)."""
    html = re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", response.content.decode())
    return re.sub(r'"X-CSRFToken": "[^"]*"', "", html)


def test_an_unknown_address_gets_no_mail_and_the_same_page(client):
    UserFactory(username="lin")
    known = client.post(RESET, {"email": "lin@example.cn"}, follow=True)
    unknown = client.post(RESET, {"email": "nobody@example.cn"}, follow=True)
    assert known.redirect_chain == unknown.redirect_chain
    assert known.status_code == unknown.status_code == 200
    assert _page_text(known) == _page_text(unknown)
    delivery.deliver_due()
    assert [m.to for m in mail.outbox] == [["lin@example.cn"]]


# --- item 10: unique, verified addresses -----------------------------------------------------

@pytest.fixture
def coordinator_and_member(db):
    coordinator = UserFactory(username="coordinator", roles=["coordinator"], is_staff=True)
    member = MemberFactory(user__username="member2").user
    return coordinator, member


@pytest.mark.parametrize("typed", ["coordinator@example.cn", "Coordinator@Example.CN",
                                   "verified@example.cn"])
def test_a_member_cannot_add_an_address_another_account_uses(client, coordinator_and_member,
                                                             typed):
    coordinator, member = coordinator_and_member
    EmailAddress.objects.create(user=coordinator, email="verified@example.cn", verified=True)
    client.force_login(member)
    response = client.post("/accounts/email/", {"email": typed, "action_add": ""})
    assert response.status_code == 200
    assert "已被其他账号使用" in response.content.decode()
    assert not EmailAddress.objects.filter(user=member, email__iexact=typed).exists()
    delivery.deliver_due()
    assert mail.outbox == []


def _notify(user, key):
    return notify(recipient=user, kind="accept_overdue", key=key, subject="待受理提醒",
                  body="正文")


def test_an_address_the_member_did_not_verify_receives_no_notification_email(client):
    member = MemberFactory(user__username="member2").user
    client.force_login(member)
    assert client.post("/accounts/email/",
                       {"email": "new@example.cn", "action_add": ""}).status_code == 302
    assert client.post("/accounts/email/",
                       {"email": "new@example.cn", "action_primary": ""}).status_code == 302
    member.refresh_from_db()
    assert member.email == "new@example.cn"

    _notify(member, "before")
    delivery.deliver_due()
    # only the verification mail went to the new address; the reminder stayed in the inbox
    assert not [m for m in mail.outbox if "待受理" in m.subject]
    [message] = [m for m in mail.outbox if m.to == ["new@example.cn"]]
    assert Notification.objects.filter(dedup_key="before").exists()
    assert not Delivery.objects.filter(notification__dedup_key="before").exists()

    [path] = _links(message, "/accounts/confirm-email/")
    assert "/accounts/confirm-email/" not in Notification.objects.get(
        kind="account/email/email_confirmation").body  # the inbox never shows the key
    assert client.post(path).status_code == 302
    assert EmailAddress.objects.get(user=member, email="new@example.cn").verified

    mail.outbox.clear()
    _notify(member, "after")
    delivery.deliver_due()
    assert [(m.to, m.subject) for m in mail.outbox
            if "待受理" in m.subject] == [(["new@example.cn"], "[宜起靠谱联盟] 待受理提醒")]


@pytest.mark.parametrize("coordinator_address", ["recorded", "verified"])
def test_a_reset_for_a_shared_looking_address_sends_one_link(client, coordinator_and_member,
                                                             coordinator_address):
    coordinator, member = coordinator_and_member
    if coordinator_address == "verified":
        EmailAddress.objects.create(user=coordinator, email=coordinator.email, verified=True,
                                    primary=True)
    # what issue #19 found: member2 made the coordinator's address their unverified primary
    EmailAddress.objects.create(user=member, email="coordinator@example.cn", primary=True)
    member.email = "coordinator@example.cn"
    member.save(update_fields=["email"])

    assert client.post(RESET, {"email": "COORDINATOR@example.cn"}).status_code == 302
    delivery.deliver_due()
    [message] = mail.outbox
    assert message.to == ["coordinator@example.cn"]
    [path] = _links(message, "/accounts/password/reset/key/")
    response = client.get(path)
    response = client.post(response["Location"],
                           {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})
    assert response.status_code == 302
    coordinator.refresh_from_db()
    member.refresh_from_db()
    assert coordinator.check_password(NEW_PASSWORD) and not member.check_password(NEW_PASSWORD)


def test_accounts_staff_create_have_a_verified_address_that_receives_mail(client):
    member = MemberFactory(user=None, email="Wang.Fang@example.cn")
    [created] = create_member_accounts(members=[member])
    user = created.user
    address = EmailAddress.objects.get(user=user)
    assert (address.email, address.verified, address.primary) == (
        "wang.fang@example.cn", True, True)

    _notify(user, "welcome")
    assert client.post(RESET, {"email": "wang.fang@example.cn"}).status_code == 302
    assert delivery.deliver_due() == {Delivery.State.SENT: 2}
    assert sorted(m.to[0] for m in mail.outbox) == ["Wang.Fang@example.cn",
                                                     "wang.fang@example.cn"]

    # with a verified address on the account, an unverified one cannot become primary
    client.force_login(user)
    client.post("/accounts/email/", {"email": "other@example.cn", "action_add": ""})
    client.post("/accounts/email/", {"email": "other@example.cn", "action_primary": ""})
    user.refresh_from_db()
    assert user.email == "Wang.Fang@example.cn"
