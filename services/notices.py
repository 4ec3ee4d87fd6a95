"""What the inbox tells members and staff, as kinds of the kernel's one outbox.

A ticket's notices are written in the transaction that changed the ticket and composed when they
are sent. Internal notes never reach here: only public messages are quoted. The daily digests go
to staff only: emailed, never listed in 我的消息, and never by SMS.
"""

import uuid
from datetime import date

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from members.models import User
from xiangcheng.core.models import Notice
from xiangcheng.core.outbox import Message, notice_kind, notify
from xiangcheng.core.sms import sms_template

from .models import OPEN_STATUSES, Ticket, TicketMessage
from .sla import is_overdue

INBOX_TO_MEMBER = sms_template("inbox_to_member", _("{subject}. Details on the portal."), ["subject"])
INBOX_TO_STAFF = sms_template("inbox_to_staff", _("{subject}."), ["subject"])
PERMISSION = "services.view_ticket"

# Kinds about one ticket: to the member (first four) or to the agent handling it.
ACKNOWLEDGED, REPLIED, AWAITING_INFO, CLOSED = "acknowledged", "replied", "awaiting_info", "closed"
ASSIGNED, MEMBER_REPLIED, REOPENED = "assigned", "member_replied", "reopened"
_TICKET_LABELS = {
    ACKNOWLEDGED: _("Inbox: received"), REPLIED: _("Inbox: answered"), AWAITING_INFO: _("Inbox: information needed"),
    CLOSED: _("Inbox: closed"), ASSIGNED: _("Inbox: assigned to you"), MEMBER_REPLIED: _("Inbox: the member replied"),
    REOPENED: _("Inbox: reopened"),
}


def _ticket(notice: Notice) -> Ticket | None:
    return Ticket.objects.select_related("member__profile").filter(pk=notice.target_id).first()


def _has_ticket(notice: Notice) -> bool:
    return _ticket(notice) is not None


def _compose_ticket(notice: Notice) -> Message:
    ticket = _ticket(notice)
    kind = notice.kind.removeprefix("inbox.")
    message = None
    if message_id := notice.data.get("message"):
        message = TicketMessage.objects.filter(pk=message_id, ticket=ticket, internal=False).first()
    to_member = notice.recipient_id == ticket.member_id
    context = {"ticket": ticket, "kind": kind, "message": message, "recipient": notice.recipient,
               "site_url": settings.SITE_URL, "to_member": to_member}
    with translation.override(settings.LANGUAGE_CODE):
        subject = render_to_string("services/notices/subject.txt", context).strip()
        body = render_to_string("services/notices/body.txt", context)
    sms = (INBOX_TO_MEMBER if to_member else INBOX_TO_STAFF, {"subject": subject})
    url = ticket.get_absolute_url() if to_member else ""
    return Message(subject=subject, body=body, sms=sms, url=url)


TICKET_KINDS = {
    short: notice_kind(f"inbox.{short}", label=label, compose=_compose_ticket, applies=_has_ticket,
                       permission=PERMISSION)
    for short, label in _TICKET_LABELS.items()
}


def ticket_key(ticket_id: int, recipient_id: int, unique: str) -> str:
    """What tells a ticket's notices of one kind apart: to whom, and which reply or step."""
    return f"{ticket_id}:{recipient_id}:{unique}"


def notify_ticket(*, ticket: Ticket, recipient: User, kind: str, message: TicketMessage | None = None,
                  key: str = "") -> int:
    """A message about a ticket, once per ticket, kind, recipient and reply (or ``key``)."""
    assert message is None or not message.internal
    # A reply is told once; other steps may happen again (closed, reopened, closed), each told.
    unique = f"m{message.pk}" if message else (key or uuid.uuid4().hex)
    return notify(kind=TICKET_KINDS[kind], recipient=recipient, key=ticket_key(ticket.pk, recipient.pk, unique),
                  target=ticket, data={"message": message.pk} if message else {})[0]


# --- the daily digests ------------------------------------------------------------------------

def digest_tickets(*, recipient: User, audience: str) -> list[Ticket]:
    """Her open tickets (agents) or the unassigned ones (supervisors), earliest deadline first."""
    tickets = Ticket.objects.filter(status__in=OPEN_STATUSES).order_by("due_at", "pk")
    if audience == "agent":
        return list(tickets.filter(assignee=recipient))
    return list(tickets.filter(assignee__isnull=True))


def _digest_applies(notice: Notice) -> bool:
    return bool(digest_tickets(recipient=notice.recipient, audience=notice.data["audience"]))


def _compose_digest(notice: Notice) -> Message:
    audience = notice.data["audience"]
    tickets = digest_tickets(recipient=notice.recipient, audience=audience)
    now = timezone.now()
    overdue = [t for t in tickets if is_overdue(t, now)]
    today = date.fromisoformat(notice.data["date"])
    with translation.override(settings.LANGUAGE_CODE):
        body = render_to_string(f"services/notices/digest_{audience}.txt", {
            "tickets": tickets, "overdue": overdue, "recipient": notice.recipient,
            "site_url": settings.SITE_URL, "today": today})
        subject = (gettext("Inbox digest %(date)s: %(n)d open, %(late)d overdue")
                   % {"date": today.isoformat(), "n": len(tickets), "late": len(overdue)})
    return Message(subject=subject, body=body)  # no SMS: a digest is read at a desk


DIGEST = notice_kind("inbox.digest", label=_("Inbox: daily digest"), compose=_compose_digest,
                     applies=_digest_applies, staff_only=True, permission="services.supervise_ticket")


def notify_digest(*, recipient: User, audience: str) -> int:
    """One digest per person, audience and local day, however often the job runs."""
    today = timezone.localdate().isoformat()
    return notify(kind=DIGEST, recipient=recipient, key=f"{audience}:{recipient.pk}:{today}",
                  data={"audience": audience, "date": today})[0]
