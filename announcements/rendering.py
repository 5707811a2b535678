"""Announcement bodies: Markdown in, sanitized HTML out.

Markdown allows raw HTML, so the rendered text goes through nh3 (the Rust ammonia
sanitizer) with an explicit allow-list: no scripts, no event handlers, no styles, and
links only to http(s) and mailto.
"""

import markdown
import nh3

ALLOWED_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "code", "dd", "del", "dl", "dt", "em", "h2",
    "h3", "h4", "h5", "h6", "hr", "i", "img", "li", "ol", "p", "pre", "strong", "sub",
    "sup", "table", "tbody", "td", "th", "thead", "tr", "ul",
}
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "title"},
    "abbr": {"title"},
    "td": {"align"},
    "th": {"align"},
}
URL_SCHEMES = {"http", "https", "mailto"}


def render_markdown(text):
    html = markdown.markdown(text or "", extensions=["extra", "sane_lists"])
    return sanitize(html)


def sanitize(html):
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel="noopener noreferrer nofollow",
        strip_comments=True,
    )


def plain_text(html, limit=120):
    text = " ".join(nh3.clean(html or "", tags=set()).split())
    return text if len(text) <= limit else text[:limit] + "…"
