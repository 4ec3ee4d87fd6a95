"""The staff dashboard: who may open it, its period filter, its figures and charts, its queries."""

import re
from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import translation
from kombu.exceptions import OperationalError

from events.models import RegistrationStatus
from services.models import Category, Ticket
from tests.events.factories import EventFactory, RegistrationFactory
from tests.factories import MemberProfileFactory
from tests.helpers import squash, zh, zh_n
from xiangcheng import celery_app
from xiangcheng.core.charts import bars, columns
from xiangcheng.core.figures import (
    DASHBOARD_COUNTING_SECONDS,
    DASHBOARD_RETRY_SECONDS,
    Period,
    PeriodError,
    dashboard_count,
    dashboard_counting_key,
    dashboard_key,
    figure_sources,
    period_make,
    this_month,
)
from xiangcheng.core.roles import ADMINISTRATOR, INBOX_SUPERVISOR, REVIEWER

from .dashboard_support import DECEMBER, FIRST, NOW, pinned

pytestmark = pytest.mark.django_db

URL = "/admin/dashboard/"


@pytest.fixture
def administrator(staff_in_group):
    return staff_in_group("guanli", ADMINISTRATOR.name)


@pytest.fixture
def admin_client(client, administrator):
    client.force_login(administrator)
    return client


# --- the registry and the period ----------------------------------------------------------------

def test_every_app_supplies_its_areas_in_order():
    assert [s.key for s in figure_sources()] == [
        "members", "events", "inbox", "organisations", "enterprise", "meet", "calls"]


def test_the_default_period_is_this_month_in_xiangcheng_even_while_utc_is_on_the_day_before():
    # 00:20 on 1 January 2027 in Xiangcheng is still 31 December in UTC.
    with time_machine.travel(datetime(2026, 12, 31, 16, 20, tzinfo=UTC), tick=False):
        period = this_month()

    assert (period.first, period.last) == (date(2027, 1, 1), date(2027, 1, 1))
    assert (period.start, period.end) == (datetime(2026, 12, 31, 16, 0, tzinfo=UTC),
                                          datetime(2027, 1, 1, 16, 0, tzinfo=UTC))


def test_a_period_lists_the_months_it_touches():
    assert Period(first=date(2026, 11, 20), last=date(2027, 2, 3)).months() == [
        date(2026, 11, 1), date(2026, 12, 1), date(2027, 1, 1), date(2027, 2, 1)]


def test_a_reversed_or_overlong_period_is_refused_with_a_reason():
    with pytest.raises(PeriodError) as reversed_:
        period_make(first=date(2026, 12, 2), last=date(2026, 12, 1))
    with pytest.raises(PeriodError) as overlong:
        period_make(first=date(2000, 1, 1), last=date(2026, 12, 1))

    assert (str(reversed_.value), str(overlong.value)) == (
        zh("The last day is before the first day."), zh("A period may cover at most ten years."))


# --- who may open it ----------------------------------------------------------------------------

def test_the_administrator_sees_every_area_and_the_admin_index_links_to_it(admin_client):
    with pinned():
        response = admin_client.get(URL)
        index = admin_client.get("/admin/")

    assert response.status_code == 200
    page = response.content.decode()
    assert re.findall(r'<section class="dashboard-area" id="area-([a-z]+)">', page) == [
        "members", "events", "inbox", "organisations", "enterprise", "meet", "calls"]
    assert page.count('<svg class="chart"') == 11
    assert 'href="/admin/dashboard/"' in index.content.decode()
    # The form shows this month: 1 January through today, local dates.
    assert ('value="2027-01-01"' in page, page.count('value="2027-01-01"')) == (True, 4)


@pytest.mark.parametrize("role", [REVIEWER, INBOX_SUPERVISOR])
def test_staff_without_the_permission_get_403_and_no_link(client, staff_in_group, role):
    client.force_login(staff_in_group("someone", role.name))

    assert client.get(URL).status_code == 403
    assert client.get(f"{URL}reports/1/").status_code == 403
    assert client.post(f"{URL}reports/", {"first": "2026-12-01", "last": "2026-12-31"}).status_code == 403
    assert 'href="/admin/dashboard/"' not in client.get("/admin/").content.decode()


