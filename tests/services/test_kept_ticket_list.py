"""Staff change lists kept rendered (xiangcheng/core/kept_changelists.py), on the inbox's tickets: served again only while
no table they read was written, each time with her own CSRF token, never with a message for her,
never with rows a writer in flight had not committed, and not past the moment a ticket turns
overdue."""

import re
from datetime import timedelta

import psycopg
import pytest
from django.contrib import admin
from django.contrib.auth.models import Group
from django.db import connection
from django.test import Client, RequestFactory
from django.urls import reverse
from django.utils import timezone

from services.admin import TicketAdmin
from services.models import Category, Ticket, TicketStatus
from tests.factories import AGENT_GROUP
from tests.worker_support import wait_until
from xiangcheng.core import table_versions
from xiangcheng.core.kept_changelists import KEPT_SECONDS, KeptChangeListMixin

pytestmark = pytest.mark.django_db(transaction=True)

URL = "/admin/services/ticket/"
TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def _ticket(member, number: int, *, subject: str, due_in: timedelta = timedelta(days=3), assignee=None) -> Ticket:
    year = timezone.localdate().year
    return Ticket.objects.create(reference=f"GJ{year}{number:05d}", year=year, number=number, member=member,
                                 category=Category.FINANCE, subject=subject, description="说明",
                                 due_at=timezone.now() + due_in, status=TicketStatus.NEW, assignee=assignee)


@pytest.fixture
def agent_client(agent):
    """Her browser, whose every POST must carry the CSRF token of a page she was served."""
    client = Client(enforce_csrf_checks=True)
    client.force_login(agent)
    return client


def kept(response) -> bool:
    """Served from the cache: a plain response, not the admin's template response."""
    return response.status_code == 200 and not hasattr(response, "context_data")


def warmed(client, url: str = URL, *, rendered: list | None = None):
    """The list rendered twice (the first tells which tables it reads, the second is kept), then
    asked for a third time. ``rendered`` receives the second rendering."""
    for _ in range(2):
        response = client.get(url)
        assert response.status_code == 200
        assert not kept(response)
    if rendered is not None:
        rendered.append(response)
    return client.get(url)


# Long enough for a page to be rendered and kept three times on a busy machine before it.
DUE_SOON = timedelta(seconds=6)


def shown_overdue(client, ticket: Ticket):
    """Ask for the whole queue until it shows the ticket overdue, and return that page; fail if it
    still does not a moment after the ticket's due time (the cache's entries expire by Redis's
    clock, so this waits in real time). A page kept past the due time fails here."""
    def page():
        response = client.get(URL)
        return response if 'class="overdue"' in response.content.decode() else None

    seconds = max(0.0, (ticket.due_at - timezone.now()).total_seconds()) + 3
    return wait_until(page, timeout=seconds, what=f"ticket {ticket.reference} shown overdue")


def without_tokens(html: bytes) -> str:
    return TOKEN.sub("", html.decode())


def test_a_list_is_served_kept_as_it_was_rendered_until_its_rows_change(agent_client, member):
    ticket = _ticket(member, 1, subject="初创企业贷款咨询")
    rendered = []
    response = warmed(agent_client, rendered=rendered)

    assert kept(response)
    assert without_tokens(response.content) == without_tokens(rendered[0].content)
    assert "初创企业贷款咨询" in agent_client.get(URL).content.decode()

    Ticket.objects.filter(pk=ticket.pk).update(subject="孵化器场地咨询")
    changed = agent_client.get(URL)
    assert not kept(changed)
    assert "孵化器场地咨询" in changed.content.decode()
    assert "初创企业贷款咨询" not in changed.content.decode()


def test_a_change_to_a_related_row_shown_in_the_list_is_a_new_page(agent_client, member, agent):
    _ticket(member, 1, subject="初创企业贷款咨询", assignee=agent)
    assert kept(warmed(agent_client))

    type(agent).objects.filter(pk=agent.pk).update(email="kefu.new@fulian.example.cn")
    response = agent_client.get(URL)
    assert not kept(response)
    assert "kefu.new@fulian.example.cn" in response.content.decode()


