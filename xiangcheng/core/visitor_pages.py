"""Public pages kept rendered for visitors for a few seconds: one copy for every visitor.

A visitor — no session, no message waiting for her — sees the same home page and the same lists
of events, jobs, calls and stories as every other visitor reading them in her language. Such a
page is rendered at most once per ``VISITOR_PAGE_KEPT_SECONDS`` for each address and language,
and kept in the cache. The one thing of hers on it is the language form's CSRF token: the header
leaves its slot open when the page is to be kept (``chrome.site_header``) and each request fills
it with its own. Members and staff always get a page rendered for them (their menu, badges and
sign-up state), and so does a visitor with a session or a message to read.

What a visitor sees may be that many seconds old: a story published or a seat taken reaches
visitors within that time. With the cache unreachable, pages are rendered as if none were kept.
"""

import hashlib
import logging
from functools import wraps

from django.conf import settings
from django.contrib.messages.storage.cookie import CookieStorage
from django.core.cache import cache
from django.http import HttpResponse
from django.utils.translation import get_language

from .chrome import CSRF_SLOT_LEFT_OPEN, csrf_input, csrf_slot

logger = logging.getLogger(__name__)


def _shared(request) -> bool:
    """Whether this request may be answered with, and rendered into, the visitors' copy."""
    return (settings.VISITOR_PAGE_KEPT_SECONDS > 0 and request.method in ("GET", "HEAD")
            and settings.SESSION_COOKIE_NAME not in request.COOKIES
            and CookieStorage.cookie_name not in request.COOKIES
            and not request.user.is_authenticated)


def _key(request) -> str:
    material = repr((request.scheme, request.get_host(), get_language(), request.get_full_path())).encode()
    return "visitor-page:" + hashlib.blake2b(material, digest_size=16).hexdigest()


def _filled(request, content: bytes) -> bytes:
    slot = csrf_slot().encode()
    if slot not in content:  # a feed: no language form, and no CSRF cookie to set
        return content
    return content.replace(slot, csrf_input(request).encode(), 1)


def _hers(request, content: bytes, content_type: str) -> HttpResponse:
    return HttpResponse(_filled(request, content), content_type=content_type)


def kept_for_visitors(view):
    """Serve visitors the page kept for its address and language, rendering it when there is none.

    For pages without forms of their own that post (only the header's language form does): a
    page whose content holds another CSRF token is served but never kept."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not _shared(request):
            return view(request, *args, **kwargs)
        key = _key(request)
        try:
            kept = cache.get(key)
        except Exception:  # the cache is unreachable: render the page for her
            logger.warning("visitor page cache unavailable; rendering the page", exc_info=True)
            return view(request, *args, **kwargs)
        if kept is not None:
            return _hers(request, *kept)
        setattr(request, CSRF_SLOT_LEFT_OPEN, True)
        try:
            response = view(request, *args, **kwargs)
            if callable(getattr(response, "render", None)):
                response = response.render()
        finally:
            delattr(request, CSRF_SLOT_LEFT_OPEN)
        if response.status_code != 200 or response.cookies or b"csrfmiddlewaretoken" in response.content:
            if b"csrfmiddlewaretoken" in response.content:
                logger.error("visitor page %s holds a CSRF token of its own; not kept", request.path)
            response.content = _filled(request, response.content)
            return response
        content, content_type = response.content, response["Content-Type"]
        try:
            cache.set(key, (content, content_type), settings.VISITOR_PAGE_KEPT_SECONDS)
        except Exception:  # noqa: S110 - the next visitor renders it again
            logger.warning("visitor page cache unavailable; page not kept", exc_info=True)
        return _hers(request, content, content_type)

    return wrapped
