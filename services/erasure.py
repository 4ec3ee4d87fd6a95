"""注销账号: what services erases when a member deletes her account (registered in ready()).

- 巾帼管家 tickets stay for the statistics (category, times, status, rating), anonymous: their
  subject, description, rating comment and every message on them lose their text, their
  attachments are deleted with their files; the audit trail's copies of the text go too.
- Her responses to service requests and her job applications (with their CVs) are deleted.
- Her call applications stay for the calls' figures (status, dates), without her statement, the
  reasons and notes about her, and without their attachments; her call follows go.
- Offering bookings stay as anonymous counts (they hold no text of hers); the digest opt-out goes.
"""

from members.erasure import erasure_step, files_delete_after_commit
from xiangcheng.core.account_erasure import audit_forget

from .models import (
    Application,
    Attachment,
    CallApplication,
    CallAttachment,
    CallFollow,
    RequestDigestOptOut,
    RequestResponse,
    Ticket,
    TicketMessage,
)


def _files(queryset, field: str):
    storage = queryset.model._meta.get_field(field).storage
    return [(storage, name) for name in queryset.exclude(**{field: ""}).values_list(field, flat=True)]


def tickets_erase(user) -> None:
    tickets = list(Ticket.objects.filter(member=user).values_list("pk", flat=True))
    attachments = Attachment.objects.filter(ticket_id__in=tickets)
    files_delete_after_commit(_files(attachments, "file"))
    attachments.delete()
    TicketMessage.objects.filter(ticket_id__in=tickets).update(body="")
    Ticket.objects.filter(pk__in=tickets).update(subject="", description="", rating_comment="")
    audit_forget(model=Ticket, pks=tickets, values={"subject": "", "description": "", "rating_comment": ""})


def requests_erase(user) -> None:
    RequestResponse.objects.filter(member=user).delete()
    RequestDigestOptOut.objects.filter(user=user).delete()


def job_applications_erase(user) -> None:
    applications = Application.objects.filter(member=user)
    files_delete_after_commit(_files(applications, "cv"))
    applications.delete()


def call_applications_erase(user) -> None:
    applications = list(CallApplication.objects.filter(member=user).values_list("pk", flat=True))
    attachments = CallAttachment.objects.filter(application_id__in=applications)
    files_delete_after_commit(_files(attachments, "file"))
    attachments.delete()
    CallApplication.objects.filter(pk__in=applications).update(statement="", reason="", staff_notes="")
    audit_forget(model=CallApplication, pks=applications, values={"reason": ""})
    CallFollow.objects.filter(member=user).delete()


def register() -> None:
    erasure_step(key="services.tickets", erase=tickets_erase, order=20)
    erasure_step(key="services.requests", erase=requests_erase, order=21)
    erasure_step(key="services.job_applications", erase=job_applications_erase, order=22)
    erasure_step(key="services.call_applications", erase=call_applications_erase, order=23)
