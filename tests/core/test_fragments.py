"""Kept fragments never outlive the code, templates and translations that rendered them."""

from types import SimpleNamespace

import django
import django.forms
from django.test.signals import template_rendered
from django.utils import translation

from xiangcheng.core import fragments

FLOOR = "core/floor.html"


def programme(name: str) -> SimpleNamespace:
    return SimpleNamespace(name=name, slogan="")


def test_the_digest_names_each_files_path_and_content(tmp_path):
    first, second = tmp_path / "a", tmp_path / "b"
    for folder in (first, second):
        (folder / "cards").mkdir(parents=True)
        (folder / "cards" / "_card.html").write_text("<li>{{ c }}</li>")
        (folder / "base.html").write_text("<html>")
    assert fragments.files_digest([first]) == fragments.files_digest([second])

    (second / "cards" / "_card.html").write_text("<li>{{ c }}!</li>")
    assert fragments.files_digest([first]) != fragments.files_digest([second])

    (second / "cards" / "_card.html").write_text("<li>{{ c }}</li>")
    (second / "base.html").rename(second / "home.html")
    assert fragments.files_digest([first]) != fragments.files_digest([second])


def test_the_digest_leaves_out_pythons_compiled_caches(tmp_path):
    (tmp_path / "cards.py").write_text("VERSION = 1")
    before = fragments.files_digest([tmp_path])
    (tmp_path / "__pycache__").mkdir()
    (tmp_path / "__pycache__" / "cards.cpython-311.pyc").write_bytes(b"\x00compiled here")
    assert fragments.files_digest([tmp_path]) == before
    (tmp_path / "cards.py").write_text("VERSION = 2")
    assert fragments.files_digest([tmp_path]) != before


def test_the_digest_reads_only_the_files_asked_for(tmp_path):
    (tmp_path / "django.mo").write_bytes(b"\x00compiled")
    before = fragments.files_digest([tmp_path], pattern="*.mo")
    (tmp_path / "django.po").write_text("msgid ...")
    assert fragments.files_digest([tmp_path], pattern="*.mo") == before
    (tmp_path / "django.mo").write_bytes(b"\x00compiled again")
    assert fragments.files_digest([tmp_path], pattern="*.mo") != before


def test_the_release_covers_the_projects_code_templates_and_translations(settings):
    release = fragments.release()
    code, translations, framework = release.split(":")
    ours = [settings.BASE_DIR / folder for folder in ("templates", "xiangcheng", "members", "events", "services",
                                                        "matching")]
    assert code == fragments.files_digest(ours)
    assert translations == fragments.files_digest(settings.LOCALE_PATHS, pattern="*.mo")
    assert framework == django.__version__


def test_a_fragment_kept_by_one_release_is_not_served_by_the_next(monkeypatch):
    with translation.override("zh-hans"):
        monkeypatch.setattr(fragments, "release", lambda: "before")
        assert "旧名" in fragments.rendered_kept(template=FLOOR, context={"programme": programme("旧名")}, version=(1,))
        # The same version, kept: what the context says now is not rendered.
        assert "旧名" in fragments.rendered_kept(template=FLOOR, context={"programme": programme("新名")}, version=(1,))

        monkeypatch.setattr(fragments, "release", lambda: "after")
        assert "新名" in fragments.rendered_kept(template=FLOOR, context={"programme": programme("新名")}, version=(1,))


def test_a_fragment_once_read_is_served_from_the_process_without_asking_the_shared_cache(monkeypatch):
    with translation.override("zh-hans"):
        assert "初名" in fragments.rendered_kept(template=FLOOR, context={"programme": programme("初名")}, version=(7,))
        asked = []
        monkeypatch.setattr(fragments.cache, "get_many", lambda keys: asked.append(keys) or {})
        kept = fragments.rendered_kept(template=FLOOR, context={"programme": programme("改名")}, version=(7,))
        assert "初名" in kept and asked == []
        # Another version is not in the process: the shared cache is asked for it alone.
        assert "改名" in fragments.rendered_kept(template=FLOOR, context={"programme": programme("改名")}, version=(8,))
        assert len(asked) == 1 and len(asked[0]) == 1


