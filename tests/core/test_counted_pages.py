"""A page and the list's length in one query (xiangcheng.core.counted_pages)."""

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.paginator import Paginator
from django.db import connection
from django.test.utils import CaptureQueriesContext

from events.models import Event
from tests.events.factories import EventFactory
from xiangcheng.core.compiled_queries import CompiledQuery
from xiangcheng.core.counted_pages import counted_page, counted_page_with

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
