"""What a person sees of a page: the text of its <body>, without <script>, <style> or the
<head> (where a <title> once carried a list that nobody saw)."""

import io
import re
from html.parser import HTMLParser

SKIPPED = {"script", "style", "template", "head", "title"}


class _Body(HTMLParser):
    def __init__(self):
        super().__init__()
        self.in_body = False
        self.skipping = 0
        self.parts = []

    def handle_starttag(self, tag, attrs):
        if tag == "body":
            self.in_body = True
        elif tag in SKIPPED:
            self.skipping += 1

    def handle_endtag(self, tag):
        if tag == "body":
            self.in_body = False
        elif tag in SKIPPED and self.skipping:
            self.skipping -= 1

    def handle_data(self, data):
        if self.in_body and not self.skipping:
            self.parts.append(data)


def body_text(response_or_html):
    """The visible text of the page's <body>, whitespace collapsed."""
    html = getattr(response_or_html, "content", response_or_html)
    if isinstance(html, bytes):
        html = html.decode()
    parser = _Body()
    parser.feed(html)
    return " ".join(" ".join(parser.parts).split())


SWITCHER = re.compile(r'<form[^>]*data-testid="alliance-switcher".*?</form>', re.S)


def shown(response):
    """What a person gets of a response, as text: the visible body of a page, the cells of a
    workbook, the text of a feed or a CSV; nothing of images and PDFs. The header's alliance
    switcher is left out: it names the alliances its user works in, not their data."""
    content_type = response.get("Content-Type", "")
    content = b"".join(response.streaming_content) if response.streaming else response.content
    if "html" in content_type:
        return body_text(SWITCHER.sub("", content.decode()))
    if "spreadsheetml" in content_type:
        from openpyxl import load_workbook

        sheets = load_workbook(io.BytesIO(content), read_only=True).worksheets
        return " ".join(str(cell) for sheet in sheets for row in sheet.iter_rows(values_only=True)
                        for cell in row if cell is not None)
    if content_type.startswith(("text/", "application/json", "application/rss",
                                "application/atom", "application/xml")):
        return content.decode(errors="replace")
    return ""
