"""巾帼管家: submitting, answering, closing, reopening and rating inbox tickets.

Every change is one transaction that also writes the notices to send (the kernel's outbox,
delivered after commit by Celery); the audit trail records it, by the actor named here
(services.history reads the ticket's history from it). A submission therefore never
depends on Redis or the worker being up: the row is saved and the notices wait in the outbox.
"""

from collections.abc import Sequence
from datetime import timedelta

from django.db import connection, transaction
from django.db.models import QuerySet, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from members.models import User
from xiangcheng.core.audit import audit_context
from xiangcheng.core.compiled_queries import CompiledQuery, Listing
from xiangcheng.core.roles import INBOX_AGENT, role_members

from . import notices
from .attachments import CheckedFile
from .models import Attachment, Ticket, TicketMessage, TicketStatus
from .notices import notify_ticket
from .sla import due_for

SUBMISSIONS_PER_HOUR = 5
# Her replies, and the bytes of the files she attaches (to replies and new tickets), in any
# rolling 24 hours: enough for a long exchange, not enough to fill the disk or the agents' day.
REPLIES_PER_DAY = 30
UPLOAD_BYTES_PER_DAY = 20 * 1024 * 1024
REOPEN_DAYS = 14


class InboxError(Exception):
    """A rule of the inbox was broken; the message is shown to the user."""


_TICKETS_OF = CompiledQuery(lambda member_id: Ticket.objects.filter(member_id=member_id).order_by("-created_at", "-pk"),
                           member_id=int)


def tickets_of(*, member: User) -> Listing:
    """Her tickets (我的反馈), newest first, for ``counted_page`` (its SQL built once per process)."""
    return _TICKETS_OF.listing(member_id=member.pk)


def _next_number(year: int) -> int:
    """The next reference number of the year. The counter row stays locked until commit, so
    concurrent submissions queue here and a rolled-back one gives its number back: no gaps."""
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO services_ticketcounter (year, last) VALUES (%s, 1) "
            "ON CONFLICT (year) DO UPDATE SET last = services_ticketcounter.last + 1 RETURNING last",
            [year],
        )
        return cursor.fetchone()[0]


def _move(ticket: Ticket, status: str) -> None:
    """Change the status in memory; a closed ticket always has its closing time.

    The caller saves ``status`` and ``closed_at``.
    """
    if status == TicketStatus.CLOSED:
        ticket.closed_at = timezone.now()
    elif ticket.status == TicketStatus.CLOSED:
        ticket.closed_at = None
    ticket.status = status


def _attach(ticket: Ticket, files: Sequence[CheckedFile], user: User) -> None:
    for checked in files:
        attachment = Attachment(ticket=ticket, name=checked.name, content_type=checked.content_type,
                                size=checked.content.size, uploaded_by=user)
        attachment.file.save(checked.name, checked.content, save=False)
        attachment.save()


def submissions_left(member: User) -> int:
    since = timezone.now() - timedelta(hours=1)
    return max(SUBMISSIONS_PER_HOUR - Ticket.objects.filter(member=member, created_at__gte=since).count(), 0)


def _member_lock(member: User) -> None:
    """Serialise one member's submissions and replies, so her limits hold under double clicks
    and parallel tabs: they are counted in the database, under this lock."""
    User.objects.select_for_update().filter(pk=member.pk).first()


