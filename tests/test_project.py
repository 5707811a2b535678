"""The foundation's contracts: accounts, roles, health, settings, the demo loader."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.contrib.auth.models import Group, Permission
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.factories import PASSWORD, UserFactory

ROOT = Path(__file__).resolve().parent.parent
pytestmark = pytest.mark.django_db


def test_global_roles_are_groups_and_staff_roles_are_held_per_alliance():
    names = set(Group.objects.values_list("name", flat=True))
    assert {"member", "liaison", "admin", "district"} <= names
    # Coordinator and handler are alliance.StaffRole rows, not groups anyone could be in.
    assert not names & {"coordinator", "handler"}


def test_open_signup_is_closed(client):
    response = client.post("/accounts/signup/", {
        "username": "intruder", "password1": "A-long-pass-123", "password2": "A-long-pass-123"})
    from django.contrib.auth import get_user_model

    assert not get_user_model().objects.filter(username="intruder").exists()
    assert response.status_code in (200, 403)


def test_login_and_logout_through_allauth(client):
    UserFactory(username="zhang", roles=["member"])
    response = client.post("/accounts/login/", {"login": "zhang", "password": PASSWORD})
    assert response.status_code == 302
    assert client.get("/me/").status_code == 200
    client.post("/accounts/logout/")
    assert client.get("/me/").status_code == 302


def test_wrong_password_is_refused_with_a_message(client):
    UserFactory(username="zhang")
    response = client.post("/accounts/login/", {"login": "zhang", "password": "wrong"})
    assert response.status_code == 200
    assert not response.wsgi_request.user.is_authenticated


def test_password_reset_sends_mail(client, mailoutbox):
    UserFactory(username="li", email="li@example.cn")
    response = client.post("/accounts/password/reset/", {"email": "li@example.cn"})
    assert response.status_code == 302
    assert mailoutbox == []  # written to the outbox: the worker sends it (issue #19)
    from notifications.delivery import deliver_due

    deliver_due()
    assert len(mailoutbox) == 1 and "li@example.cn" in mailoutbox[0].to


def test_me_requires_login(client):
    response = client.get("/me/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_healthz_reports_database_and_broker(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    data = json.loads(response.content)
    assert data["database"] == "ok"
    assert data["broker"] in {"ok", "unavailable"}


def test_healthz_reports_a_closed_broker_port(client, settings):
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:1/0"
    settings.CELERY_BROKER_TRANSPORT_OPTIONS = {}
    response = client.get("/healthz")
    assert response.status_code == 200
    assert json.loads(response.content)["broker"] == "unavailable"


def test_default_language_is_chinese_and_english_switches(client):
    html = client.get("/").content.decode()
    assert 'lang="zh-hans"' in html and "联盟" in html
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert response.status_code == 302
    html = client.get("/").content.decode()
    assert 'lang="en"' in html
    assert "Alliance" in html


def test_demo_loader_refuses_without_debug(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError):
        call_command("load_demo")


def test_demo_loader_makes_the_accounts_and_is_idempotent(settings, client):
    settings.DEBUG = True
    call_command("load_demo")
    call_command("load_demo")
    from django.contrib.auth import get_user_model

    from alliance.demo import DEMO_PASSWORD
    from alliance.models import Unit

    users = get_user_model().objects.filter(username__in=["admin", "coordinator", "handler", "member"])
    assert users.count() == 4
    assert Unit.objects.filter(parent__isnull=True).count() == 24
    assert client.login(username="coordinator", password=DEMO_PASSWORD)


def test_admin_lists_alliance_models(admin_client):
    for model in ["unit", "member", "venue", "unitybuilding"]:
        assert admin_client.get(f"/admin/alliance/{model}/").status_code == 200


PRODUCTION_ENV = {
    "DJANGO_SETTINGS_MODULE": "yichuan.settings.production",
    "DJANGO_SECRET_KEY": "k9#Vd2@pQ7!zL0$wX4^mN8&bR3*tY6(hJ1)uF5-sG2+eC7=aQ9_oI4",
    "DJANGO_ALLOWED_HOSTS": "portal.example.cn",
    "EMAIL_URL": "smtp+tls://portal:secret@smtp.example.cn:587",
    "CACHE_URL": "redis://127.0.0.1:6379/1",  # checked as configured, not connected to
}


def _check_deploy(**overrides):
    env = {**os.environ, **PRODUCTION_ENV, **overrides}
    for name in ("DJANGO_DEBUG", "DJANGO_ALLOW_ASYNC_UNSAFE"):
        env.pop(name, None)
    env = {key: value for key, value in env.items() if value is not None}
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)


def test_production_settings_pass_check_deploy():
    result = _check_deploy()
    assert result.returncode == 0, result.stdout + result.stderr
    assert "WARNINGS" not in result.stderr


def test_check_deploy_warns_when_the_cache_is_per_process():
    result = _check_deploy(CACHE_URL=None)
    assert result.returncode != 0
    assert "yichuan.W001" in result.stderr
    assert "CACHE_URL" in result.stderr


def test_browser_language_alone_does_not_switch_to_english(client):
    html = client.get("/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9").content.decode()
    assert 'lang="zh-hans"' in html


def test_a_rule_that_says_no_reads_no_permission_rows(client, member_user):
    """Every page asks has_perm for the navigation; a member's "no" comes from the rules
    alone, without loading their and their groups' model permissions."""
    client.force_login(member_user)
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/events/").status_code == 200
    assert not [q for q in queries if "auth_permission" in q["sql"]]
    assert not member_user.has_perm("proposals.view_work_queue")


def test_model_permissions_still_answer_for_the_admin(db):
    staff = UserFactory(is_staff=True)
    staff.user_permissions.add(Permission.objects.get(codename="view_unit"))
    assert staff.has_perm("alliance.view_unit")
    assert not staff.has_perm("alliance.change_unit")
