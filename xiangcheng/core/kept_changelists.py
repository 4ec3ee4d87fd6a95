"""Staff change lists kept rendered until a table they read is written.

Django's admin renders a change list of 50 rows in some 30 ms of CPU, twelve times a member
page; staff reopen the same queue all day while it changes far less often. A list is kept whole,
under everything it shows:

- who asks and what: the member of staff, the page's path with its filters, search and page
  number, the language, the release (``fragments.release``) and the day in Asia/Shanghai (the
  date filters' "today");
- the data: the version of every table the page read (``table_versions``), her account's and
  permissions' included. Which tables those are, PostgreSQL tells when the page is rendered;
  the page is kept from its second rendering on, once the versions of its tables were read before
  it. While a writer of one of them is in flight, nothing is kept or served;
- the clock: an entry lives at most ``KEPT_SECONDS``, or less where the admin says when its rows
  change with time alone (``kept_seconds``: a ticket turns overdue).

A page with a message for her (after an action) is rendered as it is, and so is any POST. The
CSRF token in a kept page is hers, put in as it is served. Only pages that read the primary
database are kept this way: what a page reads elsewhere (a replica) is not counted.

``kept_page`` also keeps the member pages shared until a table they read is written
(``shared_pages.kept_shared(until_written=True)``: the directory), under their audience's key,
and the staff dashboard, under the state of the figures it shows (counted by the reports' worker
and kept in the cache, where no table's version follows them); its page waiting for a count is
kept once for every period (``address``), the dates put in as it is served.
"""

import hashlib
import logging
from collections.abc import Callable, Hashable
from datetime import datetime

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.core.cache import cache
from django.db import DEFAULT_DB_ALIAS, connections
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.translation import get_language

from . import table_versions
from .fragments import InProcess, release
from .kept_tokens import token_filled, token_left_open

logger = logging.getLogger(__name__)

# The longest a kept page is served: how far behind the clock a list may be (a date filter's
# window, a figure kept for a minute elsewhere), never behind its data.
KEPT_SECONDS = 60

# Which tables each kept page read when it was last rendered, by page (a few hundred bytes each).
_TABLES_KEPT = 2000
_tables = InProcess(_TABLES_KEPT)


def account_tables() -> frozenset[str]:
    """Her account and permissions: read before the page's view runs, shown in every page."""
    user = get_user_model()
    models = [user, user.groups.through, user.user_permissions.through, Group, Group.permissions.through,
              Permission]
    return frozenset(model._meta.db_table for model in models)


def _page_key(request: HttpRequest, varies: Hashable = None, address: str | None = None) -> str:
    material = repr((release(), get_language(), request.user.pk, address or request.get_full_path(),
                     timezone.localdate().isoformat(), varies))
    return "kept-list:" + hashlib.blake2b(material.encode(), digest_size=16).hexdigest()


def _versioned_key(page: str, tables: frozenset[str], versions: tuple[int, ...]) -> str:
    material = repr((sorted(tables), versions))
    return f"{page}:{hashlib.blake2b(material.encode(), digest_size=16).hexdigest()}"


def _has_messages(request: HttpRequest) -> bool:
    return bool(len(messages.get_messages(request)))  # counted, not read: they stay for the page


def kept_page(request: HttpRequest, render: Callable[[], HttpResponse], *,
              seconds: Callable[[datetime], float] = lambda started: KEPT_SECONDS,
              page: str | None = None,
              varies: Hashable = None,
              address: str | None = None,
              served: Callable[[bytes, HttpRequest], bytes] = token_filled) -> HttpResponse:
    """The page ``render`` makes for this request: kept, served from the cache when nothing it
    read has changed. ``seconds(started)``: how long what it renders from ``started`` on stays
    true with time alone.

    ``page`` names whose copy it is: hers alone by default (her account, the address, the
    language, the day, and ``varies``: what the page shows from outside the database, which
    its tables' versions do not follow); a page shared between people (``shared_pages``) names
    its audience. ``address``: the part of the address the kept copy is for, when ``served``
    puts the rest in (by default all of it, its query included).
    ``served(html, request)`` puts what is hers into a copy, kept or just rendered, as it is
    served: her CSRF token by default."""
    using = DEFAULT_DB_ALIAS
    if request.method != "GET" or connections[using].in_atomic_block or _has_messages(request):
        return _served(render(), request, served)
    page = page or _page_key(request, varies, address)
    tables = _tables.get_many([page]).get(page)
    versions = table_versions.current(tables, using=using) if tables else None
    key = _versioned_key(page, tables, versions) if versions is not None else None
    if key is not None:
        try:
            html = cache.get(key)
        except Exception:  # the cache is unreachable: the page is rendered
            logger.warning("kept change lists unavailable; rendering", exc_info=True)
            html, key = None, None
        if html is not None:
            return HttpResponse(served(html, request))
    started = timezone.now()
    with table_versions.tables_read(using=using) as read:
        response = render()
        if callable(getattr(response, "render", None)):
            response.render()
    if response.status_code != 200:
        return _served(response, request, served)
    read_now = read.tables | account_tables()
    if key is not None and read_now <= tables:
        html = token_left_open(response.content)
        lasts = min(seconds(started), KEPT_SECONDS)
        if lasts > 0:
            try:
                cache.set(key, html, lasts)
            except Exception:  # noqa: S110 - rendered again next time
                logger.warning("kept change lists unavailable; page not kept", exc_info=True)
    elif tables is None or not read_now <= tables:
        _tables.set_many({page: read_now | (tables or frozenset())})
    return _served(response, request, served)


def _served(response: HttpResponse, request: HttpRequest, served: Callable[[bytes, HttpRequest], bytes]) -> HttpResponse:
    # A page rendered for her already holds her token; a shared one has her parts left open.
    if served is not token_filled and not response.streaming:
        if callable(getattr(response, "render", None)):
            response.render()  # a template's, not rendered yet where the page is not kept (a POST)
        response.content = served(token_left_open(response.content), request)
    return response


class KeptChangeListMixin:
    """On a ``ModelAdmin`` (before ``admin.ModelAdmin``): its change list is kept (``kept_page``).

    An admin adds to its change list in ``changelist_rendered``, not ``changelist_view``, so that
    what it adds is kept with the rest and what it reads is counted."""

    def kept_seconds(self, request, started: datetime) -> float:
        """How long the change list rendered from ``started`` on stays true with time alone (at
        most ``KEPT_SECONDS`` in any case)."""
        return KEPT_SECONDS

    def changelist_rendered(self, request, extra_context=None):
        """The change list as the admin renders it."""
        return super().changelist_view(request, extra_context)

    def changelist_view(self, request, extra_context=None):
        return kept_page(request, lambda: self.changelist_rendered(request, extra_context),
                         seconds=lambda started: self.kept_seconds(request, started))
