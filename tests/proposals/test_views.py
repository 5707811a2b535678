"""The suggestion pages: submitting, bad input, escaping, lists, detail, queries."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from proposals.models import Attachment, Suggestion, SuggestionUpdate
from tests.factories import (
    CategoryFactory,
    MemberFactory,
    SuggestionFactory,
    UnitFactory,
    UserFactory,
)
from tests.proposals import pages
from tests.visible import body_text

pytestmark = pytest.mark.django_db

SCRIPT = "<script>alert('x')</script>"
TOKEN = "0f" * 16


@pytest.fixture
def cat(db):
    return CategoryFactory()


def _post_new(client, cat, **overrides):
    data = {"title": "加装楼道扶手", "category": cat.pk, "content": "老人上下楼不便。",
            "form_token": TOKEN}
    data.update(overrides)
    return client.post(reverse("proposals:new"), data)


# --- submitting ------------------------------------------------------------------------

def test_member_submits_a_suggestion_with_a_pdf(client, member_user, cat):
    client.force_login(member_user)
    pdf = SimpleUploadedFile("方案.pdf", pages.PDF, content_type="application/pdf")
    response = _post_new(client, cat, attachments=pdf)
    s = Suggestion.objects.get()
    assert response.status_code == 302 and response["Location"] == s.get_absolute_url()
    assert (s.submitter, s.channel, s.state) == (member_user, "web", "submitted")
    assert s.tracking_number.startswith(f"ZTC-{timezone.localdate().year}-")
    assert list(s.attachments.values_list("original_name", "content_type")) == [
        ("方案.pdf", "application/pdf")]


def test_double_submission_with_one_form_token_creates_one_suggestion(client, member_user,
                                                                       cat):
    client.force_login(member_user)
    first = _post_new(client, cat, attachments=SimpleUploadedFile("a.png", pages.PNG))
    second = _post_new(client, cat, attachments=SimpleUploadedFile("a.png", pages.PNG))
    assert first["Location"] == second["Location"]
    assert Suggestion.objects.count() == 1
    assert Attachment.objects.count() == 1


def test_form_carries_a_fresh_token_each_time(client, member_user, cat):
    client.force_login(member_user)
    one = client.get(reverse("proposals:new")).context["form"]["form_token"].value()
    two = client.get(reverse("proposals:new")).context["form"]["form_token"].value()
    assert one and two and one != two


def test_staff_records_a_suggestion_on_a_members_behalf(client, coordinator, member_user, cat):
    client.force_login(coordinator)
    response = _post_new(client, cat, submitter=member_user.pk, channel="salon")
    assert response.status_code == 302
    s = Suggestion.objects.get()
    assert (s.submitter, s.recorded_by, s.channel) == (member_user, coordinator, "salon")


def test_member_cannot_record_for_someone_else(client, member_user, other_member_user, cat):
    client.force_login(member_user)
    _post_new(client, cat, submitter=other_member_user.pk, channel="salon")
    s = Suggestion.objects.get()
    assert (s.submitter, s.channel, s.recorded_by) == (member_user, "web", None)


@pytest.mark.parametrize(("field", "overrides", "message"), [
    ("title", {"title": "   "}, "请填写标题"),
    ("content", {"content": "长" * 50_000}, "5000"),
    ("title", {"title": f"好建议{SCRIPT}"}, "脚本"),
    ("content", {"content": f"内容{SCRIPT}"}, "脚本"),
    ("category", {"category": ""}, "请选择类别。"),
])
def test_bad_input_is_refused_beside_the_field_and_kept(client, member_user, cat, field,
                                                        overrides, message):
    client.force_login(member_user)
    response = _post_new(client, cat, **overrides)
    assert response.status_code == 200
    assert Suggestion.objects.count() == 0
    html = response.content.decode()
    error = html.split(f'data-testid="error-{field}"', 1)[1].split("</div>", 1)[0]
    assert message in error
    form = response.context["form"]
    for name in ("title", "content"):
        typed = overrides.get(name, {"title": "加装楼道扶手", "content": "老人上下楼不便。"}[name])
        assert form[name].value() == typed
    assert "<script>alert" not in html


def test_renamed_executable_is_refused_as_attachment(client, member_user, cat):
    client.force_login(member_user)
    exe = SimpleUploadedFile("发票.pdf", pages.EXE, content_type="application/pdf")
    response = _post_new(client, cat, attachments=exe)
    assert response.status_code == 200
    assert Suggestion.objects.count() == 0 and Attachment.objects.count() == 0
    html = response.content.decode()
    assert "不是允许的类型" in html.split('data-testid="error-attachments"', 1)[1]
    assert response.context["form"]["title"].value() == "加装楼道扶手"


def test_oversized_attachment_is_refused(client, member_user, cat, settings, monkeypatch):
    from proposals import forms

    monkeypatch.setattr(forms, "ATTACHMENT_MAX_BYTES", 100)
    client.force_login(member_user)
    response = _post_new(client, cat, attachments=SimpleUploadedFile("大.pdf", pages.PDF * 10))
    assert "超过" in response.content.decode()
    assert Suggestion.objects.count() == 0


# --- escaping --------------------------------------------------------------------------

def test_script_text_is_shown_escaped_everywhere(client, member_user, coordinator):
    s = SuggestionFactory(golden=True, submitter=member_user, title=SCRIPT, content=SCRIPT,
                          golden_summary=SCRIPT, credit_publicly=True)
    SuggestionUpdate.objects.create(suggestion=s, kind="replied", text=SCRIPT)
    member_user.first_name = SCRIPT
    member_user.save()
    urls = [reverse("proposals:list"), s.get_absolute_url(), reverse("proposals:golden"),
            reverse("me"), "/"]
    for user in (member_user, coordinator):
        client.force_login(user)
        for url in urls:
            html = client.get(url).content.decode()
            assert "<script>alert" not in html, url
    client.force_login(member_user)
    assert "&lt;script&gt;alert" in client.get(s.get_absolute_url()).content.decode()


# --- lists -----------------------------------------------------------------------------

def test_member_sees_only_own_suggestions_with_what_happens_next(client, member_user,
                                                                  other_member_user):
    mine = SuggestionFactory(accepted=True, submitter=member_user, title="我的建言",
                             category=CategoryFactory(name="快办", reply_days=3),
                             reply_due=datetime.date(2026, 12, 4))
    SuggestionFactory(submitter=other_member_user, title="别人的建言")
    client.force_login(member_user)
    text = body_text(client.get(reverse("proposals:list")))
    assert "我的建言" in text and "别人的建言" not in text
    # The category's own day count and the suggestion's own deadline, in plain words.
    assert "将在 12月4日 前正式答复（3 个工作日内）" in text
    assert "10 个工作日" not in text
    assert mine.get_state_display() in text


def test_member_with_no_suggestions_sees_the_empty_state(client, member_user):
    client.force_login(member_user)
    for url in (reverse("proposals:list"), reverse("me")):
        assert 'data-testid="suggestion-list-empty"' in client.get(url).content.decode()


def test_work_queue_is_sorted_by_urgency(client, coordinator, member_user):
    today = timezone.localdate()
    SuggestionFactory(submitter=member_user, title="不急",
                      accept_due=today + datetime.timedelta(9))
    SuggestionFactory(submitter=member_user, title="已逾期",
                      accept_due=today - datetime.timedelta(3))
    SuggestionFactory(closed=True, submitter=member_user, title="已办结")
    client.force_login(coordinator)
    rows = list(client.get(reverse("proposals:list")).context["page_obj"])
    assert [s.title for s in rows] == ["已逾期", "不急", "已办结"]


def test_work_queue_filters(client, coordinator, member_user, handler_user):
    today = timezone.localdate()
    unit = UnitFactory()
    SuggestionFactory(accepted=True, submitter=member_user, title="楼道堆物",
                      handler=handler_user, lead_unit=unit,
                      reply_due=today - datetime.timedelta(1))
    b = SuggestionFactory(submitter=member_user, title="垃圾分类", accept_due=today)
    SuggestionFactory(closed=True, submitter=member_user, title="已办结的")
    client.force_login(coordinator)

    def titles(**params):
        return {s.title for s in client.get(reverse("proposals:list"), params)
                .context["page_obj"]}

    assert titles(state="accepted") == {"楼道堆物"}
    assert titles(handler=handler_user.pk) == {"楼道堆物"}
    assert titles(unit=unit.pk) == {"楼道堆物"}
    assert titles(due="overdue") == {"楼道堆物"}
    assert titles(due="soon") == {"垃圾分类"}
    assert titles(q="垃圾") == {"垃圾分类"}
    assert titles(q=b.tracking_number) == {"垃圾分类"}
    assert titles(submitted_after=str(today + datetime.timedelta(1))) == set()
    assert len(titles()) == 3


def test_work_queue_is_paginated(client, coordinator, member_user):
    SuggestionFactory.create_batch(27, submitter=member_user, category=CategoryFactory())
    client.force_login(coordinator)
    response = client.get(reverse("proposals:list"), {"page": 2})
    assert len(response.context["page_obj"]) == 2


def test_my_suggestions_are_paginated_and_counted_whole(client, member_user):
    for i in range(27):
        SuggestionFactory(submitter=member_user, title=f"我的第{i:02d}条建言")
    client.force_login(member_user)
    seen = []
    for number in (1, 2):
        text = body_text(client.get(reverse("proposals:list"), {"page": number}))
        assert "共 27 条" in text
        seen.append({f"我的第{i:02d}条建言" for i in range(27)
                     if f"我的第{i:02d}条建言" in text})
    assert (len(seen[0]), len(seen[1])) == (25, 2)
    assert seen[0] | seen[1] == {f"我的第{i:02d}条建言" for i in range(27)}


def _queue_rows(member_user, handler_user, n):
    unit = UnitFactory()
    SuggestionFactory.create_batch(n, accepted=True, submitter=member_user, handler=handler_user,
                                   lead_unit=unit, co_units=[unit], category=CategoryFactory())


@pytest.mark.parametrize("n", [1, 50])
def test_work_queue_makes_a_fixed_number_of_queries(client, coordinator, member_user,
                                                    handler_user, django_assert_max_num_queries,
                                                    n):
    _queue_rows(member_user, handler_user, n)
    client.force_login(coordinator)
    with django_assert_max_num_queries(13):
        response = client.get(reverse("proposals:list"))
    assert len(response.context["page_obj"]) == min(n, 25)


@pytest.mark.parametrize("n", [1, 50])
def test_my_suggestions_make_a_fixed_number_of_queries(client, member_user, handler_user,
                                                       django_assert_max_num_queries, n):
    _queue_rows(member_user, handler_user, n)
    client.force_login(member_user)
    with django_assert_max_num_queries(10):
        client.get(reverse("proposals:list"))


# --- detail ----------------------------------------------------------------------------

@pytest.mark.parametrize("n", [1, 50])
def test_detail_makes_a_fixed_number_of_queries(client, coordinator, member_user,
                                                handler_user, django_assert_max_num_queries,
                                                n):
    unit = UnitFactory()
    s = SuggestionFactory(in_progress=True, submitter=member_user, handler=handler_user,
                          lead_unit=unit, co_units=[unit])
    for i in range(n):
        SuggestionUpdate.objects.create(suggestion=s, kind="submitted" if i == 0 else "note",
                                        author=member_user, text=f"公开记录{i}")
        SuggestionUpdate.objects.create(suggestion=s, kind="note", author=handler_user,
                                        text=f"内部记录{i}", is_public=False)
    for _ in range(min(n, 5)):
        pages.attachment(s)
    client.force_login(coordinator)
    with django_assert_max_num_queries(16):
        response = client.get(s.get_absolute_url())
    assert len(response.context["updates"]) == 2 * n


def test_internal_timeline_entries_only_for_staff(client, member_user, handler_user):
    s = SuggestionFactory(accepted=True, submitter=member_user, handler=handler_user)
    SuggestionUpdate.objects.create(suggestion=s, kind="submitted", author=member_user,
                                    text="公开记录0")
    SuggestionUpdate.objects.create(suggestion=s, kind="note", author=handler_user,
                                    text="内部记录0", is_public=False)
    client.force_login(member_user)
    html = client.get(s.get_absolute_url()).content.decode()
    assert "公开记录0" in html and "内部记录0" not in html
    client.force_login(handler_user)
    html = client.get(s.get_absolute_url()).content.decode()
    assert "公开记录0" in html and "内部记录0" in html


def test_detail_offers_only_the_actions_this_user_may_take(client, member_user,
                                                           handler_user, coordinator):
    s = SuggestionFactory(submitter=member_user)
    client.force_login(member_user)
    assert [a["name"] for a in client.get(s.get_absolute_url()).context["actions"]] == [
        "withdraw"]
    client.force_login(coordinator)
    names = [a["name"] for a in client.get(s.get_absolute_url()).context["actions"]]
    assert {"accept", "decline", "merge"} <= set(names) and "withdraw" not in names
    client.force_login(handler_user)
    assert client.get(s.get_absolute_url()).status_code == 404


def test_coordinator_accepts_and_assigns_through_the_page(client, coordinator, member_user,
                                                         handler_user, cat):
    s = SuggestionFactory(submitter=member_user, category=cat)
    unit, co = UnitFactory(alliance=cat.alliance), UnitFactory(alliance=cat.alliance)
    client.force_login(coordinator)
    response = client.post(reverse("proposals:action", args=[s.tracking_number, "accept"]), {
        "category": cat.pk, "handler": handler_user.pk, "lead_unit": unit.pk,
        "co_units": [co.pk]})
    assert response.status_code == 302
    s.refresh_from_db()
    assert (s.state, s.handler, s.lead_unit) == ("accepted", handler_user, unit)
    assert list(s.assignments.values_list("unit", flat=True)) == [co.pk]


def test_invalid_action_form_keeps_input_and_changes_nothing(client, member_user,
                                                             handler_user):
    s = SuggestionFactory(accepted=True, submitter=member_user, handler=handler_user)
    client.force_login(handler_user)
    response = client.post(reverse("proposals:action", args=[s.tracking_number, "reply"]),
                           {"text": "   "})
    assert response.status_code == 400
    assert 'data-testid="error-reply-text"' in response.content.decode()
    s.refresh_from_db()
    assert s.state == "accepted"


def test_refused_transition_becomes_a_message(client, member_user, handler_user):
    s = SuggestionFactory(accepted=True, submitter=member_user, handler=handler_user)
    client.force_login(member_user)
    response = client.post(reverse("proposals:action", args=[s.tracking_number, "withdraw"]),
                           follow=True)
    assert "不能执行" in response.content.decode()
    s.refresh_from_db()
    assert s.state == "accepted"


def test_service_refusal_is_shown_as_a_message(client, coordinator, member_user, cat):
    s = SuggestionFactory(submitter=member_user, category=cat)
    other = SuggestionFactory(withdrawn=True, submitter=member_user, category=cat)
    client.force_login(coordinator)
    response = client.post(reverse("proposals:action", args=[s.tracking_number, "merge"]),
                           {"into": other.tracking_number}, follow=True)
    s.refresh_from_db()
    assert s.state == "submitted"
    assert response.status_code == 200
    assert [m.level_tag for m in response.context["messages"]] == ["error"]


# --- golden, hint, sections -------------------------------------------------------------

def test_golden_showcase_names_only_those_who_agreed(client):
    agreed = MemberFactory(user__first_name="李同意").user
    declined = MemberFactory(user__first_name="张保密").user
    for user, credit, title in [(agreed, True, "打造两湾十景"), (declined, False, "推广红色楼组")]:
        SuggestionFactory(golden=True, submitter=user, title=title,
                          golden_summary=f"{title}的简介", credit_publicly=credit)
    SuggestionFactory(closed=True, submitter=agreed, title="未评金点子")
    html = client.get(reverse("proposals:golden")).content.decode()
    assert "打造两湾十景" in html and "推广红色楼组" in html and "未评金点子" not in html
    assert "李同意" in html and "张保密" not in html
    home = client.get("/").content.decode()
    assert "打造两湾十景" in home and "李同意" not in home


def test_duplicate_hint_names_only_what_the_person_may_read(client, member_user,
                                                           other_member_user, coordinator):
    theirs = SuggestionFactory(submitter=other_member_user, title="建议在中远两湾城加装电梯")
    SuggestionFactory(closed=True, submitter=other_member_user, title="两湾城加装电梯已经办结")
    SuggestionFactory(submitter=other_member_user, title="垃圾分类宣传")
    mine = SuggestionFactory(submitter=member_user, title="老楼电梯加装进度")
    client.force_login(member_user)
    response = client.get(reverse("proposals:similar"), {"title": "老楼加装电梯"})
    html = response.content.decode()
    assert "<html" not in html  # only the fragment htmx swaps in
    text = body_text(f"<body>{html}</body>")
    # Their own similar suggestion by name; another member's only as a count.
    assert mine.tracking_number in text and mine.title in text
    assert theirs.title not in text and theirs.tracking_number not in text
    assert "另有 1 条相似的建言正在办理" in text
    assert "已经办结" not in text and "垃圾分类" not in text
    assert other_member_user.first_name not in text
    empty = client.get(reverse("proposals:similar"), {"title": "无关"}).content.decode()
    assert "similar-suggestions" not in empty
    # A coordinator may read them all, so all are named.
    client.force_login(coordinator)
    html = client.get(reverse("proposals:similar"), {"title": "老楼加装电梯"}).content.decode()
    text = body_text(f"<body>{html}</body>")
    assert theirs.title in text and mine.title in text and "另有" not in text


def test_duplicate_hint_needs_sign_in(client):
    response = client.get(reverse("proposals:similar"), {"title": "电梯"})
    assert response.status_code == 302


def test_me_lists_my_suggestions(client, member_user):
    SuggestionFactory(submitter=member_user, title="我的第一条")
    client.force_login(member_user)
    html = client.get(reverse("me")).content.decode()
    assert "我的第一条" in html and 'data-testid="suggestion-list-empty"' not in html


def test_staff_user_not_a_member_still_gets_pages(client):
    user = UserFactory(roles=["handler"])
    client.force_login(user)
    assert client.get(reverse("proposals:list")).status_code == 200


def test_liaison_of_a_co_handling_unit_reports_its_part(client, liaison, member_user,
                                                        handler_user):
    s = SuggestionFactory(replied=True, submitter=member_user, handler=handler_user,
                          co_units=[liaison.liaison_unit])
    client.force_login(liaison)
    names = [a["name"] for a in client.get(s.get_absolute_url()).context["actions"]]
    assert names == ["record_progress"]
    response = client.post(
        reverse("proposals:action", args=[s.tracking_number, "record_progress"]),
        {"text": "分会已走访三户居民。", "is_public": "on"})
    assert response.status_code == 302
    s.refresh_from_db()
    entry = s.updates.get(text="分会已走访三户居民。")
    assert (s.state, entry.unit, entry.author) == ("in_progress", liaison.liaison_unit, liaison)


def test_coordinator_merges_a_duplicate_through_the_page(client, coordinator, member_user,
                                                         other_member_user, cat):
    target = SuggestionFactory(accepted=True, submitter=other_member_user, category=cat)
    s = SuggestionFactory(submitter=member_user, category=cat)
    client.force_login(coordinator)
    client.post(reverse("proposals:action", args=[s.tracking_number, "merge"]),
                {"into": target.tracking_number.lower()})
    s.refresh_from_db()
    assert (s.state, s.merged_into) == ("merged", target)
    client.force_login(member_user)
    assert client.get(target.get_absolute_url()).status_code == 200
