"""The ticket's history, read from the audit trail: on its admin page, and carried over from the
TicketChange rows it replaced."""

import importlib
from datetime import timedelta

import pgtrigger
import pytest
import time_machine
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.urls import reverse
from django.utils import timezone

from services import inbox
from services.history import Step, ticket_history
from services.models import Category, Contact, Priority, Ticket, TicketMessage, TicketStatus
from tests.helpers import audit_history, zh

from .helpers import reference, submit

pytestmark = pytest.mark.django_db

S = TicketStatus
replay = importlib.import_module("services.migrations.0007_ticket_history_into_audit_trail")
BEFORE_REMOVAL = ("services", "0007_ticket_history_into_audit_trail")
REMOVED = ("services", "0008_delete_ticketchange")


def test_the_ticket_page_shows_every_step_readably(agent_client, member, agent, colleague):
    ticket = submit(member)
    inbox.ticket_assign(ticket=ticket, assignee=colleague, actor=agent)
    inbox.ticket_set_priority(ticket=ticket, priority=Priority.HIGH, actor=agent)
    inbox.ticket_reply(ticket=ticket, author=colleague, body="您好，请带营业执照到科技局办理。")
    inbox.ticket_reply(ticket=ticket, author=colleague, body="需要先确认。", internal=True)
    inbox.ticket_set_status(ticket=ticket, status=S.AWAITING_INFO, actor=colleague)
    inbox.ticket_member_reply(ticket=ticket, member=member, body="营业执照已上传。")
    inbox.ticket_close(ticket=ticket, member=member)
    inbox.ticket_rate(ticket=ticket, member=member, rating=4)

    rows = audit_history(agent_client.get(reverse("admin:services_ticket_change", args=[ticket.pk])))

    status = zh("status")
    assert [row[1:4] for row in rows] == [
        [member.email, zh("Submitted"), ""],
        [agent.email, zh("Status changed"), f'{status}: {zh("New")} → {zh("Accepted")}'],
        [agent.email, zh("Assigned"), f'{zh("assigned to")}: — → {colleague.email}'],
        [agent.email, zh("Priority changed"), f'{zh("priority")}: {zh("Normal")} → {zh("High")}'],
        [colleague.email, zh("Replied"), ""],
        [colleague.email, zh("Status changed"), f'{status}: {zh("Accepted")} → {zh("Answered")}'],
        [colleague.email, zh("Internal note"), ""],
        [colleague.email, zh("Status changed"),
         f'{status}: {zh("Answered")} → {zh("Waiting for more information")}'],
        [member.email, zh("Member replied"), ""],
        [member.email, zh("Status changed"),
         f'{status}: {zh("Waiting for more information")} → {zh("In progress")}'],
        [member.email, zh("Closed"), f'{status}: {zh("In progress")} → {zh("Closed")}'],
        [member.email, zh("Rated"), f'{zh("rating")}: — → 4'],
    ]
    assert [row[0] for row in rows] == [
        timezone.localtime(s.at).strftime("%Y-%m-%d %H:%M:%S") for s in ticket_history(ticket)]


def test_staff_closing_is_a_status_change_and_her_reopening_is_a_reopening(member, agent):
    ticket = submit(member)
    inbox.ticket_set_status(ticket=ticket, status=S.CLOSED, actor=agent)
    inbox.ticket_reopen(ticket=ticket, member=member)

    assert [(s.step, s.actor.username, s.old, s.new) for s in ticket_history(ticket)] == [
        (Step.SUBMITTED, "linxiaowen", "", ticket.reference),
        (Step.STATUS, "kefu", S.NEW, S.CLOSED),
        (Step.REOPENED, "linxiaowen", S.CLOSED, S.IN_PROGRESS),
    ]


def test_a_change_made_outside_the_inbox_is_in_the_history_too(member):
    ticket = submit(member)
    Ticket.objects.filter(pk=ticket.pk).update(priority=Priority.URGENT)  # e.g. a fix in the shell

    last = ticket_history(ticket)[-1]
    assert (last.step, last.actor, last.old, last.new) == (Step.PRIORITY, None, Priority.NORMAL, Priority.URGENT)


