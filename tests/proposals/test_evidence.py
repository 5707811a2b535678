"""Evidence of implementation: files on timeline entries (佐证材料), public or internal.

The handler attaches a 签收单 or photos when recording progress or implementation; the
files pass the suggestion uploads' checks, are written with the entry, and are shown and
served only to those who may see them: public evidence to everyone who may read the
suggestion, internal evidence (or any file on an internal entry) only to staff and the
liaisons of its units. The member's page shows the outcome grade once graded."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from proposals import services
from proposals.models import Attachment, SuggestionUpdate
from tests.factories import SuggestionFactory, UserFactory
from tests.proposals import pages
from tests.visible import shown

pytestmark = pytest.mark.django_db

TYPED = "已安装扶手，附居民签收单。"
HTML = b"<!doctype html><html><body><script>alert(1)</script></body></html>"


@pytest.fixture
def s(member_user, handler_user, liaison):
    return SuggestionFactory(in_progress=True, submitter=member_user, handler=handler_user,
                             lead_unit=liaison.liaison_unit)


def _action_url(s, action):
    return reverse("proposals:action", args=[s.tracking_number, action])


def _implement(client, s, *files, public=True, text=TYPED):
    data = {"grade": "A", "text": text, "evidence": list(files)}
    if public:
        data["evidence_public"] = "on"
    return client.post(_action_url(s, "record_implementation"), data)


def _evidence(name, data, public):
    return services.Evidence(file=SimpleUploadedFile(name, data), public=public,
                             content_type="application/pdf" if data == pages.PDF
                             else "image/png")


def _download(s, attachment):
    return reverse("proposals:attachment", args=[s.tracking_number, attachment.pk])


def _error(response, action, field):
    html = response.content.decode()
    return html.split(f'data-testid="error-{action}-{field}"', 1)[1].split("</div>", 1)[0]


# --- uploads refused ------------------------------------------------------------------

@pytest.mark.parametrize(("name", "data", "message"), [
    ("签收单.pdf", pages.EXE, "不是允许的类型"),  # an executable renamed .pdf
    ("现场照片.png", pages.PNG * 200, "超过"),  # over the (lowered) size limit
    ("说明.html", HTML, "不是允许的类型"),
])
def test_wrong_files_are_refused_beside_the_field_and_nothing_is_written(
        client, s, handler_user, monkeypatch, name, data, message):
    from proposals import forms

    monkeypatch.setattr(forms, "ATTACHMENT_MAX_BYTES", 1000)
    entries = SuggestionUpdate.objects.count()
    client.force_login(handler_user)
    good = SimpleUploadedFile("好的.pdf", pages.PDF)
    response = _implement(client, s, good, SimpleUploadedFile(name, data))
    assert response.status_code == 400
    error = _error(response, "record_implementation", "evidence")
    assert name in error and message in error
    assert "请重新选择" in error  # a browser keeps no chosen file
    form = response.context["actions"]
    implement = next(a for a in form if a["name"] == "record_implementation")
    assert implement["open"] and implement["form"]["text"].value() == TYPED
    s.refresh_from_db()
    assert s.state == "in_progress" and s.outcome_grade == ""
    assert SuggestionUpdate.objects.count() == entries
    assert not Attachment.objects.exists()


def test_too_many_files_are_refused(client, s, handler_user):
    client.force_login(handler_user)
    files = [SimpleUploadedFile(f"照片{i}.png", pages.PNG) for i in range(6)]
    response = _implement(client, s, *files)
    assert response.status_code == 400
    assert "最多上传 5 个" in _error(response, "record_implementation", "evidence")
    assert not Attachment.objects.exists()


def test_service_refuses_evidence_where_the_row_takes_none(s, handler_user):
    replied = SuggestionFactory(accepted=True, submitter=s.submitter, handler=handler_user)
    with pytest.raises(services.TransitionError):
        services.transition(actor=handler_user, suggestion=replied, action="reply",
                            text="答复", evidence=[_evidence("a.pdf", pages.PDF, True)])
    replied.refresh_from_db()
    assert replied.state == "accepted" and not replied.updates.exists()
    assert not Attachment.objects.exists()


def test_service_refuses_a_file_of_a_type_it_does_not_store(s, handler_user):
    bad = services.Evidence(file=SimpleUploadedFile("a.exe", pages.EXE),
                            content_type="application/x-msdownload", public=True)
    with pytest.raises(services.TransitionError, match="a.exe"):
        services.record_implementation(actor=handler_user, suggestion=s, text=TYPED,
                                       evidence=[bad])
    s.refresh_from_db()
    assert s.state == "in_progress" and not Attachment.objects.exists()


# --- uploads stored -------------------------------------------------------------------

def test_a_pdf_and_a_png_are_stored_on_the_implementation_entry(client, s, handler_user):
    client.force_login(handler_user)
    response = _implement(client, s, SimpleUploadedFile("签收单.pdf", pages.PDF),
                          SimpleUploadedFile("现场照片.png", pages.PNG))
    assert response.status_code == 302
    s.refresh_from_db()
    assert (s.state, s.outcome_grade) == ("implemented", "A")
    entry = s.updates.get(kind="implemented")
    files = list(entry.evidence.order_by("original_name"))
    assert [(f.original_name, f.content_type, f.is_public, f.suggestion_id) for f in files] == [
        ("现场照片.png", "image/png", True, s.pk), ("签收单.pdf", "application/pdf", True, s.pk)]
    assert all(f.uploaded_by == handler_user for f in files)
    with files[1].file.open("rb") as handle:
        assert handle.read() == pages.PDF
    # The suggestion's own files are still only those it came with.
    assert not s.attachments.submitted().exists()


def test_evidence_not_marked_public_is_internal(client, s, handler_user):
    client.force_login(handler_user)
    _implement(client, s, SimpleUploadedFile("签收单.pdf", pages.PDF), public=False)
    assert list(Attachment.objects.values_list("is_public", flat=True)) == [False]


def test_files_on_an_internal_progress_entry_are_internal(client, s, handler_user):
    client.force_login(handler_user)
    response = client.post(_action_url(s, "record_progress"), {
        "text": "内部协调记录", "evidence": [SimpleUploadedFile("会议纪要.pdf", pages.PDF)],
        "evidence_public": "on"})  # is_public left unticked: the entry is internal
    assert response.status_code == 302
    entry = s.updates.get(text="内部协调记录")
    assert not entry.is_public
    assert list(entry.evidence.values_list("is_public", flat=True)) == [False]


def test_only_the_actions_whose_row_takes_evidence_ask_for_files(s):
    from proposals import views, workflow

    taking = {name for name in views.ACTIONS if workflow.current().takes_evidence(name)}
    assert taking == {"record_progress", "record_implementation"}
    for name in views.ACTIONS:
        form = views._action_form(name, s)
        assert ("evidence" in form.fields) == (name in taking), name
        assert form.is_multipart() == (name in taking), name


def test_the_implementation_form_sends_files(client, s, handler_user):
    client.force_login(handler_user)
    html = client.get(s.get_absolute_url()).content.decode()
    form = html.split('data-testid="form-record_implementation"', 1)[0].rsplit("<form", 1)[1]
    assert 'enctype="multipart/form-data"' in form
    field = html.split('name="evidence"', 1)[0].rsplit("<input", 1)[1]
    assert 'type="file"' in field
    assert "公开给建言人" in shown(client.get(s.get_absolute_url()))


# --- who sees and downloads what ------------------------------------------------------

@pytest.fixture
def evidenced(s, handler_user):
    """One public entry with a public file and an internal file, and an internal entry
    whose file was marked public (internal with its entry)."""
    services.record_progress(actor=handler_user, suggestion=s, text="公开进展",
                             evidence=[_evidence("签收单.pdf", pages.PDF, True)])
    services.record_progress(actor=handler_user, suggestion=s, text="公开进展二",
                             evidence=[_evidence("内部照片.png", pages.PNG, False)])
    services.record_progress(actor=handler_user, suggestion=s, text="内部进展", public=False,
                             evidence=[_evidence("内部纪要.pdf", pages.PDF, True)])
    return {f.original_name: f for f in Attachment.objects.all()}


def test_submitter_sees_and_downloads_only_public_evidence(client, s, member_user, evidenced):
    client.force_login(member_user)
    text = shown(client.get(s.get_absolute_url()))
    assert "签收单.pdf" in text and "公开进展" in text
    assert "内部照片.png" not in text and "内部纪要.pdf" not in text and "内部进展" not in text
    response = client.get(_download(s, evidenced["签收单.pdf"]))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == pages.PDF
    for name in ("内部照片.png", "内部纪要.pdf"):
        assert client.get(_download(s, evidenced[name])).status_code == 404


@pytest.mark.parametrize("who", ["other_member", "anonymous"])
def test_nobody_else_outside_gets_any_evidence(client, s, other_member_user, evidenced, who):
    if who == "other_member":
        client.force_login(other_member_user)
        assert client.get(s.get_absolute_url()).status_code == 404
    for attachment in evidenced.values():
        response = client.get(_download(s, attachment))
        if who == "anonymous":  # signed out: sent to the login page, never the file
            assert response.status_code == 302 and "/accounts/login/" in response["Location"]
        else:
            assert response.status_code == 404


@pytest.mark.parametrize("who", ["handler", "liaison", "coordinator"])
def test_staff_and_liaisons_see_and_download_all_evidence(client, s, handler_user, liaison,
                                                          coordinator, evidenced, who):
    client.force_login({"handler": handler_user, "liaison": liaison,
                        "coordinator": coordinator}[who])
    text = shown(client.get(s.get_absolute_url()))
    for name, attachment in evidenced.items():
        assert name in text
        assert client.get(_download(s, attachment)).status_code == 200


def test_evidence_id_under_another_suggestion_is_404(client, s, member_user, handler_user,
                                                     evidenced):
    own = SuggestionFactory(submitter=member_user, category=s.category)
    client.force_login(member_user)
    assert client.get(_download(own, evidenced["签收单.pdf"])).status_code == 404
    client.force_login(UserFactory(roles=["coordinator"], is_staff=True))
    assert client.get(_download(own, evidenced["内部纪要.pdf"])).status_code == 404


def test_merged_submitter_follows_the_timeline_but_gets_no_files(
        client, s, other_member_user, coordinator, evidenced):
    duplicate = SuggestionFactory(submitter=other_member_user, category=s.category)
    services.merge_suggestion(actor=coordinator, suggestion=duplicate, into=s)
    client.force_login(other_member_user)
    text = shown(client.get(s.get_absolute_url()))
    assert "公开进展" in text and "签收单.pdf" not in text
    assert client.get(_download(s, evidenced["签收单.pdf"])).status_code == 404


# --- the outcome grade ----------------------------------------------------------------

def test_submitter_sees_the_outcome_grade_after_closing(client, s, member_user,
                                                        handler_user):
    client.force_login(member_user)
    assert "办理结果" not in shown(client.get(s.get_absolute_url()))
    services.record_implementation(actor=handler_user, suggestion=s, text=TYPED, grade="A",
                                   evidence=[_evidence("签收单.pdf", pages.PDF, True)])
    services.give_feedback(actor=member_user, suggestion=s, rating="satisfied")
    s.refresh_from_db()
    assert s.state == "closed"
    response = client.get(s.get_absolute_url())
    grade = response.content.decode().split('data-testid="outcome-grade"', 1)[1]
    assert "A 已解决/采纳" in grade.split("</p>", 1)[0]
    text = shown(response)
    assert "办理结果" in text and "A 已解决/采纳" in text and "签收单.pdf" in text


def test_golden_showcase_shows_the_grade_and_no_files(client, member_user):
    golden = SuggestionFactory(golden=True, submitter=member_user, outcome_grade="B")
    entry = SuggestionUpdate.objects.create(suggestion=golden, kind="implemented", text="落实")
    pages.attachment(golden, entry=entry)
    text = shown(client.get(reverse("proposals:golden")))
    assert "B 正在解决" in text and "材料.pdf" not in text


# --- queries --------------------------------------------------------------------------

def _progress_with_evidence(s, handler_user, numbers):
    for i in numbers:
        services.record_progress(
            actor=handler_user, suggestion=s, text=f"进展{i}",
            evidence=[_evidence(f"照片{i}.png", pages.PNG, True),
                      _evidence(f"内部{i}.pdf", pages.PDF, False)])


@pytest.mark.parametrize("who", ["member", "coordinator"])
def test_evidence_adds_no_query_per_entry(client, s, member_user, handler_user, coordinator,
                                          django_assert_max_num_queries, who):
    client.force_login(member_user if who == "member" else coordinator)
    counts = []
    for numbers in (range(1), range(1, 30)):  # one entry with files, then thirty
        _progress_with_evidence(s, handler_user, numbers)
        with django_assert_max_num_queries(12) as captured:
            response = client.get(s.get_absolute_url())
        counts.append(len(captured))
        text = shown(response)
        last = numbers[-1]
        assert f"照片{last}.png" in text
        assert (f"内部{last}.pdf" in text) == (who == "coordinator")
    assert counts[0] == counts[1]
