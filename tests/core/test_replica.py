"""The read replica: the inbox statistics read it, and nothing that decides — sign-ups, the inbox,
logging in — ever does. The test settings configure the ``replica`` alias as a TEST MIRROR: a
second, read-only connection to the test database, so the queries of each connection can be
told apart. Rows are committed (transactional tests), as a replica only sees committed rows."""

import json
import subprocess
import sys
from contextlib import contextmanager
from pathlib import Path

import pytest
from django.db import InternalError, connections
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from events.models import Registration, RegistrationStatus
from services.inbox import ticket_submit
from services.models import Category, Contact, Ticket, TicketStatus
from services.stats import inbox_stats
from tests.events.factories import EventFactory
from tests.factories import AGENT_GROUP, PASSWORD, MemberProfileFactory
from tests.helpers import production_environment

ROOT = Path(__file__).resolve().parent.parent.parent

pytestmark = pytest.mark.django_db(transaction=True, databases=["default", "replica"])


@pytest.fixture(autouse=True)
def reports_on_the_replica(settings):
    """What DATABASE_REPLICA_URL sets in production. The replica's pool is closed afterwards:
    the test database is dropped at the end of the run, which open connections would prevent."""
    settings.REPORTS_DATABASE = "replica"
    yield
    connections["replica"].close()
    connections["replica"].close_pool()


@contextmanager
def queries_per_connection():
    """``with queries_per_connection() as (primary, replica)``: the SQL each connection ran."""
    with CaptureQueriesContext(connections["default"]) as primary, \
            CaptureQueriesContext(connections["replica"]) as replica:
        yield primary, replica


def sql(captured) -> list[str]:
    return [query["sql"] for query in captured.captured_queries]


@pytest.fixture
def member():
    return MemberProfileFactory(real_name="林晓雯").user


def submit(member, category=Category.FINANCE) -> Ticket:
    return ticket_submit(member=member, category=category, subject="贷款贴息", description="想了解贴息政策。",
                         preferred_contact=Contact.SITE)


def test_the_inbox_statistics_read_the_replica_alone(member):
    submit(member, Category.FINANCE)
    closed = submit(member, Category.POLICY)
    Ticket.objects.filter(pk=closed.pk).update(status=TicketStatus.CLOSED, rating=4)

    with queries_per_connection() as (primary, replica):
        stats = inbox_stats()

    assert (len(sql(replica)), sql(primary)) == (1, [])
    assert all('FROM "services_ticket"' in query for query in sql(replica))
    # The replica sees every committed row.
    assert (stats.total, stats.average_rating) == (2, 4.0)
    assert dict(stats.open_by_category)[str(Category.FINANCE.label)] == 1


def test_the_staff_ticket_list_takes_only_its_statistics_from_the_replica(client, member, staff_in_group):
    submit(member)
    client.force_login(staff_in_group("kefu", AGENT_GROUP))

    with queries_per_connection() as (primary, replica):
        response = client.get(reverse("admin:services_ticket_changelist"))

    assert response.status_code == 200
    assert response.context["inbox_stats"].total == 1
    assert len(sql(replica)) == 1  # the one statistics query …
    assert any('FROM "members_user"' in query for query in sql(primary))  # … and the rest on the primary
    assert any('FROM "services_ticket"' in query for query in sql(primary))


def test_a_sign_up_never_touches_the_replica(client, member):
    event = EventFactory(capacity=1)
    client.force_login(member)

    with queries_per_connection() as (primary, replica):
        response = client.post(reverse("events:sign_up", args=[event.pk]))

    assert response.status_code == 302
    assert Registration.objects.get().status == RegistrationStatus.CONFIRMED
    assert any("FOR UPDATE" in query for query in sql(primary))  # the seat decided under the event's lock
    assert sql(replica) == []


