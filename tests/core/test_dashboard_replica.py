"""The dashboard reads its figures from the reports' database: with a replica configured, every
figure query goes there and none to the primary. The test settings' ``replica`` alias is a second,
read-only connection to the test database (tests/core/test_replica.py)."""

import pytest
from django.db import connections
from django.test.utils import CaptureQueriesContext

from tests.factories import StaffFactory
from xiangcheng.core.roles import ADMINISTRATOR

pytestmark = pytest.mark.django_db(transaction=True, databases=["default", "replica"])

# members 3, events 3, inbox 1, organisations 1, enterprise 4, 遇见 2, calls 3.
FIGURE_QUERIES = 17
FIGURE_TABLES = ("members_memberprofile", "members_accounterasure", "members_organisation", "events_event", "events_registration",
                 "services_ticket", "services_servicerequest", "services_requestresponse", "services_job",
                 "services_application", "matching_matchprofile", "matching_introduction", "services_call")


@pytest.fixture(autouse=True)
def reports_on_the_replica(settings):
    settings.REPORTS_DATABASE = "replica"
    yield
    connections["replica"].close()
    connections["replica"].close_pool()


def test_every_figure_is_read_from_the_replica_and_none_from_the_primary(client):
    client.force_login(StaffFactory(username="guanli", groups=[ADMINISTRATOR.name]))

    with CaptureQueriesContext(connections["default"]) as primary, \
            CaptureQueriesContext(connections["replica"]) as replica:
        response = client.get("/admin/dashboard/", {"first": "2026-12-01", "last": "2026-12-31"})

    assert response.status_code == 200
    assert len(replica.captured_queries) == FIGURE_QUERIES
    # The primary answers the session, her permissions, her unread messages and her reports; no figure.
    def figures(captured) -> list[str]:
        return [q["sql"] for q in captured.captured_queries
                if "COUNT(" in q["sql"] and any(f'FROM "{t}"' in q["sql"] for t in FIGURE_TABLES)]

    assert figures(primary) == []
    assert len(replica.captured_queries) == FIGURE_QUERIES  # every figure query, and nothing else
