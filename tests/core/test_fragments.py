"""Kept fragments never outlive the code, templates and translations that rendered them."""

from types import SimpleNamespace

import django
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
