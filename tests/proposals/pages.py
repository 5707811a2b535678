"""Uploads for the page tests: a file of each kind the form meets, and an attachment row
on a suggestion or one of its timeline entries (the rows themselves come from
tests.factories)."""

from django.core.files.base import ContentFile

from proposals.models import Attachment

PNG = (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00"
       b"\x00\x00\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05"
       b"\x18\xd8N\x00\x00\x00\x00IEND\xaeB`\x82")
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 48 + b"PE\x00\x00"


def attachment(s, data=PDF, name="材料.pdf", content_type="application/pdf", entry=None,
               public=True):
    """A file the suggestion came with, or evidence on the timeline ``entry``."""
    a = Attachment(suggestion=s, original_name=name, content_type=content_type,
                   size=len(data), uploaded_by=s.submitter if entry is None else entry.author,
                   entry=entry, is_public=public)
    a.file.save(name, ContentFile(data), save=True)
    return a
