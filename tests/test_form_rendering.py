"""Forms render one way (yichuan/forms.py, templates/django/forms/): after a bad POST every
invalid field says so to a screen reader, its description points at ids the page has, an
error summary links to each field, messages say what is missing, and nothing typed is cut."""

import datetime
import pathlib
import re
from html.parser import HTMLParser

import pytest
from django import forms
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from tests.factories import CategoryFactory, UnitFactory
from tests.proposals import pages

pytestmark = pytest.mark.django_db

TOKEN = "0f" * 16


class Page(HTMLParser):
    """The page's elements (tag, attributes, text inside) and its ids."""

    VOID = {"input", "br", "img", "meta", "link", "hr", "source", "area", "wbr"}

    def __init__(self, html):
        super().__init__(convert_charrefs=True)
        self.elements, self.open = [], []
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        element = {"tag": tag, "attrs": dict(attrs), "text": "",
                   "inside": [id(e) for e in self.open]}
        self.elements.append(element)
        if tag not in self.VOID:
            self.open.append(element)

    def handle_endtag(self, tag):
        while self.open:
            if self.open.pop()["tag"] == tag:
                break

    def handle_data(self, data):
        for element in self.open:
            element["text"] += data

    @property
    def ids(self):
        return [e["attrs"]["id"] for e in self.elements if e["attrs"].get("id")]

    def by_id(self, id_):
        found = [e for e in self.elements if e["attrs"].get("id") == id_]
        assert len(found) == 1, f"{len(found)} elements with id {id_!r}"
        return found[0]

    def find(self, **attrs):
        return [e for e in self.elements
                if all(e["attrs"].get(k.replace("_", "-")) == v for k, v in attrs.items())]

    def controls(self, name):
        return [e for e in self.elements if e["tag"] in ("input", "select", "textarea")
                and e["attrs"].get("name") == name]

    def summary(self):
        (summary,) = self.find(data_testid="error-summary")
        return summary

    def summary_links(self):
        summary = id(self.summary())
        return [e["attrs"]["href"] for e in self.elements
                if e["tag"] == "a" and summary in e["inside"]]


def assert_well_described(page, names):
    """Each named field is invalid to assistive technology, its description names ids that
    exist, its error is one of them, and the summary links to it."""
    ids = set(page.ids)
    assert len(page.ids) == len(ids), "duplicate ids"
    summary = page.summary()
    assert summary["attrs"]["role"] == "alert" and summary["attrs"]["tabindex"] == "-1"
    assert "data-error-summary" in summary["attrs"]
    links = page.summary_links()
    for name in names:
        controls = page.controls(name)
        assert controls, name
        for control in controls:
            assert control["attrs"].get("aria-invalid") == "true", name
            assert "is-invalid" in control["attrs"].get("class", ""), name
        first = controls[0]["attrs"]
        described = first.get("aria-describedby")
        if described is None:  # a list of choices: its fieldset is described
            fieldsets = [e for e in page.elements if e["tag"] == "fieldset"
                         and f"{first['id'].rsplit('_', 1)[0]}_error"
                         in e["attrs"].get("aria-describedby", "")]
            assert fieldsets, name
            described = fieldsets[0]["attrs"]["aria-describedby"]
        for id_ in described.split():
            assert id_ in ids, (name, id_)
        assert any(id_.endswith("_error") for id_ in described.split()), name
        assert f"#{first['id']}" in links, (name, links)


def assert_help_texts_have_ids(page):
    for element in page.elements:
        if "form-text" in element["attrs"].get("class", "").split() and element["text"].strip():
            assert element["attrs"].get("id"), element


# --- the suggestion form ------------------------------------------------------------------

@pytest.fixture
def cat(db):
    return CategoryFactory()


def _post_suggestion(client, **data):
    return client.post(reverse("proposals:new"), {"form_token": TOKEN, **data})