def test_permissions_taken_away_are_never_answered_with_the_kept_page(agent_client, member, agent):
    _ticket(member, 1, subject="初创企业贷款咨询")
    assert kept(warmed(agent_client))

    agent.groups.remove(Group.objects.get(name=AGENT_GROUP))
    response = agent_client.get(URL)
    assert response.status_code == 403


def test_each_served_page_carries_her_own_token_which_the_actions_accept(agent_client, member):
    ticket = _ticket(member, 1, subject="初创企业贷款咨询")
    response = warmed(agent_client)
    assert kept(response)
    tokens = TOKEN.findall(response.content.decode())
    assert tokens and "\x00" not in response.content.decode()

    posted = agent_client.post(URL, {"action": "assign_to_me", "_selected_action": [ticket.pk],
                                     "csrfmiddlewaretoken": tokens[0]})
    assert posted.status_code == 302
    ticket.refresh_from_db()
    assert ticket.assignee is not None


def test_a_message_for_her_is_shown_not_a_kept_page(agent_client, member):
    _ticket(member, 1, subject="初创企业贷款咨询")
    response = warmed(agent_client)
    assert kept(response)

    # An action without a selection writes nothing and leaves her a message.
    token = TOKEN.findall(response.content.decode())[0]
    posted = agent_client.post(URL, {"action": "assign_to_me", "index": 0, "csrfmiddlewaretoken": token})
    assert posted.status_code == 302
    shown = agent_client.get(URL)
    assert not kept(shown)
    assert "条目必须选中以对其进行操作。没有任何条目被更改。" in shown.content.decode()
    assert kept(agent_client.get(URL))  # once read, the message is gone and the page kept again


def _uncommitted_subject(ticket: Ticket, subject: str) -> psycopg.Connection:
    """Another connection's transaction that renamed the ticket and has not committed."""
    writer = psycopg.connect(**connection.get_connection_params())
    writer.execute("UPDATE services_ticket SET subject = %s WHERE id = %s", [subject, ticket.pk])
    return writer


@pytest.mark.parametrize("checked", [True, False])
def test_a_writer_in_flight_keeps_nothing_until_it_commits(agent_client, member, checked, monkeypatch):
    """With the writers' locks ignored, the page rendered while the rename was in flight is kept
    under the version the rename had already moved, and served stale after it commits."""
    monkeypatch.setattr(table_versions, "WRITERS_CHECKED", checked)
    ticket = _ticket(member, 1, subject="初创企业贷款咨询")
    assert kept(warmed(agent_client))

    writer = _uncommitted_subject(ticket, "孵化器场地咨询")
    try:
        during = agent_client.get(URL)
        assert "初创企业贷款咨询" in during.content.decode()  # not committed: not shown
        writer.commit()
    finally:
        writer.close()
    after = agent_client.get(URL).content.decode()

    if checked:
        assert "孵化器场地咨询" in after and "初创企业贷款咨询" not in after
    else:
        assert "初创企业贷款咨询" in after and "孵化器场地咨询" not in after


def test_a_page_is_kept_no_longer_than_until_a_ticket_turns_overdue(agent_client, member):
    ticket = _ticket(member, 1, subject="初创企业贷款咨询", due_in=DUE_SOON)
    response = warmed(agent_client)
    assert kept(response)
    assert 'class="overdue"' not in response.content.decode()

    shown = shown_overdue(agent_client, ticket)
    assert not kept(shown)
    assert 'class="overdue"' in shown.content.decode()


def _kept_seconds(query: dict, started, shown=None) -> float:
    request = RequestFactory().get(URL, query)
    if shown is not None:
        request.tickets_shown = shown
    return TicketAdmin(Ticket, admin.site).kept_seconds(request, started)


