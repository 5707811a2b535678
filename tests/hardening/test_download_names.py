"""Downloads are named for what their bytes are (issue #19, item 11). An image that carries
HTML or a script after its header sniffs as an image and is accepted; named ``poly.html``
or ``g.js`` it was stored and offered under that name. The stored file and the download
now take the extension of the detected type (proposals/filenames.py), keeping the base
name, with ``X-Content-Type-Options: nosniff``.
"""

import re
import uuid
from pathlib import PurePath
from urllib.parse import unquote

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from proposals.filenames import SUFFIXES, download_name, suffix_for
from proposals.forms import ALLOWED_MIME
from proposals.models import Attachment, Suggestion
from tests.factories import CategoryFactory, MemberFactory, SuggestionFactory
from tests.proposals import pages

pytestmark = pytest.mark.django_db

def _png():
    return pages.PNG


POLYGLOTS = [
    ("poly.html", lambda: _png() + b"<html><body><script>alert(1)</script></body></html>",
     "poly.png"),
    ("g.js", lambda: _png() + b"\n/*" + b"*/alert(document.domain)//", "g.png"),
    ("材料.html", lambda: _png() + b"<!doctype html><iframe src=javascript:alert(1)>",
     "材料.png"),
    ("poly.png.html", lambda: _png() + b"<svg onload=alert(1)>", "poly.png"),
    ("gif.js", lambda: b"GIF89a/*\x01\x00\x01\x00\x00\x00\x00*/=alert(1)//;", "gif.gif"),
    ("pic.svg", lambda: b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"<svg onload=alert(1)>",
     "pic.jpg"),
    # a name that already fits its bytes is kept as it is
    ("照片.PNG", _png, "照片.PNG"),
    ("方案.pdf", lambda: b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n", "方案.pdf"),
]


def _offered_name(disposition):
    encoded = re.search(r"filename\*=utf-8''([^;]+)", disposition, re.I)
    if encoded:
        return unquote(encoded[1])
    return re.search(r'filename="((?:[^"\\]|\\.)*)"', disposition)[1]


@pytest.mark.parametrize(("name", "content", "offered"), POLYGLOTS,
                         ids=[p[0] for p in POLYGLOTS])
def test_an_uploaded_polyglot_is_stored_and_offered_as_what_it_is(client, name, content,
                                                                  offered):
    member = MemberFactory(user__username="polyglot-uploader")
    category = CategoryFactory(alliance=member.alliance)
    client.force_login(member.user)
    response = client.post("/suggestions/new/", {
        "title": "加装楼道扶手", "content": "老人上下楼不便。", "category": category.pk,
        "form_token": uuid.uuid4().hex,
        "attachments": [SimpleUploadedFile(name, content(), "text/html")]})
    assert response.status_code == 302, response.content.decode()[:2000]
    attachment = Attachment.objects.get()
    assert attachment.original_name == name
    stored_suffix = PurePath(attachment.file.name).suffix
    assert stored_suffix == PurePath(offered).suffix.lower()

    s = Suggestion.objects.get()
    download = client.get(f"/suggestions/{s.tracking_number}/attachments/{attachment.pk}/")
    assert download.status_code == 200
    assert download["Content-Disposition"].startswith("attachment")
    assert _offered_name(download["Content-Disposition"]) == offered
    assert download["Content-Type"] == attachment.content_type
    assert download["X-Content-Type-Options"] == "nosniff"
    assert b"".join(download.streaming_content) == content()


def test_an_older_attachment_named_html_is_offered_under_its_type(client, member_user):
    """Rows stored before the fix (or by any other path) are named at download time."""
    s = SuggestionFactory(submitter=member_user,
                          category=CategoryFactory(alliance=member_user.member.alliance))
    attachment = pages.attachment(s, data=_png() + b"<script>alert(1)</script>",
                                  name="旧材料.html", content_type="image/png")
    client.force_login(member_user)
    download = client.get(f"/suggestions/{s.tracking_number}/attachments/{attachment.pk}/")
    assert _offered_name(download["Content-Disposition"]) == "旧材料.png"
    assert download["X-Content-Type-Options"] == "nosniff"


def test_every_accepted_type_has_its_extension():
    assert ALLOWED_MIME <= set(SUFFIXES)
    for mime in ALLOWED_MIME:
        assert suffix_for(mime, "x.html") in SUFFIXES[mime]
        assert download_name("报告.js", mime).endswith(SUFFIXES[mime][0])
    assert suffix_for("text/html", "a.html") == ".bin"
    assert download_name("报告.docx", "application/zip") == "报告.docx"
    assert download_name("", "application/pdf") == "attachment.pdf"
