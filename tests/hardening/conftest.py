"""Fixtures the hardening tests share: the permission matrix's world, built once per module
that asks for it, and a PostgreSQL connection of its own for the fault tests."""

import psycopg2
import pytest
from django.db import connection, transaction
from django.test import override_settings

from tests.hardening.matrix_world import build_world


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker, tmp_path_factory):
    """Every role, object and page of the permission matrix (rolled back at the end)."""
    media = tmp_path_factory.mktemp("matrix-media")
    with django_db_blocker.unblock(), override_settings(MEDIA_ROOT=media):
        with transaction.atomic():
            built = build_world()
            built.media = media
            yield built
            transaction.set_rollback(True)


@pytest.fixture
def side():
    """A plain psycopg2 connection to the test database, outside Django."""
    db = connection.settings_dict
    conn = psycopg2.connect(dbname=db["NAME"], user=db["USER"], password=db["PASSWORD"],
                            host=db["HOST"] or None, port=db["PORT"] or None)
    conn.autocommit = True
    yield conn
    conn.close()