def test_the_ticket_lists_time_is_the_next_of_its_own_tickets_turning_overdue(member):
    """Or of any ticket when the list is filtered by "overdue": one then joins or leaves it."""
    started = timezone.now()
    assert _kept_seconds({}, started) == KEPT_SECONDS  # no ticket at all
    late = _ticket(member, 1, subject="已逾期", due_in=timedelta(seconds=-5))
    soon = _ticket(member, 2, subject="稍后", due_in=timedelta(seconds=40))
    later = _ticket(member, 3, subject="更晚", due_in=timedelta(seconds=50))
    Ticket.objects.filter(number=2).update(due_at=started + timedelta(seconds=40))
    Ticket.objects.filter(number=3).update(due_at=started + timedelta(seconds=50))
    soon.refresh_from_db()
    later.refresh_from_db()

    assert _kept_seconds({}, started, shown=[late, soon, later]) == 40
    assert _kept_seconds({}, started, shown=[late, later]) == 50
    assert _kept_seconds({}, started, shown=[late]) == KEPT_SECONDS
    assert _kept_seconds({"overdue": "yes"}, started, shown=[late]) == 40
    assert _kept_seconds({"overdue": "no"}, started, shown=[later]) == 40
    Ticket.objects.filter(number=2).update(status=TicketStatus.CLOSED)
    soon.refresh_from_db()
    assert _kept_seconds({}, started, shown=[late, soon, later]) == 50
    assert _kept_seconds({"overdue": "yes"}, started, shown=[late]) == 50


def test_a_ticket_turning_overdue_off_the_page_leaves_it_kept(agent_client, member):
    shown = _ticket(member, 1, subject="初创企业贷款咨询", due_in=timedelta(days=3))
    Ticket.objects.filter(pk=shown.pk).update(category=Category.POLICY)
    other = _ticket(member, 2, subject="孵化器场地咨询", due_in=DUE_SOON)  # another category
    url = f"{URL}?category__exact={Category.POLICY}"
    assert kept(warmed(agent_client, url))
    assert kept(warmed(agent_client))  # the whole queue, which shows the other ticket

    whole = shown_overdue(agent_client, other)
    assert not kept(whole)  # kept only until the other ticket turned overdue
    assert 'class="overdue"' in whole.content.decode()
    assert kept(agent_client.get(url))


def test_every_kept_change_list_is_kept_once_rendered_twice(django_user_model, member):
    """Every table each list reads has its version: none would be kept otherwise."""
    client = Client()
    client.force_login(django_user_model.objects.create_superuser("root", "root@example.com", "x" * 20))
    _ticket(member, 1, subject="初创企业贷款咨询")
    lists = [model for model, model_admin in admin.site._registry.items()
             if isinstance(model_admin, KeptChangeListMixin)]
    assert len(lists) >= 19
    for model in lists:
        url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
        assert kept(warmed(client, url)), model._meta.label


def test_every_table_of_the_project_has_its_version():
    """All but the one Django keeps for its migrations, which no page reads."""
    with connection.cursor() as cursor:
        cursor.execute("""SELECT c.relname FROM pg_class c WHERE c.relkind = 'r'
                          AND c.relnamespace = 'public'::regnamespace
                          AND NOT EXISTS (SELECT FROM pg_trigger t WHERE t.tgrelid = c.oid
                                          AND t.tgname = 'core_table_changed')""")
        assert [name for (name,) in cursor.fetchall()] == ["django_migrations"]


def test_a_table_without_its_sequence_is_written_all_the_same_and_migrate_gives_it_back(agent_client, member):
    """As after a restore into a new cluster (new oids): writes go on, nothing read from the table
    is kept, and the next migrate's install gives the table its sequence again."""
    _ticket(member, 1, subject="初创企业贷款咨询")
    assert kept(warmed(agent_client))
    with connection.cursor() as cursor:
        cursor.execute("SELECT 'services_ticket'::regclass::oid::bigint")
        sequence = f"core_tv_{cursor.fetchone()[0]}"
        old_oid, old_version = table_versions.current(frozenset({"services_ticket"}))
        assert old_version > 0
        cursor.execute(f"DROP SEQUENCE {sequence}")

    Ticket.objects.filter(number=1).update(subject="孵化器场地咨询")
    assert table_versions.current(frozenset({"services_ticket"})) is None
    shown = agent_client.get(URL)
    assert not kept(shown) and "孵化器场地咨询" in shown.content.decode()
    assert not kept(agent_client.get(URL))

    table_versions.versions_install()
    oid, version = table_versions.current(frozenset({"services_ticket"}))
    assert version == 0 and oid != old_oid  # a new sequence: no version of it meets an old one
    assert not kept(agent_client.get(URL))
    assert kept(agent_client.get(URL))
