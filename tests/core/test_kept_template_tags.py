"""``{% url %}`` and ``{% translate %}`` of a fixed text are remembered per process: the same
output as Django's own tags, under a key holding everything that output depends on."""

from decimal import Decimal

import pytest
from django.template import Context, Engine, Template, TemplateSyntaxError, engines
from django.test import RequestFactory
from django.urls import NoReverseMatch, reverse, set_script_prefix
from django.utils import translation

from tests.helpers import zh
from xiangcheng.core import reversed_urls
from xiangcheng.core.templatetags.kept_i18n import _translated


def rendered(source: str, context: dict | None = None, *, autoescape: bool = True) -> str:
    return Template("{% load i18n %}" + source).render(Context(context or {}, autoescape=autoescape))


def test_url_is_reversed_as_django_reverses_it():
    assert rendered("{% url 'home' %}") == reverse("home")
    assert rendered("{% url 'events:detail' 7 %}") == reverse("events:detail", args=[7])
    assert rendered("{% url 'events:detail' pk=n %}", {"n": 8}) == reverse("events:detail", kwargs={"pk": 8})
    assert rendered("{% url 'home' as there %}[{{ there }}]") == f"[{reverse('home')}]"
    assert rendered("{% url 'no-such-name' as there %}[{{ there }}]") == "[]"
    with pytest.raises(NoReverseMatch):
        rendered("{% url 'no-such-name' %}")


def test_url_is_remembered_for_plain_values_only():
    reversed_urls._reversed.cache_clear()
    rendered("{% url 'events:detail' 7 %}")
    rendered("{% url 'events:detail' 7 %}")
    assert (reversed_urls._reversed.cache_info().hits, reversed_urls._reversed.cache_info().currsize) == (1, 1)
    # A value that is not text or a whole number is reversed afresh, never kept.
    assert rendered("{% url 'events:detail' n %}", {"n": Decimal(7)}) == reverse("events:detail", args=[7])
    assert reversed_urls._reversed.cache_info().currsize == 1


def test_url_follows_the_requests_namespace_and_script_prefix():
    request = RequestFactory().get("/")
    request.current_app = "admin"
    html = Template("{% url 'admin:index' %}").render(Context({"request": request}))
    assert html == reverse("admin:index", current_app="admin")
    try:
        set_script_prefix("/portal/")
        assert rendered("{% url 'home' %}") == "/portal/"
    finally:
        set_script_prefix("/")
    assert rendered("{% url 'home' %}") == "/"


# Django's own engine: its i18n library and its {% url %}.
DJANGO_ENGINE = Engine(libraries={"i18n": "django.templatetags.i18n"})

SOURCES = [
    '{% trans "Member directory" %}',
    '{% trans "Xiangcheng Women in S&T Alliance" %}',
    '{% trans "Member directory" as title %}<h1>{{ title }}</h1>',
    '{% trans "Member directory" noop %}',
    '{% trans "Search" context "a verb" %}',
    "{% url 'events:detail' 7 %}|{% url 'home' %}",
]


@pytest.mark.parametrize("source", SOURCES)
def test_the_output_is_djangos_in_each_language_and_escaping(source):
    for language in ("zh-hans", "en"):
        for autoescape in (True, False):
            with translation.override(language):
                django_own = DJANGO_ENGINE.from_string("{% load i18n %}" + source).render(
                    Context({}, autoescape=autoescape))
                assert rendered(source, autoescape=autoescape) == django_own
                assert rendered(source, autoescape=autoescape) == django_own  # and once remembered


def test_fixed_text_is_remembered_per_language():
    _translated.clear()
    with translation.override("zh-hans"):
        assert rendered('{% trans "Member directory" %}') == zh("Member directory") == "会员名录"
        assert rendered('{% trans "Member directory" %}') == "会员名录"
    with translation.override("en"):
        assert rendered('{% trans "Member directory" %}') == "Member directory"
    assert set(_translated.values()) == {"会员名录", "Member directory"}
    assert len(_translated) == 2


def test_text_read_at_render_is_translated_every_time():
    _translated.clear()
    with translation.override("zh-hans"):
        source = "{% trans word %}|{% trans 'Search'|upper %}|{% trans 'Search' context where %}"
        assert rendered(source, {"word": "Member directory", "where": "x"}) == "会员名录|搜索|Search"
        assert rendered(source, {"word": "Search", "where": "x"}) == "搜索|搜索|Search"
    assert _translated == {}


def test_a_bad_tag_is_still_refused_as_django_refuses_it():
    with pytest.raises(TemplateSyntaxError):
        Template("{% load i18n %}{% trans %}")
    with pytest.raises(TemplateSyntaxError):
        Template("{% url %}")


def test_the_i18n_library_is_the_only_name_two_modules_share():
    # Why the settings silence templates.W003: only the deliberate override may collide.
    warnings = engines["django"]._check_for_template_tags_with_the_same_name()
    assert [w.msg for w in warnings] == [
        "'i18n' is used for multiple template tag modules: "
        "'django.templatetags.i18n', 'xiangcheng.core.templatetags.kept_i18n'"]
