"""Her personal data across the apps, and another member's, for the 我的数据 export tests."""

import io
import json
import zipfile
from dataclasses import dataclass
from datetime import timedelta

from django.core.files.base import ContentFile
from django.utils import timezone

from events.models import RegistrationStatus
from members.models import Consent, User
from services.models import Application, Attachment, CallApplication, Category, Ticket, TicketMessage
from tests.events.factories import EventFactory, RegistrationFactory
from tests.factories import MemberProfileFactory, StaffFactory, UserFactory
from tests.services import call_review_support as calls
from tests.services.job_helpers import organisation, published_job, representative

PDF_CV = b"%PDF-1.4\n% CV of Lin Xiaowen\n%%EOF\n"
PHOTO = b"\xff\xd8\xff\xe0 her photo \xff\xd9"
ATTACHMENT = b"%PDF-1.4\n% invoice\n%%EOF\n"
INTERNAL_NOTE = "内部备注：她的情况需要主管复核 INTERNAL-7731"
STAFF_NOTES = "评审内部意见 STAFFNOTE-5520"


@dataclass
class Her:
    user: User
    ticket: Ticket
    cv_name: str


def private_storage_at(settings, folder):
    settings.STORAGES = {**settings.STORAGES, "private": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": str(folder), "base_url": None}}}
    return folder


def member_with_data(*, username: str, real_name: str, marker: str, phone: str = "13800001234", event=None,
                     the_call=None, job=None) -> Her:
    """A member holding a profile with a photo, a consent, a registration with childcare, a ticket
    (her message, staff's reply and an internal note, her attachment), a job application with a CV
    and a call application with an attachment; every free text carries ``marker``."""
    user = UserFactory(username=username, phone=phone, phone_verified=True)
    profile = MemberProfileFactory(user=user, real_name=real_name, bio=f"研究功能薄膜 {marker}")
    profile.avatar.save("a.jpg", ContentFile(PHOTO), save=True)
    Consent.objects.create(user=user, kind=Consent.Kind.PRIVACY_POLICY, version="2026-11")
    RegistrationFactory(user=user, event=event or EventFactory(title=f"沙龙 {marker}"),
                        status=RegistrationStatus.CONFIRMED, children_count=1, children_ages=[5])
    ticket = Ticket.objects.create(
        reference=f"JG-2026-{user.pk:06d}", year=2026, number=user.pk, member=user, category=Category.FINANCE,
        subject=f"贴息申请 {marker}", description=f"请问贴息政策 {marker}", due_at=timezone.now() + timedelta(days=2))
    staff = StaffFactory(username=f"staff-{username}")
    TicketMessage.objects.create(ticket=ticket, author=staff, body=f"已收到，正在办理 {marker}", from_staff=True)
    TicketMessage.objects.create(ticket=ticket, author=staff, body=f"{INTERNAL_NOTE} {marker}", from_staff=True,
                                 internal=True)
    attachment = Attachment(ticket=ticket, name="发票.pdf", content_type="application/pdf", size=len(ATTACHMENT),
                            uploaded_by=user)
    attachment.file.save("x.pdf", ContentFile(ATTACHMENT), save=True)
    if job is None:
        org = organisation()
        job = published_job(org, representative(org, username=f"hr-{username}"), StaffFactory(username=f"qy-{username}"))
    application = Application.objects.create(job=job, member=user, message=f"我想应聘 {marker}", cv_name="简历.pdf")
    application.cv.save("cv.pdf", ContentFile(PDF_CV), save=True)
    the_call = the_call or calls.call()
    call_application = calls.application(the_call, member=user, statement=f"个人陈述 {marker}")
    CallApplication.objects.filter(pk=call_application.pk).update(staff_notes=f"{STAFF_NOTES} {marker}")
    calls.attachment(call_application, name="代表作.pdf")
    return Her(user=user, ticket=ticket, cv_name=f"{application.pk}-简历.pdf")


def zip_of(content: bytes) -> zipfile.ZipFile:
    return zipfile.ZipFile(io.BytesIO(content))


def json_in(archive: zipfile.ZipFile, name: str):
    return json.loads(archive.read(name).decode("utf-8"))


def everything(archive: zipfile.ZipFile) -> str:
    """Every file of the ZIP as text (bytes that are not UTF-8 decoded leniently)."""
    return "\n".join(archive.read(name).decode("utf-8", errors="replace") for name in archive.namelist())
