"""The workflow table drives the pipeline: a row added to a copy of the table, or a
category's own day count, is followed by the next-step text, the queue filter, the badge,
the four 有 panel and the statistics, with no other edit."""

import datetime

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from dashboard import stats
from proposals import deadlines, services, workflow
from proposals.models import Suggestion
from tests.factories import CategoryFactory
from tests.visible import body_text

pytestmark = pytest.mark.django_db

S = workflow.State
NOW = datetime.datetime(2026, 12, 1, 10, tzinfo=datetime.UTC)

# A fast path some alliances use: a simple suggestion carried out at once by the handler,
# with reply, progress and implementation in one step (当场办结).
ON_THE_SPOT = workflow.Row(
    S.ACCEPTED, "record_implementation", S.IMPLEMENTED, frozenset({workflow.HANDLER}),
    entry=workflow.Entry.IMPLEMENTED, stops=("reply_due",), starts="feedback_due",
    fulfils=(workflow.Have.REPLY, workflow.Have.PROGRESS, workflow.Have.IMPLEMENTATION),
    next_step="当场办结，请在 %(due)s 前对办理结果作出评价（%(days)s 个工作日内）。",
)


@pytest.fixture
def table_with_fast_path(monkeypatch):
    # Ahead of the other rows, so it is where such a suggestion stands.
    monkeypatch.setattr(workflow, "WORKFLOW", workflow.Workflow((ON_THE_SPOT, *workflow.TABLE)))


@pytest.fixture
def accepted(member_user, coordinator, handler_user):
    category = CategoryFactory(feedback_days=3)
    with time_machine.travel(NOW, tick=False):
        s = services.submit_suggestion(actor=member_user, alliance=category.alliance,
                                       category=category, title="路灯不亮",
                                       content="宜川一村3号楼前路灯不亮。")
        return services.accept_suggestion(actor=coordinator, suggestion=s,
                                          handler=handler_user)


def _carry_out(handler_user, accepted):
    with time_machine.travel(NOW, tick=False):
        return services.record_implementation(actor=handler_user, suggestion=accepted,
                                              text="已当场更换灯泡。")


def test_the_fast_path_is_refused_until_the_table_has_its_row(handler_user, accepted):
    with pytest.raises(services.TransitionError, match="不能执行"):
        _carry_out(handler_user, accepted)
    accepted.refresh_from_db()
    assert accepted.state == S.ACCEPTED and accepted.implemented_at is None


def test_a_new_row_is_followed_everywhere(table_with_fast_path, client, member_user,
                                          coordinator, handler_user, accepted):
    s = _carry_out(handler_user, accepted)
    due = deadlines.add_working_days(NOW.date(), 3)  # the category's own feedback_days
    assert (s.state, s.feedback_due, s.reply_due) == (S.IMPLEMENTED, due, None)

    with time_machine.travel(NOW + datetime.timedelta(hours=1), tick=False):
        # The member's list: the row's words, the category's 3 days, the deadline.
        client.force_login(member_user)
        text = body_text(client.get(reverse("proposals:list")))
        assert f"当场办结，请在 {due.month}月{due.day}日 前对办理结果作出评价（3 个工作日内）" in text
        # The badge says the member is now the one to act; the panel ticks three 有.
        assert "text-bg-primary" in client.get(reverse("proposals:list")).content.decode()
        detail = client.get(s.get_absolute_url())
        assert [done for _label, done in detail.context["four_haves"]] == [
            True, True, True, False]
        assert "评价办理结果" in body_text(detail)  # the feedback form is offered

        flt = stats.StatsFilter(alliance=s.alliance, date_from=NOW.date(),
                                date_to=NOW.date())
        o = stats.overview(flt, today=NOW.date())
        assert (o["replied"], o["progressed"], o["implemented"], o["feedback_asked"]) == (
            1, 1, 1, 1)
        assert (o["reply_rate"], o["progress_rate"], o["implementation_rate"]) == (
            100.0, 100.0, 100.0)
        assert o["overdue"] == 0

    # Past the category's 3-day window: overdue in the queue filter and on the dashboard.
    later = datetime.datetime.combine(due + datetime.timedelta(days=1), datetime.time(10),
                                      tzinfo=datetime.UTC)
    with time_machine.travel(later, tick=False):
        client.force_login(coordinator)
        overdue = client.get(reverse("proposals:list"), {"due": "overdue"})
        assert s.tracking_number in body_text(overdue)
        flt = stats.StatsFilter(alliance=s.alliance, date_from=NOW.date(),
                                date_to=NOW.date())
        assert stats.overview(flt, today=timezone.localdate())["overdue"] == 1


