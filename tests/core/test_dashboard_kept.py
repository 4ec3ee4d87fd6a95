"""The staff dashboard kept rendered for her (``kept_page``): served again while her reports and
the figures it shows stay as they were; a new count or a report of hers renders it again. A page
still waiting for its first count is kept for her once for every period, its dates put in as it
is served. Transactional: a page is kept only outside a transaction."""

import re
from datetime import timedelta

import pytest
import time_machine
from django.test import Client
from django.utils import timezone

from tests.helpers import zh
from xiangcheng.core.figures import dashboard_count
from xiangcheng.core.models import DashboardReport
from xiangcheng.core.roles import ADMINISTRATOR

from .dashboard_support import DECEMBER, NOW, pinned

pytestmark = pytest.mark.django_db(transaction=True)

URL = "/admin/dashboard/"
ASKED = {"first": "2026-12-01", "last": "2026-12-31"}
COUNTING = "These figures are being counted. The page shows them by itself in a few seconds."
ON_ITS_WAY = "Counted at %(at)s. A new count is on its way: reload the page in a moment to see it."
REPORTS = "Your latest reports"
CSRF_TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def kept(response) -> bool:
    """Served from the cache: a plain response, not the view's template response."""
    return response.status_code == 200 and not hasattr(response, "context_data")


def warmed(client):
    """The dashboard rendered twice (the first tells which tables it reads, the second is kept),
    then asked for a third time."""
    for _ in range(2):
        response = client.get(URL, ASKED)
        assert (response.status_code, kept(response)) == (200, False)
    return client.get(URL, ASKED)


def shown_at(counted) -> str:
    return f"{timezone.localtime(counted.at):%Y-%m-%d %H:%M}"


@pytest.fixture
def administrator(staff_in_group):
    return staff_in_group("guanli", ADMINISTRATOR.name)


@pytest.fixture
def admin_client(administrator):
    client = Client()
    client.force_login(administrator)
    return client


def test_a_reload_is_served_kept_until_one_of_her_reports_is_written(admin_client, administrator):
    with pinned():
        dashboard_count(period=DECEMBER, language="zh-hans")
        third = warmed(admin_client)
        DashboardReport.objects.create(requested_by=administrator, first_day=DECEMBER.first, last_day=DECEMBER.last)
        after = admin_client.get(URL, ASKED)

    assert (kept(third), 'class="dashboard-area"' in third.content.decode()) == (True, True)
    assert zh(REPORTS) not in third.content.decode()
    assert (kept(after), zh(REPORTS) in after.content.decode()) == (False, True)


def test_a_new_count_replaces_the_kept_page_that_said_it_was_on_its_way(admin_client, published_tasks):
    with pinned():
        first = dashboard_count(period=DECEMBER, language="zh-hans")
    with time_machine.travel(NOW + timedelta(minutes=6), tick=False):
        stale = warmed(admin_client)  # no longer fresh: shown while a new count is asked for
        second = dashboard_count(period=DECEMBER, language="zh-hans")  # the worker's; no table is written
        counted = admin_client.get(URL, ASKED)

    assert (kept(stale), zh(ON_ITS_WAY, at=shown_at(first)) in stale.content.decode()) == (True, True)
    assert (kept(counted), zh(ON_ITS_WAY, at=shown_at(first)) in counted.content.decode()) == (False, False)
    assert shown_at(second) in counted.content.decode()
    assert published_tasks == ["xiangcheng.core.tasks.count_dashboard_figures"]


def period(first: str, last: str = "2026-12-31") -> dict[str, str]:
    return {"first": first, "last": last}


def dates_shown(response) -> list[str]:
    """The period as the page shows it: the form's two fields, the report form's hidden fields
    and the heading, in order."""
    html = response.content.decode()
    return [*re.findall(r'<input type="(?:date|hidden)" name="(?:first|last)" value="([^"]*)"', html),
            *re.findall(zh("Figures for %(first)s – %(last)s", first="([0-9-]+)", last="([0-9-]+)"), html)[0]]


def without_tokens(response) -> str:
    return CSRF_TOKEN.sub("", response.content.decode())


def test_a_page_waiting_for_its_first_count_is_kept_for_her_with_each_periods_own_dates(
        admin_client, published_tasks):
    asked = [period(f"2026-12-{day:02}") for day in (4, 1, 2, 4)]  # the first, still waiting, asked again
    with pinned():
        pages = [admin_client.get(URL, dates) for dates in asked]

    assert [(kept(page), zh(COUNTING) in page.content.decode()) for page in pages] == [
        (False, True), (False, True), (True, True), (True, True)]
    assert [dates_shown(page) for page in pages] == [[d["first"], d["last"]] * 3 for d in asked]
    # Served kept, the page is the one rendered for the period, but for her fresh CSRF token.
    assert without_tokens(pages[-1]) == without_tokens(pages[0])
    assert CSRF_TOKEN.search(pages[-1].content.decode()).group(1) not in ("\x00csrf\x00", "")
    assert published_tasks == ["xiangcheng.core.tasks.count_dashboard_figures"] * 3


def test_a_kept_waiting_page_is_rendered_again_once_she_has_a_new_report(admin_client, administrator,
                                                                        publish_to_redis):
    with pinned():
        third = [admin_client.get(URL, period(f"2026-12-{day:02}")) for day in (1, 2, 3)][-1]
        DashboardReport.objects.create(requested_by=administrator, first_day=DECEMBER.first, last_day=DECEMBER.last)
        after = admin_client.get(URL, period("2026-12-04"))

    assert (kept(third), zh(REPORTS) in third.content.decode()) == (True, False)
    assert (kept(after), zh(REPORTS) in after.content.decode(), zh(COUNTING) in after.content.decode()) == (
        False, True, True)


def test_a_period_typed_in_another_spelling_is_shown_as_typed_not_kept(admin_client, publish_to_redis):
    with pinned():
        for day in (1, 2, 3):
            admin_client.get(URL, period(f"2026-12-{day:02}"))
        typed = admin_client.get(URL, period("2026-12-5", "2026-12-31"))

    assert (kept(typed), dates_shown(typed)) == (False, ["2026-12-5", "2026-12-31", "2026-12-05", "2026-12-31",
                                                         "2026-12-05", "2026-12-31"])


def test_her_kept_dashboard_is_never_served_to_another_administrator(admin_client, administrator, staff_in_group):
    other = Client()
    other.force_login(staff_in_group("another", ADMINISTRATOR.name))
    with pinned():
        DashboardReport.objects.create(requested_by=administrator, first_day=DECEMBER.first, last_day=DECEMBER.last)
        dashboard_count(period=DECEMBER, language="zh-hans")
        assert kept(warmed(admin_client))
        theirs = other.get(URL, ASKED)

    assert (kept(theirs), zh(REPORTS) in theirs.content.decode()) == (False, False)