def test_members_and_visitors_are_sent_to_the_staff_login(client):
    assert client.get(URL)["Location"] == f"/admin/login/?next={URL}"
    client.force_login(MemberProfileFactory().user)

    response = client.get(URL)
    assert (response.status_code, response["Location"]) == (302, f"/admin/login/?next={URL}")


# --- the period filter ------------------------------------------------------------------------

def submitted(response) -> str:
    """The inbox area's "tickets submitted" as the page shows it."""
    area = re.search(r'id="area-inbox">(.*?)</section>', response.content.decode(), re.S).group(1)
    return dict(re.findall(r"<dt>(.*?)</dt><dd>(.*?)</dd>", area))[zh("Tickets submitted")]


def _ticket(member, number: int) -> None:
    ticket = Ticket.objects.create(reference=f"JG-2026-{number:06d}", year=2026, number=number, member=member,
                                   category=Category.FINANCE, subject="贴息", description="说明", due_at=NOW)
    Ticket.objects.filter(pk=ticket.pk).update(created_at=FIRST)


def test_the_figures_follow_the_period_asked_for(admin_client):
    with pinned():
        _ticket(MemberProfileFactory().user, 1)

        december = admin_client.get(URL, {"first": "2026-12-01", "last": "2026-12-31"})
        november = admin_client.get(URL, {"first": "2026-11-01", "last": "2026-11-30"})

    assert (submitted(december), submitted(november)) == ("1", "0")
    assert zh("Figures for %(first)s – %(last)s", first="2026-12-01", last="2026-12-31") in squash(
        december.content.decode())


def test_a_reload_within_minutes_shows_the_kept_figures_and_says_when_they_were_counted(admin_client):
    december = {"first": "2026-12-01", "last": "2026-12-31"}
    with pinned():
        member = MemberProfileFactory().user
        _ticket(member, 1)
        first = admin_client.get(URL, december)
        _ticket(member, 2)
        with CaptureQueriesContext(connection) as queries:
            again = admin_client.get(URL, december)
    # Five minutes on, the kept figures are no longer fresh: they are counted again (here at once:
    # tasks run inline in these tests; tests below show what a page says while a worker counts).
    with time_machine.travel(NOW + timedelta(minutes=5), tick=False):
        later = admin_client.get(URL, december)

    assert (submitted(first), submitted(again), submitted(later)) == ("1", "1", "2")
    # The reload counted nothing: no area's query reached the tickets.
    assert [q["sql"] for q in queries.captured_queries if "services_ticket" in q["sql"]] == []
    kept = ("Counted at %(at)s. Figures more than %(minutes)s minutes old are counted again when the dashboard is "
            "opened; the Excel report always counts afresh.")
    assert zh(kept, at="2027-01-01 00:20", minutes=5) in again.content.decode()
    assert zh(kept, at="2027-01-01 00:25", minutes=5) in later.content.decode()
    assert "http-equiv=\"refresh\"" not in again.content.decode()


# --- counted in the background -------------------------------------------------------------------

def _counting_ttl() -> int:
    """How long Redis keeps the mark that the period is being counted, in seconds."""
    with translation.override("zh-hans"):
        key = cache.make_and_validate_key(dashboard_counting_key(dashboard_key(DECEMBER)))
    return cache._cache.get_client(key).ttl(key)


