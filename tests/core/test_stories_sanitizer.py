"""The story sanitizer: a corpus of hostile HTML comes out inert, and what stories need survives.

"Inert" is checked on the output itself: parsed as a browser would, it holds only allowlisted
tags, no event handler or style attribute, no link but http/https/mailto, no image off the site's
media, and none of the invisible characters that reorder or hide text.
"""

from html.parser import HTMLParser

import pytest

from xiangcheng.core.stories import ALLOWED_TAGS, INVISIBLE, LINK_REL, StoryError, story_sanitize, tags_parse

CORPUS = [
    "<script>alert(1)</script>",
    "<SCRIPT SRC=//evil.example/x.js></SCRIPT>",
    "<p>hi<script>document.cookie</script></p>",
    "<img src=x onerror=alert(1)>",
    '<img src="/media/stories/a.jpg" onerror="alert(1)" onload="alert(2)">',
    '<p onclick="alert(1)" onmouseover="alert(2)">click</p>',
    '<a href="javascript:alert(1)">x</a>',
    '<a href="JaVaScRiPt:alert(1)">x</a>',
    '<a href="jav&#x09;ascript:alert(1)">x</a>',
    '<a href="&#106;avascript:alert(1)">x</a>',
    '<a href=" javascript:alert(1)">x</a>',
    '<a href="vbscript:msgbox(1)">x</a>',
    '<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">x</a>',
    '<img src="data:image/svg+xml;base64,PHN2Zz48L3N2Zz4=">',
    '<img src="https://evil.example/track.png">',
    '<img src="//evil.example/track.png">',
    '<img src="/media/../private/secret.jpg">',
    '<svg onload="alert(1)"><script>alert(2)</script></svg>',
    '<svg><a xlink:href="javascript:alert(1)"><text>x</text></a></svg>',
    '<math><mtext><script>alert(1)</script></mtext></math>',
    '<iframe src="https://evil.example/"></iframe>',
    '<iframe srcdoc="<script>alert(1)</script>"></iframe>',
    '<object data="x.swf"></object><embed src="x.swf">',
    "<style>body{background:url(javascript:alert(1))}</style>",
    '<p style="background:url(javascript:alert(1))">x</p>',
    '<form action="https://evil.example/"><input name=a><button>go</button></form>',
    '<meta http-equiv="refresh" content="0;url=https://evil.example/">',
    '<base href="https://evil.example/">',
    '<link rel="stylesheet" href="https://evil.example/x.css">',
    "<p>unclosed <strong>bold <em>and",
    "</p></div><p>stray closers</li>",
    "<<script>alert(1)//<</script>",
    '<a href="https://example.cn/" target="_blank" rel="opener">link</a>',
    "<!--<script>alert(1)</script>-->comment",
    "<![CDATA[<script>alert(1)</script>]]>",
    "<noscript><p title=\"</noscript><img src=x onerror=alert(1)>\">",
    "<template><script>alert(1)</script></template>",
    "<textarea><script>alert(1)</script></textarea>",
    "a\u202eevil\u202c b\u200bc\u200d d\u2066iso\u2069 \ufeffbom \u200fmark",
    '<a href="https://example.cn/\u202eexe.txt">x</a>',
    '<div id="x" class="y" data-a="1">div</div>',
    '<h1>h1</h1><h4>h4</h4><table><tr><td>cell</td></tr></table>',
]


class _Inspector(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tags: list[str] = []
        self.attrs: list[tuple[str, str, str]] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        self.attrs.extend((tag, name, value or "") for name, value in attrs)

    handle_startendtag = handle_starttag


def inspect(html: str) -> _Inspector:
    parser = _Inspector()
    parser.feed(html)
    parser.close()
    return parser


@pytest.mark.parametrize("hostile", CORPUS)
def test_hostile_html_comes_out_inert(hostile, settings):
    settings.MEDIA_URL = "/media/"
    out = story_sanitize(hostile)
    found = inspect(out)

    assert set(found.tags) <= ALLOWED_TAGS
    for tag, name, value in found.attrs:
        assert (tag, name) in {("a", "href"), ("a", "rel"), ("img", "src"), ("img", "alt")}, (tag, name)
        if name == "href":
            assert value.split(":", 1)[0] in {"http", "https", "mailto"}, value
        if tag == "a" and name == "rel":
            assert value == LINK_REL
        if tag == "img" and name == "src":
            assert value.startswith("/media/") and ".." not in value and not value.startswith("//"), value
    lowered = out.lower()
    for word in ("script", "javascript:", "onerror", "onclick", "onload", "style=", "iframe", "svg", "data:"):
        assert word not in lowered.replace("noscript", ""), (word, out)
    assert INVISIBLE.search(out) is None
    # Sanitizing again changes nothing: what is stored is what is rendered.
    assert story_sanitize(out) == out


@pytest.mark.parametrize(("given", "kept"), [
    ("<p>一段<strong>重点</strong>和<em>强调</em><br>换行</p>", "<p>一段<strong>重点</strong>和<em>强调</em><br>换行</p>"),
    ("<h2>标题</h2><h3>小标题</h3>", "<h2>标题</h2><h3>小标题</h3>"),
    ("<ul><li>一</li></ul><ol><li>二</li></ol><blockquote>引言</blockquote>",
     "<ul><li>一</li></ul><ol><li>二</li></ol><blockquote>引言</blockquote>"),
    ('<a href="https://example.cn/a?b=1">链接</a>',
     '<a href="https://example.cn/a?b=1" rel="noopener noreferrer nofollow">链接</a>'),
    ('<a href="mailto:office@example.cn">邮件</a>',
     '<a href="mailto:office@example.cn" rel="noopener noreferrer nofollow">邮件</a>'),
    ('<figure><img src="/media/stories/a.jpg" alt="封面"><figcaption>图注</figcaption></figure>',
     '<figure><img src="/media/stories/a.jpg" alt="封面"><figcaption>图注</figcaption></figure>'),
])
def test_what_a_story_needs_is_kept(given, kept, settings):
    settings.MEDIA_URL = "/media/"
    assert story_sanitize(given) == kept


def test_exact_output_of_typical_attacks(settings):
    settings.MEDIA_URL = "/media/"
    assert story_sanitize('<p onclick="x()">hi<script>alert(1)</script></p>') == "<p>hi</p>"
    assert story_sanitize('<a href="javascript:alert(1)">x</a>') == '<a rel="noopener noreferrer nofollow">x</a>'
    assert story_sanitize('<img src="/media/stories/a.jpg" onerror="x">') == '<img src="/media/stories/a.jpg">'
    assert story_sanitize("<p>unclosed <strong>bold") == "<p>unclosed <strong>bold</strong></p>"
    assert story_sanitize("a\u202eb\u200bc") == "abc"


def test_images_follow_the_media_address_of_the_settings(settings):
    settings.MEDIA_URL = "https://media.example.cn/media/"
    assert story_sanitize('<img src="https://media.example.cn/media/stories/a.jpg">') == (
        '<img src="https://media.example.cn/media/stories/a.jpg">')
    assert story_sanitize('<img src="/media/stories/a.jpg">') == "<img>"


def test_tags_are_parsed_as_staff_type_them():
    assert tags_parse("新材料，成果转化、 #科创沙龙 新材料") == ["新材料", "成果转化", "科创沙龙"]
    assert tags_parse("a\u200bb") == ["ab"]
    with pytest.raises(StoryError):
        tags_parse("一二三四五六七八九十一二三四五六七八九十二")
    with pytest.raises(StoryError):
        tags_parse("1 2 3 4 5 6 7 8 9")