def test_submitting_to_the_inbox_and_logging_in_never_touch_the_replica(client, member):
    with queries_per_connection() as (primary, replica):
        login = client.post(reverse("account_login"), {"login": member.email, "password": PASSWORD})
        submitted = client.post(reverse("services:new"), {
            "category": Category.FINANCE, "subject": "贷款贴息", "description": "想了解贴息政策。",
            "preferred_contact": Contact.SITE})

    assert (login.status_code, submitted.status_code) == (302, 302)
    assert Ticket.objects.get().member == member
    assert sql(primary) != []
    assert sql(replica) == []


def test_a_row_read_from_the_replica_is_written_back_to_the_primary(member):
    submit(member)

    with queries_per_connection() as (primary, replica):
        ticket = Ticket.objects.using("replica").get()
        owner = ticket.member  # a related row: the router reads it from the primary
        ticket.subject = "贷款贴息（补充）"
        ticket.save(update_fields=["subject"])

    assert owner == member
    assert len(sql(replica)) == 1
    assert [query.split(" ", 1)[0] for query in sql(primary)] == ["SELECT", "UPDATE"]
    assert Ticket.objects.get().subject == "贷款贴息（补充）"


def test_the_replica_connection_refuses_to_write(member):
    submit(member)

    with pytest.raises(InternalError, match="read-only transaction"), connections["replica"].cursor() as cursor:
        cursor.execute("UPDATE services_ticket SET subject = 'x'")

    assert Ticket.objects.get().subject == "贷款贴息"


# --- the setting -------------------------------------------------------------------------------

PROBE = ("import json; from django.conf import settings; from django.db import router; "
         "from services.models import Ticket; "
         "r = settings.DATABASES.get('replica', {}); "
         "print(json.dumps([sorted(settings.DATABASES), settings.REPORTS_DATABASE, r.get('HOST'), r.get('NAME'), "
         "r.get('OPTIONS', {}).get('options'), router.db_for_read(Ticket), router.allow_migrate('replica', 'services')]))")


@pytest.mark.parametrize(("replica_url", "expected"), [
    ("", [["default"], "default", None, None, None, "default", False]),
    ("postgresql://report@db-replica.example.cn/xiangcheng",
     [["default", "replica"], "replica", "db-replica.example.cn", "xiangcheng",
      "-c default_transaction_read_only=on", "default", False]),
], ids=["without", "with"])
@pytest.mark.django_db(databases=[])
def test_database_replica_url_defines_a_read_only_replica_alias_for_reports(replica_url, expected):
    env = {**production_environment(), "DJANGO_SETTINGS_MODULE": "xiangcheng.settings.production"}
    if replica_url:
        env["DATABASE_REPLICA_URL"] = replica_url
    result = subprocess.run([sys.executable, "manage.py", "shell", "--no-imports", "-c", PROBE], cwd=ROOT,
                            env=env, capture_output=True, text=True, timeout=120)

    assert (result.returncode, json.loads(result.stdout or "null")) == (0, expected), result.stderr


@pytest.fixture
def replica_down(tmp_path):
    """The replica's server does not answer: its connection points at a socket folder where
    nothing listens."""
    replica = connections["replica"]
    saved = replica.settings_dict
    replica.close()
    replica.close_pool()
    pool = {**saved["OPTIONS"]["pool"], "timeout": 1}
    replica.settings_dict = {**saved, "HOST": str(tmp_path), "OPTIONS": {**saved["OPTIONS"], "pool": pool}}
    yield
    replica.close()
    replica.close_pool()
    replica.settings_dict = saved


def test_with_the_replica_down_the_statistics_read_the_primary(member, replica_down, caplog):
    submit(member, Category.FINANCE)

    with CaptureQueriesContext(connections["default"]) as primary:
        stats = inbox_stats()

    assert stats.total == 1
    assert dict(stats.open_by_category)[str(Category.FINANCE.label)] == 1
    assert [q for q in sql(primary) if 'FROM "services_ticket"' in q] != []
    assert "the reports' replica 'replica' is unreachable; reading the primary" in caplog.text
