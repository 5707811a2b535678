"""A double click sends the same form twice at once: one suggestion comes of it."""

import threading

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse

from proposals.models import Suggestion
from tests.factories import CategoryFactory

pytestmark = pytest.mark.django_db(transaction=True)


def test_two_concurrent_posts_of_one_form_create_one_suggestion(member_user):
    if connection.vendor != "postgresql":
        pytest.skip("row locks and concurrent transactions need PostgreSQL")
    cat = CategoryFactory()
    data = {"title": "加装楼道扶手", "category": cat.pk, "content": "老人上下楼不便。",
            "form_token": "ab" * 16}
    barrier = threading.Barrier(2)
    statuses = []

    def post():
        client = Client()
        client.force_login(member_user)
        barrier.wait()
        try:
            statuses.append(client.post(reverse("proposals:new"), data).status_code)
        finally:
            connection.close()

    threads = [threading.Thread(target=post) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert statuses == [302, 302]
    assert Suggestion.objects.count() == 1