def test_a_period_not_counted_yet_is_asked_of_the_worker_once_and_the_page_says_so_and_reloads(
        admin_client, staff_in_group, published_tasks):
    december = {"first": "2026-12-01", "last": "2026-12-31"}
    other = Client()
    other.force_login(staff_in_group("another", ADMINISTRATOR.name))
    with pinned():
        _ticket(MemberProfileFactory().user, 1)
        with CaptureQueriesContext(connection) as queries:
            waiting = admin_client.get(URL, december)
        also_waiting = other.get(URL, december)  # a second administrator at the same time
        dashboard_count(period=DECEMBER, language="zh-hans")  # what the worker does
        counted = admin_client.get(URL, december)

    page = waiting.content.decode()
    assert (waiting.status_code, published_tasks) == (200, ["xiangcheng.core.tasks.count_dashboard_figures"])
    assert zh("These figures are being counted. The page shows them by itself in a few seconds.") in page
    assert '<meta http-equiv="refresh" content="3">' in page
    assert (re.findall(r'class="dashboard-area"', page), waiting.context["drawn"]) == ([], None)
    assert [q["sql"] for q in queries.captured_queries if "services_ticket" in q["sql"]] == []
    assert '<meta http-equiv="refresh" content="3">' in also_waiting.content.decode()
    # Counted, the page shows the figures and no longer reloads itself; the mark is gone.
    assert (submitted(counted), "http-equiv=\"refresh\"" in counted.content.decode()) == ("1", False)
    assert _counting_ttl() == -2


def test_a_count_that_was_lost_is_asked_for_again_two_minutes_later(admin_client, published_tasks):
    december = {"first": "2026-12-01", "last": "2026-12-31"}
    with pinned():
        admin_client.get(URL, december)
        assert 0 < _counting_ttl() <= DASHBOARD_COUNTING_SECONDS == 120
        with translation.override("zh-hans"):
            cache.delete(dashboard_counting_key(dashboard_key(DECEMBER)))  # as Redis does once its time is up
        admin_client.get(URL, december)

    assert published_tasks == ["xiangcheng.core.tasks.count_dashboard_figures"] * 2


def test_a_count_that_could_not_be_asked_for_is_asked_for_again_at_the_next_reload(admin_client, published_tasks,
                                                                                    monkeypatch, caplog):
    task = celery_app.tasks["xiangcheng.core.tasks.count_dashboard_figures"]
    december = {"first": "2026-12-01", "last": "2026-12-31"}

    def broker_down(**kwargs):
        raise OperationalError("Error 111 connecting to the broker. Connection refused.")

    with pinned():
        monkeypatch.setattr(task, "delay", broker_down)
        refused = admin_client.get(URL, december)
        ttl = _counting_ttl()
        monkeypatch.undo()
        admin_client.get(URL, december)

    assert refused.status_code == 200
    assert '<meta http-equiv="refresh" content="3">' in refused.content.decode()
    assert ttl == -2  # no mark left behind to hold the next reload back for two minutes
    assert "could not ask for the dashboard's count" in caplog.text
    assert published_tasks == ["xiangcheng.core.tasks.count_dashboard_figures"]


def _count_fails(monkeypatch) -> None:
    """Counting the areas raises, as a broken area's query would in the worker."""
    from xiangcheng.core import figures

    def broken(period):
        raise RuntimeError("an area's query failed")

    monkeypatch.setattr(figures, "all_figures", broken)


def test_a_count_that_failed_is_asked_for_again_a_minute_later_not_at_each_reload(admin_client, published_tasks,
                                                                                   monkeypatch):
    december = {"first": "2026-12-01", "last": "2026-12-31"}
    with pinned():
        admin_client.get(URL, december)
        _count_fails(monkeypatch)
        with pytest.raises(RuntimeError):
            dashboard_count(period=DECEMBER, language="zh-hans")  # the worker's task fails
        failed = admin_client.get(URL, december)
        again = admin_client.get(URL, december)  # before the minute is up
        ttl = _counting_ttl()
        with translation.override("zh-hans"):
            cache.delete(dashboard_counting_key(dashboard_key(DECEMBER)))  # as Redis does once its time is up
        after = admin_client.get(URL, december)

    page = failed.content.decode()
    assert zh_n("These figures could not be counted just now. They are counted again in %(minutes)s minute; "
                "the page reloads itself.",
                "These figures could not be counted just now. They are counted again in %(minutes)s minutes; "
                "the page reloads itself.", 1, minutes=1) in page
    assert '<meta http-equiv="refresh" content="60">' in page
    assert (failed.context["drawn"], again.context["failed"], 0 < ttl <= DASHBOARD_RETRY_SECONDS == 60) == (
        None, True, True)
    # Asked once at first, once more after the minute; not at the reloads between.
    assert published_tasks == ["xiangcheng.core.tasks.count_dashboard_figures"] * 2
    assert '<meta http-equiv="refresh" content="3">' in after.content.decode()


