"""A page and the list's length in one query (xiangcheng.core.counted_pages)."""

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.paginator import Paginator
from django.db import connection
from django.template import Context, Template
from django.template.loader import render_to_string
from django.test.signals import template_rendered
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from events.models import Event
from tests.events.factories import EventFactory
from xiangcheng.core.compiled_queries import CompiledQuery
from xiangcheng.core.counted_pages import LINKS_TEMPLATE, counted_page, counted_page_with, page_links

pytestmark = pytest.mark.django_db


def listed():
    return Event.objects.order_by("title", "pk")


def shown(page) -> tuple:
    return ([e.pk for e in page], page.number, page.paginator.count, page.paginator.num_pages,
            page.has_next(), page.has_previous())


def test_each_page_is_django_s_and_a_page_with_rows_is_one_query():
    for n in range(7):
        EventFactory(title=f"活动{n}")

    for number in (None, "", "1", "2", "3", 2, "x", "2.0"):
        with CaptureQueriesContext(connection) as queries:
            page = counted_page(listed(), 3, number)
            got = shown(page)
        assert got == shown(Paginator(listed(), 3).get_page(number))
        assert len(queries.captured_queries) == 1


def test_past_the_end_or_below_one_is_the_last_page_as_django_shows_it():
    for n in range(7):
        EventFactory(title=f"活动{n}")

    for number in ("4", "99", "0", "-1"):
        assert shown(counted_page(listed(), 3, number)) == shown(Paginator(listed(), 3).get_page(number))
        assert counted_page(listed(), 3, number).number == 3


def test_an_empty_list_is_one_empty_first_page():
    with CaptureQueriesContext(connection) as queries:
        page = counted_page(listed(), 3, "1")
        got = shown(page)
    assert got == ([], 1, 0, 1, False, False) == shown(Paginator(listed(), 3).get_page("1"))
    assert len(queries.captured_queries) == 1


def test_a_distinct_list_is_refused():
    with pytest.raises(ImproperlyConfigured):
        counted_page(listed().distinct(), 3, "1")


# --- a compiled query's listing: the counted rows' SQL built once too ------------------------------

def of_kind(kind: str):
    return Event.objects.filter(kind=kind).select_related("venue").order_by("title", "pk")


def test_a_listing_gives_django_s_pages_each_page_with_rows_one_query_its_sql_built_once():
    for n in range(7):
        EventFactory(title=f"活动{n}", kind="salon")
    EventFactory(title="培训", kind="training")
    built = []
    compiled = CompiledQuery(lambda kind: built.append(kind) or of_kind(kind), kind=str)

    for number in (None, "", "1", "2", "3", 2, "x", "2.0"):
        with CaptureQueriesContext(connection) as queries:
            page = counted_page(compiled.listing(kind="salon"), 3, number)
            got = shown(page)
            venues = [e.venue.name for e in page]  # the related rows came with the page
        assert got == shown(Paginator(of_kind("salon"), 3).get_page(number))
        assert venues == [e.venue.name for e in Paginator(of_kind("salon"), 3).get_page(number)]
        assert len(queries.captured_queries) == 1
    for number in ("4", "99", "0", "-1"):  # past the end, below one: Django's last page
        assert shown(counted_page(compiled.listing(kind="salon"), 3, number)) == shown(
            Paginator(of_kind("salon"), 3).get_page(number))
    assert shown(counted_page(compiled.listing(kind="training"), 3, "1")) == shown(
        Paginator(of_kind("training"), 3).get_page("1"))
    assert shown(counted_page(compiled.listing(kind="camp"), 3, "1")) == ([], 1, 0, 1, False, False)
    # Built twice at most: the rows' query, then the same with the window count; never per request.
    assert len(built) == 2


def test_a_listings_page_read_with_other_reads_is_the_same_page_in_one_round_trip():
    for n in range(7):
        EventFactory(title=f"活动{n}", kind="salon")
    training = EventFactory(title="培训", kind="training")
    compiled = CompiledQuery(of_kind, kind=str)
    one = CompiledQuery(lambda pk: Event.objects.filter(pk=pk), pk=int)
    answered_when_sent = []

    def sent(execute, sql, params, many, context):
        result = execute(sql, params, many, context)
        answered_when_sent.append(context["cursor"].cursor.pgresult is not None)
        return result

    for number in (None, "1", "2", "3", "x"):
        answered_when_sent.clear()
        with connection.execute_wrapper(sent):
            page, (found, missing) = counted_page_with(compiled.listing(kind="salon"), 3, number,
                                                       one.first_read(pk=training.pk), one.first_read(pk=0))
        assert shown(page) == shown(Paginator(of_kind("salon"), 3).get_page(number))
        assert (found.title, missing) == ("培训", None)
        assert answered_when_sent == [False, False, False]  # the page and both reads: one round trip
    for number in ("4", "99", "0", "-1"):  # past the end, below one: Django's last page, the reads as asked
        page, (found,) = counted_page_with(compiled.listing(kind="salon"), 3, number, one.first_read(pk=training.pk))
        assert shown(page) == shown(Paginator(of_kind("salon"), 3).get_page(number))
        assert found.title == "培训"
    page, (found,) = counted_page_with(compiled.listing(kind="camp"), 3, "1", one.first_read(pk=training.pk))
    assert shown(page) == ([], 1, 0, 1, False, False) and found.title == "培训"


def _links(page, query: str) -> tuple[str, int]:
    """The links as a list page shows them ({% page_links %}), and how many times their template
    was rendered for it."""
    rendered = []

    def count(sender, template, **kwargs):
        if template.name == LINKS_TEMPLATE:
            rendered.append(1)

    template_rendered.connect(count)
    try:
        html = Template("{% load page_links %}{% page_links %}").render(Context({"page": page, "query": query}))
    finally:
        template_rendered.disconnect(count)
    return html, len(rendered)


def test_the_links_to_other_pages_are_djangos_template_rendered_once_for_each_page_and_filter():
    pages = Paginator(list(range(45)), 10)
    with translation.override("zh-hans"):
        for number, query in [(1, ""), (3, "q=%E6%9D%8E"), (5, "kind=salon&q=x"), (3, "")]:
            page = pages.page(number)
            expected = render_to_string(LINKS_TEMPLATE, {"page": page, "query": query})
            first, rendered = _links(page, query)
            again, rendered_again = _links(pages.page(number), query)
            assert first == again == expected
            assert (rendered, rendered_again) == (1, 0)
        html, _ = _links(pages.page(3), "q=x")
        assert html.count('href="?q=x&amp;page=2"') == 1 and html.count('href="?q=x&amp;page=4"') == 1
        assert "第 3 / 5 页" in html
    with translation.override("en"):
        html, rendered = _links(pages.page(3), "q=x")
    assert "Page 3 of 5" in html and rendered == 1


def test_a_list_of_one_page_or_no_page_has_no_links():
    assert page_links(Paginator(list(range(5)), 10).page(1), "") == ""
    assert page_links(None, "") == ""
    assert _links("", "")[0] == ""
