"""Public pages kept rendered for a few seconds: one copy for every visitor, and one for every
member in the same circles.

A visitor — no session, no message waiting for her — sees the same home page and the same lists
of events, jobs, calls and stories as every other visitor reading them in her language. Such a
page is rendered at most once per ``SHARED_PAGE_KEPT_SECONDS`` for each address and language,
and kept in the cache.

Some of these pages differ between members only by the circles they are in (the kernel's
closed audiences: a circle's events are listed to its members alone): the home page, the
programme pages, the event lists, the stories, the calls and the offerings. A view says so with
``@kept_shared(members=True)``; a member who is not staff and has no message waiting is then
served the copy kept for her circles (``audiences.circles_of``, read with every request, so
leaving a circle hides its events at once). A page that also depends on one thing of hers says
which, ``members=her_field`` (a function of the request): members share it per circles and that
value. A page that shows anything else of hers — her organisations, her sign-ups — is never
shared between members. A page shared only until she has something of her own on it says so per
request: its function returns ``PERSONAL`` (a call's form, until she has an application).

A page that must change the moment one of its rows does — the directory, where a member who
withdraws her listing disappears at once — is kept not for a few seconds but until a table it
read is written (``until_written``: the versions of ``table_versions``, as staff change lists are
kept), and shared all the same.

A page with a form is shared only where the view says the form is the same for everyone it is
shared with (``forms=True``): her CSRF token goes in as the page is served (``kept_tokens``).

What is hers on a shared page is left open in the header and filled for each request: her unread
count (``chrome.her_slots_filled``). Staff, and anyone with a message to read, always get a page
rendered for them.

A page kept by one release is never served by another (``fragments.release``). What a page shows
may be that many seconds old: a story published or a seat taken reaches
readers of a shared page within that time. With the cache unreachable, pages are rendered as if
none were kept.
"""

import hashlib
import logging
from collections.abc import Callable, Hashable
from functools import wraps

from django.conf import settings
from django.contrib.messages.storage.cookie import CookieStorage
from django.contrib.messages.storage.session import SessionStorage
from django.core.cache import cache
from django.core.exceptions import ImproperlyConfigured
from django.http import HttpResponse
from django.utils.translation import get_language

from . import fragments
from .audiences import circles_of
from .chrome import HER_SLOTS_LEFT_OPEN, her_slots_filled
from .kept_changelists import kept_page
from .kept_tokens import token_filled, token_left_open
from .message_centre import centre_unread_count

logger = logging.getLogger(__name__)

# What a page's ``members`` function returns when this request's page is hers alone.
PERSONAL = object()


def _audience(request, view_args: tuple, view_kwargs: dict, *,
              members: bool | Callable[..., Hashable]) -> tuple | None:
    """Whose copy this request may be answered with, and rendered into; None for her own page."""
    if (settings.SHARED_PAGE_KEPT_SECONDS <= 0 or request.method not in ("GET", "HEAD")
            or CookieStorage.cookie_name in request.COOKIES):
        return None
    user = request.user
    if not user.is_authenticated:
        return ("visitor",) if settings.SESSION_COOKIE_NAME not in request.COOKIES else None
    if not members or user.is_staff or SessionStorage.session_key in request.session:
        return None
    hers = members(request, *view_args, **view_kwargs) if callable(members) else None
    return None if hers is PERSONAL else ("member", circles_of(user), hers)


def _key(request, audience: tuple) -> str:
    # The release too: during a deploy, old and new processes share the cache, and a page kept by
    # one release (its header's slots, its markup) must not be served by the other.
    material = repr((fragments.release(), audience, request.scheme, request.get_host(), get_language(),
                     request.get_full_path())).encode()
    return "shared-page:" + hashlib.blake2b(material, digest_size=16).hexdigest()


def _filled(request, content: bytes) -> bytes:
    unread = centre_unread_count(request.user) if request.user.is_authenticated else 0
    return token_filled(her_slots_filled(content, unread=unread), request)


def _hers(request, content: bytes, content_type: str) -> HttpResponse:
    return HttpResponse(_filled(request, content), content_type=content_type)


def _rendered_open(view, request, args: tuple, kwargs: dict) -> HttpResponse:
    """The view's page with her slots left open, to be kept and filled for each reader."""
    setattr(request, HER_SLOTS_LEFT_OPEN, True)
    try:
        response = view(request, *args, **kwargs)
        if callable(getattr(response, "render", None)):
            response = response.render()
    finally:
        delattr(request, HER_SLOTS_LEFT_OPEN)
    return response


def kept_shared(view=None, *, members: bool | Callable[..., Hashable] = False, forms: bool = False,
                until_written: bool = False):
    """Serve visitors (and, with ``members``, members by their circles and what
    ``members(request, *args, **kwargs)`` returns, if it is a function) the page kept for its
    address and language, rendering it when there is none.

    A page whose content holds a CSRF token is kept only with ``forms``: its forms are the same
    for everyone it is shared with. Without it, such a page is served but never kept.

    ``until_written``: the page is kept not for a few seconds but until a table it read is
    written (``kept_changelists.kept_page``): a page that must change the moment one of its rows
    does (a member withdrawing her directory listing). Such a page holds no form."""
    if view is None:
        return lambda view: kept_shared(view, members=members, forms=forms, until_written=until_written)
    if until_written and forms:
        raise ImproperlyConfigured("a page kept until written is shared without forms")

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        audience = _audience(request, args, kwargs, members=members)
        if audience is None:
            return view(request, *args, **kwargs)
        key = _key(request, audience)
        if until_written:
            return kept_page(request, lambda: _rendered_open(view, request, args, kwargs), page=key,
                             served=lambda html, request: _filled(request, html))
        try:
            kept = cache.get(key)
        except Exception:  # the cache is unreachable: render the page for her
            logger.warning("shared page cache unavailable; rendering the page", exc_info=True)
            return view(request, *args, **kwargs)
        if kept is not None:
            return _hers(request, *kept)
        response = _rendered_open(view, request, args, kwargs)
        tokened = b"csrfmiddlewaretoken" in response.content
        if response.status_code != 200 or response.cookies or (tokened and not forms):
            if tokened and not forms:
                logger.error("shared page %s holds a CSRF token; not kept", request.path)
            response.content = _filled(request, response.content)
            return response
        content, content_type = token_left_open(response.content), response["Content-Type"]
        try:
            cache.set(key, (content, content_type), settings.SHARED_PAGE_KEPT_SECONDS)
        except Exception:  # noqa: S110 - the next reader renders it again
            logger.warning("shared page cache unavailable; page not kept", exc_info=True)
        return _hers(request, content, content_type)

    return wrapped
