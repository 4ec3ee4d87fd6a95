"""Sections that apps contribute to a programme's page and to the home page.

The programme and home views know no app: each app registers its sections (in its AppConfig's
``ready``), and the views render whatever is registered, in order. A section is a template and a
function that returns its context, or ``None`` to leave the section out for this request.

    programme_section(key="events", template="events/_programme_events.html",
                      context=upcoming_for_programme, order=10)

A section's context function must run a constant number of queries however many rows it shows.
What it shows may depend on the viewer only through whether she is signed in and the circles she
is in (``audiences.circles_of``): the home and programme pages are shared by every member in the
same circles (xiangcheng.core.shared_pages), so a section never shows anything else of hers.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.http import HttpRequest


@dataclass(frozen=True)
class Section:
    key: str
    template: str
    context: Callable[..., dict | None]
    order: int = 100
    # Programme slugs the section appears on; empty: every programme.
    programmes: tuple[str, ...] = ()


@dataclass(frozen=True)
class RenderedSection:
    key: str
    template: str
    context: dict


_programme_sections: dict[str, Section] = {}
_home_sections: dict[str, Section] = {}


def programme_section(*, key: str, template: str, context: Callable[[HttpRequest, object], dict | None],
                      order: int = 100, programmes: tuple[str, ...] = ()) -> None:
    """Add a section to programme pages: ``context(request, programme)``."""
    _programme_sections[key] = Section(key, template, context, order, tuple(programmes))


def home_section(*, key: str, template: str, context: Callable[[HttpRequest], dict | None],
                 order: int = 100) -> None:
    """Add a section to the home page: ``context(request)``."""
    _home_sections[key] = Section(key, template, context, order)


def _ordered(sections: dict[str, Section]) -> list[Section]:
    return sorted(sections.values(), key=lambda s: (s.order, s.key))


def sections_for_programme(request: HttpRequest, programme) -> list[RenderedSection]:
    rendered = []
    for section in _ordered(_programme_sections):
        if section.programmes and programme.slug not in section.programmes:
            continue
        context = section.context(request, programme)
        if context is not None:
            rendered.append(RenderedSection(section.key, section.template, context))
    return rendered


def sections_for_home(request: HttpRequest) -> list[RenderedSection]:
    rendered = []
    for section in _ordered(_home_sections):
        context = section.context(request)
        if context is not None:
            rendered.append(RenderedSection(section.key, section.template, context))
    return rendered


# --- Stories (科创故事): sections an app adds to a story's page -----------------------------------
# The kernel's story page knows no app: the members app shows the members a story features (with
# their consent) through ``story_section(...)``, registered in its ready(). ``context(request, story)``
# runs a constant number of queries and returns None to leave the section out.
_story_sections: dict[str, Section] = {}


def story_section(*, key: str, template: str, context: Callable[[HttpRequest, object], dict | None],
                  order: int = 100) -> None:
    """Add a section to story pages: ``context(request, story)``."""
    _story_sections[key] = Section(key, template, context, order)


def sections_for_story(request: HttpRequest, story) -> list[RenderedSection]:
    rendered = []
    for section in _ordered(_story_sections):
        context = section.context(request, story)
        if context is not None:
            rendered.append(RenderedSection(section.key, section.template, context))
    return rendered