def test_a_bad_suggestion_is_described_summarised_and_kept(client, member_user, cat):
    client.force_login(member_user)
    long_text = "长" * 5001
    response = _post_suggestion(client, title="  ", category="", content=long_text)
    assert response.status_code == 200
    page = Page(response.content.decode())
    assert_well_described(page, ["title", "category", "content"])
    assert_help_texts_have_ids(page)
    assert page.by_id("id_content")["attrs"]["aria-describedby"].split()[:1] == [
        "id_content_helptext"]

    # Each message says what is missing or wrong.
    assert page.by_id("id_category_error")["text"] == "请选择类别。"
    assert page.by_id("id_title_error")["text"] == "请填写标题。"
    content_error = page.by_id("id_content_error")["text"]
    assert "5000" in content_error and "5001" in content_error
    assert "请选择类别。" in page.summary()["text"]

    # The long text is kept, whole; no maxlength cuts a paste; a counter says how much.
    textarea = page.by_id("id_content")
    assert textarea["text"].strip() == long_text
    assert "maxlength" not in textarea["attrs"] and textarea["attrs"]["data-maxlength"] == "5000"
    counter = page.by_id("id_content_counter")
    assert counter["attrs"]["aria-live"] == "polite"
    assert counter["text"].strip() == "已输入 5001 / 5000 字，超出 1 字"
    assert "{n}" in counter["attrs"]["data-template"]


def test_the_counter_shows_on_a_fresh_form(client, member_user, cat):
    client.force_login(member_user)
    page = Page(client.get(reverse("proposals:new")).content.decode())
    assert page.by_id("id_content_counter")["text"].strip() == "已输入 0 / 5000 字"
    assert not page.find(data_testid="error-summary")
    assert "forms.js" in " ".join(e["attrs"].get("src", "") for e in page.elements
                                  if e["tag"] == "script")
    assert_help_texts_have_ids(page)
    title = page.by_id("id_title")["attrs"]
    assert title["hx-get"] == reverse("proposals:similar") and title["class"] == "form-control"
    assert page.by_id("id_category")["attrs"]["class"] == "form-select"
    assert page.by_id("id_credit_publicly")["attrs"]["class"] == "form-check-input"


def test_a_line_break_counts_as_one_character(client, member_user, cat):
    client.force_login(member_user)
    text = "一\r\n" * 2500  # 7500 as sent, 5000 as typed
    response = _post_suggestion(client, title="扶手", category=cat.pk, content=text)
    assert response.status_code == 302


def test_a_refused_attachment_is_named_and_asked_for_again(client, member_user, cat):
    client.force_login(member_user)
    bad = SimpleUploadedFile("病毒.exe", b"MZ\x90\x00" + b"\x00" * 200)
    response = _post_suggestion(client, title="扶手", category=cat.pk, content="老人不便。",
                                attachments=bad)
    page = Page(response.content.decode())
    error = page.by_id("id_attachments_error")["text"]
    assert "病毒.exe" in error and "请重新选择要上传的文件。" in error
    assert_well_described(page, ["attachments"])


def test_a_kept_attachment_is_asked_for_again_when_another_field_is_wrong(client, member_user,
                                                                          cat):
    client.force_login(member_user)
    pdf = SimpleUploadedFile("方案.pdf", pages.PDF, content_type="application/pdf")
    response = _post_suggestion(client, title="扶手", category="", content="老人不便。",
                                attachments=pdf)
    page = Page(response.content.decode())
    again = page.by_id("id_attachments_again")["text"]
    assert "方案.pdf" in again and "重新选择" in again
    assert "id_attachments_again" in page.by_id("id_attachments")["attrs"]["aria-describedby"]
    assert "#id_attachments" in page.summary_links()


# --- the event form -----------------------------------------------------------------------

def _local(dt):
    return timezone.localtime(dt).strftime("%Y-%m-%dT%H:%M")


def test_a_bad_event_is_described_and_summarised(client, coordinator):
    UnitFactory()
    client.force_login(coordinator)
    start = timezone.now() + datetime.timedelta(days=5)
    response = client.post(reverse("volunteers:new"), {
        "title": "", "kind": "festival", "start": _local(start),
        "end": _local(start + datetime.timedelta(hours=2)), "signup_deadline": "",
        "capacity": "多", "visibility": "public", "description": "", "action": "publish"})
    assert response.status_code == 200
    page = Page(response.content.decode())
    invalid = sorted({e["attrs"]["name"] for e in page.find(aria_invalid="true")})
    assert {"title", "capacity", "signup_deadline"} <= set(invalid)
    assert_well_described(page, invalid)
    assert_help_texts_have_ids(page)
    assert page.by_id("id_capacity_error")["text"] == "名额须是整数。"
    assert page.by_id("id_capacity")["attrs"]["value"] == "多"  # kept as typed
    assert page.by_id("id_kind")["attrs"]["class"] == "form-select"
    # The organizers stay a list of checkboxes, each labelled.
    boxes = page.controls("organizers")
    assert boxes and all(b["attrs"]["type"] == "checkbox" for b in boxes)
    labels = {e["attrs"].get("for") for e in page.elements if e["tag"] == "label"}
    assert all(b["attrs"]["id"] in labels for b in boxes)


