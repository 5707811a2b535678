import io

import pytest
import zxingcpp
from django.conf import settings
from PIL import Image

from tests.factories import AnnouncementFactory

pytestmark = pytest.mark.django_db


def test_qr_code_png_decodes_to_the_announcement_url(client):
    a = AnnouncementFactory()
    response = client.get(f"/announcements/{a.pk}/qr.png")
    assert response["Content-Type"] == "image/png"
    results = zxingcpp.read_barcodes(Image.open(io.BytesIO(response.content)))
    assert [r.text for r in results] == [settings.SITE_URL.rstrip("/") + f"/announcements/{a.pk}/"]


def test_qr_code_svg_is_served(client):
    a = AnnouncementFactory()
    response = client.get(f"/announcements/{a.pk}/qr.svg")
    assert response["Content-Type"] == "image/svg+xml"
    assert b"<svg" in response.content


def test_qr_code_is_404_for_non_public_announcements_and_unknown_formats(client, member_user):
    a = AnnouncementFactory(members_only=True)
    client.force_login(member_user)
    assert client.get(f"/announcements/{a.pk}/qr.png").status_code == 404
    public = AnnouncementFactory()
    assert client.get(f"/announcements/{public.pk}/qr.gif").status_code == 404


def test_detail_offers_share_link_qr_and_print_view(client):
    a = AnnouncementFactory(title="端午节志愿服务", body="# 集合\n<script>alert(1)</script>")
    text = client.get(a.get_absolute_url()).text
    assert a.absolute_url() in text
    assert f"/announcements/{a.pk}/qr.png" in text
    assert "<script>alert(1)" not in text
    printed = client.get(f"/announcements/{a.pk}/print/")
    assert printed.status_code == 200
    assert "端午节志愿服务" in printed.text and "navbar" not in printed.text


def test_cover_and_attachment_follow_the_announcement_audience(client, member_user):
    from django.core.files.uploadedfile import SimpleUploadedFile

    buffer = io.BytesIO()
    Image.new("RGB", (4, 4), "red").save(buffer, "PNG")
    a = AnnouncementFactory(members_only=True)
    a.cover = SimpleUploadedFile("c.png", buffer.getvalue())
    a.save()
    attachment = a.attachments.create(file=SimpleUploadedFile("通知.pdf", b"%PDF-1.4"),
                                      name="通知")
    assert client.get(f"/announcements/{a.pk}/cover/").status_code == 404
    assert client.get(attachment.get_absolute_url()).status_code == 404
    client.force_login(member_user)
    assert client.get(f"/announcements/{a.pk}/cover/")["Content-Type"] == "image/png"
    assert client.get(attachment.get_absolute_url()).status_code == 200


def test_cover_must_be_a_real_image(coordinator):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from announcements.forms import AnnouncementForm
    from tests.factories import AllianceFactory

    form = AnnouncementForm(
        {"title": "t", "kind": "notice", "audience": "public", "body": "x"},
        {"cover": SimpleUploadedFile("fake.png", b"not an image")},
        alliance=AllianceFactory(),
    )
    assert not form.is_valid()
    assert "cover" in form.errors
