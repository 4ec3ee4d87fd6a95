"""The staff dashboard kept rendered for her (``kept_page``): served again while her reports and
the figures it shows stay as they were; a new count or a report of hers renders it again, and a
page still waiting for its first count is never kept. Transactional: a page is kept only outside
a transaction."""

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


def test_a_page_waiting_for_its_first_count_is_never_kept(admin_client, published_tasks):
    with pinned():
        pages = [admin_client.get(URL, ASKED) for _ in range(3)]

    assert [(kept(page), zh(COUNTING) in page.content.decode()) for page in pages] == [(False, True)] * 3
    assert published_tasks == ["xiangcheng.core.tasks.count_dashboard_figures"]


def test_her_kept_dashboard_is_never_served_to_another_administrator(admin_client, administrator, staff_in_group):
    other = Client()
    other.force_login(staff_in_group("another", ADMINISTRATOR.name))
    with pinned():
        DashboardReport.objects.create(requested_by=administrator, first_day=DECEMBER.first, last_day=DECEMBER.last)
        dashboard_count(period=DECEMBER, language="zh-hans")
        assert kept(warmed(admin_client))
        theirs = other.get(URL, ASKED)

    assert (kept(theirs), zh(REPORTS) in theirs.content.decode()) == (False, False)
