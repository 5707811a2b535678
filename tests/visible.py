"""What a person sees of a page: the text of its <body>, without <script>, <style> or the
<head> (where a <title> once carried a list that nobody saw)."""

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