# --- the TicketChange rows it replaced ------------------------------------------------------------

def remove_ticketchange() -> None:
    """Apply the migration that drops the model, in this test's transaction."""
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # the rows inserted above are checked now
    MigrationExecutor(connection).migrate([REMOVED])


def test_the_old_ticket_history_is_carried_into_the_trail_step_for_step(member, agent, colleague):
    """A ticket whose history was written as TicketChange rows reads the same from the audit trail
    once the data migration has run and the model is gone."""
    executor = MigrationExecutor(connection)
    executor.migrate([BEFORE_REMOVAL])  # the TicketChange table is back, empty
    old = executor.loader.project_state(BEFORE_REMOVAL).apps
    TicketChange = old.get_model("services", "TicketChange")
    start = timezone.now() - timedelta(days=3)
    ref = reference(7, year=timezone.localtime(start).year)  # the year it was submitted in

    def at(minutes: int):
        return time_machine.travel(start + timedelta(minutes=minutes), tick=False)

    # The world before the audit trail: the rows and their TicketChange history, no audit events.
    with pgtrigger.ignore("services.Ticket:created_insert", "services.TicketMessage:created_insert"):
        with at(0):
            ticket = Ticket.objects.create(
                reference=ref, year=timezone.localtime(start).year, number=7, member=member, category=Category.FINANCE,
                subject="贷款贴息", description="想了解政策。", preferred_contact=Contact.SITE, due_at=start)
        with at(20):
            TicketMessage.objects.create(ticket=ticket, author=colleague, body="请补充材料。", from_staff=True)
        with at(30):
            TicketMessage.objects.create(ticket=ticket, author=colleague, body="内部备注", from_staff=True,
                                         internal=True)
    with pgtrigger.ignore():
        Ticket.objects.filter(pk=ticket.pk).update(status=S.CLOSED, assignee=colleague, priority=Priority.HIGH,
                                                   rating=5, closed_at=start + timedelta(minutes=50))
    steps = [
        (0, member, "submitted", "", ref),
        (10, agent, "status", S.NEW, S.ACCEPTED),
        (10, agent, "assigned", "", colleague.email),
        (15, agent, "priority", Priority.NORMAL, Priority.HIGH),
        (20, colleague, "replied", "", ""),
        (21, colleague, "status", S.ACCEPTED, S.ANSWERED),
        (30, colleague, "note", "", ""),
        (50, member, "closed", S.ANSWERED, S.CLOSED),
        (55, member, "rated", "", "5"),
    ]
    for minutes, actor, action, old_value, new_value in steps:
        with at(minutes):
            TicketChange.objects.create(ticket_id=ticket.pk, actor_id=actor.pk, action=action,
                                        old_value=old_value, new_value=new_value)

    replay.history_into_audit_trail(old, None)
    remove_ticketchange()  # the model goes

    assert [(s.step, s.actor.username, s.old, s.new) for s in ticket_history(ticket)] == [
        (action, actor.username, old_value, new_value) for _, actor, action, old_value, new_value in steps]
    assert [s.at for s in ticket_history(ticket)] == [
        start + timedelta(minutes=minutes) for minutes, *_ in steps]
    assert "services_ticketchange" not in connection.introspection.table_names()


def test_a_ticket_changed_outside_its_old_history_ends_at_its_present_state(member, agent):
    executor = MigrationExecutor(connection)
    executor.migrate([BEFORE_REMOVAL])
    old = executor.loader.project_state(BEFORE_REMOVAL).apps
    TicketChange = old.get_model("services", "TicketChange")
    with pgtrigger.ignore():
        ticket = submit(member)
        TicketChange.objects.create(ticket_id=ticket.pk, actor_id=member.pk, action="submitted",
                                    new_value=ticket.reference)
        Ticket.objects.filter(pk=ticket.pk).update(priority=Priority.URGENT)  # never recorded

    replay.history_into_audit_trail(old, None)
    remove_ticketchange()

    assert [(s.step, s.old, s.new) for s in ticket_history(ticket)] == [
        (Step.SUBMITTED, "", ticket.reference), (Step.PRIORITY, Priority.NORMAL, Priority.URGENT)]
