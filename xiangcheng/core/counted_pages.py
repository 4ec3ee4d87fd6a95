"""A page of a list and the list's length, read by one query.

Django's ``Paginator`` counts the list with one query and reads the page with another, so a
search runs its conditions twice (the member directory's search costs PostgreSQL 4 ms each time
at volume). ``counted_page`` reads the page with ``COUNT(*) OVER ()`` beside each row: the rows
before ``LIMIT`` are counted once, by the same scan that finds them. A page past the end (an old
link, a typed number) falls back to Django's way, which shows the last page.

The links to a list's other pages (``page_links``) are kept rendered: they depend only on the
page's number, the number of pages and the list's filters.
"""

from django.core.exceptions import ImproperlyConfigured
from django.core.paginator import Page, Paginator
from django.db.models import Count, QuerySet, Window
from django.utils.safestring import SafeString

from .compiled_queries import Listing, Read, together
from .fragments import rendered_kept

_TOTAL = "listed_in_all"  # the annotation that carries the list's length on each row
LINKS_TEMPLATE = "_pagination.html"


def _number(number) -> int:
    try:
        return int(number)
    except (TypeError, ValueError):  # as get_page: not a number is the first page
        return 1


def counted_page(items: QuerySet | Listing, per_page: int, number) -> Page:
    """``Paginator(items, per_page).get_page(number)``, in one query when the page has rows.
    ``items`` is a queryset or a compiled query's listing (``CompiledQuery.listing``), whose
    counted rows' SQL is built once too."""
    if isinstance(items, QuerySet) and (items.query.distinct or items.query.combinator):
        raise ImproperlyConfigured("counted_page counts rows before DISTINCT or a combination would merge them")
    number = _number(number)
    if number < 1:
        return Paginator(items, per_page).get_page(number)  # as get_page: the last page
    offset = (number - 1) * per_page
    if isinstance(items, Listing):
        rows = items.counted(offset, offset + per_page, total=_TOTAL)
    else:
        rows = list(items.annotate(**{_TOTAL: Window(Count("*"))})[offset:offset + per_page])
    return _paged(items, per_page, number, rows)


def counted_page_with(items: Listing, per_page: int, number, *reads: Read) -> tuple[Page, list]:
    """``counted_page`` of a listing, its rows read in the same round trip as ``reads``
    (``compiled_queries.together``): the page and the reads' results. A page's object and its
    rows (an organisation and its jobs) then cost PostgreSQL one wait instead of two."""
    number = _number(number)
    if number < 1:
        return Paginator(items, per_page).get_page(number), together(*reads)
    offset = (number - 1) * per_page
    rows, *results = together(items.counted_read(offset, offset + per_page, total=_TOTAL), *reads)
    return _paged(items, per_page, number, rows), results


def _paged(items: QuerySet | Listing, per_page: int, number: int, rows: list) -> Page:
    paginator = Paginator(items, per_page)
    if not rows:
        if number > 1:
            return paginator.get_page(number)  # past the end: Django's last page
        paginator.count = 0
        return Page([], 1, paginator)
    paginator.count = getattr(rows[0], _TOTAL)  # the cached property, set from the same query
    return Page(rows, number, paginator)


def page_links(page: Page | None, query: str) -> SafeString:
    """"Previous", "page n of m" and "Next" below a list (``query``: its filters, kept on each
    link), nothing for a list of one page; kept rendered under everything they show."""
    if not isinstance(page, Page) or not page.has_other_pages():
        return SafeString("")
    return rendered_kept(template=LINKS_TEMPLATE, context={"page": page, "query": query},
                         version=(page.number, page.paginator.num_pages, query))
