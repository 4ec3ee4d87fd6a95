"""What services keeps about her, for 我的数据 (members.data_sources): her 巾帼管家 tickets with
the messages she can read (staff's internal notes are never exported) and her attachments, her
responses to service requests, her job applications with their CVs, her bookings of federation
offerings, and her call applications with their attachments (staff's notes left out)."""

from django.db.models import Prefetch
from django.utils.translation import gettext_lazy as _

from members.data_sources import ExportFile, exported_file, personal_data_source
from members.models import User

from .models import (
    Application,
    Attachment,
    CallApplication,
    CallApplicationStatus,
    RequestResponse,
    SlotBooking,
    Ticket,
    TicketMessage,
)


def tickets(user: User) -> tuple[list, list[ExportFile]]:
    files: list[ExportFile] = []
    rows = (Ticket.objects.filter(member=user).order_by("created_at", "pk").prefetch_related(
        # What she reads on her ticket's page: never the internal notes.
        Prefetch("messages", queryset=TicketMessage.objects.filter(internal=False).order_by("created_at", "pk"),
                 to_attr="shown_messages"),
        Prefetch("attachments", queryset=Attachment.objects.order_by("created_at", "pk"))))
    listed = []
    for ticket in rows:
        listed.append({
            "reference": ticket.reference,
            "category": ticket.get_category_display(),
            "subject": ticket.subject,
            "description": ticket.description,
            "preferred_contact": ticket.get_preferred_contact_display(),
            "status": ticket.get_status_display(),
            "submitted_at": ticket.created_at,
            "first_answered_at": ticket.first_response_at,
            "closed_at": ticket.closed_at,
            "rating": ticket.rating,
            "rating_comment": ticket.rating_comment,
            "messages": [{"from": "staff" if message.from_staff else "you", "text": message.body,
                          "written_at": message.created_at} for message in ticket.shown_messages],
            "attachments": [{"name": attachment.name, "uploaded_at": attachment.created_at,
                             "file": exported_file(source="tickets", name=f"{ticket.reference}-{attachment.name}",
                                                   file=attachment.file, files=files)}
                            for attachment in ticket.attachments.all()],
        })
    return listed, files


def request_responses(user: User) -> tuple[list, list[ExportFile]]:
    rows = (RequestResponse.objects.filter(member=user).select_related("request__organisation")
            .order_by("created_at", "pk"))
    return [{
        "request": row.request.title,
        "organisation": row.request.organisation.name,
        "message": row.message,
        "status": row.get_status_display(),
        "your_email_may_be_shown": row.share_email,
        "your_mobile_may_be_shown": row.share_phone,
        "consent_given_at": row.consented_at,
        "responded_at": row.created_at,
        "decided_at": row.decided_at,
    } for row in rows], []


def job_applications(user: User) -> tuple[list, list[ExportFile]]:
    files: list[ExportFile] = []
    rows = Application.objects.filter(member=user).select_related("job__organisation").order_by("created_at", "pk")
    return [{
        "job": row.job.title,
        "organisation": row.job.organisation.name,
        "message": row.message,
        "status": row.get_status_display(),
        "cv": exported_file(source="job_applications", name=f"{row.pk}-{row.cv_name or 'cv.pdf'}", file=row.cv,
                            files=files),
        "applied_at": row.created_at,
        "updated_at": row.updated_at,
    } for row in rows], files


def offering_bookings(user: User) -> tuple[list, list[ExportFile]]:
    rows = SlotBooking.objects.filter(member=user).select_related("slot__offering").order_by("created_at", "pk")
    return [{
        "offering": row.slot.offering.title,
        "starts_at": row.slot.starts_at,
        "ends_at": row.slot.ends_at,
        "status": row.get_status_display(),
        "booked_at": row.created_at,
        "cancelled_at": row.cancelled_at,
    } for row in rows], []


def call_applications(user: User) -> tuple[list, list[ExportFile]]:
    files: list[ExportFile] = []
    rows = (CallApplication.objects.filter(member=user).select_related("call").prefetch_related("attachments")
            .order_by("created_at", "pk"))
    listed = []
    for row in rows:
        listed.append({
            "call": row.call.title,
            "organiser": row.call.organiser,
            "statement": row.statement,
            "status": row.get_status_display(),
            # The reason she is shown; staff's own notes stay with staff.
            "reason": row.reason if row.status == CallApplicationStatus.NOT_SHORTLISTED else "",
            "started_at": row.created_at,
            "submitted_at": row.submitted_at,
            "decided_at": row.decided_at,
            "attachments": [{"name": attachment.name, "uploaded_at": attachment.created_at,
                             "file": exported_file(source="call_applications", name=f"{row.pk}-{attachment.name}",
                                                   file=attachment.file, files=files)}
                            for attachment in row.attachments.all()],
        })
    return listed, files


def register() -> None:
    personal_data_source(key="tickets", label=_("巾帼管家 tickets and messages"), collect=tickets, order=30)
    personal_data_source(key="request_responses", label=_("Responses to service requests"),
                         collect=request_responses, order=31)
    personal_data_source(key="job_applications", label=_("Job applications and CVs"), collect=job_applications,
                         order=32)
    personal_data_source(key="offering_bookings", label=_("Bookings of federation offerings"),
                         collect=offering_bookings, order=33)
    personal_data_source(key="call_applications", label=_("Call applications and attachments"),
                         collect=call_applications, order=34)
