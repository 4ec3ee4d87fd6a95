"""The daily digest: each agent gets her open and overdue tickets, supervisors the unassigned."""

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from members.models import User

from .inbox import agents, supervisors
from .models import OPEN_STATUSES, Ticket
from .notices import notice_queue
from .sla import is_overdue


def _queue(user: User, kind: str, context: dict) -> None:
    today = timezone.localdate()
    with translation.override(settings.LANGUAGE_CODE):
        body = render_to_string(f"services/notices/digest_{kind}.txt",
                                {**context, "recipient": user, "site_url": settings.SITE_URL, "today": today})
        subject = (_("Inbox digest %(date)s: %(n)d open, %(late)d overdue")
                   % {"date": today.isoformat(), "n": len(context["tickets"]), "late": len(context["overdue"])})
    # One digest per person per day, however often the job runs.
    notice_queue(recipient=user, key=f"digest:{kind}:{user.pk}:{today.isoformat()}", subject=subject, body=body)


def digest_send() -> int:
    now = timezone.now()
    sent = 0
    open_tickets = list(Ticket.objects.filter(status__in=OPEN_STATUSES).select_related("assignee").order_by("due_at"))
    for agent in agents():
        mine = [t for t in open_tickets if t.assignee_id == agent.pk]
        if mine:
            _queue(agent, "agent", {"tickets": mine, "overdue": [t for t in mine if is_overdue(t, now)]})
            sent += 1
    unassigned = [t for t in open_tickets if t.assignee_id is None]
    if unassigned:
        for supervisor in supervisors():
            _queue(supervisor, "supervisor",
                   {"tickets": unassigned, "overdue": [t for t in unassigned if is_overdue(t, now)]})
            sent += 1
    return sent
