"""The daily digest: each agent gets her open and overdue tickets, supervisors the unassigned."""

from .inbox import agents, supervisors
from .models import OPEN_STATUSES, Ticket
from .notices import notify_digest


def digest_send() -> int:
    """Queue today's digests for whoever has tickets to see. Returns how many were queued."""
    open_tickets = list(Ticket.objects.filter(status__in=OPEN_STATUSES).values_list("assignee_id", flat=True))
    queued = 0
    for agent in agents():
        if agent.pk in open_tickets:
            notify_digest(recipient=agent, audience="agent")
            queued += 1
    if None in open_tickets:
        for supervisor in supervisors():
            notify_digest(recipient=supervisor, audience="supervisor")
            queued += 1
    return queued
