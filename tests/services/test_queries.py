"""List pages run the same number of queries at 5 rows as at 50."""

from datetime import timedelta

import pytest
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from services.models import Category, Ticket, TicketStatus
from tests.helpers import queries_for

from .helpers import reference

pytestmark = pytest.mark.django_db


def _tickets(member, n: int, *, start: int = 1, assignees=()) -> None:
    """``n`` tickets for her, written directly (the hourly limit is not what is measured here)."""
    now = timezone.now()
    year = timezone.localdate().year
    statuses = list(TicketStatus)
    Ticket.objects.bulk_create([
        Ticket(reference=reference(i, year), year=year, number=i, member=member, category=list(Category)[i % 8],
               subject=f"问题{i}", description="说明", due_at=now + timedelta(days=(i % 5) - 2),
               status=statuses[i % len(statuses)], assignee=assignees[i % len(assignees)] if assignees else None)
        for i in range(start, start + n)
    ])


def test_her_list_of_tickets(member_client, member):
    url = reverse("services:tickets")
    _tickets(member, 5)
    at_5 = queries_for(member_client, url)
    _tickets(member, 45, start=6)
    at_50 = queries_for(member_client, url)

    assert at_50 == at_5


def test_the_admin_queue(agent_client, member, agent, colleague):
    url = reverse("admin:services_ticket_changelist")
    views = [{}, {"q": "问题"}, {"status__exact": TicketStatus.NEW}, {"assignee__id__exact": agent.pk}]

    def counts() -> list[int]:
        result = []
        for params in views:
            cache.clear()  # the statistics computed …
            result.append(queries_for(agent_client, url, params))
            result.append(queries_for(agent_client, url, params))  # … and read from the cache
        return result

    _tickets(member, 5, assignees=[agent, colleague])
    at_5 = counts()
    _tickets(member, 45, start=6, assignees=[agent, colleague])
    at_50 = counts()

    assert at_50 == at_5
