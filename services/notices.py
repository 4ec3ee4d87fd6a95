"""What the inbox tells members and staff, as kinds of the kernel's one outbox.

A ticket's notices are written in the transaction that changed the ticket and composed when they
are sent. Internal notes never reach here: only public messages are quoted. The daily digests go
to staff only: emailed, never listed in 我的消息, and never by SMS.
"""

import uuid
from datetime import date

from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from members.models import Representative, User
from xiangcheng.core.models import Notice
from xiangcheng.core.outbox import Addressed, Message, notice_kind, notify, notify_many
from xiangcheng.core.sms import sms_template

from .models import OPEN_STATUSES, Application, ApplicationStatus, Job, Ticket, TicketMessage
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


# --- Jobs (新城招聘): decisions told to the organisation, application steps told to her ----------

JOBS_SMS = sms_template("jobs_update", _("{subject}. Details on the portal."), ["subject"])
JOBS_PERMISSION = "services.view_job"


class JOB_DECISION:  # noqa: N801 - a namespace of the outcomes a notice names
    PUBLISHED, REJECTED, EDIT_PUBLISHED, EDIT_REJECTED = "published", "rejected", "edit_published", "edit_rejected"


def _job_decision_subject(job: Job, outcome: str) -> str:
    texts = {
        JOB_DECISION.PUBLISHED: gettext("Your job “%(title)s” is published"),
        JOB_DECISION.REJECTED: gettext("Your job “%(title)s” was not published"),
        JOB_DECISION.EDIT_PUBLISHED: gettext("Your edit of “%(title)s” is published"),
        JOB_DECISION.EDIT_REJECTED: gettext("Your edit of “%(title)s” was not accepted"),
    }
    return texts[outcome] % {"title": job.title}


def _compose_job_decision(notice: Notice) -> Message:
    job = Job.objects.get(pk=notice.target_id)
    outcome, reason = notice.data["outcome"], notice.data.get("reason", "")
    with translation.override(settings.LANGUAGE_CODE):
        subject = _job_decision_subject(job, outcome)
        lines = [subject + "."]
        if reason:
            lines.append(gettext("Reason: %(reason)s") % {"reason": reason})
        if outcome == JOB_DECISION.REJECTED:
            lines.append(gettext("You can edit the job and submit it again."))
        url = reverse("services:organisation_jobs", args=[job.organisation_id])
        lines.append(settings.SITE_URL + url)
    return Message(subject=subject, body="\n\n".join(lines) + "\n", sms=(JOBS_SMS, {"subject": subject}), url=url)


def _job_exists(notice: Notice) -> bool:
    return Job.objects.filter(pk=notice.target_id).exists()


JOB_DECIDED = notice_kind("jobs.decided", label=_("Jobs: review decision"), compose=_compose_job_decision,
                          applies=_job_exists, permission=JOBS_PERMISSION)


def notify_job_decision(*, job: Job, outcome: str, at) -> int:
    """Each of the organisation's representatives is told, once per decision."""
    recipients = Representative.objects.filter(organisation_id=job.organisation_id).values_list("user_id", flat=True)
    data = {"outcome": outcome, "reason": job.rejection_reason}
    return len(notify_many(kind=JOB_DECIDED, target_model=Job, items=[
        Addressed(recipient_id=uid, key=f"{job.pk}:{uid}:{outcome}:{at.isoformat()}", target_id=job.pk, data=data)
        for uid in recipients]))


def _compose_application(notice: Notice) -> Message:
    application = Application.objects.select_related("job__organisation").get(pk=notice.target_id)
    job = application.job
    with translation.override(settings.LANGUAGE_CODE):
        if notice.kind == APPLIED.name:
            subject = gettext("New application for “%(title)s”") % {"title": job.title}
            url = reverse("services:job_applications", args=[job.organisation_id, job.pk])
            body = gettext("A member applied for “%(title)s”. Read her application on the job's applications "
                           "page.") % {"title": job.title}
        else:
            status = ApplicationStatus(notice.data["status"])
            subject = (gettext("%(organisation)s: your application for “%(title)s” is %(status)s")
                       % {"organisation": job.organisation.name, "title": job.title, "status": status.label})
            url = reverse("services:my_applications")
            body = subject + "."
    return Message(subject=subject, body=f"{body}\n\n{settings.SITE_URL}{url}\n", sms=(JOBS_SMS, {"subject": subject}),
                   url=url)


def _application_exists(notice: Notice) -> bool:
    return Application.objects.filter(pk=notice.target_id).exists()


APPLIED = notice_kind("jobs.applied", label=_("Jobs: new application"), compose=_compose_application,
                      applies=_application_exists, permission=JOBS_PERMISSION)
APPLICATION_STEP = notice_kind("jobs.application", label=_("Jobs: application shortlisted or declined"),
                               compose=_compose_application, applies=_application_exists,
                               permission=JOBS_PERMISSION)


def notify_applied(*, application: Application) -> int:
    recipients = (Representative.objects.filter(organisation_id=application.job.organisation_id)
                  .values_list("user_id", flat=True))
    return len(notify_many(kind=APPLIED, target_model=Application, items=[
        Addressed(recipient_id=uid, key=f"{application.pk}:{uid}", target_id=application.pk) for uid in recipients]))


def notify_application_step(*, application: Application) -> int:
    """She is told when she is shortlisted or declined, once per step."""
    return notify(kind=APPLICATION_STEP, recipient=application.member, key=f"{application.pk}:{application.status}",
                  target=application, data={"status": application.status})[0]