def test_when_a_new_count_fails_the_last_figures_are_shown_with_what_happened(admin_client, published_tasks,
                                                                                monkeypatch):
    december = {"first": "2026-12-01", "last": "2026-12-31"}
    with pinned():
        _ticket(MemberProfileFactory().user, 1)
        dashboard_count(period=DECEMBER, language="zh-hans")
    with time_machine.travel(NOW + timedelta(minutes=6), tick=False):
        admin_client.get(URL, december)  # no longer fresh: a new count is asked for
        _count_fails(monkeypatch)
        with pytest.raises(RuntimeError):
            dashboard_count(period=DECEMBER, language="zh-hans")
        stale = admin_client.get(URL, december)

    page = stale.content.decode()
    assert submitted(stale) == "1"
    assert zh_n("Counted at %(at)s. A new count failed just now; it is tried again in %(minutes)s minute, "
                "when the page is reloaded.",
                "Counted at %(at)s. A new count failed just now; it is tried again in %(minutes)s minutes, "
                "when the page is reloaded.", 1, at="2027-01-01 00:20", minutes=1) in page
    assert "http-equiv=\"refresh\"" not in page
    assert published_tasks == ["xiangcheng.core.tasks.count_dashboard_figures"]


def test_figures_no_longer_fresh_are_shown_while_a_new_count_is_on_its_way(admin_client, published_tasks):
    december = {"first": "2026-12-01", "last": "2026-12-31"}
    with pinned():
        member = MemberProfileFactory().user
        _ticket(member, 1)
        dashboard_count(period=DECEMBER, language="zh-hans")
        _ticket(member, 2)
    with time_machine.travel(NOW + timedelta(minutes=6), tick=False):
        stale = admin_client.get(URL, december)
        again = admin_client.get(URL, december)

    page = stale.content.decode()
    assert (submitted(stale), submitted(again)) == ("1", "1")
    assert zh("Counted at %(at)s. A new count is on its way: reload the page in a moment to see it.",
              at="2027-01-01 00:20") in page
    assert "http-equiv=\"refresh\"" not in page
    assert published_tasks == ["xiangcheng.core.tasks.count_dashboard_figures"]


def test_a_count_kept_by_the_release_before_a_deploy_is_not_shown_by_the_next(admin_client, monkeypatch,
                                                                               published_tasks):
    from xiangcheng.core import fragments

    december = {"first": "2026-12-01", "last": "2026-12-31"}
    with pinned():
        monkeypatch.setattr(fragments, "release", lambda: "before")
        dashboard_count(period=DECEMBER, language="zh-hans")
        before = admin_client.get(URL, december)
        monkeypatch.setattr(fragments, "release", lambda: "after")
        after = admin_client.get(URL, december)

    assert (before.context["drawn"] is not None, after.context["drawn"]) == (True, None)
    assert published_tasks == ["xiangcheng.core.tasks.count_dashboard_figures"]


@pytest.mark.django_db(transaction=True)
def test_the_real_worker_counts_the_period_and_the_page_then_shows_it(client, staff_in_group, workers):
    worker = workers("figures", pool="solo", concurrency=1, queues=("reports",))
    client.force_login(staff_in_group("guanli", ADMINISTRATOR.name))
    _ticket(MemberProfileFactory().user, 1)
    december = {"first": "2026-12-01", "last": "2026-12-31"}

    first = client.get(URL, december)
    # Reloads while it counts may be served kept (no template context): the page itself is read.
    shown = worker.wait_for(lambda: 'class="dashboard-area"' in (page := client.get(URL, december)).content.decode()
                            and page, timeout=60, what="the dashboard's figures counted by the worker")

    assert '<meta http-equiv="refresh" content="3">' in first.content.decode()
    assert submitted(shown) == "1"
    assert len(re.findall(r'<section class="dashboard-area"', shown.content.decode())) == len(figure_sources())


