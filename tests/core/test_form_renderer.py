"""The site's form renderer (xiangcheng/core/form_renderer.py) writes exactly the HTML of Django's
widget templates: every kind it writes, with awkward values and attributes, and whole pages."""

import itertools
import re

import pytest
from django import forms
from django.conf import settings
from django.core.cache import cache
from django.forms.renderers import DjangoTemplates
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy, override

from tests.access_world import ACCOUNTS, ROLE_LOGINS, Clients
from xiangcheng.core import form_renderer, fragments
from xiangcheng.core.form_renderer import LABEL, WRITTEN, SiteFormRenderer

SITE, DJANGO = SiteFormRenderer(), DjangoTemplates()

ATTRS = [
    {},
    {"id": "id_x", "class": "wide", "required": True, "disabled": False, "maxlength": 300},
    {"id": "id_q", "placeholder": '"引号" & <尖括号>', "data-safe": mark_safe("<b>"), "autofocus": True},
    {"class": "", "id": "", "min": 0, "step": 0.5},
]
VALUES = [None, "", "相城区", '<script>alert("x")</script> & ', 0, 42, 3.5, mark_safe("<i>safe</i>")]
CHOICES = [
    [("a", "甲"), ("b", '"乙" & <丙>'), (3, "三"), ("", "——")],
    [("群组一", [("x", "一"), ("y", gettext_lazy("Fields"))]), ("z", mark_safe("<b>粗</b>")), (None, "无")],
]
INPUTS = [forms.TextInput, forms.EmailInput, forms.NumberInput, forms.PasswordInput, forms.URLInput,
          forms.HiddenInput, forms.CheckboxInput, forms.DateInput, forms.DateTimeInput, forms.TimeInput,
          forms.SearchInput, forms.TelInput, forms.ColorInput, forms.Textarea]
CHOOSERS = [forms.Select, forms.SelectMultiple, forms.RadioSelect, forms.CheckboxSelectMultiple, forms.NullBooleanSelect]
CHOSEN = [None, "", "b", ["a", "x"], 3, ["3", "z"]]


def both(widget, name, value, attrs):
    ours = widget.render(name, value, attrs, renderer=SITE)
    djangos = widget.render(name, value, attrs, renderer=DJANGO)
    return ours, djangos


def test_every_template_it_writes_is_one_of_djangos_widget_templates():
    assert set(WRITTEN) == {f"django/forms/widgets/{kind}.html" for kind in (
        "text", "email", "number", "password", "url", "tel", "search", "hidden", "checkbox", "date",
        "datetime", "time", "color", "file", "textarea", "select", "checkbox_select", "radio")}
    assert settings.FORM_RENDERER == "xiangcheng.core.form_renderer.SiteFormRenderer"


@pytest.mark.parametrize("widget_class", INPUTS)
def test_inputs_are_djangos(widget_class):
    compared = 0
    for value, attrs, language in itertools.product(VALUES, ATTRS, ["zh-hans", "en"]):
        with override(language):
            ours, djangos = both(widget_class(attrs={"title": "标题"}), "名字", value, attrs)
        assert ours == djangos, (value, attrs)
        compared += 1
    assert compared == len(VALUES) * len(ATTRS) * 2


@pytest.mark.parametrize("widget_class", CHOOSERS)
def test_choices_are_djangos(widget_class):
    null_boolean = widget_class is forms.NullBooleanSelect  # its own choices and one value
    for choices, chosen, attrs in itertools.product(CHOICES, CHOSEN, ATTRS):
        if null_boolean and isinstance(chosen, list):
            continue
        widget = widget_class() if null_boolean else widget_class(choices=choices)
        ours, djangos = both(widget, "fields", chosen, attrs)
        assert ours == djangos, (choices, chosen, attrs)


def test_a_label_the_templates_would_localise_is_left_to_them(settings):
    settings.USE_THOUSAND_SEPARATOR = True
    widget = forms.Select(choices=[(1, 1234567), (2, "二")])
    with override("en"):
        ours, djangos = both(widget, "n", 1, {})
    assert ours == djangos
    assert ">1,234,567</option>" in ours


