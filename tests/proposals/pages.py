"""Rows for the page tests, written straight to the models: the pages are under test here,
the transitions are proven in the service tests."""

import datetime
import itertools

from django.core.files.base import ContentFile
from django.utils import timezone

from proposals.models import Assignment, Attachment, Category, Suggestion, SuggestionUpdate
from tests.factories import AllianceFactory

_numbers = itertools.count(1)

PNG = (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00"
       b"\x00\x00\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05"
       b"\x18\xd8N\x00\x00\x00\x00IEND\xaeB`\x82")
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 48 + b"PE\x00\x00"


def category(name="社区治理", **kwargs):
    alliance = kwargs.pop("alliance", None) or AllianceFactory()
    return Category.objects.get_or_create(alliance=alliance, name=name, defaults=kwargs)[0]


def suggestion(submitter, *, state=Suggestion.State.SUBMITTED, title="加装楼道扶手",
               content="老人上下楼不便，建议加装扶手。", handler=None, lead_unit=None,
               co_units=(), public_updates=1, internal_updates=0, **kwargs):
    cat = kwargs.pop("category", None) or category()
    n = next(_numbers)
    s = Suggestion.objects.create(
        alliance=cat.alliance, tracking_number=f"ZTC-2026-{90000 + n:05d}", title=title,
        content=content, category=cat, submitter=submitter, state=state, handler=handler,
        lead_unit=lead_unit, accept_due=timezone.localdate() + datetime.timedelta(days=2),
        **kwargs)
    for unit in co_units:
        Assignment.objects.create(suggestion=s, unit=unit)
    for i in range(public_updates):
        SuggestionUpdate.objects.create(suggestion=s, kind="submitted" if i == 0 else "note",
                                        author=submitter, text=f"公开记录{i}")
    for i in range(internal_updates):
        SuggestionUpdate.objects.create(suggestion=s, kind="note", author=handler,
                                        text=f"内部记录{i}", is_public=False)
    return s


def attachment(s, data=PDF, name="材料.pdf", content_type="application/pdf"):
    a = Attachment(suggestion=s, original_name=name, content_type=content_type,
                   size=len(data), uploaded_by=s.submitter)
    a.file.save(name, ContentFile(data), save=True)
    return a
