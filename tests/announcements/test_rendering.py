import pytest

from announcements.rendering import plain_text, render_markdown

HOSTILE = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "[点我](javascript:alert(1))",
    '<a href="javascript:alert(1)">x</a>',
    '<a href="JaVaScRiPt:alert(1)">x</a>',
    '<a href="&#106;avascript:alert(1)">x</a>',
    '<svg onload="alert(1)"><circle/></svg>',
    '<iframe src="https://evil.example"></iframe>',
    '<p style="background:url(javascript:alert(1))" onclick="alert(1)">hi</p>',
    '<body onload=alert(1)>',
    "<object data=x></object><embed src=x>",
    '<form action="https://evil.example"><input name=a></form>',
    "![x](javascript:alert(1))",
    '<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">x</a>',
]


@pytest.mark.parametrize("sample", HOSTILE)
def test_hostile_markup_is_removed(sample):
    html = render_markdown(sample).lower()
    assert "<script" not in html
    assert "javascript:" not in html
    assert "onerror" not in html and "onload" not in html and "onclick" not in html
    assert "<iframe" not in html and "<svg" not in html and "<object" not in html
    assert "<form" not in html and "<embed" not in html and "style=" not in html
    assert "data:text/html" not in html


def test_markdown_formatting_survives_sanitizing():
    html = render_markdown("## 标题\n\n**加粗** 和 [链接](https://example.cn)\n\n- 一\n- 二")
    assert "<h2>标题</h2>" in html
    assert "<strong>加粗</strong>" in html
    assert 'href="https://example.cn"' in html and 'rel="noopener noreferrer nofollow"' in html
    assert "<li>一</li>" in html


def test_plain_text_excerpt_drops_tags_and_truncates():
    assert plain_text("<p><b>一二三</b>四五</p>", limit=3) == "一二三…"