def test_a_widget_written_here_does_not_touch_the_template_engine(monkeypatch):
    def no_templates(*args, **kwargs):
        raise AssertionError("rendered by a template")
    monkeypatch.setattr(DjangoTemplates, "render", no_templates)
    html = forms.CheckboxSelectMultiple(choices=[("a", "甲")]).render("f", ["a"], {"id": "id_f"}, renderer=SITE)
    assert html == ('<div id="id_f"><div>\n    <label for="id_f_0"><input type="checkbox" name="f" value="a" '
                    'id="id_f_0" checked>\n 甲</label>\n\n</div>\n</div>')


class _Labelled(forms.Form):
    required_css_class = "needed"
    plain = forms.CharField(label="姓名")
    awkward = forms.CharField(label='"引号" & <尖括号>', required=False)
    safe = forms.CharField(label=mark_safe("<b>粗</b>"))
    lazy = forms.CharField(label=gettext_lazy("Fields"), required=False)
    asked = forms.CharField(label="您的单位？", label_suffix="")
    chosen = forms.MultipleChoiceField(label="选项", choices=[("a", "甲")], widget=forms.CheckboxSelectMultiple)


@pytest.mark.parametrize("auto_id", ["id_%s", False])
@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_label_tags_are_djangos(auto_id, language):
    asked = [lambda: {}, lambda: {"attrs": {"class": "wide", "data-x": '"q"'}}, lambda: {"tag": "span"},
             lambda: {"contents": "改过的"}, lambda: {"label_suffix": "："}]
    compared = 0
    with override(language):
        ours_form, djangos_form = (_Labelled(auto_id=auto_id, renderer=r) for r in (SITE, DJANGO))
        for name in _Labelled.base_fields:
            for kwargs in asked:  # afresh each time: Django adds its class to the attrs it is given
                assert ours_form[name].label_tag(**kwargs()) == djangos_form[name].label_tag(**kwargs()), (name, kwargs())
                compared += 1
    assert compared == len(_Labelled.base_fields) * len(asked)


def test_a_label_tag_written_here_does_not_touch_the_template_engine(monkeypatch):
    def no_templates(*args, **kwargs):
        raise AssertionError("rendered by a template")
    monkeypatch.setattr(DjangoTemplates, "render", no_templates)
    with override("zh-hans"):
        form = _Labelled(renderer=SITE)
        assert form["plain"].label_tag() == '<label for="id_plain" class="needed">姓名:</label>'
    assert form.template_name_label == LABEL


MEMBER = ACCOUNTS["member"]
PAGES = {
    "遇见 profile form": (MEMBER, lambda world: reverse("matching:profile")),
    "directory search": (MEMBER, lambda world: reverse("members:directory") + "?q=王"),
    "her profile form": (MEMBER, lambda world: reverse("members:profile")),
    "event list search": (MEMBER, lambda world: reverse("events:list") + "?q=沙龙"),
    "service request search": (MEMBER, lambda world: reverse("services:requests") + "?q=材料"),
    "admin event form": (ROLE_LOGINS["活动管理员"], lambda world: reverse("admin:events_event_change",
                                                                     args=[world.event.pk])),
}
_TOKEN = re.compile(r'(name="csrfmiddlewaretoken" value=")[^"]+"')


@pytest.mark.django_db
@pytest.mark.parametrize("page", sorted(PAGES))
def test_pages_are_the_same_with_djangos_renderer(world, settings, monkeypatch, page):
    login, url = PAGES[page]
    client = Clients()(login)
    written = []
    monkeypatch.setattr(form_renderer, "_attrs", lambda attrs, write=form_renderer._attrs: written.append(1) or write(attrs))
    ours = client.get(url(world))
    assert ours.status_code == 200
    assert written, "no widget was written by the site's renderer"
    cache.clear()  # forms kept rendered (the lists' filters) are rendered again
    fragments.forget_in_process()
    settings.FORM_RENDERER = "django.forms.renderers.DjangoTemplates"
    written.clear()
    djangos = client.get(url(world))
    assert not written
    assert _TOKEN.sub(r"\1", ours.content.decode()) == _TOKEN.sub(r"\1", djangos.content.decode())