def test_a_category_with_three_reply_days_says_three_days(client, member_user, accepted):
    category = accepted.category
    category.reply_days = 3
    category.save()
    Suggestion.objects.filter(pk=accepted.pk).update(reply_due=datetime.date(2026, 12, 4))
    client.force_login(member_user)
    text = body_text(client.get(accepted.get_absolute_url()))
    assert "已交承办人办理，将在 12月4日 前正式答复（3 个工作日内）。" in text
    assert "10 个工作日" not in text


def test_the_member_detail_page_states_the_current_deadline(client, member_user, coordinator):
    category = CategoryFactory()
    with time_machine.travel(NOW, tick=False):
        s = services.submit_suggestion(actor=member_user, alliance=category.alliance,
                                       category=category, title="t", content="c")
    client.force_login(member_user)
    text = body_text(client.get(s.get_absolute_url()))
    due = s.accept_due
    assert f"统战办将在 {due.month}月{due.day}日 前受理（2 个工作日内）。" in text

    # The staff page marks it once it has passed.
    later = datetime.datetime.combine(due + datetime.timedelta(days=2), datetime.time(10),
                                      tzinfo=datetime.UTC)
    with time_machine.travel(later, tick=False):
        client.force_login(coordinator)
        text = body_text(client.get(s.get_absolute_url()))
        assert f"受理期限：{due:%Y-%m-%d}（已逾期）" in text


def test_not_implemented_is_neither_progress_nor_implementation(client, member_user,
                                                                 handler_user, accepted):
    s = services.reply_suggestion(actor=handler_user, suggestion=accepted, text="已答复。")
    s = services.conclude_not_implemented(actor=handler_user, suggestion=s, grade="C",
                                          reason="已列入明年计划。")
    client.force_login(member_user)
    detail = client.get(s.get_absolute_url())
    assert [done for _label, done in detail.context["four_haves"]] == [
        True, False, False, False]
    assert "承办人说明了暂不落实的理由，请在" in body_text(detail)
    flt = stats.StatsFilter(alliance=s.alliance, date_from=s.submitted_at.date(),
                            date_to=s.submitted_at.date())
    o = stats.overview(flt)
    assert (o["replied"], o["not_implemented"], o["progressed"], o["implemented"]) == (
        1, 1, 0, 0)


def test_a_second_dissatisfied_tells_the_member_it_went_to_a_coordinator(
        client, member_user, handler_user, accepted):
    s = services.reply_suggestion(actor=handler_user, suggestion=accepted, text="已答复。")
    s = services.record_implementation(actor=handler_user, suggestion=s, text="已完成。")
    s = services.give_feedback(actor=member_user, suggestion=s, rating="dissatisfied")
    s = services.record_implementation(actor=handler_user, suggestion=s, text="再次完成。")
    s = services.give_feedback(actor=member_user, suggestion=s, rating="dissatisfied")
    client.force_login(member_user)
    for url in (reverse("proposals:list"), s.get_absolute_url()):
        text = body_text(client.get(url))
        assert "您的意见已转统战办协调员，将由协调员协调办结。" in text
        assert "请在" not in text and "作出评价" not in text
    assert "评价办理结果" not in body_text(client.get(s.get_absolute_url()))
