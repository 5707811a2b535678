import pytest

from proposals.models import Suggestion

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo():
    from alliance import demo as alliance_demo
    from proposals import demo

    alliance_demo.load()
    demo.load()
    demo.load()  # idempotent
    return Suggestion.objects.all()


def test_demo_has_every_state_golden_overdue_and_reopened(demo):
    from django.utils import timezone

    assert set(demo.values_list("state", flat=True)) == set(Suggestion.State.values)
    golden = set(demo.filter(is_golden=True).values_list("title", flat=True))
    assert {"打造两湾十景", "推广中远314红色楼组党建经验"} <= golden
    today = timezone.localdate()
    assert demo.filter(state="submitted", accept_due__lt=today).exists()
    assert demo.filter(state="accepted", reply_due__lt=today).exists()
    assert demo.filter(reopened_count=1, state="in_progress").exists()
    assert demo.filter(state="replied", not_implemented=True).exists()
    assert demo.filter(submitter__username="member").count() >= 10
    assert demo.filter(handler__username="handler").exists()
    assert len(demo.values_list("tracking_number", flat=True).distinct()) == demo.count()


def test_admin_lists_suggestions_and_refuses_an_illegal_action(demo, client):
    from django.contrib.auth import get_user_model

    admin = get_user_model().objects.get(username="admin")
    client.force_login(admin)
    assert client.get("/admin/proposals/suggestion/").status_code == 200
    s = demo.get(state="submitted", accept_due__isnull=False, submitted_at__isnull=False,
                 title="小湾豆志愿者培训课程")
    assert client.get(f"/admin/proposals/suggestion/{s.pk}/change/").status_code == 200
    response = client.post("/admin/proposals/suggestion/",
                           {"action": "auto_close", "_selected_action": [s.pk]}, follow=True)
    assert "不能执行" in response.content.decode()
    s.refresh_from_db()
    assert s.state == "submitted"
    assert client.get("/admin/proposals/category/").status_code == 200
    assert client.get("/admin/proposals/calendaroverride/").status_code == 200


def test_demo_implementations_carry_a_public_receipt(demo):
    from proposals.models import Attachment

    receipts = Attachment.objects.evidence().filter(entry__kind="implemented")
    assert receipts.exists()
    assert set(receipts.values_list("original_name", "content_type", "is_public")) == {
        ("居民签收单.pdf", "application/pdf", True)}