def _upload_quota_check(member: User, files: Sequence[CheckedFile]) -> None:
    if not files:
        return
    since = timezone.now() - timedelta(hours=24)
    used = Attachment.objects.filter(uploaded_by=member, created_at__gte=since).aggregate(n=Sum("size"))["n"] or 0
    if used + sum(f.content.size for f in files) > UPLOAD_BYTES_PER_DAY:
        raise InboxError(
            _("Your files of the last 24 hours already take %(used).1f MB of the %(limit)d MB a day allows. "
              "Send your message without these files, or attach them later.")
            % {"used": used / 1024 / 1024, "limit": UPLOAD_BYTES_PER_DAY // 1024 // 1024})


def _reply_quota_check(member: User) -> None:
    since = timezone.now() - timedelta(hours=24)
    if TicketMessage.objects.filter(author=member, from_staff=False, created_at__gte=since).count() >= REPLIES_PER_DAY:
        raise InboxError(_("You have sent %(n)d replies in the last 24 hours. Please try again later.")
                         % {"n": REPLIES_PER_DAY})


def ticket_submit(*, member: User, category: str, subject: str, description: str, preferred_contact: str,
                  files: Sequence[CheckedFile] = ()) -> Ticket:
    with transaction.atomic(), audit_context(actor=member):
        _member_lock(member)
        if submissions_left(member) == 0:
            raise InboxError(_("You have sent %(n)d messages in the last hour. Please try again later.")
                             % {"n": SUBMISSIONS_PER_HOUR})
        _upload_quota_check(member, files)
        now = timezone.now()
        year = timezone.localtime(now).year
        number = _next_number(year)
        ticket = Ticket.objects.create(
            reference=f"JG-{year}-{number:06d}", year=year, number=number, member=member, category=category,
            subject=subject, description=description, preferred_contact=preferred_contact,
            due_at=due_for(category=category, submitted_at=now),
        )
        _attach(ticket, files, member)
        notify_ticket(ticket=ticket, recipient=member, kind=notices.ACKNOWLEDGED)
    return ticket


def _locked(ticket: Ticket) -> Ticket:
    return Ticket.objects.select_for_update().get(pk=ticket.pk)


def assignable_staff() -> QuerySet[User]:
    """Who may be offered as a ticket's assignee: active inbox agents, and superusers.

    Each group is found through its own index and the two are united, rather than one OR over
    a join that reads every account.
    """
    agents = role_members(INBOX_AGENT).values("pk")
    superusers = User.objects.filter(is_superuser=True, is_active=True).values("pk")
    return User.objects.filter(pk__in=agents.union(superusers))


def ticket_assign(*, ticket: Ticket, assignee: User | None, actor: User) -> Ticket:
    with transaction.atomic(), audit_context(actor=actor):
        ticket = _locked(ticket)
        if assignee is not None and not assignable_staff().filter(pk=assignee.pk).exists():
            raise InboxError(_("Tickets can only be assigned to inbox agents."))
        ticket.assignee = assignee
        if assignee is not None and ticket.status == TicketStatus.NEW:
            _move(ticket, TicketStatus.ACCEPTED)
        ticket.save(update_fields=["assignee", "status", "updated_at"])
        if assignee is not None and assignee != actor:
            notify_ticket(ticket=ticket, recipient=assignee, kind=notices.ASSIGNED)
    return ticket


def ticket_set_status(*, ticket: Ticket, status: str, actor: User) -> Ticket:
    with transaction.atomic(), audit_context(actor=actor):
        ticket = _locked(ticket)
        if status == ticket.status:
            return ticket
        _move(ticket, status)
        ticket.save(update_fields=["status", "closed_at", "updated_at"])
        if status in {TicketStatus.AWAITING_INFO, TicketStatus.CLOSED}:
            notify_ticket(ticket=ticket, recipient=ticket.member, kind=status)
    return ticket


def ticket_set_priority(*, ticket: Ticket, priority: str, actor: User) -> Ticket:
    with transaction.atomic(), audit_context(actor=actor):
        ticket = _locked(ticket)
        if priority != ticket.priority:
            ticket.priority = priority
            ticket.save(update_fields=["priority", "updated_at"])
    return ticket


def ticket_reply(*, ticket: Ticket, author: User, body: str, internal: bool = False,
                 status: str = TicketStatus.ANSWERED) -> TicketMessage:
    """Staff write to the member (she is told) or leave an internal note (she never sees it).

    A public reply moves the ticket to ``status`` (answered unless staff chose another); an
    internal note leaves the status alone (change it with ``ticket_set_status``).
    """
    body = body.strip()
    if not body:
        raise InboxError(_("Write a message first."))
    with transaction.atomic(), audit_context(actor=author):
        ticket = _locked(ticket)
        message = TicketMessage.objects.create(ticket=ticket, author=author, body=body, internal=internal,
                                               from_staff=True)
        if internal:
            return message
        if ticket.first_response_at is None:
            ticket.first_response_at = message.created_at
        if status != ticket.status:
            _move(ticket, status)
        ticket.save(update_fields=["first_response_at", "status", "closed_at", "updated_at"])
        notify_ticket(ticket=ticket, recipient=ticket.member, kind=notices.REPLIED, message=message)
    return message


def _own(ticket: Ticket, member: User) -> None:
    if ticket.member_id != member.pk:
        raise InboxError(_("This is not your ticket."))


def ticket_member_reply(*, ticket: Ticket, member: User, body: str,
                        files: Sequence[CheckedFile] = ()) -> TicketMessage:
    """She answers or adds information; the ticket goes back to staff."""
    _own(ticket, member)
    body = body.strip()
    if not body and not files:
        raise InboxError(_("Write a message or attach a file."))
    with transaction.atomic(), audit_context(actor=member):
        _member_lock(member)  # before the ticket's lock, in the order ticket_submit takes them
        ticket = _locked(ticket)
        if ticket.status == TicketStatus.CLOSED:
            raise InboxError(_("This ticket is closed. Reopen it to add something."))
        _reply_quota_check(member)
        _upload_quota_check(member, files)
        message = TicketMessage.objects.create(ticket=ticket, author=member, body=body or "—")
        _attach(ticket, files, member)
        if ticket.status in {TicketStatus.AWAITING_INFO, TicketStatus.ANSWERED}:
            _move(ticket, TicketStatus.IN_PROGRESS)
            ticket.save(update_fields=["status", "updated_at"])
        if ticket.assignee_id:
            notify_ticket(ticket=ticket, recipient=ticket.assignee, kind=notices.MEMBER_REPLIED, message=message)
    return message


def ticket_close(*, ticket: Ticket, member: User) -> Ticket:
    _own(ticket, member)
    with transaction.atomic(), audit_context(actor=member):
        ticket = _locked(ticket)
        if ticket.status == TicketStatus.CLOSED:
            raise InboxError(_("This ticket is already closed."))
        _move(ticket, TicketStatus.CLOSED)
        ticket.save(update_fields=["status", "closed_at", "updated_at"])
    return ticket


def can_reopen(ticket: Ticket) -> bool:
    return (ticket.status == TicketStatus.CLOSED and ticket.closed_at is not None
            and timezone.now() <= ticket.closed_at + timedelta(days=REOPEN_DAYS))


def ticket_reopen(*, ticket: Ticket, member: User) -> Ticket:
    _own(ticket, member)
    with transaction.atomic(), audit_context(actor=member):
        ticket = _locked(ticket)
        if not can_reopen(ticket):
            raise InboxError(_("A ticket can be reopened within %(n)d days of closing.") % {"n": REOPEN_DAYS})
        _move(ticket, TicketStatus.IN_PROGRESS)
        ticket.rating = None
        ticket.rating_comment = ""
        ticket.save(update_fields=["status", "closed_at", "rating", "rating_comment", "updated_at"])
        if ticket.assignee_id:
            notify_ticket(ticket=ticket, recipient=ticket.assignee, kind=notices.REOPENED)
    return ticket


def ticket_rate(*, ticket: Ticket, member: User, rating: int, comment: str = "") -> Ticket:
    _own(ticket, member)
    if rating not in range(1, 6):
        raise InboxError(_("Choose a rating from 1 to 5."))
    with transaction.atomic(), audit_context(actor=member):
        ticket = _locked(ticket)
        if ticket.status != TicketStatus.CLOSED:
            raise InboxError(_("You can rate the answer once the ticket is closed."))
        ticket.rating = rating
        ticket.rating_comment = comment.strip()[:500]
        ticket.save(update_fields=["rating", "rating_comment", "updated_at"])
    return ticket


def agents() -> list[User]:
    return list(role_members(INBOX_AGENT).order_by("pk"))


def supervisors() -> list[User]:
    return [u for u in User.objects.filter(is_active=True, is_staff=True)
            if u.has_perm("services.supervise_ticket")]


