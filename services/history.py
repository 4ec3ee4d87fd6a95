"""A ticket's history, read from the audit trail: who submitted, assigned, answered, noted,
replied, moved, closed, reopened or rated it, and when.

The ticket's own audit events give status, assignee, priority and rating changes; its messages'
events give the replies and notes. Closing and reopening are the member's own status changes.
"""

from dataclasses import dataclass
from datetime import datetime

from django.db import models
from django.utils.translation import gettext_lazy as _

from members.models import User
from xiangcheng.core import audit

from .models import Ticket, TicketMessage, TicketStatus


class Step(models.TextChoices):
    SUBMITTED = "submitted", _("Submitted")
    ASSIGNED = "assigned", _("Assigned")
    STATUS = "status", _("Status changed")
    PRIORITY = "priority", _("Priority changed")
    REPLIED = "replied", _("Replied")
    NOTE = "note", _("Internal note")
    MEMBER_REPLIED = "member_replied", _("Member replied")
    CLOSED = "closed", _("Closed")
    REOPENED = "reopened", _("Reopened")
    RATED = "rated", _("Rated")


@dataclass(frozen=True)
class TicketStep:
    at: datetime
    actor: User | None
    step: str
    old: str = ""
    new: str = ""
    old_text: str = ""
    new_text: str = ""
    field: str = ""
    reason: str = ""

    @property
    def title(self) -> str:
        return str(Step(self.step).label)


def _value(value) -> str:
    return "" if value is None else str(value)


def _changes(ticket: Ticket, entry: audit.Entry) -> list[TicketStep]:
    steps = []
    by_member = entry.actor_id == ticket.member_id
    for change in entry.changes:
        common = {"at": entry.at, "actor": entry.actor, "reason": entry.reason, "field": change.label,
                  "old_text": change.old_text, "new_text": change.new_text}
        if change.name == "status":
            step = Step.STATUS
            if by_member and change.new == TicketStatus.CLOSED:
                step = Step.CLOSED
            elif by_member and change.old == TicketStatus.CLOSED:
                step = Step.REOPENED
            steps.append(TicketStep(step=step, old=change.old, new=change.new, **common))
        elif change.name == "assignee":
            steps.append(TicketStep(step=Step.ASSIGNED, old=change.old_text if change.old else "",
                                    new=change.new_text if change.new else "", **common))
        elif change.name == "priority":
            steps.append(TicketStep(step=Step.PRIORITY, old=change.old, new=change.new, **common))
        elif change.name == "rating" and change.new is not None:
            steps.append(TicketStep(step=Step.RATED, new=_value(change.new), **common))
    return steps


def ticket_history(ticket: Ticket) -> list[TicketStep]:
    """Every step of the ticket, oldest first."""
    steps = []
    for entry in audit.history(ticket, references=True):
        if entry.model is TicketMessage and entry.label == audit.CREATED:
            step = (Step.NOTE if entry.data.get("internal")
                    else Step.REPLIED if entry.data.get("from_staff") else Step.MEMBER_REPLIED)
            steps.append(TicketStep(at=entry.at, actor=entry.actor, step=step, reason=entry.reason))
        elif entry.model is Ticket and entry.label == audit.CREATED:
            steps.append(TicketStep(at=entry.at, actor=entry.actor, step=Step.SUBMITTED,
                                    new=entry.data.get("reference", ""), new_text=entry.data.get("reference", ""),
                                    reason=entry.reason))
        elif entry.model is Ticket:
            steps.extend(_changes(ticket, entry))
    return steps