def test_a_fragment_another_process_kept_is_read_from_the_shared_cache_and_then_kept_here():
    with translation.override("zh-hans"):
        fragments.rendered_kept(template=FLOOR, context={"programme": programme("共享")}, version=(9,))
        fragments.forget_in_process()  # as a process that never rendered it
        assert "共享" in fragments.rendered_kept(template=FLOOR, context={"programme": programme("别的")}, version=(9,))
        fragments.cache.clear()  # the shared copy gone, the process's own still answers
        assert "共享" in fragments.rendered_kept(template=FLOOR, context={"programme": programme("别的")}, version=(9,))


def test_a_process_keeps_the_fragments_it_used_last_up_to_its_limit():
    kept = fragments.InProcess(size=2)
    kept.set_many({"a": "A", "b": "B"})
    assert kept.get_many(["a"]) == {"a": "A"}  # "a" used last: "b" is the oldest
    kept.set_many({"c": "C"})
    assert kept.get_many(["a", "b", "c"]) == {"a": "A", "c": "C"}


def test_with_the_shared_cache_unreachable_fragments_are_rendered_and_kept_in_the_process(monkeypatch):
    def unreachable(*args, **kwargs):
        raise ConnectionError("cache down")

    monkeypatch.setattr(fragments.cache, "get_many", unreachable)
    monkeypatch.setattr(fragments.cache, "set_many", unreachable)
    with translation.override("zh-hans"):
        assert "断开" in fragments.rendered_kept(template=FLOOR, context={"programme": programme("断开")}, version=(3,))
        assert "断开" in fragments.rendered_kept(template=FLOOR, context={"programme": programme("其他")}, version=(3,))


class _Asked(django.forms.Form):
    message = django.forms.CharField(label="留言")


def _fields_rendered(form, **kept) -> tuple[int, str]:
    """How many times ``_fields.html`` was rendered for the form, and the HTML."""
    rendered = []

    def count(sender, template, context, **kwargs):
        if template.name == fragments.FIELDS_TEMPLATE:
            rendered.append(1)

    template_rendered.connect(count)
    try:
        html = fragments.form_fields(form, **kept)
    finally:
        template_rendered.disconnect(count)
    return len(rendered), html


def test_a_posted_form_is_never_kept_with_what_she_typed():
    shown = [_fields_rendered(_Asked({"message": "孩子 5 岁"})) for _ in range(2)]
    assert [count for count, _ in shown] == [1, 1]
    assert all('value="孩子 5 岁"' in html for _, html in shown)


def test_a_search_is_kept_as_typed_and_each_typed_search_is_its_own():
    first, html = _fields_rendered(_Asked({"message": "新材料"}), as_typed=True)
    again, html_again = _fields_rendered(_Asked({"message": "新材料"}), as_typed=True)
    other, other_html = _fields_rendered(_Asked({"message": "人工智能"}), as_typed=True)
    assert (first, again, other) == (1, 0, 1)
    assert html_again == html and 'value="新材料"' in html and 'value="人工智能"' in other_html


class _Counted(django.forms.Form):
    """A form that counts how often it is made, with a field its constructor drops on a flag."""

    made = 0
    message = django.forms.CharField(label="留言")
    consent = django.forms.BooleanField(label="同意", required=False)

    def __init__(self, *args, consented: bool = False, **kwargs):
        type(self).made += 1
        super().__init__(*args, **kwargs)
        if consented:
            del self.fields["consent"]


def test_an_unbound_form_is_made_only_to_render_its_fields_and_shows_what_the_made_form_does():
    _Counted.made = 0
    first, html = _fields_rendered(fragments.UnboundForm(_Counted, initial={"message": "你好"}, consented=False))
    again, html_again = _fields_rendered(fragments.UnboundForm(_Counted, initial={"message": "你好"}, consented=False))
    assert (first, again, _Counted.made) == (1, 0, 1)
    assert html_again == html
    assert html == fragments.get_template(fragments.FIELDS_TEMPLATE).render(
        {"form": _Counted(initial={"message": "你好"}), "mark_optional": False})
    assert 'value="你好"' in html and "同意" in html


def test_an_unbound_form_made_with_other_arguments_is_a_fragment_of_its_own():
    _, plain = _fields_rendered(fragments.UnboundForm(_Counted, initial={"message": "你好"}))
    other, other_html = _fields_rendered(fragments.UnboundForm(_Counted, initial={"message": "再见"}))
    consented, consented_html = _fields_rendered(fragments.UnboundForm(_Counted, initial={"message": "你好"},
                                                                       consented=True))
    assert (other, consented) == (1, 1)
    assert 'value="再见"' in other_html and 'value="你好"' not in other_html
    assert "同意" in plain and "同意" not in consented_html
