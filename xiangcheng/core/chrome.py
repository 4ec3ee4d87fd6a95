"""The site's header and footer (and the links in every page's head), rendered once per language
and kind of visitor, not per request.

Every page carries the same header: the menu of a visitor, a member or staff, with the link of
the current section marked. Through the template engine it cost more than the floor page's
whole request (about 3 ms for a member: twenty links reversed and translated). So each variant is
rendered once per process and kept; what differs from one request to the next — her unread count,
the address to come back to after choosing a language — goes into its slots. Templates,
translations and URLs change only with a deploy, which starts new processes; a test that
changes settings empties what was kept.

The header holds no form: the language chooser is a page of its own (``views.language``), so a
page without forms of its own carries no CSRF token, which would be masked afresh for each
request (several hundred Python calls) for a form seldom used.
"""

from urllib.parse import quote

from django.core.signals import setting_changed
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language, ngettext

HEAD_TEMPLATE = "core/_site_head.html"
HEADER_TEMPLATE = "core/_site_header.html"
FOOTER_TEMPLATE = "core/_site_footer.html"

# The menu's links marked as the current page: the link's name, its URL's name, and whether the
# page's path must be that URL exactly (else it is marked on every page under it).
MARKED_LINKS = (
    ("programmes", "programmes:list", False),
    ("events", "events:list", False),
    ("jobs", "services:jobs", False),
    ("calls", "services:calls", True),
    ("directory", "members:directory", True),
    ("stories", "stories:list", False),
    ("profile", "members:profile", True),
    ("my_calls", "services:my_calls", True),
    ("organisations", "members:organisations", False),
    ("requests", "services:requests", False),
    ("offerings", "offerings:list", False),
    ("notices", "notices:list", False),
    ("tickets", "services:tickets", False),
    ("consents", "members:consents", True),
    ("my_data", "members:my_data", True),
)
SLOTS = ("unread_menu", "unread_nav", "next")
# Set on a request whose page is kept to be shared (xiangcheng.core.shared_pages): the header
# then leaves open the slots of what is hers — her unread count — for each request to fill
# (``her_slots_filled``).
HER_SLOTS_LEFT_OPEN = "her_slots_left_open"
# Variants kept per process at most. The site has about a hundred (two languages, three kinds of
# visitor, one per section); a made-up path marking several links at once (a 404 page) must not
# make the process keep one more copy per combination.
KEPT_MAX = 512

_kept: dict[tuple, str] = {}
_link_paths: dict[str, tuple] = {}  # "links": the marked links' paths, reversed once


def _forget(**_signal) -> None:
    _kept.clear()
    _link_paths.clear()


setting_changed.connect(_forget)


def _slot(name: str) -> str:
    return f"<!--slot:{name}-->"


def current_links(path: str) -> frozenset[str]:
    """The menu links marked as the current page at ``path``."""
    links = _link_paths.get("links")
    if links is None:
        links = _link_paths["links"] = tuple((name, reverse(url_name), whole) for name, url_name, whole in MARKED_LINKS)
    return frozenset(name for name, url, whole in links if (path == url if whole else url in path))


def visitor_kind(user) -> str:
    if user is None or not user.is_authenticated:
        return "visitor"
    return "staff" if user.is_staff else "member"


def _kept_render(template: str, key: tuple, context: dict) -> str:
    html = _kept.get(key)
    if html is None:
        html = render_to_string(template, {**context, "slots": {name: mark_safe(_slot(name)) for name in SLOTS}})  # noqa: S308 - fixed markers
        if len(_kept) < KEPT_MAX:
            _kept[key] = html
    return html


def unread_badges(unread: int) -> tuple[str, str]:
    """Her unread count beside the menu button and beside 我的消息 (nothing when none)."""
    if not unread:
        return "", ""
    label = ngettext("%(n)s unread message", "%(n)s unread messages", unread) % {"n": unread}
    return (format_html(' <span class="badge nav-count" aria-hidden="true">{}</span>', unread),
            format_html(' <span class="badge nav-count" aria-label="{}">{}</span>', label, unread))


def _her_values(unread: int) -> dict[str, str]:
    menu, nav = unread_badges(unread)
    return {"unread_menu": menu, "unread_nav": nav}


def site_header(request, *, unread: int) -> SafeString:
    user = getattr(request, "user", None) if request is not None else None
    kind = visitor_kind(user)
    current = current_links(request.path) if request is not None else frozenset()
    html = _kept_render(HEADER_TEMPLATE, ("header", get_language(), kind, current), {"kind": kind, "current": current})
    values = {} if getattr(request, HER_SLOTS_LEFT_OPEN, False) else _her_values(unread)
    # The language page's query string: the address to come back to, one parameter.
    values["next"] = format_html("{}", quote(request.get_full_path(), safe="/")) if request is not None else ""
    for name, value in values.items():
        html = html.replace(_slot(name), value, 1)
    return mark_safe(html)  # noqa: S308 - the kept template's output, with escaped slots


def her_slots_filled(content: bytes, *, unread: int) -> bytes:
    """A shared page's header with her slots filled: her unread count."""
    if _slot("unread_menu").encode() not in content:  # a feed: no header
        return content
    for name, value in _her_values(unread).items():
        content = content.replace(_slot(name).encode(), value.encode(), 1)
    return content


def site_head() -> SafeString:
    """The links every page's head carries: the style sheets and the icon."""
    return mark_safe(_kept_render(HEAD_TEMPLATE, ("head",), {}))  # noqa: S308 - a rendered template


def site_footer() -> SafeString:
    return mark_safe(_kept_render(FOOTER_TEMPLATE, ("footer", get_language()), {}))  # noqa: S308 - a rendered template