# --- the roster upload and the notification preferences ----------------------------------

def test_a_roster_upload_without_a_file_is_described(client, coordinator):
    client.force_login(coordinator)
    response = client.post("/alliance/roster/", {})
    page = Page(response.content.decode())
    assert_well_described(page, ["sheet"])
    assert_help_texts_have_ids(page)
    assert page.by_id("id_sheet")["attrs"]["aria-describedby"] == (
        "id_sheet_helptext id_sheet_error")
    assert page.by_id("id_sheet_error")["text"] == "请选择要上传的名册文件。"


def test_notification_preferences_refuse_a_language_beside_the_field(client, member_user):
    client.force_login(member_user)
    response = client.post(reverse("notifications:preferences"), {"language": "xx"})
    page = Page(response.content.decode())
    assert_well_described(page, ["language"])
    assert_help_texts_have_ids(page)


# --- the mechanism ------------------------------------------------------------------------

class Sample(forms.Form):
    kind = forms.ChoiceField(label="类别", choices=[("a", "甲")])
    hours = forms.DecimalField(label="更正后时长（小时）")
    files = forms.FileField(label="附件")
    agree = forms.BooleanField(label="同意")
    note = forms.CharField(label="说明", error_messages={"required": "写几句吧。"})
    text = forms.CharField(label="内容", max_length=5, widget=forms.Textarea)


def test_each_required_field_says_what_is_missing():
    form = Sample({"text": "一二三四五六"})
    assert form.errors == {
        "kind": ["请选择类别。"], "hours": ["请填写更正后时长。"], "files": ["请选择附件。"],
        "agree": ["请勾选“同意”。"], "note": ["写几句吧。"],
        "text": ["内容最多 5 字，现在是 6 字，请删减后再提交。"]}


class Choices(forms.Form):
    decision = forms.ChoiceField(label="处理结果", widget=forms.RadioSelect,
                                 choices=[("yes", "同意"), ("no", "不同意")],
                                 help_text="选一项。")
    units = forms.MultipleChoiceField(label="单位", widget=forms.CheckboxSelectMultiple,
                                      choices=[(str(n), f"单位{n}") for n in range(8)])


def test_a_list_of_choices_is_a_described_fieldset_of_labelled_checks():
    form = Choices({})
    page = Page(f"<form>{form.render()}</form>")
    assert_well_described(page, ["decision", "units"])
    (fieldset,) = [e for e in page.elements if e["tag"] == "fieldset"
                   and "id_decision_error" in e["attrs"].get("aria-describedby", "")]
    assert fieldset["attrs"]["aria-describedby"] == "id_decision_helptext id_decision_error"
    assert page.by_id("id_decision_error")["text"] == "请选择处理结果。"
    assert page.summary_links() == ["#id_decision_0", "#id_units_0"]
    labels = {e["attrs"].get("for") for e in page.elements if e["tag"] == "label"}
    assert all(c["attrs"]["id"] in labels for c in page.controls("units"))
    # Eight units come in columns; two choices do not.
    assert "row-cols-sm-2" in page.by_id("id_units")["attrs"]["class"]
    assert "class" not in page.by_id("id_decision")["attrs"]


APPS = ("alliance", "announcements", "audit", "dashboard", "notifications", "proposals",
        "volunteers", "yichuan")


def test_no_form_sets_a_widget_class_by_hand():
    root = pathlib.Path(__file__).resolve().parent.parent
    hand_set = re.compile(r"form-control|form-select|form-check-input|aria-describedby")
    offenders = [str(path.relative_to(root)) for app in APPS
                 for path in (root / app).rglob("*.py")
                 if path.name != "forms.py" or app != "yichuan"
                 if hand_set.search(path.read_text(encoding="utf-8"))]
    assert offenders == []