def test_a_reversed_period_keeps_what_she_typed_and_says_why(admin_client):
    response = admin_client.get(URL, {"first": "2026-12-31", "last": "2026-12-01"})

    page = response.content.decode()
    assert response.status_code == 200
    assert zh("The last day is before the first day.") in page
    assert ('value="2026-12-31"' in page, 'value="2026-12-01"' in page) == (True, True)
    assert response.context["drawn"] is None


def test_a_date_that_is_not_a_date_is_a_form_error_not_a_500(admin_client):
    response = admin_client.get(URL, {"first": "2026-13-45", "last": "x"})

    assert response.status_code == 200
    assert sorted(response.context["form"].errors) == ["first", "last"]
    assert 'value="2026-13-45"' in response.content.decode()


# --- queries ----------------------------------------------------------------------------------

def _activity(n: int, *, start: int = 0) -> None:
    """``n`` members, events with a registration each, and tickets, all in December."""
    for i in range(start, start + n):
        profile = MemberProfileFactory()
        event = EventFactory(starts_at=FIRST + timedelta(hours=i), registration_opens_at=FIRST - timedelta(days=5),
                             registration_closes_at=FIRST - timedelta(hours=1),
                             cancellation_deadline=FIRST - timedelta(days=1))
        RegistrationFactory(event=event, user=profile.user, status=RegistrationStatus.CONFIRMED)
        Ticket.objects.create(reference=f"JG-2026-{i + 1:06d}", year=2026, number=i + 1, member=profile.user,
                              category=Category.FINANCE, subject="贴息", description="说明", due_at=NOW)


def _queries(client) -> int:
    with translation.override("zh-hans"):
        cache.delete(dashboard_key(DECEMBER))  # the figures are counted, not read from the last count
    with CaptureQueriesContext(connection) as queries:
        response = client.get(URL, {"first": "2026-12-01", "last": "2026-12-31"})
    assert response.status_code == 200
    return len(queries.captured_queries)


def test_the_dashboard_runs_the_same_queries_for_5_rows_and_for_50(admin_client):
    with pinned():
        _activity(5)
        few = _queries(admin_client)
        _activity(45, start=5)
        many = _queries(admin_client)

    assert few == many


# --- the charts -------------------------------------------------------------------------------

def test_a_bar_chart_draws_each_item_in_proportion_with_its_label_and_number():
    svg = str(bars([("苏州", 4), ("上海", 2), ("<b>", 0)], title="城市"))

    assert re.findall(r'class="chart-bar" x="0" y="[\d.]+" width="([\d.]+)"', svg) == ["340.0", "170.0", "0.0"]
    assert re.findall(r'class="chart-label" x="0" y="[\d.]+">([^<]*)<', svg) == ["苏州", "上海", "&lt;b&gt;"]
    assert re.findall(r'class="chart-value"[^>]*>([^<]*)<', svg) == ["4", "2", "0"]
    assert 'viewBox="0 0 340 108"' in svg and "<title>城市</title>" in svg


def test_a_column_chart_labels_at_most_six_months_and_numbers_only_while_there_is_room():
    months = [(f"2026-{m:02d}", m) for m in range(1, 13)]
    many = [(f"m{i}", i) for i in range(30)]

    year = str(columns(months, title="每月"))
    long = str(columns(many, title="每月"))

    assert re.findall(r'class="chart-label"[^>]*>([^<]*)<', year) == [
        "2026-01", "2026-03", "2026-05", "2026-07", "2026-09", "2026-11"]
    assert len(re.findall(r'class="chart-value"', year)) == 12
    assert (len(re.findall(r'class="chart-bar"', long)), len(re.findall(r'class="chart-value"', long)),
            len(re.findall(r'class="chart-label"', long))) == (30, 0, 6)
